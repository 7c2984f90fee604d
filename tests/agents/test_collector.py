"""The array collector gives the same agent table as Mesa's per-agent DataCollector."""

import mesa
import pandas as pd
from worlds import SCENARIOS

from sim.agents import VaccineDiplomacyModel
from sim.agents.reporters import AGENT_ARRAYS


def test_agent_table_equals_mesa_per_agent_reporters():
    model = VaccineDiplomacyModel(SCENARIOS / "bilateral_diplomacy.yaml", rng=3, days=60,
                                  countries="USA,IND,NGA,BRA,DEU,ETH,CHN,GBR")
    plain = mesa.DataCollector(agent_reporters={k: k for k in AGENT_ARRAYS})
    plain.collect(model)
    while model.running:
        model.step()
        plain.collect(model)
    got = model.datacollector.get_agent_vars_dataframe()
    want = plain.get_agent_vars_dataframe()
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert len(got) == 61 * 8 and got["coverage"].max() > 0
    # batch_run's reader: one step's rows as (step, id, values...)
    last = model.datacollector._agent_records[model.time]
    assert [row[1] for row in last] == [a.unique_id for a in model.agents]
    assert [row[2 + list(AGENT_ARRAYS).index("coverage")] for row in last] == \
        [a.coverage for a in model.agents]
