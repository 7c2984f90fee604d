"""Shocks: export ban exactly between its dates, plant outage, demand surge."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.market import banned_today
from sim.engine.run import simulate


def _world():
    return make_world([1e6, 1e7], ["HIC", "LIC"], home_of=[0, -1], production=[10_000.0],
                      days=40)


def test_export_ban_shock_stops_exports_exactly_between_its_dates():
    w = _world()
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}},
                    market={"clearing_days": 1},
                    shocks=[{"type": "export_ban", "producer": "P0", "start": "2021-01-11",
                             "end": "2021-01-20"}])
    params = params_for(w, scen)
    assert [bool(banned_today(params, t)[0, 0]) for t in (9, 10, 19, 20)] == \
        [False, True, True, False]
    traj, _ = simulate(w, params)
    exports = np.diff(traj.exported_cum[0, :, 0], prepend=0.0)
    assert np.all(exports[10:20] == 0.0)
    assert np.all(exports[:10] > 0) and np.all(exports[20:] > 0)


def test_plant_outage_scales_output_between_its_dates():
    w = _world()
    scen = scenario(shocks=[{"type": "plant_outage", "producer": "P0", "start": "2021-01-05",
                             "end": "2021-01-14", "multiplier": 0.25}])
    traj, _ = simulate(w, params_for(w, scen))
    made = np.diff(traj.produced_cum[0, :, 0], prepend=0.0)
    np.testing.assert_allclose(made[4:14], 2500.0)
    np.testing.assert_allclose(made[:4], 10_000.0)
    np.testing.assert_allclose(made[14:], 10_000.0)


def test_demand_surge_adds_orders_on_its_date():
    w = _world()
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}},
                    shocks=[{"type": "demand_surge", "countries": ["HIC"], "date": "2021-01-03",
                             "extra_courses": 1.0}])
    params = params_for(w, scen)
    traj, state = simulate(w, params)
    assert state.orders_extra[0, 0] == pytest.approx(2e6)
    assert state.orders_extra[0, 1] == 0.0
    assert state.orders_open[0, 0] + state.allocated_cum[0, 0] == pytest.approx(4e6)
