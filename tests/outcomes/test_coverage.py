"""Coverage on a date equals the pivot of the groups table it reads."""

import numpy as np
import pandas as pd
import pytest
from worlds import SCENARIOS

from sim.api import run
from sim.engine.record import GROUPS
from sim.outcomes.coverage import coverage_at
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def groups():
    s = load_scenario(SCENARIOS / "baseline.yaml", ["replicates=3", "production.noise_sd=0.1"])
    return run(s, days=120).groups


@pytest.mark.parametrize("date", [None, "2021-02-15", "2021-04-30"])
@pytest.mark.parametrize("column", ["coverage_first", "coverage_completed"])
def test_coverage_at_equals_the_pivot(groups, date, column):
    when = groups["date"].max() if date is None else pd.Timestamp(date)
    want = groups[groups["date"] == when].pivot(index="member", columns="group",
                                                values=column)[list(GROUPS)]
    got = coverage_at(groups, date, column)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_column_type=False)
    assert np.array_equal(got.to_numpy(), want.to_numpy())
