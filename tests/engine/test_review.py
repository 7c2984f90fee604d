"""Stage 9 wiring: imitation partners by affinity, strategies that drive the donation and
pooling stages, and the payoff's health term.
"""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.adaptive import DONATE, HOARD, NEED, POOL, pick_partners
from sim.engine.review import apply_strategy, health, payoffs
from sim.engine.run import Simulation
from sim.engine.state import initial_state
from sim.world.affinity_sample import sample_partners

# Country C00 is three times closer to C01 than to C02 and has no affinity with C03.
NEAR = {"C00": {"C01": 3.0, "C02": 1.0, "C03": 0.0}}


def test_partners_are_drawn_by_the_scenarios_affinity():
    world = make_world([1e6] * 4, ["HIC", "LIC", "LIC", "LIC"], production=[1.0], days=20)
    params = params_for(world, scenario(affinity={"base": 0.1, "same_region": 0.5, **NEAR}))
    u = np.random.default_rng(4).random((20_000, 4))
    picks = sample_partners(params.diplomacy.affinity, u)
    share = lambda n: np.bincount(picks[:, n], minlength=4) / len(u)  # noqa: E731
    np.testing.assert_allclose(share(0), [0, 0.75, 0.25, 0], atol=0.015)  # overrides
    np.testing.assert_allclose(share(1), [1 / 3, 0, 1 / 3, 1 / 3], atol=0.015)


def test_pick_partners_follows_affinity_and_never_picks_zero_weight():
    cum = np.cumsum(np.array([[0.0, 3.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0],
                              [0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 2.0, 0.0]]), axis=1)
    u = np.random.default_rng(2).random((20_000, 4))
    u[0] = np.nextafter(1.0, 0.0)  # the largest uniform must not fall off a row
    p = pick_partners(u, cum)
    assert np.mean(p[:, 0] == 1) == pytest.approx(0.75, abs=0.01)
    assert set(np.unique(p[:, 0])) == {1, 2}
    assert (p[:, 1] == 0).all() and (p[:, 2] == 2).all()  # no weight at all: itself
    assert set(np.unique(p[:, 3])) == {1, 2}


def test_imitators_copy_a_partner_of_higher_affinity_proportionally_more_often():
    # C00 imitates (beta 0: adopts whatever it sees with probability 1/2); only C01 hoards.
    # Partner C01 has 3/4 of C00's affinity, so C00 hoards after the first review in
    # 3/4 × 1/2 of the members (uniform partners would give 1/3 × 1/2).
    world = make_world([1e6] * 4, ["HIC", "LIC", "LIC", "LIC"], production=[1.0], days=10)
    scen = scenario(
        affinity=NEAR,
        procurement={"countries": {"C01": {"strategy": "hoard", "multiple": 2.0}}},
        adaptation={"review_days": 10, "countries": {"C00": {"rule": "imitate"}},
                    "imitation": {"probability": 1.0, "beta": 0.0}},
        epidemic={"enabled": False})
    E = 600
    sim = Simulation.start(world, params_for(world, scen, range(E)))
    while not sim.done:
        sim.step()
    share = np.mean(sim.state.strategy[:, 0] == HOARD)
    assert abs(share - 0.375) < 4 * np.sqrt(0.375 * 0.625 / E), share
    assert (sim.state.strategy[:, 1:] == [HOARD, NEED, NEED]).all()


def _switch_run(then, pool=None, days=150):
    """C00 (rich, hoarding) switches to ``then`` once 30% of it has a first dose; C01 and
    C02 are poor and never switch.
    """
    world = make_world([1e6, 2e6, 2e6], ["HIC", "LIC", "LIC"], production=[40_000.0],
                       days=days)
    fields = {}
    if pool is not None:
        fields["pool"] = pool
    scen = scenario(
        procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3.0, "priority": 0,
                                        "budget_share": 1.0}},
                     "default": {"priority": 3}},
        uptake={"capacity": {g: {"start": 0.01, "end": 0.01, "ramp_days": 0}
                             for g in ("HIC", "LIC")}, "delivery_lag_days": 3},
        donation={"every_days": 7, "switch_share": 0.5},
        adaptation={"review_days": 7,
                    "countries": {"C00": {"rule": "threshold", "theta": 0.3, "then": then}}},
        **fields)
    sim = Simulation.start(world, params_for(world, scen))
    rows = []
    while not sim.done:
        sim.step()
        s = sim.state
        rows.append((s.strategy[0].copy(), s.donated_cum[0].copy(),
                     s.pool_contributed_cum[0].copy(), s.orders_open[0].copy()))
    codes, donated, pooled, orders = (np.array(x) for x in zip(*rows, strict=True))
    return sim, codes, donated, pooled, orders


def test_a_threshold_switch_to_donate_starts_bilateral_donations():
    sim, codes, donated, pooled, orders = _switch_run("donate")
    switched = np.flatnonzero(codes[:, 0] == DONATE)
    assert len(switched), "the rich country must reach theta in the test world"
    s = switched[0]
    assert (codes[:s, 0] == HOARD).all()
    assert (donated[: s + 1] == 0).all()              # nothing before the switch
    assert donated[-1, 0] > 0 and donated[-1, 1:].sum() == 0
    grows = np.flatnonzero(np.diff(donated[:, 0]) > 0)
    assert grows.min() >= s and len(grows) >= 3       # every donation period after it
    st = sim.state
    assert st.donations_received_cum[0, 1:].sum() == pytest.approx(st.donated_cum[0, 0])
    assert st.influence[0, 0] > 0 and (pooled == 0).all()
    assert orders[s, 0] < orders[s - 1, 0]            # ordering for need only


def test_a_threshold_switch_to_pool_gives_surplus_to_the_pool():
    pool = {"enabled": True, "orders_doses": 0.0, "every_days": 7,
            "groups": {"LIC": {"member": True}}}
    sim, codes, donated, pooled, orders = _switch_run("pool", pool)
    s = np.flatnonzero(codes[:, 0] == POOL)[0]
    assert (pooled[: s + 1] == 0).all() and pooled[-1, 0] > 0
    assert np.flatnonzero(np.diff(pooled[:, 0]) > 0).min() >= s
    st = sim.state
    assert st.pool_member[0].tolist() == [0.0, 1.0, 1.0]   # membership is not a strategy
    assert st.pool_share[0, 0] == 0.5 and st.pool_given[0, 1:].sum() > 0
    assert (donated == 0).all()


def test_a_switch_to_pool_without_a_pool_keeps_the_surplus_and_orders_for_need():
    sim, codes, donated, pooled, orders = _switch_run("pool")
    s = np.flatnonzero(codes[:, 0] == POOL)[0]
    assert (pooled == 0).all() and (donated == 0).all()
    assert sim.state.pool_share[0, 0] == 0.0
    assert orders[s, 0] < orders[s - 1, 0]


def test_apply_strategy_resets_orders_to_what_was_bought_and_books_the_change():
    world = make_world([1e6, 1e6], ["HIC", "LIC"], production=[1.0], days=5)
    scen = scenario(procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3.0,
                                                    "budget_share": 1.0}}},
                    donation={"switch_share": 0.4})
    params = params_for(world, scen)
    st = initial_state(world, params)
    st.allocated_cum[:] = [[500_000.0, 300_000.0]]
    st.donations_received_cum[:] = [[100_000.0, 0.0]]   # gifts are not bought
    old = st.strategy.copy()
    assert old.tolist() == [[HOARD, NEED]]
    apply_strategy(st, params, old, np.array([[DONATE, NEED]]))
    need, hoard = params.order_need[0, 0], params.order_hoard[0, 0]
    assert st.orders_extra[0, 0] == pytest.approx(need - hoard)
    assert st.orders_open[0, 0] == pytest.approx(need - 400_000.0)
    assert st.orders_open[0, 1] == params.order_total[0, 1]   # unchanged country
    assert st.donor.tolist() == [[True, False]] and st.donor_share[0, 0] == 0.4
    apply_strategy(st, params, st.strategy.copy(), np.array([[HOARD, NEED]]))
    assert st.orders_extra[0, 0] == pytest.approx(0.0, abs=1e-6)
    assert st.orders_open[0, 0] == pytest.approx(hoard - 400_000.0)
    assert not st.donor.any()


def test_health_is_minus_deaths_per_thousand_with_the_epidemic_and_coverage_without():
    world = make_world([1e6, 2e6], ["HIC", "LIC"], production=[1.0], days=5)
    scen = scenario(adaptation={"imitation": {"w_health": 2.0, "w_influence": 0.0,
                                              "w_cost": 0.0}})
    params = params_for(world, scen)
    st = initial_state(world, params)
    st.epi.D[:] = [[1000.0, 500.0]]
    st.completed[:] = [[9e5, 0.0]]
    assert health(st, world).tolist() == [[-1.0, -0.25]]
    # the country with fewer deaths per capita has the higher payoff
    assert payoffs(st, world, params).tolist() == [[-2.0, -0.5]]
    off = params_for(world, scenario(epidemic={"enabled": False}))
    st = initial_state(world, off)
    st.completed[:] = [[9e5, 5e5]]
    assert st.epi is None and health(st, world).tolist() == [[0.9, 0.25]]


def test_payoff_influence_and_spending_are_per_inhabitant():
    world = make_world([1e6, 2e6], ["HIC", "LIC"], production=[1.0], days=5)
    scen = scenario(adaptation={"imitation": {"w_health": 0.0, "w_influence": 1.0,
                                              "w_cost": 0.01}},
                    procurement={"default": {"price_usd": 10.0}})
    params = params_for(world, scen)
    st = initial_state(world, params)
    st.influence[:] = [[3e6, 0.0]]
    st.allocated_cum[:] = [[2e6, 1e6]]
    st.pool_given[:] = [[0.0, 6e5]]
    st.donations_received_cum[:] = [[0.0, 4e5]]
    # C00: 3 doses of influence per inhabitant − 0.01 × 20 US$; C01 bought nothing.
    assert payoffs(st, world, params)[0] == pytest.approx([3.0 - 0.2, 0.0])
