"""Delivery, administration and expiry on hand-built worlds."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.run import simulate
from sim.engine.state import initial_state
from sim.engine.uptake import administer, capacity, deliver, expire


def _setup(**uptake):
    w = make_world([1000.0], ["HIC"], production=[0], days=400)
    scen = scenario(uptake={"hesitancy": 0.0, **uptake})
    params = params_for(w, scen)
    return w, params, initial_state(w, params)


def test_delivery_arrives_after_the_lag():
    w, params, state = _setup(delivery_lag_days=3)
    arrivals = [deliver(state, np.full((1, 1), 10.0 * (t + 1)), t)[0, 0] for t in range(6)]
    assert arrivals == [0, 0, 0, 10, 20, 30]


def test_administration_is_limited_by_capacity_stock_and_willingness():
    w, params, state = _setup(capacity={"HIC": {"start": 0.01, "end": 0.01}},
                              hesitancy=0.5)
    state.stock[-1, 0, 0] = 5.0
    assert administer(state, w, params, 0)[0, 0] == 5.0          # stock-limited
    state.stock[-1, 0, 0] = 1000.0
    assert administer(state, w, params, 1)[0, 0] == pytest.approx(10.0)  # capacity 1% × 1000
    state.first[:] = 500.0                                        # all willing have a dose
    state.first_band[:] = params.vaccination.eligible(2)
    state.due[:] = 0.0
    state.due_ring[:] = 0.0
    assert administer(state, w, params, 2)[0, 0] == 0.0


def test_completing_doses_come_after_the_interval_and_first():
    w, params, state = _setup(capacity={"HIC": {"start": 0.01, "end": 0.01}},
                              dose_interval_days=5)
    state.stock[-1, 0, 0] = 1e6
    for t in range(5):
        administer(state, w, params, t)
    assert state.completed[0, 0] == 0 and state.first[0, 0] == pytest.approx(50)
    administer(state, w, params, 5)  # the 10 first doses of day 0 are due now
    assert state.completed[0, 0] == pytest.approx(10)
    assert state.first[0, 0] == pytest.approx(50)


def test_capacity_ramps_linearly():
    w, params, _ = _setup(capacity={"HIC": {"start": 0.0, "end": 0.01, "ramp_days": 100}})
    assert capacity(w, params, 50)[0, 0] == pytest.approx(5.0)
    assert capacity(w, params, 300)[0, 0] == pytest.approx(10.0)


def test_oldest_stock_is_used_first_and_expires_on_bucket_boundaries():
    w, params, state = _setup(shelf_life_days=60, shelf_bucket_days=30)
    assert state.stock.shape[0] == 2
    state.stock[:, 0, 0] = [30.0, 100.0]
    state.first[:] = 0
    given = administer(state, w, params, 0)[0, 0]
    assert given == pytest.approx(1.0)  # 0.1% of 1000
    np.testing.assert_allclose(state.stock[:, 0, 0], [29.0, 100.0])
    assert expire(state, params, 28).sum() == 0  # not a boundary
    assert expire(state, params, 29)[0, 0] == pytest.approx(29.0)
    np.testing.assert_allclose(state.stock[:, 0, 0], [100.0, 0.0])


def test_unused_doses_expire_within_shelf_life():
    w = make_world([1e6], ["LIC"], production=[1e5], days=200)
    scen = scenario(uptake={"hesitancy": 0.0, "shelf_life_days": 60, "shelf_bucket_days": 30,
                            "capacity": {"LIC": {"start": 0.0, "end": 0.0}}},
                    procurement={"default": {"budget_share": 1.0}})
    traj, state = simulate(w, params_for(w, scen))
    assert state.administered_cum.sum() == 0
    assert state.expired_cum.sum() > 0
    # Nothing in stock is older than the shelf life: at most 2 buckets of arrivals.
    assert state.stock.sum() <= 60 * 1e5 + 1e-6


def test_willingness_changes_on_its_date_for_its_group_only():
    # Eligibility widening: from day 10 HIC hesitancy falls from 50% to 20%; LIC keeps 50%.
    # Every age band is eligible from the start, so willingness alone limits first doses.
    w = make_world([1000.0, 1000.0], ["HIC", "LIC"], production=[0], days=40)
    everyone = {"children_from": {"HIC": "2020-01-01", "LIC": "2020-01-01"}}
    scen = scenario(uptake={"hesitancy": 0.5, "hesitancy_changes": [
        {"date": "2021-01-11", "groups": {"HIC": 0.2}}]}, vaccination=everyone)
    params = params_for(w, scen)
    np.testing.assert_allclose(params.willing_people_on(9)[0], [500, 500])
    np.testing.assert_allclose(params.willing_people_on(10)[0], [800, 500])
    state = initial_state(w, params)
    state.stock[-1] = 1e6
    big = {"capacity": {g: {"start": 1.0, "end": 1.0} for g in ("HIC", "LIC")}}
    params = params_for(w, scenario(uptake={**scen.uptake.model_dump(), **big},
                                    vaccination=everyone))
    for t in range(12):
        administer(state, w, params, t)
    np.testing.assert_allclose(state.first[0], [800, 500])
    # The age bands follow the dated willingness too (numpy stages and compiled kernel).
    np.testing.assert_allclose(state.first_band[0].sum(axis=1), [800, 500])
    np.testing.assert_allclose(params.willing_band_on(10)[0].sum(axis=1), [800, 500])
    np.testing.assert_allclose(params.willing_band_on(9)[0].sum(axis=1), [500, 500])


def test_hesitancy_changes_apply_in_date_order_and_on_top_of_each_other():
    w = make_world([1000.0, 1000.0], ["HIC", "LIC"], production=[0], days=40)
    scen = scenario(uptake={"hesitancy": 0.5, "hesitancy_changes": [
        {"date": "2021-01-21", "countries": {"C01": 0.1}},
        {"date": "2021-01-11", "default": 0.3}]})
    params = params_for(w, scen)
    assert params.willing_days.tolist() == [0, 10, 20]
    np.testing.assert_allclose(params.willing_people_on(15)[0], [700, 700])
    np.testing.assert_allclose(params.willing_people_on(25)[0], [700, 900])


def test_members_with_different_change_dates_share_one_batch():
    w = make_world([1000.0], ["HIC"], production=[0], days=40)
    a = scenario(uptake={"hesitancy": 0.5, "hesitancy_changes": [
        {"date": "2021-01-11", "default": 0.2}]})
    b = scenario(uptake={"hesitancy": 0.4, "hesitancy_changes": [
        {"date": "2021-01-21", "default": 0.1}]})
    from sim.engine.build.params import build_params

    params = build_params(w, [a, b], [1, 2])
    assert params.willing_days.tolist() == [0, 10, 20]
    np.testing.assert_allclose([params.willing_people_on(t)[:, 0] for t in (5, 15, 25)],
                               [[500, 600], [800, 600], [800, 900]])


def test_a_hesitancy_change_dated_before_the_start_applies_from_day_0():
    # Found by hypothesis: a change dated before the run was ignored.
    w = make_world([1000.0, 1000.0], ["HIC", "LIC"], production=[0], days=10)
    scen = scenario(uptake={"hesitancy": 0.0, "hesitancy_changes": [
        {"date": "2020-12-01", "groups": {"LIC": 1.0}}]})
    params = params_for(w, scen)
    np.testing.assert_allclose(params.willing_people_on(0)[0], [1000, 0])
