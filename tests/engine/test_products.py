"""Doses by vaccine product (sim/engine/products.py): the product ledger adds up every day,
one-dose products give a course per dose, and a country's vaccine protection follows the
products of its courses (values from sim/data/products.csv)."""

import numpy as np
import pytest
from worlds import SCENARIOS, make_world, params_for, scenario

from sim import data
from sim.engine.build.params import build_params
from sim.engine.product_channels import _on_hand, _world_market
from sim.engine.run import Simulation, simulate
from sim.scenario import load_scenario
from sim.scenario.products import product_index
from sim.world.world import build_world

COMIRNATY, CORONAVAC, JANSSEN = ("Pfizer-BioNTech Comirnaty", "Sinovac CoronaVac",
                                 "Janssen Ad26.COV2.S")
BAN = {"policy": "ban", "start": "2021-01-01", "end": "2022-12-31"}


def _ledger_holds(state) -> None:
    ps = state.products
    for name, total in (("received", state.allocated_cum),
                        ("administered", state.administered_cum),
                        ("expired", state.expired_cum)):
        by_product = getattr(ps, name)
        assert (by_product >= -1e-6).all(), name
        np.testing.assert_allclose(by_product.sum(axis=2), total, rtol=1e-9, atol=1e-3,
                                   err_msg=name)
    np.testing.assert_allclose(ps.pool.sum(axis=1), state.pool_stock, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(ps.holding.sum(axis=2), _on_hand(state), rtol=1e-9,
                               atol=1e-3)
    assert (ps.holding >= 0).all() and (ps.pool >= 0).all()


@pytest.mark.slow
def test_product_ledger_adds_up_every_day_of_the_baseline():
    # Every channel acts in the baseline's first 270 days: licences, contracts (pool and
    # Vietnam's), partner sales, the market, pool shipments and contributions, gifts.
    scen = load_scenario(SCENARIOS / "baseline.yaml", ["days=270"])
    world = build_world(scen)
    sim = Simulation.start(world, build_params(world, [scen], [scen.seed]))
    while not sim.done:
        sim.step()
        _ledger_holds(sim.state)
    ps = sim.state.products
    assert ps.administered.sum() > 1e9 and ps.pool.sum() >= 0
    assert (ps.given.sum(axis=2) > 0).any()  # gifts and contributions left holdings
    # Doses by product sum to the recorded world series on the last day too.
    np.testing.assert_allclose(ps.world_received[:, -1].sum(axis=1),
                               sim.state.allocated_cum.sum(axis=1), rtol=1e-9)


def _two_producer_run(mix0: str, mix1: str, days: int = 150, **fields):
    """Two countries, each the home of one producer that never exports."""
    world = make_world([5e6, 5e6], ["HIC", "HIC"], home_of=[0, 1],
                       production=[60_000.0, 60_000.0], days=days)
    scen = scenario(days=days, products={"enabled": True, "mix": {"P0": {mix0: 1.0},
                                                                  "P1": {mix1: 1.0}}},
                    export={"producers": {"P0": BAN, "P1": BAN}}, **fields)
    params = params_for(world, scen)
    sim = Simulation.start(world, params)
    while not sim.done:
        sim.step()
        _ledger_holds(sim.state)
    return sim, params


def test_a_one_dose_product_gives_a_course_per_dose():
    sim, _ = _two_producer_run(JANSSEN, COMIRNATY)
    ps = sim.state.products
    names = list(sim.params.products.names)
    j, c = names.index(JANSSEN), names.index(COMIRNATY)
    assert ps.administered[0, 0, j] > 1e6 and ps.administered[0, 1, c] > 1e6
    assert ps.courses[0, 0, j] == pytest.approx(ps.administered[0, 0, j])
    assert ps.courses[0, 1, c] == pytest.approx(ps.administered[0, 1, c] / 2)
    np.testing.assert_allclose(ps.course_length()[0], [1.0, 2.0])
    # Each country got only its home producer's product.
    assert ps.received[0, 0, j] == pytest.approx(ps.received[0, 0].sum())
    assert ps.received[0, 1, c] == pytest.approx(ps.received[0, 1].sum())


def test_inactivated_courses_protect_less_than_mrna_with_the_table_values():
    sim, params = _two_producer_run(CORONAVAC, COMIRNATY)
    ve = sim.state.epi.ve_course                                   # (2, E, N, V)
    table = data.products().set_index("product")
    names = list(params.products.names)
    classes = params.products.strain_class[0]
    assert set(classes[:4]) == {0, 1, 2}  # ancestral and Alpha, Delta, Omicron
    columns = {0: ("efficacy_infection", "efficacy_death"),
               1: ("infection_delta", "death_delta"),
               2: ("infection_omicron", "death_omicron")}
    for n, product in ((0, CORONAVAC), (1, COMIRNATY)):
        assert names.index(product) >= 0
        for v, g in enumerate(classes[:4]):
            for k in (0, 1):
                assert ve[k, 0, n, v] == pytest.approx(table.loc[product, columns[g][k]])
    assert (ve[:, 0, 0, :4] < ve[:, 0, 1, :4]).all()
    # Fewer protected people: more deaths among the inactivated vaccine's country.
    assert sim.state.epi.D[0, 0] > sim.state.epi.D[0, 1]


def test_products_off_leaves_the_run_unchanged():
    world = make_world([1e6, 2e6, 3e6], ["HIC", "LMIC", "LIC"], home_of=[0, -1, -1],
                       production=[30_000.0], days=60)
    off = scenario(days=60)
    on = scenario(days=60, products={"enabled": True, "mix": {"P0": {COMIRNATY: 1.0}},
                                     "refresh_days": 90})
    a, _ = simulate(world, params_for(world, off))
    b, state = simulate(world, params_for(world, on))
    # With no refresh inside the run, tracking products changes nothing but the record.
    np.testing.assert_array_equal(a.groups, b.groups)
    assert a.products is None and b.products is not None
    assert state.products.received.sum() == pytest.approx(state.allocated_cum.sum())


def test_restricted_buyers_take_their_products_first():
    world = make_world([1e6, 1e6], ["HIC", "LIC"], production=[1.0], days=10)
    scen = scenario(days=10, products={"enabled": True, "mix": {"P0": {COMIRNATY: 1.0}},
                                       "accepted": {"HIC": [COMIRNATY]}})
    pp = params_for(world, scen).products
    Q = pp.n_products
    c, s = product_index(pp.names, COMIRNATY), product_index(pp.names, CORONAVAC)
    world_mix = np.zeros((1, Q))
    world_mix[0, [c, s]] = [0.4, 0.6]
    taken, rest = _world_market(pp, world_mix, np.array([[30.0, 70.0]]), np.array([0.0]))
    assert taken[0, 0, c] == pytest.approx(30.0)           # the HIC buyer: all Comirnaty
    assert taken[0, 1].sum() == pytest.approx(70.0)
    np.testing.assert_allclose(taken[0].sum(axis=0)[[c, s]], [40.0, 60.0])  # conserved
    # More demand than the accepted supply: the rest comes in what is left.
    taken, _ = _world_market(pp, world_mix, np.array([[60.0, 40.0]]), np.array([0.0]))
    assert taken[0, 0, c] == pytest.approx(40.0) and taken[0, 0].sum() == pytest.approx(60)
    np.testing.assert_allclose(taken[0].sum(axis=0)[[c, s]], [40.0, 60.0])


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_buyer_that_takes_all_it_bought_in_its_products_gets_none_of_the_others(backend):
    """Found by the long fuzz (case 9201191): the shares of a restricted buyer's products
    summed to 1 + 1 ulp, so what it bought minus what it took was -6e-14 doses, handed
    out in the other products as negative doses received.
    """
    from sim.engine.kernels.product_channels import _world_market as kernel

    world = make_world([1e6, 1e6], ["HIC", "LIC"], production=[1.0], days=10)
    scen = scenario(days=10, products={"enabled": True, "mix": {"P0": {COMIRNATY: 1.0}},
                                       "accepted": {"HIC": [COMIRNATY, CORONAVAC]}})
    pp = params_for(world, scen).products
    Q = pp.n_products
    c, s = product_index(pp.names, COMIRNATY), product_index(pp.names, CORONAVAC)
    other = next(q for q in range(Q) if q not in (c, s))
    world_mix = np.zeros((1, Q))
    world_mix[0, [other, c, s]] = [0.09775524981897177, 0.5220854453294714,
                                   0.38015930485155686]
    imports = np.array([[310.2, 1e4]])     # plenty on the market: the HIC buyer is served
    shares = world_mix[0, [c, s]] / world_mix[0, [c, s]].sum()
    assert imports[0, 0] - (imports[0, 0] * shares).sum() < 0     # the case: -1 ulp left
    if backend == "numpy":
        taken, _ = _world_market(pp, world_mix, imports, np.array([0.0]))
        taken = taken[0]
    else:
        taken = np.zeros((2, Q))
        kernel(world_mix[0], imports[0], 0.0, pp.accept[0], np.zeros((2, Q)), taken)
    assert (taken >= 0).all()
    assert taken[0, other] == 0.0
    assert taken[0].sum() == pytest.approx(310.2, rel=1e-15)


def test_unknown_products_are_refused():
    world = make_world([1e6], ["HIC"], home_of=[0], production=[1.0], days=10)
    for bad in ({"mix": {"P0": {"Cuba Abdala": 1.0}}}, {"accepted": {"HIC": ["X"]}},
                {"mix": {}}):
        scen = scenario(days=10, products={"enabled": True, **bad})
        with pytest.raises(ValueError, match="products|product mix"):
            params_for(world, scen)


def test_course_length_follows_the_products_a_country_received():
    # Supply well above what the willing need, so both reach their willing population:
    # the one-dose country completes a course per dose, the two-dose one per two doses.
    sim, _ = _two_producer_run(JANSSEN, COMIRNATY, days=300,
                               uptake={"capacity": {"HIC": {"start": 0.01, "end": 0.01}}})
    s = sim.state
    # Primary doses (boosters, one dose of any product, are given after a course).
    first, done, given = s.first[0], s.completed[0], s.administered_cum[0] - s.boosted[0]
    assert first[0] > 1e6 and done[0] == pytest.approx(first[0], rel=1e-9)
    assert done[0] == pytest.approx(given[0], rel=1e-9)            # a course per dose
    assert done[1] == pytest.approx(first[1], rel=1e-6)            # all seconds given
    assert done[1] == pytest.approx(given[1] / 2, rel=1e-6)        # a course per 2 doses
    assert s.due[0, 0] == 0 and not s.due_ring[:, 0, 0].any()      # none owed a second
    # The same number of people, so the one-dose country used half the doses; courses by
    # age band add up to the courses in both.
    assert first[0] == pytest.approx(first[1], rel=1e-6)
    np.testing.assert_allclose(s.courses_band[0].sum(axis=1), done, rtol=1e-9)


def test_a_mixed_holding_gives_one_dose_courses_in_its_share():
    # Half Janssen, half Comirnaty as production.csv counts them (a Janssen dose twice):
    # one physical dose in three is Janssen, so a third of first doses complete at once.
    world = make_world([2e6], ["HIC"], home_of=[0], production=[30_000.0], days=300)
    scen = scenario(days=300, uptake={"capacity": {"HIC": {"start": 0.01, "end": 0.01}}},
                    products={"enabled": True, "mix": {"P0": {JANSSEN: 0.5, COMIRNATY: 0.5}}},
                    export={"producers": {"P0": BAN}})
    sim = Simulation.start(world, params_for(world, scen))
    shares = []
    while not sim.done:
        sim.step()
        _ledger_holds(sim.state)
        if sim.state.products.holding.sum() > 0:
            shares.append(sim.state.products.one_dose[0, 0])
    s = sim.state
    np.testing.assert_allclose(shares, 1 / 3, atol=1e-9)
    assert s.completed[0, 0] == pytest.approx(s.first[0, 0], rel=1e-6)
    primary = s.administered_cum[0, 0] - s.boosted[0, 0]
    assert primary == pytest.approx(5 / 3 * s.first[0, 0], rel=1e-6)
    # The producer's output in physical doses: its Janssen half counted once.
    assert s.produced_cum.sum() == pytest.approx(0.75 * 30_000.0 * 300, rel=1e-9)


def test_one_dose_output_counts_once_only_when_tracking_products():
    world = make_world([1e6], ["HIC"], home_of=[0], production=[1.0], days=10)
    mix = {"P0": {JANSSEN: 0.2, COMIRNATY: 0.8}}
    on = params_for(world, scenario(days=10, products={"enabled": True, "mix": mix}))
    off = params_for(world, scenario(days=10, products={"enabled": False, "mix": mix}))
    assert on.products.output_factor[0, 0] == pytest.approx(0.9)
    np.testing.assert_allclose(on.production_multiplier, 0.9 * off.production_multiplier)
    names = list(on.products.names)
    assert on.products.producer_mix[0, 0, names.index(JANSSEN)] == pytest.approx(0.1 / 0.9)


def test_members_with_other_refresh_periods_run_as_alone():
    # One refresh period for the batch takes a shortcut; mixed periods take the per-member
    # path: either way a member's protection and deaths are those of its run alone.
    scens = [load_scenario(SCENARIOS / "baseline.yaml", ["days=120",
                                                          f"products.refresh_days={r}"])
             for r in (14, 30)]
    world = build_world(scens[0])
    batch = simulate(world, build_params(world, scens, [1, 1]))[1]
    for e, s in enumerate(scens):
        alone = simulate(world, build_params(world, [s], [1]))[1]
        np.testing.assert_array_equal(batch.epi.ve_course[:, e], alone.epi.ve_course[:, 0])
        np.testing.assert_array_equal(batch.epi.D[e], alone.epi.D[0])
    assert not np.array_equal(batch.epi.ve_course[:, 0], batch.epi.ve_course[:, 1])
