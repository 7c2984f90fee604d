"""Bilateral donation on hand-built worlds: affinity × need, the ledger, shelf life."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.donation import deliver_gifts, donate
from sim.engine.flows import BILATERAL, FlowLog
from sim.engine.state import initial_state

AFFINITY = {"base": 1.0, "same_region": 0.0, "bloc": 0.0, "tie": 0.0, "C00": {"C01": 3.0}}


def _setup(**donation):
    w = make_world([100, 100, 100, 200], ["HIC", "LIC", "LIC", "LIC"], production=[0],
                   days=40)
    scen = scenario(uptake={"hesitancy": 0.0, "shelf_life_days": 120,
                            "shelf_bucket_days": 30, "delivery_lag_days": 5},
                    affinity=AFFINITY,
                    donation={"countries": {"C00": {"share": 0.5, "keep_coverage": 0.0,
                                                    "buffer_days": 0}}, **donation})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.stock[-1, 0, 0] = 240.0
    return w, params, state


def test_donation_goes_to_higher_affinity_times_need():
    w, params, state = _setup()
    log = FlowLog()
    given = donate(state, w, params, 0, log)
    # Offer 0.5 × 240 = 120. Weights affinity × need: 3×200, 1×200, 1×400 → 60, 20, 40.
    np.testing.assert_allclose(given[0], [0, 60, 20, 40])
    assert state.donated_cum[0, 0] == pytest.approx(120.0)
    assert state.stock[:, 0, 0].sum() == pytest.approx(120.0)
    assert state.influence[0, 0] == pytest.approx(120.0)
    flows = log.array()
    assert flows[:, 2].tolist() == [0, 0, 0] and flows[:, 3].tolist() == [1, 2, 3]
    assert (flows[:, 5] == BILATERAL).all()
    np.testing.assert_allclose(flows[:, 4], [60, 20, 40])


def test_no_recipient_gets_more_than_its_gap():
    w, params, state = _setup()
    state.stock[-1, 0, 0] = 10_000.0
    state.donor_share[:] = 0.0
    state.donor_share[0, 0] = 1.0
    given = donate(state, w, params, 0, FlowLog())
    assert (given[0, 1:] <= [200, 200, 400] + np.full(3, 1e-9)).all()
    assert given[0, 1] == pytest.approx(200.0)


def test_donated_doses_arrive_after_the_lag_with_their_shelf_life_left():
    w, params, state = _setup(shelf_life_left=0.5)
    given = donate(state, w, params, 0, FlowLog())
    for t in range(6):
        deliver_gifts(state, params, given if t == 0 else None, t)
        if t < 5:
            assert state.stock[:, 0, 1:].sum() == 0.0
    # 4 buckets of 30 days; half the shelf life left → bucket 1 (31-60 days left).
    np.testing.assert_allclose(state.stock[1, 0, 1:], [60, 20, 40])
    assert state.received_cum[0, 1] == pytest.approx(60.0)


def test_donating_is_switchable_state_and_influence_decays():
    w, params, state = _setup(half_life_days=30.0, every_days=30)
    state.donor = np.zeros_like(state.donor)
    assert donate(state, w, params, 0, FlowLog()) is None
    state.donor = np.ones_like(state.donor_share, dtype=bool) & (np.arange(4) == 0)
    assert state.donor_share[0, 0] == 0.5
    donate(state, w, params, 0, FlowLog())
    before = state.influence[0, 0]
    state.stock[:] = 0.0
    donate(state, w, params, 30, FlowLog())
    assert state.influence[0, 0] == pytest.approx(before / 2)
