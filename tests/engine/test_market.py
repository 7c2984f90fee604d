"""Market clearing and export policy on hand-built worlds."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.market import MarketPlan, banned_today, clear_market
from sim.engine.run import simulate
from sim.engine.state import initial_state


def _clear(world, scen, inventory, t=0):
    params = params_for(world, scen)
    state = initial_state(world, params)
    state.inventory[:] = inventory
    alloc = clear_market(state, world, params, MarketPlan.build(world, params), t)
    return alloc[0], state, params


def test_tiers_are_served_in_order_and_pro_rata_within_a_tier():
    # 4 countries: two in tier 0 (HIC), two in tier 1. Orders = 2 doses × willing pop.
    w = make_world([100, 300, 1000, 1000], ["HIC", "HIC", "UMIC", "UMIC"], production=[0])
    scen = scenario(uptake={"hesitancy": 0.0},
                    procurement={"default": {"budget_share": 1.0},
                                 "groups": {"HIC": {"priority": 0}, "UMIC": {"priority": 1}}})
    # Supply 400: tier 0 orders are 200 + 600 = 800 → each gets half; tier 1 nothing.
    alloc, state, _ = _clear(w, scen, 400.0)
    np.testing.assert_allclose(alloc, [100, 300, 0, 0])
    assert state.inventory.sum() == pytest.approx(0.0)
    # Supply 1800: tier 0 filled (800), tier 1 gets 1000 of its 4000, pro rata.
    alloc, state, _ = _clear(w, scen, 1800.0)
    np.testing.assert_allclose(alloc, [200, 600, 500, 500])


def test_unsold_supply_stays_with_the_producer():
    w = make_world([100, 100], ["HIC", "LIC"], production=[0])
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}})
    alloc, state, _ = _clear(w, scen, 1000.0)
    np.testing.assert_allclose(alloc, [200, 200])
    assert state.inventory[0, 0] == pytest.approx(600.0)
    assert state.orders_open.sum() == pytest.approx(0.0)


def test_domestic_first_serves_home_up_to_target_then_exports():
    # Producer 0's home is country 0 (population 1000, target 50% → 1000 doses).
    w = make_world([1000, 1000], ["HIC", "HIC"], home_of=[0, -1], production=[0])
    scen = scenario(uptake={"hesitancy": 0.0},
                    procurement={"default": {"budget_share": 1.0}},
                    export={"default": {"policy": "domestic_first", "coverage_target": 0.5}})
    alloc, state, _ = _clear(w, scen, 1600.0)
    # Home gets its 1000 first; the remaining 600 is split pro rata over open orders
    # (home still wants 1000 more, the other 2000).
    np.testing.assert_allclose(alloc, [1000 + 200, 400])
    np.testing.assert_allclose(state.exported_cum[0, 0], 400)


def test_budget_limits_orders():
    w = make_world([1000], ["LIC"], production=[0])
    scen = scenario(uptake={"hesitancy": 0.0},
                    procurement={"default": {"budget_share": 0.001, "price_usd": 5.0}})
    params = params_for(w, scen)
    # GDP = 10,000 × 1000 = 1e7 US$; 0.1% = 10,000 US$ → 2,000 doses < 2,000 needed? equal
    assert params.order_total[0, 0] == pytest.approx(min(2 * 1000, 1e7 * 0.001 / 5.0))


def test_export_ban_stops_exports_exactly_between_its_dates():
    w = make_world([1e6, 1e7], ["HIC", "LIC"], home_of=[0, -1], production=[10_000.0],
                   days=40)
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}},
                    market={"clearing_days": 1},
                    export={"producers": {"P0": {"policy": "ban", "start": "2021-01-11",
                                                 "end": "2021-01-20"}}})
    params = params_for(w, scen)
    assert banned_today(params, 9)[0, 0] == False  # noqa: E712
    assert banned_today(params, 10)[0, 0] and banned_today(params, 19)[0, 0]
    assert banned_today(params, 20)[0, 0] == False  # noqa: E712
    traj, _ = simulate(w, params)
    exports = np.diff(traj.exported_cum[0, :, 0], prepend=0.0)
    assert np.all(exports[10:20] == 0.0)
    assert np.all(exports[:10] > 0) and np.all(exports[20:] > 0)


def test_market_clears_every_clearing_period():
    w = make_world([1e6, 1e7], ["HIC", "LIC"], production=[10_000.0], days=30)
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}},
                    market={"clearing_days": 7})
    traj, _ = simulate(w, params_for(w, scen))
    exports = np.diff(traj.exported_cum[0, :, 0], prepend=0.0)
    assert np.flatnonzero(exports).tolist() == [0, 7, 14, 21, 28]
    assert exports[7] == pytest.approx(7 * 10_000.0)


def _resumption(home_population):
    w = make_world([home_population, 1e7], ["HIC", "LIC"], home_of=[0, -1],
                   production=[10_000.0], days=40)
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}},
                    market={"clearing_days": 1},
                    export={"producers": {"P0": {"policy": "ban", "start": "2021-01-11",
                                                 "end": "2021-01-20", "resume_days": 10}}})
    return w, params_for(w, scen)


def test_exports_resume_gradually_after_a_ban():
    from sim.engine.kernels import pinned
    from sim.engine.market import export_share, export_share_today
    from sim.engine.run import Simulation

    w, params = _resumption(1e6)  # home orders 2 M doses: more than 40 days of output
    shares = [float(export_share(params, t)[0, 0]) for t in (9, 10, 19, 20, 24, 29, 30)]
    assert shares == pytest.approx([1.0, 0.0, 0.0, 0.1, 0.5, 1.0, 1.0])
    for t in range(40):  # the compiled share is the numpy one, bit for bit
        with pinned("numba"):
            assert export_share_today(params, t).tobytes() == export_share(params, t).tobytes()
    sim = Simulation.start(w, params)
    exported = []
    while not sim.done:
        before = sim.state.inventory[0, 0] + 10_000.0      # stock after today's output
        sim.step()
        exported.append((sim.state.exported_cum[0, 0], before))
    daily = np.diff([0.0] + [e for e, _ in exported])
    assert np.all(daily[10:20] == 0.0)
    # Day 20 is the first after the ban: a tenth of the stock is offered on the world
    # market, day 24 half of it; the home country's open orders buy there too, pro rata
    # (about 9% of all open orders), so exports are a little less.
    for day, share in ((20, 0.1), (24, 0.5)):
        assert 0.88 * share * exported[day][1] < daily[day] <= share * exported[day][1]
    # Home orders take the rest of the stock: nothing stays unsold.
    assert sim.state.inventory[0, 0] == pytest.approx(0.0, abs=1e-6)
    assert sim.state.home_delivered_cum[0, 0] == pytest.approx(
        sim.state.produced_cum[0, 0] - sim.state.exported_cum[0, 0])


def test_once_home_orders_are_served_the_rest_may_go_abroad_during_the_ramp():
    from sim.engine.run import simulate

    w, params = _resumption(1000.0)  # home orders 2,000 doses, served during the ban
    traj, state = simulate(w, params)
    exports = np.diff(traj.exported_cum[0, :, 0], prepend=0.0)
    assert np.all(exports[10:20] == 0.0)
    # Day 20: home has nothing left to order: all 110,000 doses made so far go abroad.
    assert exports[20] == pytest.approx(traj.produced_cum[0, 20, 0]
                                        - traj.exported_cum[0, 19, 0] - 2000.0)
