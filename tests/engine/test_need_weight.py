"""The epidemic's need signal weights the pool's need phase and donors' choices."""

from types import SimpleNamespace

import numpy as np
from worlds import make_world, params_for, scenario

from sim.engine.epidemic import need_weight
from sim.engine.run import simulate


def test_weight_is_one_plus_burden_over_the_population_weighted_mean():
    deaths = np.array([[0.0, 1e-5, 4e-5], [0.0, 0.0, 0.0]])
    pop = np.array([1.0, 2.0, 1.0])
    w = need_weight(SimpleNamespace(epi=SimpleNamespace(recent_deaths=deaths)), pop)
    mean = (1e-5 * 2 + 4e-5) / 4
    np.testing.assert_allclose(w[0], [1.0, 1 + 1e-5 / mean, 1 + 4e-5 / mean])
    np.testing.assert_array_equal(w[1], [1.0, 1.0, 1.0])  # no deaths yet: gap alone
    assert need_weight(SimpleNamespace(epi=None), pop) is None


def test_pool_need_phase_favours_the_country_with_deaths():
    # Two identical low-income countries with equal gaps; the virus spreads only in C02
    # (contacts 0 elsewhere). Once deaths weigh in, the pool's need phase favours C02.
    world = make_world([1e6, 1e6, 1e6], ["HIC", "LIC", "LIC"], production=[2e4], days=80)
    scen = scenario(
        pool={"enabled": True, "orders_doses": 1e6, "priority": 0, "tier_share": 0.0,
              "every_days": 7, "default": {"member": True}},
        procurement={"default": {"budget_share": 0.0}},
        uptake={"capacity": {"LIC": {"start": 0.01, "end": 0.01}}},  # room for all it gets
        epidemic={"initial_prevalence": 0.01, "importation": 0.0,
                  "contacts": {"default": [{"start": "2020-12-01", "multiplier": 0.0}],
                               "countries": {"C02": [{"start": "2020-12-01",
                                                      "multiplier": 1.0}]}}})
    _, state = simulate(world, params_for(world, scen))
    assert state.epi.recent_deaths[0, 2] > 100 * state.epi.recent_deaths[0, 1]
    assert state.pool_given[0, 2] > 1.05 * state.pool_given[0, 1]
