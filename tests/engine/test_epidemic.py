"""The epidemic stage: agreement with the ODE, stochastic mean and extinction,
monotonicity in vaccination timing, independence without importation, determinism."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from worlds import make_world, params_for, scenario

from sim.engine.build.epi_params import build_epi_params
from sim.engine.epi_record import EPI_GROUP_FIELDS
from sim.engine.epidemic import Drawer, burden, infect, initial_epi, vaccinate
from sim.engine.run import simulate

SIGMA, GAMMA = 1 / 4.5, 1 / 5.0


def plain(r0, prevalence=1e-6, mode="deterministic", **extra):
    """An epidemic section with nothing but SEIR: full contacts, no variants, no waning,
    isolated countries."""
    epi = {"r0": r0, "initial_prevalence": prevalence, "importation": 0.0, "mode": mode,
           "variants": [], "contacts": {"default": []},
           "efficacy": {"waning_days": 0}, **extra}
    return scenario(epidemic=epi)


def run_epidemic(world, scen, days, first=None, seeds=(1,)):
    """Drive only the epidemic for ``days``: ``first(t)`` gives the (E, N) people with a
    (one-dose) full course by day t. Returns the state and (days, E, N) infectious."""
    ep = build_epi_params(world, [scen] * len(seeds), list(seeds))
    epi = initial_epi(world.population, ep, len(seeds))
    draw = Drawer(ep, world.n_countries)
    infectious = []
    for t in range(days):
        if first is not None:
            f = first(t)
            vaccinate(epi, f, f, world.population, ep, True, draw, t)
        epi.infections_cum += infect(epi, ep, world.population, t, draw)[0]
        infectious.append(epi.I.sum(axis=0))
    return epi, np.array(infectious)


def ode(r0, prevalence, days, nu=0.0, ve=0.0):
    """S0 (unvaccinated), S2 (vaccinated), E, I, R of the ODE, vaccinating at rate nu."""
    beta = r0 * GAMMA

    def f(_, y):
        s0, s2, e, i, _r = y
        lam = beta * i
        return [-lam * s0 - nu * s0, -lam * (1 - ve) * s2 + nu * s0,
                lam * (s0 + (1 - ve) * s2) - SIGMA * e, SIGMA * e - GAMMA * i, GAMMA * i]

    sol = solve_ivp(f, (0, days), [1 - prevalence, 0, 0, prevalence, 0], rtol=1e-10,
                    atol=1e-13, dense_output=True)
    t = np.linspace(0, days, days * 50 + 1)
    i = sol.sol(t)[3]
    final = 1 - prevalence - sol.y[0, -1] - sol.y[1, -1]  # ever infected after day 0
    return final, t[i.argmax()]


def peak_day(series):
    """Peak time of daily samples (end of day t is time t + 1), refined by a parabola."""
    k = int(series.argmax())
    if 0 < k < len(series) - 1:
        a, b, c = series[k - 1], series[k], series[k + 1]
        return k + 1 + 0.5 * (a - c) / (a - 2 * b + c)
    return k + 1.0


@pytest.mark.parametrize("r0", [1.2, 1.5, 2.0, 2.8, 4.0, 6.0])
@pytest.mark.parametrize(("nu", "prevalence"), [(0.0, 1e-6), (0.002, 1e-3)])
def test_daily_scheme_matches_ode(r0, nu, prevalence):
    days = 900 if r0 < 1.4 else 500
    w = make_world([1e7], ["HIC"], days=days)
    ve = 0.8
    scen = plain(r0, prevalence, efficacy={"waning_days": 0, "completed_infection": ve,
                                           "completed_death": 0.9})
    pop = w.population[None]
    # Constant rate: every day 1 - exp(-nu) of those not yet vaccinated get their course.
    first = (lambda t: pop * (1 - np.exp(-nu * t))) if nu else None
    epi, infectious = run_epidemic(w, scen, days, first)
    final = epi.infections_cum[0, 0] / w.population[0]
    want_final, want_peak = ode(r0, prevalence, days, nu, ve)
    assert final == pytest.approx(want_final, rel=0.01)
    assert peak_day(infectious[:, 0, 0]) == pytest.approx(want_peak, rel=0.01)


def test_stochastic_mean_follows_deterministic():
    w = make_world([2e6], ["HIC"], days=250)
    seeds = tuple(range(200))
    det, _ = run_epidemic(w, plain(2.0, prevalence=1e-4), 250)
    sto, _ = run_epidemic(w, plain(2.0, prevalence=1e-4, mode="stochastic"), 250, seeds=seeds)
    assert sto.infections_cum.mean() == pytest.approx(det.infections_cum[0, 0], rel=0.03)
    assert sto.infections_cum.std() > 0
    np.testing.assert_array_equal(sto.total(), np.broadcast_to(w.population, (200, 1)))


def test_small_populations_can_go_extinct():
    w = make_world([2000.0], ["LIC"], days=300)
    sto, _ = run_epidemic(w, plain(1.8, prevalence=1 / 2000, mode="stochastic"), 300,
                          seeds=tuple(range(200)))
    share = sto.infections_cum[:, 0] / 2000
    assert (share < 0.02).sum() >= 20        # died out early (branching: about 1/R0)
    assert (share > 0.3).sum() >= 20         # took off
    assert (sto.E.sum(axis=0) + sto.I.sum(axis=0) == 0).mean() > 0.9  # over by day 300


@settings(max_examples=25, deadline=None)
@given(st.floats(1.3, 5.0), st.integers(0, 120), st.integers(1, 60),
       st.floats(0.002, 0.02))
def test_vaccinating_earlier_never_raises_deaths(r0, start, delay, rate):
    w = make_world([5e6], ["UMIC"], days=365)
    scen = plain(r0, prevalence=1e-5)
    pop = w.population[None]

    def schedule(begin):
        return lambda t: pop * 0.8 * (1 - np.exp(-rate * max(t - begin, 0)))

    early, _ = run_epidemic(w, scen, 365, schedule(start))
    late, _ = run_epidemic(w, scen, 365, schedule(start + delay))
    assert early.D[0, 0] <= late.D[0, 0] * (1 + 1e-12)


def _engine_world():
    return make_world([4e6, 9e6, 2.5e7], ["HIC", "UMIC", "LIC"], home_of=[0, -1, -1],
                      production=[2e5], days=240)


def test_countries_are_independent_without_importation():
    w = _engine_world()

    def deaths(importation, r0_third):
        scen = scenario(epidemic={"importation": importation, "contacts": {
            "countries": {"C02": [{"start": "2021-01-01", "multiplier": r0_third}]}}})
        traj, _ = simulate(w, params_for(w, scen))
        return traj.epi_countries_end[0, :, 1]

    a, b = deaths(0.0, 0.45), deaths(0.0, 0.9)
    np.testing.assert_array_equal(a[:2], b[:2])
    assert b[2] > a[2]
    c, d = deaths(0.05, 0.45), deaths(0.05, 0.9)
    assert (np.abs(d[:2] / c[:2] - 1) > 1e-3).all()  # coupled: the others' epidemic moves


def test_stochastic_member_alone_equals_member_in_batch():
    w = _engine_world()
    scen = scenario(epidemic={"mode": "stochastic"}, production={"noise_sd": 0.2})
    seeds = (5, 17, 2**31 - 3)
    batch, _ = simulate(w, params_for(w, scen, seeds))
    alone, _ = simulate(w, params_for(w, scen, seeds[1:2]))
    np.testing.assert_array_equal(batch.epi_groups[1], alone.epi_groups[0])
    assert not np.array_equal(batch.epi_groups[0], batch.epi_groups[1])


def test_vaccine_effect_off_changes_deaths_only_through_vaccination():
    w = _engine_world()
    real = scenario()
    twin = scenario(epidemic={"vaccine_effect": False})
    from sim.engine.build.params import build_params

    traj, state = simulate(w, build_params(w, [real, twin], [3, 3]))
    np.testing.assert_array_equal(traj.ledger[0], traj.ledger[1])   # same doses
    deaths = traj.epi_countries_end[:, :, 1]
    assert (deaths[1] >= deaths[0]).all() and deaths[1, 0] > deaths[0, 0]
    assert burden(state).shape == (2, 3) and (burden(state) >= 0).all()


def test_emergence_raises_transmission_once_infections_pass_threshold():
    w = _engine_world()
    on = {"enabled": True, "per_billion_infections": 1000.0, "max_variants": 1,
          "transmissibility": 1.5}
    base, s0 = simulate(w, params_for(w, scenario()))
    emerged, s1 = simulate(w, params_for(w, scenario(epidemic={"emergence": on})))
    assert s0.epi.variants[0, 0] == 0 and s1.epi.variants[0, 0] == 1
    deaths = EPI_GROUP_FIELDS.deaths_cum
    assert emerged.epi_groups[0, -1, 0, deaths] > base.epi_groups[0, -1, 0, deaths]


def test_epidemic_off_records_nothing():
    w = _engine_world()
    traj, state = simulate(w, params_for(w, scenario(epidemic={"enabled": False})))
    assert state.epi is None and traj.epi_groups is None
    assert (burden(state) == 0).all()
