"""The stochastic epidemic: whole people, conservation, agreement in the mean with the
deterministic model, extinction, common random numbers, batch independence, and the
compiled kernel equal to its numpy reference draw for draw."""

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worlds import make_world, scenario

from sim.engine.build.params import build_params
from sim.engine.epidemic import start_epidemic, step_epidemic

PLAIN = {"importation": 0.0, "variants": [], "contacts": {"default": [], "countries": {}},
         "travel": {"countries": {}}}
TWO = ["2021-01-01", "2021-01-01"]


def stochastic(**epidemic):
    return scenario(epidemic={"mode": "stochastic", **epidemic})


def world4(days=120, population=(2e5, 1e6, 5e4, 3e5)):
    return make_world(list(population), ["HIC", "UMIC", "LMIC", "LIC"], days=days,
                      regions=["EUR", "EUR", "AFR", "AFR"])


def epidemic_only(world, scens, seeds, days, courses=None, backend=None, monkeypatch=None):
    """Run only the epidemic stage; ``courses(t)`` gives (E, N, 3) courses given so far.
    Returns the final EpiState and the (days, E, N) new infections."""
    if monkeypatch is not None:
        monkeypatch.setenv("VAXSIM_BACKEND", backend)
    params = build_params(world, scens, seeds)
    E, N = params.n_members, world.n_countries
    state = SimpleNamespace(epi=start_epidemic(world, params), courses_band=np.zeros((E, N, 3)),
                            boosted_band=np.zeros((E, N, 3)))
    daily = []
    for t in range(days):
        if courses is not None:
            state.courses_band = courses(t)
        step_epidemic(state, world, params, t)
        daily.append(state.epi.new_infections.copy())
    return state.epi, np.array(daily)


def doses_from(day, rate=2e-3):
    """Courses to a share ``rate`` of each band per day from ``day`` on (E=1)."""
    band = world4().band_population[None]
    return lambda t: band * rate * max(t - day + 1, 0)


@pytest.mark.parametrize("escape", [(0.3, 0.1), (0.0, 0.0)], ids=["own class", "merged"])
def test_kernel_equals_numpy_reference(escape, monkeypatch):
    """Draw for draw, with a variant of another generation time (0.6), in its own
    immunity class or in the ancestral strain's (no escape)."""
    world = world4(days=90)
    scen = stochastic(r0=2.5, initial_prevalence=1e-3, variants=[
        {"name": "X", "origin": "C02", "start": "2021-02-01", "transmissibility": 1.6,
         "escape": escape[0], "escape_death": escape[1], "severity": 0.8,
         "generation": 0.6}])
    doses = lambda t: world.band_population[None].repeat(2, 0) * 1e-3 * t  # noqa: E731
    a, da = epidemic_only(world, [scen] * 2, [3, 4], 90, doses, "numba", monkeypatch)
    b, db = epidemic_only(world, [scen] * 2, [3, 4], 90, doses, "numpy", monkeypatch)
    assert da.sum() > 1e4 and a.active[:, 1].all()          # an epidemic, two strains
    assert a.S.shape[3] == (7 if escape == (0.0, 0.0) else 11)
    assert a.S[..., 5].sum() > 0                              # hybrid immunity held
    for name in ("S", "Ex", "Ix", "shadow", "D_band", "D"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(da, db)


@settings(max_examples=40, deadline=None)
@given(r0=st.floats(0.5, 6.0), prevalence=st.floats(0.0, 0.05),
       rate=st.floats(0.0, 0.02), seed=st.integers(0, 2**31 - 1),
       people=st.lists(st.floats(1.0, 5e5), min_size=4, max_size=4))
def test_whole_people_conserved_and_never_negative(r0, prevalence, rate, seed, people):
    world = world4(days=60, population=people)
    scen = stochastic(r0=r0, initial_prevalence=prevalence, **PLAIN)
    doses = lambda t: world.band_population[None] * rate * t  # noqa: E731
    epi, daily = epidemic_only(world, [scen], [seed], 60, doses)
    start = start_epidemic(world, build_params(world, [scen], [seed]))
    for name in ("S", "Ex", "Ix", "shadow", "D_band"):
        x = getattr(epi, name)
        assert (x >= 0).all(), name
        np.testing.assert_array_equal(x, np.round(x), err_msg=name)
    np.testing.assert_array_equal(epi.total(), start.total())     # whole numbers: exact
    np.testing.assert_array_equal(start.total(), np.round(start.total()))
    assert (epi.shadow[..., 0] + epi.shadow[..., 2] <= epi.Ex).all()
    assert (epi.shadow[..., 1] + epi.shadow[..., 3] <= epi.Ix).all()
    assert (daily >= 0).all()


def test_mean_of_replicates_follows_the_deterministic_model():
    world = make_world([2e6], ["HIC"], days=200)
    epi = {"r0": 2.0, "initial_prevalence": 1e-4, **PLAIN}
    det, _ = epidemic_only(world, [scenario(epidemic=epi)], [1], 200)
    reps, _ = epidemic_only(world, [stochastic(**epi)] * 24, list(range(24)), 200)
    infected = 2e6 - reps.S[..., 0].sum(axis=2)[:, 0]              # (E,) ever infected
    expected = 2e6 - det.S[..., 0].sum(axis=2)[0, 0]
    assert infected.mean() == pytest.approx(expected, rel=0.01)
    assert reps.D.mean() == pytest.approx(det.D[0, 0], rel=0.03)
    assert infected.std() > 0                                        # replicates differ


def test_small_outbreaks_can_die_out():
    world = make_world([300.0], ["HIC"], days=150)
    epi = {"r0": 1.5, "initial_prevalence": 1 / 300, **PLAIN}
    reps, _ = epidemic_only(world, [stochastic(**epi)] * 40, list(range(40)), 150)
    ever = 300 - reps.S[..., 0].sum(axis=2)[:, 0]
    assert (ever <= 3).sum() >= 5                                    # some went extinct
    assert (ever >= 60).sum() >= 5                                   # others took off
    det, _ = epidemic_only(world, [scenario(epidemic=epi)], [1], 150)
    assert 300 - det.S[..., 0].sum() > 60                            # the mean never dies out


def test_arms_share_draws_until_their_doses_differ():
    world = world4()
    scen = stochastic(r0=2.5, initial_prevalence=1e-3, **PLAIN)
    none, a = epidemic_only(world, [scen], [7], 120)
    given_, b = epidemic_only(world, [scen], [7], 120, doses_from(40))
    np.testing.assert_array_equal(a[:40], b[:40])                   # same draws, same days
    assert not np.array_equal(a[40:], b[40:])
    assert given_.D.sum() < none.D.sum()
    _, c = epidemic_only(world, [scen], [8], 120)                    # another seed differs
    assert not np.array_equal(a[:40], c[:40])


def test_a_member_does_not_depend_on_its_batch():
    """Not on the batch's size, nor on how many strains its other members have."""
    world = world4(days=80)
    scen = stochastic(r0=2.2, initial_prevalence=1e-3, emergence={"enabled": False})
    other = stochastic(r0=3.0, initial_prevalence=1e-3, emergence={
        "enabled": True, "max_variants": 2})
    alone, a = epidemic_only(world, [scen], [11], 80)
    batch, b = epidemic_only(world, [other, scen, scen], [5, 11, 12], 80)
    assert batch.S.shape[3] > alone.S.shape[3]
    np.testing.assert_array_equal(a[:, 0], b[:, 1])
    np.testing.assert_array_equal(alone.D[0], batch.D[1])


def test_stochastic_scenario_has_uncertainty_bands():
    from sim import load_scenario, run
    from tests.golden import SCENARIO_DIR

    base = load_scenario(SCENARIO_DIR / "baseline.yaml")
    scen = base.model_copy(update={"epidemic": base.epidemic.model_copy(
        update={"mode": "stochastic"})})
    res = run(scen, replicates=4, days=120)
    deaths = res.per_member["deaths"]
    assert deaths.nunique() == 4                                     # replicates differ
    band = res.summary["quantiles"]["deaths"]
    assert band["p05"] < res.summary["metrics"]["deaths"] < band["p95"]
