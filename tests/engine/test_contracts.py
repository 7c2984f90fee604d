"""The pool's advance-purchase contracts: delivered on schedule, never more, shortfalls
carried forward, suppliers under an export ban deliver nothing."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.contracts import deliver_contracts
from sim.engine.run import simulate
from sim.engine.state import initial_state
from sim.outcomes.coverage import ledger_residual
from sim.outcomes.results import ledger_table


def _step(state, w, params, t, k=0):
    """Run the contract stage on day t; return the doses contract k delivered."""
    before = state.contract_delivered_cum[0, k]
    deliver_contracts(state, w, params, t)
    return float(state.contract_delivered_cum[0, k] - before)


def _world(output=1000.0, days=60):
    return make_world([1e6, 1e6], ["HIC", "LIC"], home_of=[0, -1], production=[output],
                      days=days)


def _scen(deliveries, **export):
    return scenario(pool={"enabled": True, "orders_doses": 0.0,
                          "default": {"member": True},
                          "contracts": [{"supplier": "P0", "product": "test",
                                         "deliveries": deliveries}]},
                    market={"clearing_days": 1}, export=export or {})


def test_a_contract_delivers_on_its_schedule_and_no_more():
    # 3,000 doses due evenly over days 10-19 (300 a day); the producer has plenty.
    w = _world(output=10_000.0)
    scen = _scen([{"start": "2021-01-11", "end": "2021-01-20", "doses": 3000}])
    params = params_for(w, scen)
    np.testing.assert_allclose(params.diplomacy.contract_due[0, 0, [9, 10, 14, 19, 40]],
                               [0, 300, 1500, 3000, 3000])
    state = initial_state(w, params)
    state.inventory[:] = 1e6
    delivered = [_step(state, w, params, t) for t in range(30)]
    assert delivered[:10] == [0.0] * 10
    assert delivered[10:20] == pytest.approx([300.0] * 10)
    assert delivered[20:] == [0.0] * 10
    assert state.contract_delivered_cum[0, 0] == pytest.approx(3000.0)
    assert state.pool_stock[0] == pytest.approx(3000.0)
    assert state.inventory[0, 0] == pytest.approx(1e6 - 3000.0)
    assert state.exported_cum[0, 0] == pytest.approx(3000.0)


def test_a_short_supplier_carries_the_shortfall_forward():
    w = _world()
    scen = _scen([{"start": "2021-01-01", "end": "2021-01-10", "doses": 5000}])
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.inventory[:] = 200.0                     # 500 due on day 0, only 200 in stock
    assert _step(state, w, params, 0) == pytest.approx(200.0)
    state.inventory[:] = 10_000.0
    # Day 1: 1,000 due in all, 200 delivered: the 800 owed come now, no more.
    assert _step(state, w, params, 1) == pytest.approx(800.0)
    assert state.contract_delivered_cum[0, 0] == pytest.approx(1000.0)


def test_a_supplier_under_an_export_ban_delivers_nothing_until_it_ends():
    w = _world()
    scen = _scen([{"start": "2021-01-01", "end": "2021-01-30", "doses": 3000}],
                 producers={"P0": {"policy": "ban", "start": "2021-01-01",
                                   "end": "2021-01-15"}})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.inventory[:] = 1e6
    got = [_step(state, w, params, t) for t in range(20)]
    assert sum(got[:15]) == 0.0
    assert got[15] == pytest.approx(1600.0)        # the 16 days owed arrive at once


def test_contracts_feed_the_pool_and_keep_the_ledger():
    w = _world(output=1000.0, days=60)
    scen = _scen([{"start": "2021-01-01", "end": "2021-02-28", "doses": 20_000}])
    traj, state = simulate(w, params_for(w, scen))
    assert state.contract_delivered_cum[0, 0] == pytest.approx(traj.diplomacy[0, -1, 0])
    assert state.contract_delivered_cum[0, 0] <= 20_000 + 1e-6
    assert state.pool_given[0].sum() > 0
    assert ledger_residual(ledger_table(w, traj)).max() < 1e-9


def test_a_countrys_own_contract_is_allocated_to_it_and_counts_against_its_orders():
    w = _world(output=10_000.0)
    scen = scenario(contracts=[{"supplier": "P0", "buyer": "C01", "deliveries": [
        {"start": "2021-01-01", "end": "2021-01-10", "doses": 1000}]}],
        procurement={"default": {"budget_share": 1.0}}, uptake={"hesitancy": 0.0})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.inventory[:] = 1e6
    orders = state.orders_open[0, 1]
    allocated = deliver_contracts(state, w, params, 0)
    np.testing.assert_allclose(allocated[0], [0.0, 100.0])
    assert state.orders_open[0, 1] == pytest.approx(orders - 100.0)
    assert state.exported_cum[0, 0] == pytest.approx(100.0)       # C01 is abroad for P0
    assert state.pool_stock[0] == 0.0
    traj, end = simulate(w, params)
    assert end.contract_delivered_cum[0, 0] == pytest.approx(1000.0)
    assert ledger_residual(ledger_table(w, traj)).max() < 1e-9


def test_replicates_share_one_schedule_and_deliver_as_copies_would():
    """Members of one scenario share a read-only contract schedule (no E copies); a batch
    of equal but distinct scenario objects (a full (E, K, D) array) delivers the same."""
    from sim.engine.build.params import build_params

    w = _world(output=700.0, days=40)
    scen = _scen([{"start": "2021-01-05", "end": "2021-01-25", "doses": 9000}])
    shared = build_params(w, [scen] * 3, [1, 2, 3])
    due = shared.diplomacy.contract_due
    assert due.shape == (3, 1, 40) and due.strides[0] == 0 and not due.flags.writeable
    copies = build_params(w, [scen.model_copy(deep=True) for _ in range(3)], [1, 2, 3])
    assert copies.diplomacy.contract_due.strides[0] != 0
    np.testing.assert_array_equal(copies.diplomacy.contract_due, due)
    a, sa = simulate(w, shared)
    b, sb = simulate(w, copies)
    np.testing.assert_array_equal(sa.contract_delivered_cum, sb.contract_delivered_cum)
    np.testing.assert_array_equal(a.ledger, b.ledger)
    assert sa.contract_delivered_cum.sum() > 0
