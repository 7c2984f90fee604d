"""The pool on hand-built worlds: buying at its priority, pro-rata then need phases."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.flows import FLOW_COLUMNS, POOL, FlowLog
from sim.engine.market import MarketPlan
from sim.engine.pool import allocate_pool, clear_with_pool
from sim.engine.state import initial_state

CAP = {g: {"start": 0.01, "end": 0.01, "ramp_days": 0} for g in ("HIC", "UMIC", "LMIC", "LIC")}


def _pool_scenario(**pool):
    return scenario(uptake={"hesitancy": 0.0, "capacity": CAP},
                    pool={"enabled": True, "absorb_days": 365,
                          "default": {"member": True}, **pool})


def test_pro_rata_phase_reaches_the_tier_in_proportion_to_population():
    w = make_world([100, 200, 700], ["LIC", "LIC", "LIC"], production=[0])
    params = params_for(w, _pool_scenario(tier_share=0.2))
    state = initial_state(w, params)
    # Tier: 20% × 2 doses × population = 40, 80, 280. The pool has half of that.
    state.pool_stock[:] = 200.0
    log = FlowLog()
    ship = allocate_pool(state, w, params, 0, log)
    np.testing.assert_allclose(ship[0], [20, 40, 140])
    assert state.pool_stock[0] == pytest.approx(0.0)
    # More than the tier: everyone reaches it, the rest goes by need (equal gaps per person).
    state = initial_state(w, params)
    state.pool_stock[:] = 600.0
    ship = allocate_pool(state, w, params, 0, log)
    np.testing.assert_allclose(ship[0] / w.population, [0.6, 0.6, 0.6])
    flows = log.array()
    F = FLOW_COLUMNS
    assert (flows[:, F.donor] == POOL).all() and flows[:, F.doses].sum() == pytest.approx(800.0)


def test_need_phase_favours_the_larger_gap():
    w = make_world([100, 100], ["LIC", "LIC"], production=[0])
    params = params_for(w, _pool_scenario(tier_share=0.0))
    state = initial_state(w, params)
    state.stock[-1, 0, 1] = 100.0            # country 1 already holds half its course doses
    state.pool_stock[:] = 60.0
    ship = allocate_pool(state, w, params, 0, FlowLog())
    # Gaps 200 and 100: shares 2:1.
    np.testing.assert_allclose(ship[0], [40, 20])


def test_non_members_get_nothing_and_nothing_above_the_gap():
    w = make_world([100, 100, 100], ["LIC", "LIC", "HIC"], production=[0])
    scen = _pool_scenario(tier_share=0.2, groups={"HIC": {"member": False}})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.pool_stock[:] = 1000.0
    ship = allocate_pool(state, w, params, 0, FlowLog())
    np.testing.assert_allclose(ship[0], [200, 200, 0])
    assert state.pool_stock[0] == pytest.approx(600.0)


def test_pool_buys_after_earlier_tiers_and_before_later_ones():
    w = make_world([100, 100], ["HIC", "LIC"], production=[0])
    scen = scenario(uptake={"hesitancy": 0.0},
                    procurement={"default": {"budget_share": 1.0},
                                 "groups": {"HIC": {"priority": 0}, "LIC": {"priority": 3}}},
                    pool={"enabled": True, "orders_doses": 150, "priority": 2})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.inventory[:] = 400.0
    alloc = clear_with_pool(state, w, params, MarketPlan.build(w, params), 0)
    # HIC (tier 0) takes its 200, the pool its 150, the LIC (tier 3) the last 50.
    np.testing.assert_allclose(alloc[0], [200, 50])
    assert state.pool_stock[0] == pytest.approx(150.0)
    assert state.exported_cum[0, 0] == pytest.approx(400.0)


def test_pledges_limit_what_the_pool_buys():
    w = make_world([100], ["LIC"], production=[0], days=30)
    scen = scenario(pool={"enabled": True, "orders_doses": 1e6, "price_usd": 10.0,
                          "funding": [{"date": "2021-01-01", "usd": 500.0}]},
                    procurement={"default": {"budget_share": 0.0}})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.inventory[:] = 1000.0
    clear_with_pool(state, w, params, MarketPlan.build(w, params), 0)
    assert state.pool_stock[0] == pytest.approx(50.0)


def test_contributions_move_surplus_into_the_pool():
    w = make_world([100, 100], ["HIC", "LIC"], production=[0])
    scen = _pool_scenario(tier_share=0.0, groups={"HIC": {"member": False,
                                                          "contribute_share": 0.5}})
    scen = scen.model_copy(update={"donation": scen.donation.model_copy(update={
        "default": scen.donation.default.model_copy(update={"keep_coverage": 0.0,
                                                            "buffer_days": 0})})})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.stock[-1, 0, 0] = 100.0
    ship = allocate_pool(state, w, params, 0, FlowLog())
    assert state.pool_contributed_cum[0, 0] == pytest.approx(50.0)
    np.testing.assert_allclose(ship[0], [0, 50])
    assert state.stock[:, 0, 0].sum() == pytest.approx(50.0)


def test_proportional_pool_keeps_what_a_participant_cannot_absorb_for_it():
    # absorb_days 1: country 0 (100 people, 1% a day) takes at most 1 dose a round, country
    # 1 (900 people, a dose each a day) up to 900. Without `proportional` country 0's
    # unabsorbed share goes to country 1; with it, each gets at most its population share
    # (10% and 90%) of what the pool has had.
    w = make_world([100, 900], ["LIC", "LMIC"], production=[0])
    cap = {**CAP, "LMIC": {"start": 1.0, "end": 1.0, "ramp_days": 0}}
    for proportional, expected in ((False, [1.0, 99.0]), (True, [1.0, 90.0])):
        scen = scenario(uptake={"hesitancy": 0.0, "capacity": cap},
                        pool={"enabled": True, "absorb_days": 1, "tier_share": 1.0,
                              "proportional": proportional, "default": {"member": True}})
        params = params_for(w, scen)
        state = initial_state(w, params)
        state.pool_stock[:] = 100.0
        state.pool_bought_cum[:] = 100.0
        ship = allocate_pool(state, w, params, 0, FlowLog())
        np.testing.assert_allclose(ship[0], expected)
        assert state.pool_stock[0] == pytest.approx(100.0 - sum(expected))


@pytest.mark.parametrize("member", [None, np.array([2, 0, 2, 1])])
def test_compiled_need_weight_equals_burden_weight(member):
    """The pool and donation kernels weigh need as :func:`sim.engine.need.burden_weight`
    does, bit for bit: from recent deaths (of the real member, for a no-vaccine twin),
    1 where nobody has died yet; a given weight is used as it is."""
    from types import SimpleNamespace

    from sim.engine.kernels.pool import need_weight_row
    from sim.engine.need import burden_weight
    from sim.engine.pool import burden_arguments

    rng = np.random.default_rng(7)
    E, N = 4, 37
    deaths = rng.random((E, N)) * 10.0 ** rng.uniform(-9, -3, (E, N))
    deaths[1] = 0.0
    population = rng.uniform(1e4, 1e9, N)
    state = SimpleNamespace(epi=SimpleNamespace(recent_deaths=deaths),
                            pool_given=np.zeros((E, N)))
    params = SimpleNamespace(burden_member=member)
    want = burden_weight(state, SimpleNamespace(population=population), params)
    mode, burden, rows = burden_arguments(state, params, None)
    got = np.empty((E, N))
    for e in range(E):
        need_weight_row(mode, burden, rows, population, e, got[e])
    assert got.tobytes() == want.tobytes()
    given = rng.random((E, N))
    mode, burden, rows = burden_arguments(state, params, given)
    for e in range(E):
        need_weight_row(mode, burden, rows, population, e, got[e])
    assert got.tobytes() == given.tobytes()
    mode, burden, rows = burden_arguments(SimpleNamespace(epi=None, pool_given=given),
                                          params, None)
    need_weight_row(mode, burden, rows, population, 0, got[0])
    assert (got[0] == 1.0).all()
