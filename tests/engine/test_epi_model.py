"""The age-structured epidemic: agreement with the ODE, compiled kernel equal to the numpy
reference, variants travelling, priority by age, batch independence."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from worlds import TEST_BAND_SHARES, make_world, params_for, scenario

from sim.engine.build.epi_chain import chain_table
from sim.engine.build.epi_params import infection_status, vaccinated_statuses
from sim.engine.build.params import build_params
from sim.engine.epi_model import day_reference, force_of_infection, immunity_tables
from sim.engine.epidemic import (
    BURDEN_DAYS,
    _day,
    _Workspace,
    kernel_layout,
    seed,
    start_epidemic,
)
from sim.engine.kernels.epidemic import SMALL_FORCE
from sim.engine.run import simulate

SIGMA, GAMMA = 1 / 4.5, 1 / 5.0
SUBSTEPS = 1
IMMUNITY = {"vaccine": {"infection": 0.8, "death": 0.9, "infection_half_life_days": 200,
                        "death_half_life_days": 2000},
            "infection": {"infection": 0.85, "death": 0.9, "infection_half_life_days": 300,
                          "death_half_life_days": 3000},
            "hybrid": {"infection": 0.95, "death": 0.98, "infection_half_life_days": 500,
                       "death_half_life_days": 5000},
            "fresh_days": 60}


def plain(r0, prevalence=1e-6, **extra):
    """Only the epidemic: full contacts, no variants, isolated countries."""
    epi = {"r0": r0, "initial_prevalence": prevalence, "importation": 0.0, "variants": [],
           "contacts": {"default": [], "countries": {}}, "travel": {"countries": {}},
           "immunity": IMMUNITY, "substeps": SUBSTEPS, **extra}
    return scenario(epidemic=epi)


#: Daily courses (share of each band's people) and boosters (share, from day BOOST_FROM).
DOSES = {"none": (0.0, 0.0), "courses and boosters": (1e-3, 5e-4)}
BOOST_FROM = 30


def drive(world, scen, days, vaccinated=0.0, doses=(0.0, 0.0)):
    """Run only the epidemic stage (numpy reference) for ``days``; ``vaccinated`` is the
    share of each band vaccinated (fresh) on day 0, ``doses`` the daily courses and
    boosters as shares of each band. Returns state and (days,) infectious."""
    params = params_for(world, scen)
    ep = params.epidemic
    epi = start_epidemic(world, params)
    moved = epi.S[..., 0] * vaccinated
    epi.S[..., 0] -= moved
    epi.S[..., 1] += moved
    epi.courses_seen[:] = moved
    ws = _Workspace(ep, epi)
    ws.day(0)
    sus, fatal = immunity_tables(ep, epi)
    course = np.broadcast_to(doses[0] * ep.band_population, epi.D_band.shape).copy()
    boost = np.broadcast_to(doses[1] * ep.band_population, epi.D_band.shape).copy()
    zeros = np.zeros_like(epi.D_band)
    series = []
    for t in range(days):
        day_reference(epi, {"dcourse": course, "dboost": boost if t >= BOOST_FROM else zeros,
                            "force": ws.force, "mix": ws.mix, "traffic": ws.traffic},
                      ep, sus, fatal)
        series.append(epi.Ix[0, 0].sum())
    return epi, np.array(series), params


def ode(world, params, prevalence, days, vaccinated, doses=(0.0, 0.0)):
    """The same model as an ODE (one country, one strain): S (A, K), E, I (A,), shadows;
    courses and boosters at constant daily rates (boosters from day BOOST_FROM)."""
    ep = params.epidemic
    epi0 = start_epidemic(world, params)
    sus, fatal = immunity_tables(ep, epi0)
    sus, fatal = sus[0, 0, :, 0], fatal[0, 0, :, :, 0]                 # (K,), (A, K)
    P = ep.band_population[0]
    act, eps = ep.activity[0], ep.assortativity[0]
    F = ep.force[0, 0]
    w = -np.log1p(-ep.wane[0])
    A, K = 3, sus.shape[0]
    vacc = vaccinated_statuses(params.epidemic.n_classes)
    course, boost = doses[0] * P, doses[1] * P                          # (A,) per day
    I0 = prevalence * P
    C0 = vaccinated * (P - I0)

    def f(t, y):
        S = y[:A * K].reshape(A, K)
        E, I = y[A * K:A * K + A], y[A * K + A:A * K + 2 * A]  # noqa: E741
        dead = P - S.sum(axis=1) - E - I
        given = C0 + course * t                                         # courses so far
        boosted = boost * max(t - BOOST_FROM, 0.0)
        on = boost if t >= BOOST_FROM else 0.0 * boost
        rc = np.divide(course, P - dead - given, out=np.zeros(A), where=P - dead - given > 0)
        rb = np.divide(on, given - boosted, out=np.zeros(A), where=given - boosted > 0)
        mixed = (act * I).sum() / (act * P).sum()
        lam = F * act * (eps * I / P + (1 - eps) * mixed)               # (A,)
        inf = lam[:, None] * sus[None] * S                              # (A, K)
        dS = -inf
        for src, dst, rate in ((1, 2, w), (3, 4, w), (5, 6, w),        # waning
                               (0, 1, rc), (3, 5, rc), (4, 5, rc),     # courses
                               (2, 1, rb), (6, 5, rb)):                # boosters
            dS[:, src] -= rate * S[:, src]
            dS[:, dst] += rate * S[:, src]
        new = inf.sum(axis=1)
        dying = (inf * fatal).sum(axis=1)
        vac_surv = (inf[:, vacc] * (1 - fatal[:, vacc])).sum(axis=1)
        # Recovered go to infection (3) or hybrid (5) immunity in the proportion of
        # today's infections (exact for the shadows, which share E and I's rates).
        rec = GAMMA * I
        share_dead = np.divide(y[-2 * A:-A], I, out=np.zeros(A), where=I > 0)
        share_vax = np.divide(y[-A:], I, out=np.zeros(A), where=I > 0)
        dS[:, 3] += rec * (1 - share_dead - share_vax)
        dS[:, 5] += rec * share_vax
        dE = new - SIGMA * E
        dI = SIGMA * E - GAMMA * I
        # shadows: E_dead, E_vax, I_dead, I_vax
        sh = y[A * K + 2 * A:A * K + 6 * A].reshape(4, A)
        dsh = np.stack([dying - SIGMA * sh[0], vac_surv - SIGMA * sh[1],
                        SIGMA * sh[0] - GAMMA * sh[2], SIGMA * sh[1] - GAMMA * sh[3]])
        return np.concatenate([dS.ravel(), dE, dI, dsh[:2].ravel(), dsh[2:].ravel()])

    S0 = np.zeros((A, K))
    S0[:, 0] = (P - I0) * (1 - vaccinated)
    S0[:, 1] = (P - I0) * vaccinated
    y0 = np.concatenate([S0.ravel(), np.zeros(A), I0, np.zeros(2 * A),
                         I0 * np.minimum(ep.ifr[0, 0], 1), np.zeros(A)])
    # reorder the shadow block to E_dead, E_vax | I_dead, I_vax as f expects
    sol = solve_ivp(f, (0, days), y0, rtol=1e-10, atol=1e-6, dense_output=True)
    t = np.linspace(0, days, days * 50 + 1)
    infectious = sol.sol(t)[A * K + A:A * K + 2 * A].sum(axis=0)
    return sol.y[:, -1], t[infectious.argmax()]


def peak_day(series):
    k = int(series.argmax())
    if 0 < k < len(series) - 1:
        a, b, c = series[k - 1], series[k], series[k + 1]
        return k + 1 + 0.5 * (a - c) / (a - 2 * b + c)
    return k + 1.0


@pytest.mark.parametrize("r0", [2.0, 3.0, 4.0])
@pytest.mark.parametrize("vaccinated", [0.0, 0.3])
@pytest.mark.parametrize("doses", list(DOSES))
def test_daily_scheme_matches_ode_with_ages_waning_and_reinfection(r0, vaccinated, doses):
    days = 500
    w = make_world([1e7], ["HIC"], days=days)
    scen = plain(r0, 1e-5)
    epi, series, params = drive(w, scen, days, vaccinated, DOSES[doses])
    y, peak = ode(w, params, 1e-5, days, vaccinated, DOSES[doses])
    A, K = 3, epi.S.shape[3]
    naive_left = epi.S[0, 0, :, 0].sum() + epi.S[0, 0, :, 1].sum() + epi.S[0, 0, :, 2].sum()
    naive_ode = y[:A * K].reshape(A, K)[:, :3].sum()
    pop = w.population[0]
    # Final size: ever-infected people (everyone who left the never-infected statuses).
    assert (pop - naive_left) == pytest.approx(pop - naive_ode, rel=0.01)
    # Reinfection happened: people moved back out of infection immunity.
    assert epi.S[0, 0, :, 4].sum() > 0
    assert peak_day(series) == pytest.approx(peak, rel=0.01, abs=1.0)


def two_strains(scen, days, share, generation):
    """Run only the epidemic stage (numpy reference) of one isolated country with the
    ancestral strain and variant 1 (generation factor ``generation``) seeded together on
    day 0. Returns the day-0 state, the final one, the (days, V) infectious, params."""
    w = make_world([1e7], ["HIC"], days=days)
    params = params_for(w, scen)
    ep = params.epidemic
    epi = start_epidemic(w, params)
    seed(epi, ep, 0, 1, np.array([share]))
    start = epi.copy()
    ws = _Workspace(ep, epi)
    ws.day(0)
    sus, fatal = immunity_tables(ep, epi)
    zeros = np.zeros_like(epi.D_band)
    series = []
    for _ in range(days):
        day_reference(epi, {"dcourse": zeros, "dboost": zeros, "force": ws.force,
                            "mix": ws.mix, "traffic": ws.traffic}, ep, sus, fatal)
        series.append(epi.Ix[0, 0].sum(axis=0))
    assert np.allclose(ep.generation[0, :2], [1.0, generation])
    return start, epi, np.array(series), params


def two_strain_ode(start, params, days):
    """The model of :func:`two_strains` as an ODE: S (A, K), E, I, and those of E and I
    fated to die (A, V); strain v's rates are σ / g_v and γ / g_v and its per-day
    transmission transmissibility / g_v (its reproduction number kept). No doses, so
    nobody is vaccinated and recovery goes to infection immunity."""
    ep = params.epidemic
    sus, fatal = immunity_tables(ep, start)
    sus, fatal = sus[0, 0], fatal[0, 0]                                  # (K, V), (A, K, V)
    P = ep.band_population[0]
    act, eps, F = ep.activity[0], ep.assortativity[0], ep.force[0, 0]
    w = -np.log1p(-ep.wane[0])
    A, K, V = 3, sus.shape[0], 2
    g = ep.generation[0, :V]
    beta = ep.strain_table[0, :V, 0] / g
    sigma, gamma = SIGMA / g, GAMMA / g
    waning = [(1, 2)] + [(infection_status(u) + j, infection_status(u) + j + 1)
                         for u in range(V) for j in (0, 2)]

    def f(t, y):
        S = y[:A * K].reshape(A, K)
        E, I, Ed, Id = y[A * K:].reshape(4, A, V)  # noqa: E741
        mixed = (act[:, None] * I).sum(axis=0) / (act * P).sum()         # (V,)
        lam = F * beta * act[:, None] * (eps * I / P[:, None] + (1 - eps) * mixed)
        inf = lam[:, None, :] * sus[None] * S[:, :, None]                # (A, K, V)
        dS = -inf.sum(axis=2)
        for src, dst in waning:
            dS[:, src] -= w * S[:, src]
            dS[:, dst] += w * S[:, src]
        for v in range(V):
            dS[:, infection_status(v)] += gamma[v] * (I[:, v] - Id[:, v])
        new, dying = inf.sum(axis=1), (inf * fatal).sum(axis=1)          # (A, V)
        return np.concatenate([dS.ravel(), (new - sigma * E).ravel(),
                               (sigma * E - gamma * I).ravel(),
                               (dying - sigma * Ed).ravel(),
                               (sigma * Ed - gamma * Id).ravel()])

    y0 = np.concatenate([start.S[0, 0].ravel(), start.Ex[0, 0, :, :V].ravel(),
                         start.Ix[0, 0, :, :V].ravel(), start.shadow[0, 0, :, :V, 0].ravel(),
                         start.shadow[0, 0, :, :V, 1].ravel()])
    sol = solve_ivp(f, (0, days), y0, rtol=1e-10, atol=1e-6, dense_output=True)
    t = np.linspace(0, days, days * 50 + 1)
    infectious = sol.sol(t)[A * K + A * V:A * K + 2 * A * V].reshape(A, V, -1).sum(axis=0)
    return sol.y[:, -1], t[infectious.argmax(axis=1)]


@pytest.mark.parametrize("generation", [0.6, 1.5])
def test_two_strains_of_different_generation_time_match_the_ode(generation):
    """A second strain with its own generation time (escape 0.4, as Omicron's) seeded
    with the ancestral one: final size and each strain's peak day within 1% of the ODE."""
    days = 400
    scen = plain(2.5, 1e-5, variants=[
        {"name": "X", "origin": "C00", "start": "2021-01-01", "transmissibility": 1.2,
         "escape": 0.4, "escape_death": 0.1, "severity": 0.5, "generation": generation}])
    start, epi, series, params = two_strains(scen, days, 1e-8, generation)
    y, peaks = two_strain_ode(start, params, days)
    K = epi.S.shape[3]
    naive_ode = y[:3 * K].reshape(3, K)[:, 0].sum()
    pop = params.epidemic.band_population[0].sum()
    assert pop - epi.S[0, 0, :, 0].sum() == pytest.approx(pop - naive_ode, rel=0.01)
    for v in range(2):
        assert series[:, v].max() > 1e4                          # both strains spread
        assert peak_day(series[:, v]) == pytest.approx(peaks[v], rel=0.01, abs=1.0), v


def test_shorter_generation_time_grows_faster_with_the_same_r():
    """The same reproduction number with generation factor 0.6: its early doubling time
    is 0.6 of the reference strain's (SEIR growth rate r solves (1 + r T_E)(1 + r T_I)
    = R, so scaling both periods by g scales r by 1 / g)."""
    def doubling(generation):
        scen = plain(2.0, 0.0, variants=[
            {"name": "X", "origin": "C00", "start": "2021-01-01", "transmissibility": 1.0,
             "generation": generation}])
        _, _, series, _ = two_strains(scen, 60, 1e-7, generation)
        x = series[:, 1]
        # Exponential phase: fit log-growth over days where the strain has settled into
        # its growing mode and depleted under 1% of people.
        grow = slice(25, 40) if generation == 1.0 else slice(15, 24)
        rate = np.polyfit(np.arange(len(x))[grow], np.log(x[grow]), 1)[0]
        assert x[grow].max() < 0.01 * 1e7
        return np.log(2) / rate

    assert doubling(0.6) / doubling(1.0) == pytest.approx(0.6, rel=0.03)


def random_world_state(rng, E=2, emergent=1, escape=(0.3, 0.1)):
    """A random state of three to six strains; ``escape`` (0, 0) puts the variant X in the
    ancestral strain's immunity class."""
    w = make_world([1e6, 5e6, 2e5, 3e6], ["HIC", "UMIC", "LMIC", "LIC"], days=200,
                   regions=["EUR", "EUR", "AFR", "AFR"])
    scen = scenario(epidemic={"variants": [
        {"name": "X", "origin": "C02", "start": "2021-01-01", "transmissibility": 1.7,
         "escape": escape[0], "escape_death": escape[1], "severity": 0.5,
         "generation": 0.6}],
        "emergence": {"enabled": True, "max_variants": emergent}})
    params = build_params(w, [scen] * E, list(range(E)))
    epi = start_epidemic(w, params)
    # Three generation times: ancestral 1, X 0.6, the emergent slot (as if its parent's) 1.7.
    e = scen.epidemic
    epi.chain[:, 2] = chain_table(1 / e.latent_days, 1 / e.infectious_days, e.substeps, 1.7)
    for name in ("S", "Ex", "Ix"):
        getattr(epi, name)[:] = rng.uniform(0, 1e4, getattr(epi, name).shape)
    epi.shadow[:] = rng.uniform(0, 10, epi.shadow.shape)
    epi.fresh[:] = rng.uniform(0, 1e3, epi.fresh.shape)
    # Member 0 has two strains, member 1 all three. A strain never seeded holds nobody
    # and nobody has immunity from it (the kernel relies on it to leave it out).
    epi.active[0, :2] = 1.0
    epi.active[1:] = 1.0
    epi.Ex[0, ..., 2:] = epi.Ix[0, ..., 2:] = epi.shadow[0, ..., 2:, :] = 0.0
    epi.fresh[0, ..., 2:] = 0.0
    epi.S[0, ..., infection_status(params.epidemic.strain_class[2]):] = 0.0
    epi.courses_seen[:] = rng.uniform(0, 1e4, epi.courses_seen.shape)
    epi.boosted_seen[:] = epi.courses_seen * rng.uniform(0, 1, epi.courses_seen.shape)
    return w, params, epi


@pytest.mark.parametrize(("scale", "emergent", "escape"),
                         [(1e-3, 1, (0.3, 0.1)), (1.0, 1, (0.3, 0.1)), (1.0, 4, (0.3, 0.1)),
                          (1.0, 1, (0.0, 0.0)), (1.0, 4, (0.0, 0.0))],
                         ids=["weak force", "mixed force", "six strains", "merged class",
                              "six strains merged"])
def test_kernel_equals_numpy_reference(scale, emergent, escape, monkeypatch):
    """One day of the compiled kernel (country-last layout) against the numpy reference;
    a weak force takes the polynomial for the share infected everywhere, a mixed one
    ``expm1`` in some countries; with six strains the force sums past four; a variant
    without escape shares the ancestral strain's immunity class.
    """
    monkeypatch.delenv("VAXSIM_BACKEND", raising=False)
    rng = np.random.default_rng(3)
    w, params, epi = random_world_state(rng, emergent=emergent, escape=escape)
    assert epi.Ix.shape[3] == 2 + emergent
    merged = escape == (0.0, 0.0)
    assert params.epidemic.strain_class[1] == (0 if merged else 1)
    assert epi.S.shape[3] == 3 + 4 * (1 + emergent + (not merged))
    ep = params.epidemic
    ws = _Workspace(ep, epi)
    ws.day(40)
    ws.force = ws.force * scale
    sus, fatal = immunity_tables(ep, epi)
    dcourse = rng.uniform(0, 500, epi.D_band.shape)
    dboost = rng.uniform(0, 500, epi.D_band.shape)
    dcourse[:, 1] = 0.0      # a country without courses on the day
    ref = epi.copy()
    inf_ref, dead_ref = day_reference(ref, {"dcourse": dcourse, "dboost": dboost,
                                            "force": ws.force, "mix": ws.mix,
                                            "traffic": ws.traffic}, ep, sus, fatal)
    # The kernel takes the dose engine's counters and the stage's running totals.
    courses, boosted = epi.courses_seen + dcourse, epi.boosted_seen + dboost
    population = params.population
    k_sus, k_fatal = ws.tables(epi)
    assert k_sus.shape == sus.shape[:1] + sus.shape[2:] + sus.shape[1:2]
    lam = force_of_infection(epi, {"force": ws.force, "mix": ws.mix, "traffic": ws.traffic},
                             ep)
    large = (lam.sum(axis=-1) >= SMALL_FORCE).mean()
    assert large == 0 if scale < 1 else 0 < large < 1
    _day(epi, ep, ws, courses, boosted, k_sus, k_fatal, 40, population)
    day_deaths = dead_ref.sum(axis=2)
    np.testing.assert_allclose(epi.infections_cum, ref.infections_cum + inf_ref.sum(axis=2),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(epi.recent_deaths, ref.recent_deaths + (
        day_deaths / population - ref.recent_deaths) / BURDEN_DAYS, rtol=1e-10, atol=1e-15)
    for name in ("S", "Ex", "Ix", "shadow", "fresh", "D_band", "courses_seen", "boosted_seen"):
        np.testing.assert_allclose(getattr(epi, name), getattr(ref, name), rtol=1e-10,
                                   atol=1e-10, err_msg=name)
    np.testing.assert_allclose(ws.infections, inf_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ws.deaths, dead_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(epi.new_deaths, dead_ref.sum(axis=2), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(epi.D, ref.D + dead_ref.sum(axis=2), rtol=1e-10, atol=1e-10)


def test_state_is_stored_country_last_and_kept_so():
    """The kernel reads the state in place: no copy a day, whatever code set it."""
    rng = np.random.default_rng(4)
    _, _, epi = random_world_state(rng)
    views = kernel_layout(epi)
    assert all(v.flags.c_contiguous for v in views)
    assert np.shares_memory(views[0], epi.S) and views[0].shape[-1] == epi.S.shape[1]
    assert np.shares_memory(kernel_layout(epi.copy())[0], epi.S) is False
    epi.S = np.ascontiguousarray(epi.S)      # set in the (E, N, A, K) order
    S = epi.S.copy()
    kernel_layout(epi)
    np.testing.assert_array_equal(epi.S, S)
    assert np.moveaxis(epi.S, 1, -1).flags.c_contiguous


def test_backends_give_the_same_run(monkeypatch):
    w = make_world([1e6, 2e6], ["HIC", "LIC"], production=[3e3], home_of=[0, -1], days=120)
    scen = scenario(epidemic={"variants": []})
    a = simulate(w, params_for(w, scen))[1].epi
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    b = simulate(w, params_for(w, scen))[1].epi
    np.testing.assert_allclose(a.D_band, b.D_band, rtol=1e-10)
    np.testing.assert_allclose(a.S, b.S, rtol=1e-9, atol=1e-6)


def test_variant_reaches_neighbours_before_far_countries():
    regions = ["AFR", "AFR", "AFR", "EUR", "EUR", "EUR"]
    w = make_world([5e6] * 6, ["LMIC"] * 6, production=[0], days=300, regions=regions)
    scen = scenario(epidemic={
        "initial_prevalence": 0.0, "importation": 0.02, "regional_travel": 0.9,
        "contacts": {"default": [], "countries": {}}, "travel": {"countries": {}},
        "variants": [{"name": "X", "origin": "C00", "start": "2021-01-05",
                      "seed_share": 1e-4, "transmissibility": 0.7}]})
    params = params_for(w, scen)
    # First day each country has 1 infection per 100,000 people a day.
    from sim.engine.run import Simulation

    sim = Simulation.start(w, params)
    first = np.full(6, np.inf)
    while not sim.done:
        sim.step()
        hit = sim.state.epi.new_infections[0] / w.population > 1e-5
        first = np.where(hit & ~np.isfinite(first), sim.state.day, first)
    assert np.isfinite(first).all()
    assert first[0] < first[1:3].min()
    assert first[1:3].max() < first[3:].min()


def _deaths(priority):
    w = make_world([1e7], ["HIC"], production=[3e4], home_of=[0], days=300)
    scen = scenario(vaccination={"priority": priority, "children_from": {"HIC": None},
                                 "boosters": {"start": {"HIC": None}}},
                    epidemic={"variants": [], "initial_prevalence": 1e-4,
                              "contacts": {"default": [], "countries": {}},
                              "r0": 1.6})
    traj, state = simulate(w, params_for(w, scen))
    return state


def test_oldest_first_averts_more_deaths_than_uniform_for_the_same_doses():
    old, uni = _deaths("oldest_first"), _deaths("uniform")
    np.testing.assert_allclose(old.administered_cum, uni.administered_cum, rtol=1e-9)
    assert old.courses_band[0, 0, 2] > uni.courses_band[0, 0, 2]
    assert old.epi.D.sum() < 0.9 * uni.epi.D.sum()


def test_member_results_do_not_depend_on_the_batch():
    w = make_world([1e6, 3e6, 5e5], ["HIC", "LMIC", "LIC"], production=[5e3],
                   home_of=[0, -1, -1], days=150, regions=["EUR", "AFR", "AFR"])
    a = scenario(epidemic={"emergence": {"enabled": True, "per_billion_infections": 1e4},
                           "variants": []})
    b = scenario(epidemic={"emergence": {"enabled": True, "per_billion_infections": 1e4},
                           "variants": [], "r0": 4.0})
    alone = simulate(w, build_params(w, [a], [7]))[1].epi
    batch = simulate(w, build_params(w, [b, a, b], [1, 7, 2]))[1].epi
    np.testing.assert_array_equal(alone.D_band[0], batch.D_band[1])
    np.testing.assert_array_equal(alone.strains[0], batch.strains[1])


def test_emergence_draws_where_infections_are_and_shares_draws_between_arms():
    w = make_world([1e6, 1e8], ["HIC", "LIC"], production=[0], days=200)
    scen = scenario(epidemic={"variants": [], "initial_prevalence": 1e-3,
                              "emergence": {"enabled": True, "per_billion_infections": 200,
                                            "max_variants": 1}})
    params = params_for(w, scen, seeds=(1, 2, 3, 4, 5, 6))
    state = simulate(w, params)[1]
    assert (state.epi.emerged == 1).all()
    # Its factors apply on the ancestral parent (the only strain circulating).
    np.testing.assert_allclose(state.epi.strains[:, 1, 0], 1.2)
    twin = simulate(w, params_for(w, scen, seeds=(1,)))[1]
    np.testing.assert_array_equal(twin.epi.strains[0], state.epi.strains[0])


def test_emergent_variant_keeps_its_parents_generation_time():
    w = make_world([1e6, 1e8], ["HIC", "LIC"], production=[0], days=200)
    scen = scenario(epidemic={
        "variants": [{"name": "X", "origin": "C01", "start": "2021-01-02",
                      "seed_share": 0.01, "transmissibility": 2.0, "generation": 0.6}],
        "initial_prevalence": 1e-6,
        "emergence": {"enabled": True, "per_billion_infections": 5000, "max_variants": 1,
                      "start": "2021-03-01"}})
    epi = simulate(w, params_for(w, scen, seeds=(1, 2)))[1].epi
    assert (epi.emerged == 1).all()
    # X took over long before emergence opened, so it is the parent.
    np.testing.assert_allclose(epi.strains[:, 2, 0], 2.0 * 1.2)
    np.testing.assert_array_equal(epi.chain[:, 2], epi.chain[:, 1])
    assert not np.allclose(epi.chain[:, 1], epi.chain[:, 0])


def test_band_populations_of_test_worlds_add_up():
    w = make_world([1e6], ["HIC"])
    assert w.band_population.sum() == pytest.approx(1e6)
    assert sum(TEST_BAND_SHARES) == pytest.approx(1.0)


def test_deaths_and_deaths_averted_by_band_add_up():
    from sim.engine.counterfactual import simulate_with_counterfactual
    from sim.outcomes.epidemic_metrics import epidemic_member_metrics
    from sim.outcomes.results import Results

    w = make_world([1e6, 4e6], ["HIC", "LIC"], home_of=[0, -1], production=[2e4], days=200)
    scen = scenario(days=200, epidemic={"variants": [], "initial_prevalence": 1e-3})
    params, traj, cf = simulate_with_counterfactual(w, scen, [1])
    results = Results(scen, w, params, traj, counterfactual=cf)
    m = epidemic_member_metrics(results).iloc[0]
    bands = [m[f"deaths_by_band.{b}"] for b in ("0_19", "20_64", "65plus")]
    averted = [m[f"deaths_averted_by_band.{b}"] for b in ("0_19", "20_64", "65plus")]
    assert sum(bands) == pytest.approx(m["deaths"], rel=1e-9)
    assert sum(averted) == pytest.approx(m["deaths_averted"], rel=1e-9)
    assert m["deaths_averted"] > 0
    assert averted[2] > 0          # oldest first: the 65+ gain most


def test_immunity_remembers_the_strain_it_came_from():
    """A strain's survivors are protected fully (their peak) against strains that escape
    no more than it, and against a more escaped one by (1 - e_v) / (1 - e_u)."""
    from sim.engine.build.epi_params import infection_status
    from sim.engine.epi_model import cross_protection

    escape = np.array([[0.0, 0.1, 0.4]])                       # ancestral, Delta, Omicron
    cross = cross_protection(escape)[0]
    np.testing.assert_allclose(cross, [[1.0, 0.9, 0.6], [1.0, 1.0, 0.6 / 0.9],
                                       [1.0, 1.0, 1.0]])
    # Chained steps multiply: ancestral -> Delta -> Omicron equals ancestral -> Omicron.
    assert cross[0, 1] * cross[1, 2] == pytest.approx(cross[0, 2])
    w = make_world([1e6], ["HIC"], days=30)
    scen = plain(2.0, variants=[
        {"name": "D", "origin": "C00", "start": "2021-01-01", "transmissibility": 2.0,
         "escape": 0.1}, {"name": "O", "origin": "C00", "start": "2021-01-01",
                          "transmissibility": 2.0, "escape": 0.4, "escape_death": 0.1}])
    params = params_for(w, scen)
    epi = start_epidemic(w, params)
    sus, fatal = immunity_tables(params.epidemic, epi)
    peak = IMMUNITY["infection"]["infection"]
    omicron = infection_status(2)
    # Omicron's fresh survivors against Omicron: the peak (times the fresh level).
    level = 0.5 ** (IMMUNITY["fresh_days"] / 2 / IMMUNITY["infection"]["infection_half_life_days"])
    assert 1 - sus[0, 0, omicron, 2] == pytest.approx(peak * level)
    assert 1 - sus[0, 0, omicron, 0] == pytest.approx(peak * level)      # older: full
    # Ancestral survivors against Omicron: 0.6 of it; Delta's 0.6 / 0.9.
    assert 1 - sus[0, 0, infection_status(0), 2] == pytest.approx(0.6 * peak * level)
    assert 1 - sus[0, 0, infection_status(1), 2] == pytest.approx(0.6 / 0.9 * peak * level)


def test_omicron_survivors_are_not_reinfected_endlessly():
    """One escaped strain in a population that had the ancestral one: its wave passes and
    infections per person stay near one, not one a month (the shipped immunity)."""
    w = make_world([1e7], ["HIC"], days=400)
    scen = scenario(epidemic={
        "r0": 2.5, "initial_prevalence": 1e-4, "initial_immune": 0.6, "importation": 0.0,
        "contacts": {"default": [], "countries": {}}, "travel": {"countries": {}},
        "variants": [{"name": "O", "origin": "C00", "start": "2021-02-01",
                      "seed_share": 1e-4, "transmissibility": 1.6, "escape": 0.4,
                      "escape_death": 0.1}]})
    state = simulate(w, params_for(w, scen))[1]
    per_person = state.epi.infections_cum[0, 0] / 1e7
    assert 0.5 < per_person < 1.6
    assert state.epi.new_infections[0, 0] / 1e7 < 1e-4                   # over by day 400


def test_immunity_tables_follow_changed_protection(monkeypatch):
    """The stage keeps its tables until ``EpiState.changed()`` (or new arrays): a course's
    protection written in place and announced reaches the tables the next day.
    """
    monkeypatch.delenv("VAXSIM_BACKEND", raising=False)
    _, params, epi = random_world_state(np.random.default_rng(5))
    ws = _Workspace(params.epidemic, epi)
    epi.workspace = ws
    sus, _ = ws.tables(epi)
    assert ws.tables(epi)[0] is sus                      # kept from day to day
    epi.ve_course[0] *= 0.5
    epi.changed()
    halved, _ = ws.tables(epi)
    assert halved is not sus and halved[:, :, 1].mean() > sus[:, :, 1].mean()
    epi.strains = epi.strains.copy()                     # replaced arrays count too
    assert ws.tables(epi)[0] is not halved
