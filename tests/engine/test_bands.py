"""Doses by age band in the dose engine: priority, eligibility, boosters competing with
first doses, booster restraint freeing doses; the compiled split equals its reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worlds import make_world, params_for, scenario

from sim.engine.bands import OLDEST_FIRST, UNIFORM, allocate, allocate_reference
from sim.engine.run import simulate


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**31))
def test_compiled_split_equals_reference(E, N, seed):
    rng = np.random.default_rng(seed)
    room = rng.uniform(-5, 100, (E, N, 3))
    amount = rng.uniform(0, 150, (E, N))
    priority = rng.integers(0, 2, (E, N))
    out = allocate(amount, room, priority)
    np.testing.assert_allclose(out, allocate_reference(amount, room, priority), rtol=1e-12,
                               atol=1e-12)
    assert (out >= 0).all()
    assert (out <= np.maximum(room, 0) + 1e-9).all()
    assert (out.sum(axis=2) <= amount + 1e-9).all()


def test_oldest_first_fills_the_oldest_band_first():
    room = np.array([[[10.0, 20.0, 30.0]]])
    np.testing.assert_allclose(allocate(np.array([[40.0]]), room, np.array([[OLDEST_FIRST]])),
                               [[[0.0, 10.0, 30.0]]])
    np.testing.assert_allclose(allocate(np.array([[30.0]]), room, np.array([[UNIFORM]])),
                               [[[5.0, 10.0, 15.0]]])


def _run(days=400, **vaccination):
    w = make_world([1e6], ["HIC"], home_of=[0], production=[4e3], days=days)
    scen = scenario(days=days, vaccination=vaccination, uptake={"hesitancy": 0.0},
                    epidemic={"enabled": False})
    return w, simulate(w, params_for(w, scen))[1]


def test_children_wait_for_their_date():
    w, state = _run(children_from={"HIC": "2021-12-01"},
                    boosters={"start": {"HIC": None}})
    # By day 334 (2021-12-01) every adult is reached long before; children only after.
    assert state.first_band[0, 0, 0] > 0
    w2, early = _run(days=330, children_from={"HIC": "2021-12-01"},
                     boosters={"start": {"HIC": None}})
    assert early.first_band[0, 0, 0] == 0.0
    assert early.first_band[0, 0, 1:].sum() > 0


def test_boosters_compete_with_first_doses_for_the_same_stock():
    # Scarce supply: with boosters open early, fewer people get a first dose.
    _, without = _run(boosters={"start": {"HIC": None}})
    _, with_boosters = _run(boosters={"start": {"HIC": "2021-03-01"}, "interval_days": 28,
                                      "uptake": 1.0})
    assert with_boosters.boosted.sum() > 0
    assert with_boosters.first.sum() < without.first.sum()
    np.testing.assert_allclose(with_boosters.administered_cum, without.administered_cum,
                               rtol=1e-9)
    # Boosters go oldest first, never beyond people with a course.
    assert (with_boosters.boosted_band <= with_boosters.courses_band + 1e-6).all()


def test_restraint_delays_boosters_of_restrained_bands():
    restrained = {"start": {"HIC": "2021-03-01"}, "interval_days": 28, "uptake": 1.0,
                  "restraint": {"countries": ["HIC"], "bands": ["0_19", "20_64"],
                                "until": "2022-06-01"}}
    _, state = _run(boosters=restrained)
    assert state.boosted_band[0, 0, :2].sum() == 0.0
    assert state.boosted_band[0, 0, 2] > 0


@pytest.mark.slow
def test_booster_restraint_scenario_gives_more_doses_away():
    from worlds import SCENARIOS

    from sim.engine.build.params import build_params
    from sim.scenario import load_scenario
    from sim.world.world import build_world

    out = {}
    for name in ("baseline", "booster_restraint"):
        scen = load_scenario(SCENARIOS / f"{name}.yaml", ["days=420"])
        world = build_world(scen)
        state = simulate(world, build_params(world, [scen], [1]))[1]
        hic = world.income_group == "HIC"
        out[name] = (state.boosted_band[0, hic, :2].sum(), state.donated_cum[0, hic].sum())
    assert out["booster_restraint"][0] < 0.1 * out["baseline"][0]
    assert out["booster_restraint"][1] > out["baseline"][1]
