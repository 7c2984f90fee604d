"""Stage 5, bilateral donation: donors give a share of their surplus to recipients weighted
by affinity × need, and every dose lands in the diplomacy ledger.

Every ``donation.every_days`` days, a donor d (``state.donor_share`` > 0) gives
``donor_share × surplus`` (see :func:`sim.engine.need.surplus`), its oldest doses first.
Recipient r gets a part proportional to affinity(d, r) × need(r), where need is the supply
gap (times epidemic ``burden`` when given) of countries allowed to receive; no recipient
gets more than its gap from all donors together, nor more than it can absorb: its stock
and doses on the way stay within ``absorb_days`` of its daily capacity. Donated doses
travel ``delivery_lag`` days in their own pipeline (``state.gift_transit``, by shelf-life
bucket) and keep the remaining shelf life of the donor's doses they were (oldest given
first; never more than ``shelf_life_left``); they age on the way, and doses whose shelf
life ends on the way arrive expired (booked in ``expired_cum`` and
``expired_arrival_cum`` of the recipient). Each donor's influence index decays with the
donation half-life and grows by the doses it gives. A producer's home government may also
give a share of the producer's unsold output (``donation.from_output``), as China did.

Work per round is (E, donors, N), only for countries that donate in some member; a
country that gives in one member still receives in the others (masks are per member).
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.flows import BILATERAL, FlowLog
from sim.engine.kernels import backend
from sim.engine.need import (
    burden_weight,
    gifts_moving,
    on_hand,
    supply_gap,
    surplus,
    take_oldest,
)
from sim.engine.state import State, ordered_sum
from sim.engine.uptake import capacity
from sim.world.world import World


def donate(state: State, world: World, params: Params, t: int, log: FlowLog,
           burden: np.ndarray | None = None) -> np.ndarray | None:
    """Run a donation round on day ``t`` if it is one.

    Returns
    -------
    given : (B, E, N) doses each recipient was given today, by the shelf-life bucket they
        travel in (they enter ``gift_transit``), or None when no member donates today.
    """
    d = params.diplomacy
    if not d.donation_day(t):
        return None
    active = t % d.donation_every == 0                                   # (E,)
    if not active.any():
        return None
    share = np.where(active[:, None], state.donor_share, 0.0)
    from_output = output_offer(state, params, active)                   # (E, N) or None
    giving = share > 0 if from_output is None else (share > 0) | (from_output > 0)
    donors = np.flatnonzero(giving.any(axis=0))
    state.influence *= np.where(active, d.decay, 1.0)[:, None]
    if not len(donors):
        return None
    if burden is None:  # the epidemic's weight of need (None without an epidemic)
        burden = burden_weight(state, world, params)
    if backend() == "numpy":
        return donate_numpy(state, world, params, t, log, share, from_output, giving,
                            donors, burden)
    from sim.engine.kernels.donation import donate as kernel

    E, N = share.shape
    given = np.empty_like(state.stock)
    start, slope = params.capacity_per_day
    keep = np.broadcast_to(log.keep, (E,)) if log.enabled else np.zeros(E, dtype=bool)
    rows, doses = kernel(
        t, active, share, share if from_output is None else from_output,
        from_output is not None, donors, d.affinity_rows(donors), d.receive,
        share if burden is None else burden, burden is not None,
        float(params.structure.doses_per_course), params.willing_people_on(t),
        d.donation_absorb_days, d.keep_doses, d.buffer_days, start, slope,
        params.capacity_ramp, d.output_donor, d.arrival_bucket, np.ascontiguousarray(keep),
        state.stock, state.transit, state.gift_transit, gifts_moving(state),
        state.administered_cum,
        state.inventory, state.donated_cum, state.influence, state.donations_received_cum,
        state.allocated_cum, given)
    log.add_rows(t, rows, doses, BILATERAL)
    state.last_gift_day = t
    return given


def donate_numpy(state: State, world: World, params: Params, t: int, log: FlowLog,
                 share: np.ndarray, from_output: np.ndarray | None, giving: np.ndarray,
                 donors: np.ndarray, burden: np.ndarray | None) -> np.ndarray:
    """:func:`donate` in numpy (the kernel's reference), once the round's offers, givers
    and donors (union over members) are known.
    """
    d = params.diplomacy
    offer = share[:, donors] * surplus(state, world, params, t)[:, donors]   # (E, Nd)
    if from_output is not None:
        offer = offer + from_output[:, donors]
    need = np.where(d.receive, supply_gap(state, params, burden), 0.0)   # (E, N)
    # A country does not receive in a round it gives in — in that member only: each
    # member's mask is its own, so a member's result does not depend on its batch.
    need[giving] = 0.0
    weight = d.affinity_rows(donors)[None] * need[:, None, :]           # (E, Nd, N)
    total = weight.sum(axis=-1)                                          # (E, Nd)
    # Each recipient's share of a donor's weight first (in [0, 1] even when the weights
    # are subnormal), then times the offer: offer / total could overflow to inf.
    flows = np.divide(weight, total[..., None], out=np.zeros_like(weight),
                      where=total[..., None] > 0) * offer[..., None]
    received = flows.sum(axis=1)                                         # (E, N)
    room = np.maximum(d.donation_absorb_days[:, None] * capacity(world, params, t)
                      - on_hand(state), 0.0)
    gap = np.minimum(supply_gap(state, params), room)
    over = np.divide(gap, received, out=np.ones_like(gap), where=received > gap)
    flows *= np.minimum(over, 1.0)[:, None, :]
    received = flows.sum(axis=1)
    gave = np.zeros_like(state.donated_cum)
    gave[:, donors] = flows.sum(axis=-1)
    if from_output is not None:  # each donor's gift comes from output and stock pro rata
        offered = np.zeros_like(gave)
        offered[:, donors] = offer
        out_part = gave * np.divide(from_output, offered, out=np.zeros_like(gave),
                                    where=offered > 0)
        has = d.output_donor >= 0
        state.inventory[:, has] -= out_part[:, d.output_donor[has]]
        gave_stock = gave - out_part
    else:
        gave_stock = gave
    by_bucket = take_oldest(state, gave_stock)                          # (B, E, N)
    B = by_bucket.shape[0]
    fresh = np.minimum(d.arrival_bucket, B - 1)                          # (E,)
    by_bucket[fresh, np.arange(len(fresh))] += gave - gave_stock        # output: fresh
    for b in range(B - 1, 0, -1):  # nothing arrives fresher than shelf_life_left allows
        over_cap = (b > fresh)[:, None]
        by_bucket[b - 1] += np.where(over_cap, by_bucket[b], 0.0)
        by_bucket[b] = np.where(over_cap, 0.0, by_bucket[b])
    mix = np.divide(by_bucket[:, :, donors], gave[None, :, donors],
                    out=np.zeros((B, *flows.shape[:2])), where=gave[None, :, donors] > 0)
    received_by_bucket = np.einsum("bed,edn->ben", mix, flows)
    state.donated_cum += gave
    state.influence += gave
    state.donations_received_cum += received
    state.allocated_cum += received
    log.add_matrix(t, flows, donors, BILATERAL)
    state.last_gift_day = t
    return received_by_bucket


def output_offer(state: State, params: Params, active: np.ndarray) -> np.ndarray | None:
    """(E, N) doses producers' home governments offer from unsold output this round
    (``donation.from_output`` × manufacturers' stock), at the producer's home country;
    None when no producer gives from output.

    active : (E,) bool, members holding a donation round today
    """
    d = params.diplomacy
    if not d.output_gift.any():
        return None
    gift = np.where(active[:, None], d.output_gift, 0.0) * state.inventory    # (E, P)
    out = np.zeros(state.donor_share.shape)
    has = d.output_donor >= 0  # a country hosts at most one producer id: indices unique
    out[:, d.output_donor[has]] = gift[:, has]
    return out


def deliver_gifts(state: State, params: Params, given: np.ndarray | None, t: int) -> None:
    """Put today's donations (B, E, N) into their pipeline; land those given
    ``delivery_lag`` days ago in the recipient's stock, in the shelf-life bucket they
    travelled in.
    """
    ring = state.gift_transit                                            # (B, E, L, N)
    if given is None and t - state.last_gift_day > ring.shape[2]:
        return  # nothing on the way
    slot = t % ring.shape[2]
    arrived = ring[:, :, slot].copy()
    ring[:, :, slot] = 0.0 if given is None else given
    if arrived.any():
        state.stock += arrived
        state.received_cum += ordered_sum(arrived, (0,))

