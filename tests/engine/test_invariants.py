"""Invariants on random valid scenarios (hypothesis): ledger identity, no negatives,
coverage ≤ 1, population bounds."""

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worlds import make_world, params_for, scenario

from sim.engine.epi_record import EPI_GROUP_FIELDS
from sim.engine.run import simulate
from sim.outcomes.coverage import ledger_residual
from sim.outcomes.results import ledger_table
from sim.scenario.schema import INCOME_GROUPS

policies = st.sampled_from(["open", "domestic_first", "ban"])


@st.composite
def worlds_and_scenarios(draw):
    n = draw(st.integers(2, 6))
    p = draw(st.integers(1, 3))
    days = draw(st.integers(20, 150))
    pops = draw(st.lists(st.floats(1e3, 1e8), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from(INCOME_GROUPS), min_size=n, max_size=n))
    home = draw(st.lists(st.integers(-1, p - 1), min_size=n, max_size=n))
    prod = draw(st.lists(st.floats(0, 1e6), min_size=p, max_size=p))
    world = make_world(pops, groups, home_of=home, production=prod, days=days)
    export = {f"P{i}": {"policy": draw(policies), "coverage_target": draw(st.floats(0, 1)),
                        "start": "2021-01-05", "end": "2021-02-10",
                        "resume_days": draw(st.integers(0, 90))} for i in range(p)}
    groups_policy = {g: {"strategy": draw(st.sampled_from(["need", "hoard"])),
                         "multiple": draw(st.floats(0, 6)),
                         "priority": draw(st.integers(0, 4)),
                         "budget_share": draw(st.floats(0, 0.05))} for g in INCOME_GROUPS}
    cap = {g: {"start": draw(st.floats(0, 0.02)), "end": draw(st.floats(0, 0.02)),
               "ramp_days": draw(st.integers(0, 200))} for g in INCOME_GROUPS}
    scen = scenario(
        export={"producers": export},
        procurement={"groups": groups_policy},
        production={"noise_sd": draw(st.floats(0, 0.5))},
        uptake={"capacity": cap, "hesitancy": draw(st.floats(0, 1)),
                "delivery_lag_days": draw(st.integers(1, 30)),
                "shelf_life_days": draw(st.integers(30, 400)),
                "shelf_bucket_days": draw(st.integers(1, 60)),
                "dose_interval_days": draw(st.integers(1, 60)),
                "doses_per_course": draw(st.sampled_from([1, 2])),
                "hesitancy_changes": draw(st.lists(st.fixed_dictionaries({
                    "date": st.dates(dt.date(2020, 12, 1), dt.date(2021, 6, 1)),
                    "groups": st.dictionaries(st.sampled_from(INCOME_GROUPS),
                                              st.floats(0, 1), max_size=2)}),
                    max_size=2, unique_by=lambda c: c["date"]))},
        epidemic=draw(epidemics()),
        vaccination=vaccinations(draw),
        **draw(diplomacy(n, p)))
    return world, scen


@st.composite
def diplomacy(draw, n, p):
    """Pool, donation, affinity, partner sales, licences and shocks, each maybe on."""
    date = lambda: draw(st.dates(dt.date(2021, 1, 10), dt.date(2021, 6, 1))).isoformat()  # noqa: E731
    share = st.floats(0, 1)
    producer = st.sampled_from([f"P{i}" for i in range(p)])
    countries = [f"C{i:02d}" for i in range(n)]

    def contract(buyer=None):
        """A supply contract with one or two delivery windows (some before the start)."""
        windows = []
        for _ in range(draw(st.integers(1, 2))):
            start = draw(st.dates(dt.date(2020, 12, 1), dt.date(2021, 5, 1)))
            end = start + dt.timedelta(days=draw(st.integers(0, 120)))
            windows.append({"start": start, "end": end, "doses": draw(st.floats(0, 1e7))})
        return {"supplier": draw(producer), "deliveries": windows,
                **({"buyer": buyer} if buyer else {})}

    pool = {"enabled": draw(st.booleans()), "orders_doses": draw(st.floats(0, 1e8)),
            "priority": draw(st.integers(0, 5)), "tier_share": draw(share),
            "every_days": draw(st.integers(1, 30)), "absorb_days": draw(st.integers(1, 120)),
            "funding": [{"date": date(), "usd": draw(st.floats(0, 1e8))}
                        for _ in range(draw(st.integers(0, 2)))],
            "proportional": draw(st.booleans()),
            "contracts": [contract() for _ in range(draw(st.integers(0, 2)))],
            "groups": {g: {"member": draw(st.booleans()), "fund_courses": draw(st.floats(0, 2)),
                           "contribute_share": draw(share)} for g in INCOME_GROUPS}}
    donation = {"every_days": draw(st.integers(1, 60)),
                "shelf_life_left": draw(st.floats(0.01, 1)),
                "absorb_days": draw(st.integers(1, 120)),
                "groups": {g: {"share": draw(share), "keep_coverage": draw(share),
                               "buffer_days": draw(st.integers(0, 60)),
                               "receive": draw(st.booleans())} for g in INCOME_GROUPS}}
    affinity = {"base": draw(st.floats(0, 2)), "pairs": {
        draw(st.sampled_from(countries)): {draw(st.sampled_from(countries)): draw(st.floats(0, 5))}
    }}
    licences = [{"licensor": draw(producer), "licensee": draw(st.sampled_from(countries)),
                 "start": date(), "lag_days": draw(st.integers(0, 60)),
                 "doses_per_month": draw(st.floats(0, 1e7)),
                 "total_doses": draw(st.none() | st.floats(0, 1e8)),
                 "additional": draw(st.booleans())} for _ in range(draw(st.integers(0, 2)))]
    shocks = [{"type": "export_ban", "producer": draw(producer), "start": "2021-01-10",
               "end": date()},
              {"type": "plant_outage", "producer": draw(producer), "start": "2021-01-10",
               "end": date(), "multiplier": draw(share)},
              {"type": "demand_surge", "countries": [draw(st.sampled_from(countries))],
               "date": date(), "extra_courses": draw(st.floats(0, 3))}]
    contracts = [contract(draw(st.sampled_from(countries)))
                 for _ in range(draw(st.integers(0, 2)))]
    return {"pool": pool, "donation": donation, "affinity": affinity, "licences": licences,
            "contracts": contracts,
            "shocks": draw(st.lists(st.sampled_from(shocks), max_size=3)),
            "partner_sales": {draw(producer): {"min_affinity": draw(st.floats(0, 3)),
                                               "share": draw(share)}}}


@st.composite
def epidemics(draw):
    share = st.floats(0, 1)
    immunity = {}
    for source in ("vaccine", "infection", "hybrid"):
        x = draw(share)
        immunity[source] = {"infection": x, "death": draw(st.floats(x, 1)),
                            "infection_half_life_days": draw(st.floats(10, 5000)),
                            "death_half_life_days": draw(st.floats(10, 5000))}
    immunity["fresh_days"] = draw(st.floats(5, 400))
    return {
        "r0": draw(st.floats(0.3, 9)), "latent_days": draw(st.floats(0.5, 10)),
        "infectious_days": draw(st.floats(0.5, 12)),
        "initial_prevalence": draw(st.floats(0, 0.05)),
        "initial_immune": draw(st.floats(0, 0.5)),
        "importation": draw(share), "ifr_multiplier": draw(st.floats(0, 5)),
        "ifr_multiplier_groups": {"LIC": draw(st.floats(0, 3))},
        "band_contacts": {k: draw(st.floats(0.5, 20))
                          for k in ("age_0_19", "age_20_64", "age_65plus")},
        "assortativity": draw(share), "regional_travel": draw(share),
        "substeps": draw(st.integers(1, 4)), "immunity": immunity,
        "contacts": {"default": [{"start": "2021-01-10", "multiplier": draw(st.floats(0, 2))}],
                     "groups": {"LIC": [{"start": "2020-12-01", "multiplier": draw(share)}]}},
        "travel": {"countries": {"C00": [{"start": "2021-01-05", "multiplier": draw(share)}]}},
        "variants": [{"name": "V", "origin": "C00", "start": "2021-01-20",
                      "seed_share": draw(st.floats(0, 0.01)),
                      "transmissibility": draw(st.floats(0.5, 3)), "escape": draw(share),
                      "escape_death": draw(share), "severity": draw(st.floats(0.1, 3))}],
        "emergence": {"enabled": draw(st.booleans()), "per_billion_infections": 1e4,
                      "max_variants": draw(st.integers(0, 3)), "escape": draw(share),
                      "severity": draw(st.floats(0.1, 3))},
        "vaccine_effect": draw(st.booleans()),
    }


def vaccinations(draw):
    return {"priority": draw(st.sampled_from(["oldest_first", "uniform"])),
            "children_from": {"HIC": "2021-01-20"},
            "boosters": {"start": {"HIC": "2021-02-01", "UMIC": None},
                         "interval_days": draw(st.integers(28, 120)),
                         "uptake": draw(st.floats(0, 1)),
                         "restraint": {"countries": ["LMIC"], "until": "2021-03-01"}}}


many = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
runs = given(worlds_and_scenarios(), st.lists(st.integers(0, 2**31), min_size=1, max_size=3))


def _run(ws, seeds):
    world, scen = ws
    params = params_for(world, scen, seeds)
    return (world, scen, params, *simulate(world, params))


@many
@runs
def test_ledger_identity_and_bounds(ws, seeds):
    world, scen, params, traj, state = _run(ws, seeds)
    assert ledger_residual(ledger_table(world, traj)).max() < 1e-9
    for name, value in vars(state).items():
        if isinstance(value, np.ndarray):
            assert (value >= 0).all(), name
    people = traj.countries[..., :2]  # first_dose, completed per country
    assert (people <= world.population[None, None, :, None] * (1 + 1e-12)).all()
    assert (traj.countries[..., 1] <= traj.countries[..., 0] * (1 + 1e-12) + 1e-9).all()
    most_willing = params.willing_steps.max(axis=1)  # dated hesitancy changes may raise it
    # Willing shares are 1 - hesitancy, spread over age bands by sums of shares near 1: their
    # rounding is absolute (~1e-16 of the population), not relative to a tiny willing share.
    assert (state.first <= (most_willing + 1e-12) * world.population).all()
    if state.contract_delivered_cum.size:  # never more than the schedule made due
        due = params.diplomacy.contract_due[:, :, world.days - 1]
        assert (state.contract_delivered_cum <= due * (1 + 1e-9) + 1e-6).all()


@many
@runs
def test_epidemic_conserves_people_and_stays_non_negative(ws, seeds):
    world, scen, params, traj, state = _run(ws, seeds)
    epi = state.epi
    np.testing.assert_allclose(epi.total(), np.broadcast_to(world.population, epi.D.shape),
                               rtol=1e-12, atol=0)
    for name in ("S", "Ex", "Ix", "shadow", "D_band", "infections_cum"):
        value = getattr(epi, name)
        assert (value >= -1e-9 * world.population.max()).all(), name
    # The fated-to-die and vaccinated shadows never exceed the infected they are part of.
    infected = epi.Ex + epi.Ix                                     # (E, N, A, V)
    shadow = epi.shadow[..., 0::2] + epi.shadow[..., 1::2]        # (E, N, A, V, 2)
    assert (shadow <= infected[..., None] * (1 + 1e-9) + 1e-6).all()
    deaths = traj.epi_groups[..., EPI_GROUP_FIELDS.deaths_cum]   # (E, D, G) cumulative
    assert (np.diff(deaths, axis=1) >= -1e-9 * deaths.max()).all()
    # Doses by band never exceed the band's willing people at their most willing (dated
    # hesitancy changes move willingness; a later fall takes no dose back).
    most = np.max([params.willing_band_on(t) for t in range(world.days)], axis=0)
    assert (state.first_band <= most * (1 + 1e-9) + 1e-6).all()
    assert (state.courses_band <= state.first_band * (1 + 1e-9) + 1e-6).all()
    assert (state.boosted_band <= state.courses_band * (1 + 1e-9) + 1e-6).all()
