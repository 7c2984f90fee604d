"""Bilateral donation on hand-built worlds: affinity × need, the ledger, shelf life."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.donation import deliver_gifts, donate
from sim.engine.flows import BILATERAL, FLOW_COLUMNS, FlowLog
from sim.engine.state import initial_state

FAST = {"start": 1.0, "end": 1.0}  # recipients can absorb 100 doses a day: no cap
AFFINITY = {"base": 1.0, "same_region": 0.0, "bloc": 0.0, "tie": 0.0, "C00": {"C01": 3.0}}


def _setup(**donation):
    w = make_world([100, 100, 100, 200], ["HIC", "LIC", "LIC", "LIC"], production=[0],
                   days=40)
    scen = scenario(uptake={"hesitancy": 0.0, "shelf_life_days": 120,
                            "shelf_bucket_days": 30, "delivery_lag_days": 5,
                            "capacity": {"LIC": FAST}},
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
    given = donate(state, w, params, 0, log).sum(axis=0)
    # Offer 0.5 × 240 = 120. Weights affinity × need: 3×200, 1×200, 1×400 → 60, 20, 40.
    np.testing.assert_allclose(given[0], [0, 60, 20, 40])
    assert state.donated_cum[0, 0] == pytest.approx(120.0)
    assert state.stock[:, 0, 0].sum() == pytest.approx(120.0)
    assert state.influence[0, 0] == pytest.approx(120.0)
    flows = log.array()
    F = FLOW_COLUMNS
    assert flows[:, F.donor].tolist() == [0, 0, 0]
    assert flows[:, F.recipient].tolist() == [1, 2, 3]
    assert (flows[:, F.channel] == BILATERAL).all()
    np.testing.assert_allclose(flows[:, F.doses], [60, 20, 40])


def test_no_recipient_gets_more_than_its_gap():
    w, params, state = _setup()
    state.stock[-1, 0, 0] = 10_000.0
    state.donor_share[:] = 0.0
    state.donor_share[0, 0] = 1.0
    given = donate(state, w, params, 0, FlowLog()).sum(axis=0)
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


def test_a_gift_past_its_shelf_life_expires_on_the_way_and_is_booked_as_expired():
    from sim.engine.uptake import expire

    w, params, state = _setup(every_days=1)
    state.stock[:] = 0.0
    state.stock[0, 0, 0] = 240.0           # the donor's doses are in their last 30 days
    given = donate(state, w, params, 27, FlowLog())
    np.testing.assert_allclose(given[0, 0], [0, 60, 20, 40])   # they travel in bucket 0
    for t in range(27, 40):
        deliver_gifts(state, params, given if t == 27 else None, t)
        expire(state, params, t)            # the bucket period ends with day 29
    # They expired on the way (arrival day 32): the recipients received them expired.
    assert state.stock[:, 0, 1:].sum() == 0.0
    np.testing.assert_allclose(state.expired_cum[0, 1:], [60, 20, 40])
    np.testing.assert_allclose(state.expired_arrival_cum[0, 1:], [60, 20, 40])
    np.testing.assert_allclose(state.received_cum[0, 1:], [60, 20, 40])
    assert state.gift_transit.sum() == 0.0
    assert state.donated_cum[0, 0] == pytest.approx(120.0)


def test_gifts_keep_the_donors_remaining_shelf_life():
    w, params, state = _setup()
    state.stock[:] = 0.0
    state.stock[2, 0, 0] = 240.0           # 61-90 days left
    given = donate(state, w, params, 0, FlowLog())
    for t in range(6):
        deliver_gifts(state, params, given if t == 0 else None, t)
    np.testing.assert_allclose(state.stock[2, 0, 1:], [60, 20, 40])
    assert state.stock[3, 0, 1:].sum() == 0.0


def test_recipients_take_gifts_only_up_to_their_absorptive_capacity():
    w, params, state = _setup(absorb_days=1)
    # One day of capacity (a dose per person): 100, 100 and 200 doses, below the needs
    # of 200, 200 and 400 that cap them without the absorption limit.
    state.stock[-1, 0, 0] = 10_000.0
    state.donor_share[0, 0] = 1.0
    given = donate(state, w, params, 0, FlowLog()).sum(axis=0)
    np.testing.assert_allclose(given[0, 1:], [100, 100, 200])


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


def test_a_producers_government_donates_from_unsold_output():
    # C00 hosts producer "C00"; its own stock holds 240 doses, the factory's unsold stock
    # 400. With 0.5 of its surplus and 0.25 of output it offers 120 + 100 = 220, split
    # 3:1:2 by affinity × need as in the test above; output pays 100 of it, stock 120.
    w = make_world([100, 100, 100, 200], ["HIC", "LIC", "LIC", "LIC"], production=[0],
                   days=40, producers=["C00"], home_of=[0, -1, -1, -1])
    scen = scenario(uptake={"hesitancy": 0.0, "shelf_life_days": 120,
                            "shelf_bucket_days": 30, "delivery_lag_days": 5,
                            "capacity": {"LIC": FAST}},
                    affinity=AFFINITY,
                    donation={"countries": {"C00": {"share": 0.5, "keep_coverage": 0.0,
                                                    "buffer_days": 0}},
                              "from_output": {"C00": 0.25}})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.stock[-1, 0, 0] = 240.0
    state.inventory[0, 0] = 400.0
    given = donate(state, w, params, 0, FlowLog()).sum(axis=0)
    assert given[0].sum() == pytest.approx(220.0)
    np.testing.assert_allclose(given[0], np.array([0, 3, 1, 2]) * 220.0 / 6)
    assert state.inventory[0, 0] == pytest.approx(300.0)          # 100 from output
    assert state.stock[:, 0, 0].sum() == pytest.approx(120.0)     # 120 from stock
    assert state.donated_cum[0, 0] == pytest.approx(220.0)


def test_output_donation_keeps_the_ledger_and_needs_a_country_producer(tmp_path):
    from sim.engine.run import simulate
    from sim.outcomes.coverage import ledger_residual
    from sim.outcomes.results import ledger_table

    w = make_world([1e5, 1e5, 1e5], ["HIC", "LIC", "LIC"], production=[2e3], days=60,
                   producers=["C00"], home_of=[0, -1, -1])
    scen = scenario(procurement={"default": {"budget_share": 0.0}},
                    donation={"every_days": 7, "from_output": {"C00": 0.5}})
    traj, state = simulate(w, params_for(w, scen))
    assert state.donated_cum[0, 0] > 0 and state.donations_received_cum[0, 1:].sum() > 0
    assert ledger_residual(ledger_table(w, traj)).max() < 1e-9
    assert (state.inventory >= 0).all()

    from sim.scenario import ScenarioError, load_scenario
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndonation:\n  from_output: {EU: 0.1}\n")
    with pytest.raises(ScenarioError, match=r"donation\.from_output.*EU"):
        load_scenario(bad)


def _two_members():
    """Member 0: C01 donates. Member 1: C00 donates, C01 has a gap and may receive."""
    from worlds import make_world, scenario

    w = make_world([100, 100, 100, 200], ["HIC", "LIC", "LIC", "LIC"], production=[0],
                   days=40)
    common = {"uptake": {"hesitancy": 0.0, "shelf_life_days": 120, "shelf_bucket_days": 30,
                         "delivery_lag_days": 5, "capacity": {"LIC": FAST}},
              "affinity": AFFINITY}
    give = {"share": 0.5, "keep_coverage": 0.0, "buffer_days": 0}
    a = scenario(**common, donation={"countries": {"C01": give}})
    b = scenario(**common, donation={"countries": {"C00": give}})
    return w, a, b


def _donate_alone_and_in_batch(w, a, b):
    from sim.engine.build.params import build_params

    out = []
    for scens, seeds in (([b], [2]), ([a, b], [1, 2])):
        params = build_params(w, scens, seeds)
        state = initial_state(w, params)
        state.stock[-1, :, 0] = 400.0  # C00: surplus in every member
        state.stock[-1, :, 1] = 100.0  # C01: a surplus where it donates, else a gap of 100
        given = donate(state, w, params, 0, FlowLog()).sum(axis=0)  # over shelf-life buckets
        out.append((given[-1], state.stock[:, -1], state.donated_cum[-1]))
    return out


def test_a_donor_in_one_member_still_receives_in_another():
    """Members of a batch are independent: C01 donating in member 0 must not stop it
    receiving from C00 in member 1 (bit-identical to member 1 run alone)."""
    w, a, b = _two_members()
    (alone, stock_alone, cum_alone), (batch, stock_batch, cum_batch) = \
        _donate_alone_and_in_batch(w, a, b)
    assert alone[1] > 0  # C01 receives in member 1 ...
    assert batch.tobytes() == alone.tobytes()  # ... whatever else is in its batch
    assert stock_batch.tobytes() == stock_alone.tobytes()
    assert cum_batch.tobytes() == cum_alone.tobytes()


def test_member_alone_equals_member_in_batch_over_a_whole_run():
    """The same through the whole day loop (any implementation of any stage)."""
    from dataclasses import fields

    from sim.engine.build.params import build_params
    from sim.engine.run import simulate

    _, a, b = _two_members()
    w = make_world([100, 100, 100, 200], ["HIC", "LIC", "LIC", "LIC"], production=[50.0],
                   home_of=[0, -1, -1, -1], days=90)
    alone, _ = simulate(w, build_params(w, [b], [2]))
    batch, _ = simulate(w, build_params(w, [a, b, a], [1, 2, 3]))
    for f in fields(alone):
        x, y = getattr(alone, f.name), getattr(batch, f.name)
        if isinstance(x, np.ndarray) and f.name != "flows" and y.shape[:1] == (3,):
            assert y[1:2].tobytes() == x.tobytes(), f.name
    member = FLOW_COLUMNS.member
    flows = batch.flows[batch.flows[:, member] == 1]
    flows[:, member] = 0
    assert flows.tobytes() == alone.flows.tobytes()


def test_flow_log_keeps_only_members_that_record():
    log = FlowLog(np.array([True, False, True]))
    flows = np.ones((3, 1, 2))
    log.add_matrix(4, flows, np.array([0]))
    kept = log.array()
    assert sorted(set(kept[:, 0])) == [0.0, 2.0] and len(kept) == 4
    off = FlowLog(np.array([False, False]))
    off.add_matrix(4, np.ones((2, 1, 2)), np.array([0]))
    assert len(off.array()) == 0
