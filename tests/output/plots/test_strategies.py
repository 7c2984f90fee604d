"""The strategies table and plot on a small world with threshold switching."""

import numpy as np
from figure_checks import check_figure
from worlds import make_world, params_for, scenario

from sim.engine.run import simulate
from sim.outcomes.results import Results
from sim.output.plots.strategies import strategy_counts


def test_strategies_table_counts_every_country_and_the_plot_is_written(tmp_path):
    world = make_world([1e6, 2e6, 3e6], ["HIC", "UMIC", "LIC"], production=[50_000.0],
                       days=120)
    scen = scenario(
        days=120,
        procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 2.0}}},
        uptake={"capacity": {g: {"start": 0.004, "end": 0.004, "ramp_days": 0}
                             for g in ("HIC", "UMIC", "LIC")}},
        adaptation={"review_days": 14, "groups": {"HIC": {"rule": "threshold", "theta": 0.2,
                                                          "then": "donate"}}})
    params = params_for(world, scen, (1, 2))
    traj, _ = simulate(world, params)
    res = Results(scen, world, params, traj)
    tab = res.tables()["strategies"]
    assert list(tab.columns) == ["member", "date", "strategy", "count"]
    assert len(tab) == 2 * 120 * 4
    assert (tab.groupby(["member", "date"])["count"].sum() == 3).all()
    hic = tab[(tab["strategy"] == "hoard")].set_index(["member", "date"])["count"]
    donate = tab[(tab["strategy"] == "donate")].set_index(["member", "date"])["count"]
    assert hic.iloc[0] == 1 and donate.iloc[0] == 0
    assert donate.max() == 1 and np.all(hic + donate == 1)
    check_figure(strategy_counts(tab, "test"), tmp_path)
