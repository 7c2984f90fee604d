"""Uncertain willingness (sim/engine/build/willingness_draw.py): replicates draw different
willingness, so coverage bands are real where willingness binds; arms with the same seed
draw the same (common random numbers)."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.api import deterministic_note
from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds

SPREAD = {"hesitancy": 0.25, "willingness_spread": 0.04,
          "capacity": {"HIC": {"start": 0.01, "end": 0.01}}}


def _world(days=250):
    # A rich producer country that vaccinates every willing person within the run.
    return make_world([2e6, 3e6], ["HIC", "LIC"], home_of=[0, -1],
                      production=[60_000.0], days=days)


def test_willingness_is_drawn_per_member_and_group_within_the_spread():
    world = _world()
    seeds = replicate_seeds(7, 20)
    params = params_for(world, scenario(days=250, uptake=SPREAD), seeds)
    w = params.willing                                                      # (E, N)
    assert ((w >= 0.75 - 0.04 - 1e-12) & (w <= 0.75 + 0.04 + 1e-12)).all()
    assert w[:, 0].std() > 0.01 and w[:, 1].std() > 0.01      # members differ
    assert not np.allclose(w[:, 0], w[:, 1])                   # groups draw apart
    steps = params.willing_steps[:, 0]
    np.testing.assert_array_equal(steps, w)
    # Without a spread every member keeps the scenario's willingness.
    flat = params_for(world, scenario(days=250, uptake={**SPREAD, "willingness_spread": 0}),
                      seeds)
    np.testing.assert_array_equal(flat.willing, np.full((20, 2), 0.75))


def test_replicates_give_a_real_band_where_willingness_binds():
    world = _world()
    seeds = replicate_seeds(7, 10)
    scen = scenario(days=250, uptake=SPREAD)
    traj, state = simulate(world, params_for(world, scen, seeds))
    coverage = state.first[:, 0] / world.population[0]
    willing = params_for(world, scen, seeds).willing[:, 0]
    # Every replicate stops at its own willingness: coverage ranks as the draws do, never
    # above them, and the band over replicates is about as wide as the draws.
    assert (coverage <= willing + 1e-12).all()
    np.testing.assert_array_equal(np.argsort(coverage), np.argsort(willing))
    assert coverage.max() - coverage.min() > 0.8 * (willing.max() - willing.min()) > 0.02
    assert deterministic_note(scen, 10) is None
    assert deterministic_note(scenario(days=250, uptake={**SPREAD, "willingness_spread": 0}),
                              10) is not None


def test_policy_arms_with_the_same_seed_share_the_draw():
    world = _world()
    seeds = list(replicate_seeds(11, 4))
    a = scenario(days=250, uptake=SPREAD)
    b = scenario(days=250, uptake=SPREAD, donation={"default": {"share": 0.5}},
                 production={"noise_sd": 0.1})
    both = build_params(world, [a] * 4 + [b] * 4, seeds + seeds)
    np.testing.assert_array_equal(both.willing[:4], both.willing[4:])
    assert not np.array_equal(both.willing[0], both.willing[1])


@pytest.mark.parametrize("spread", [0.5, 1.0])
def test_drawn_willingness_stays_a_share(spread):
    params = params_for(_world(), scenario(days=250, uptake={**SPREAD,
                                                             "willingness_spread": spread}),
                        replicate_seeds(3, 30))
    assert (params.willing >= 0).all() and (params.willing <= 1).all()


# --- Willingness by age band -------------------------------------------------------------

def test_the_old_are_more_willing_and_the_country_total_is_kept():
    world = _world()
    params = params_for(world, scenario(days=250, uptake=SPREAD), replicate_seeds(5, 3))
    vp = params.vaccination
    bands = world.band_population                                         # (N, A)
    share = vp.willing_band / bands[None]                                 # (E, N, A)
    assert (share[:, :, 2] > share[:, :, 1] + 0.1).all()                  # 65+ far more willing
    np.testing.assert_allclose(share[:, :, 0], share[:, :, 1])            # 0-19 as 20-64
    # Rescaled per country: the willing people are the drawn share of the population.
    np.testing.assert_allclose(vp.willing_band.sum(axis=2), params.willing * world.population)
    # Dated steps spread the same way (the numpy stages and the kernel read these).
    np.testing.assert_allclose(params.willing_band_on(0), vp.willing_band)


def test_equal_factors_spread_willingness_by_population_alone():
    world = _world()
    flat = {"age_0_19": 1.0, "age_20_64": 1.0, "age_65plus": 1.0}
    params = params_for(world, scenario(days=250, uptake={**SPREAD, "hesitancy_by_age": flat}))
    share = params.vaccination.willing_band / world.band_population[None]
    np.testing.assert_allclose(share, np.repeat(params.willing[:, :, None], 3, axis=2))


def test_band_willingness_keeps_common_random_numbers_band_by_band():
    world = _world()
    seeds = list(replicate_seeds(11, 3))
    a = scenario(days=250, uptake=SPREAD)
    b = scenario(days=250, uptake=SPREAD, donation={"default": {"share": 0.5}})
    both = build_params(world, [a] * 3 + [b] * 3, seeds + seeds)
    band = both.vaccination.willing_band
    np.testing.assert_array_equal(band[:3], band[3:])
    assert not np.array_equal(band[0], band[1])


def test_band_willingness_stays_a_share_and_keeps_the_total():
    from sim.engine.build.willingness_draw import band_willingness

    P = np.array([[10.0, 10.0, 80.0], [30.0, 50.0, 20.0]])
    rel = np.array([[1.0, 1.0, 0.19]])
    for w in (0.0, 0.2, 0.5, 0.9, 1.0):
        out = band_willingness(np.full((1, 2), w), rel, P)
        assert ((out >= 0) & (out <= 1)).all()
        np.testing.assert_allclose((out * P).sum(axis=2), w * P.sum(axis=1)[None], atol=1e-9)
        assert (out[..., 2] >= out[..., 1] - 1e-12).all()          # the old never less
    # Nobody willing: no band willing either (hesitancy 1 everywhere), and steps (E, K, N).
    steps = band_willingness(np.zeros((1, 2, 2)), rel, P)
    assert steps.shape == (1, 2, 2, 3) and not steps.any()


def test_a_members_band_willingness_does_not_depend_on_its_batch():
    world = _world()
    a = scenario(days=250, uptake=SPREAD)
    b = scenario(days=250, uptake={**SPREAD, "hesitancy_by_age": {"age_65plus": 3.0}})
    alone = build_params(world, [a], [4]).vaccination.willing_band
    both = build_params(world, [b, a], [4, 4]).vaccination.willing_band
    np.testing.assert_array_equal(both[1], alone[0])
