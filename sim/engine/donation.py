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

A country that gives in one member still receives in the others (masks are per member).

Factored, never pair by pair. Affinity is base + same_region·[same WHO region] +
bloc·(blocs shared) + tie·[tie] (:mod:`sim.world.affinity`), so with a_d = offer_d /
total_d the round needs only sums over all countries that per-region and per-bloc
totals give (:mod:`sim.world.affinity_sums`):

- each donor's total Σ_r affinity(d, r) need(r) = S_need(d);
- each recipient's gifts need(r) · Σ_d a_d affinity(d, r) = need(r) · S_a(r), capped;
  then each donor's gift a_d · S_{need × scale}(d), and by shelf-life bucket likewise.

Work per round is O(E × (N + bloc memberships + ties)), not (E, donors, N). Donors with
an overridden pair (``affinity.pairs``), or whose total is so small that offer / total
could overflow, are weighed by their full row instead (O(N) each; there are few). The
model over every pair is :func:`sim.engine.donation_dense.donate_dense`; tests hold the
two equal to rounding. The ledger gets pair flows on worlds of up to
:data:`sim.world.recipient_groups.PAIR_LIMIT` countries and per donor and recipient group
(WHO region × income group) above it (:func:`sim.world.recipient_groups.recipient_groups`).
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.dose_plans import gift_marks, stock_used
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
from sim.engine.pool import burden_arguments
from sim.engine.state import State, ordered_sum
from sim.engine.uptake import capacity
from sim.world.affinity import PairAffinity
from sim.world.affinity_sums import group_sums, sums
from sim.world.world import World

#: Donors whose offer / total would pass this (weights so small the ratio could
#: overflow) are weighed by their full row instead, like donors with overrides.
DENSE_ABOVE = 1e250


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
    if backend() == "numpy":
        if burden is None:  # the epidemic's weight of need (None without an epidemic)
            burden = burden_weight(state, world, params)
        return donate_numpy(state, world, params, t, log, share, from_output, giving,
                            donors, burden)
    from sim.engine.kernels.donation import donate as kernel

    E, N = share.shape
    given = np.empty_like(state.stock)
    start, slope = params.capacity_per_day
    keep = np.broadcast_to(log.keep, (E,)) if log.enabled else np.zeros(E, dtype=bool)
    groups = d.recipient_groups
    rows, doses = kernel(
        t, active, share, share if from_output is None else from_output,
        from_output is not None, donors, *d.affinity.kernel_arrays, groups.group,
        groups.region, DENSE_ABOVE, d.receive, *burden_arguments(state, params, burden),
        world.population, float(params.structure.doses_per_course), params.willing_people_on(t),
        d.donation_absorb_days, d.keep_doses, d.buffer_days, start, slope,
        params.capacity_ramp, d.output_donor, d.arrival_bucket, np.ascontiguousarray(keep),
        state.stock, stock_used(state), state.transit, state.gift_transit, gifts_moving(state),
        gift_marks(state), state.administered_cum,
        state.inventory, state.donated_cum, state.influence, state.donations_received_cum,
        state.allocated_cum, given)
    log.add_rows(t, rows, doses, BILATERAL)
    state.last_gift_day = t
    return given


def donate_numpy(state: State, world: World, params: Params, t: int, log: FlowLog,
                 share: np.ndarray, from_output: np.ndarray | None, giving: np.ndarray,
                 donors: np.ndarray, burden: np.ndarray | None) -> np.ndarray:
    """:func:`donate` in numpy (the kernel's reference), once the round's offers, givers
    and donors (union over members) are known: factored as the module docstring says.
    """
    d = params.diplomacy
    aff = d.affinity
    offer, need = offers_and_need(state, world, params, t, share, from_output, giving,
                                  donors, burden)
    a = np.zeros_like(offer)            # offer / total of each factored donor
    total = sums(aff, need)[:, donors]
    with np.errstate(over="ignore"):
        np.divide(offer, total, out=a, where=total > 0)
    dense = aff.has_override[donors][None, :] | (a > DENSE_ABOVE)      # (E, Nd)
    a[dense] = 0.0
    cols = np.flatnonzero(dense.any(axis=0))
    rows = aff.rows(donors[cols])                                        # (Nc, N)
    weight = rows[None] * need[:, None, :]                               # (E, Nc, N)
    dtotal = weight.sum(axis=-1)
    part = np.divide(weight, dtotal[..., None], out=np.zeros_like(weight),
                     where=dtotal[..., None] > 0)
    dflows = part * np.where(dense[:, cols], offer[:, cols], 0.0)[..., None]
    pulled = _spread(aff, a, donors)   # (E, N) Σ_d a_d affinity(d, n), factored donors
    received = _received(need * pulled, dflows)
    room = np.maximum(d.donation_absorb_days[:, None] * capacity(world, params, t)
                      - on_hand(state), 0.0)
    gap = np.minimum(supply_gap(state, params), room)
    over = np.divide(gap, received, out=np.ones_like(gap), where=received > gap)
    scale = np.minimum(over, 1.0)
    x = need * scale                                                     # (E, N)
    dflows = dflows * scale[:, None, :]
    received = _received(x * pulled, dflows)
    gave_by_donor = a * sums(aff, x)[:, donors]
    gave_by_donor[:, cols] = np.where(dense[:, cols], dflows.sum(axis=-1),
                                      gave_by_donor[:, cols])
    gave = np.zeros_like(state.donated_cum)
    gave[:, donors] = gave_by_donor
    mix = gift_mix(state, params, gave, offer, donors, from_output)     # (B, E, Nd)
    B = mix.shape[0]
    received_by_bucket = np.stack([
        _received(x * _spread(aff, mix[b] * a, donors), mix[b][:, cols, None] * dflows)
        for b in range(B)])
    state.donated_cum += gave
    state.influence += gave
    state.donations_received_cum += received
    state.allocated_cum += received
    _record(log, t, params, x, a, donors, cols, dense, dflows)
    state.last_gift_day = t
    return received_by_bucket


def offers_and_need(state: State, world: World, params: Params, t: int, share: np.ndarray,
                    from_output: np.ndarray | None, giving: np.ndarray, donors: np.ndarray,
                    burden: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(E, Nd) each donor's offer and (E, N) each country's need this round."""
    offer = share[:, donors] * surplus(state, world, params, t)[:, donors]
    if from_output is not None:
        offer = offer + from_output[:, donors]
    need = np.where(params.diplomacy.receive, supply_gap(state, params, burden), 0.0)
    # A country does not receive in a round it gives in — in that member only: each
    # member's mask is its own, so a member's result does not depend on its batch.
    need[giving] = 0.0
    return offer, need


def gift_mix(state: State, params: Params, gave: np.ndarray, offer: np.ndarray,
             donors: np.ndarray, from_output: np.ndarray | None) -> np.ndarray:
    """Take each donor's gift ``gave`` (E, N) out of its stock (oldest first) and the
    producer's unsold output (pro rata to the ``offer`` (E, Nd) it made up); return the
    (B, E, Nd) share of each donor's gift in each shelf-life bucket it travels in.
    """
    d = params.diplomacy
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
    return np.divide(by_bucket[:, :, donors], gave[None, :, donors],
                     out=np.zeros((B, *offer.shape)), where=gave[None, :, donors] > 0)


def _spread(aff: PairAffinity, a: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """(E, N) Σ_d a_d × affinity(d, n) over the factored donors (``a`` (E, Nd))."""
    at = np.zeros((a.shape[0], aff.n))
    at[:, donors] = a
    return sums(aff, at)


def _received(factored: np.ndarray, dflows: np.ndarray) -> np.ndarray:
    """(E, N) the factored donors' gifts plus the dense donors' flows (E, Nc, N), added
    donor by donor (as the kernel adds them).
    """
    out = factored
    for i in range(dflows.shape[1]):
        out = out + dflows[:, i]
    return out


def _record(log: FlowLog, t: int, params: Params, x: np.ndarray, a: np.ndarray,
            donors: np.ndarray, cols: np.ndarray, dense: np.ndarray,
            dflows: np.ndarray) -> None:
    """Put the round's gifts in the ledger: per pair on small worlds, else per donor and
    recipient group (:func:`sim.world.recipient_groups.recipient_groups`).
    """
    if not log.enabled:
        return
    d = params.diplomacy
    groups = d.recipient_groups
    if groups.pairs:
        flows = (a[..., None] * d.affinity_rows(donors)[None]) * x[:, None, :]
        flows[:, cols] = np.where(dense[:, cols, None], dflows, flows[:, cols])
        log.add_matrix(t, flows, donors, BILATERAL)
        return
    E, N = x.shape
    C = len(groups.names)
    flows = a[..., None] * group_sums(d.affinity, x, donors, groups.group, groups.region)
    Nc = len(cols)
    index = ((np.arange(E)[:, None, None] * Nc + np.arange(Nc)[None, :, None]) * C
             + groups.group[None, None, :])
    dgroups = np.bincount(np.broadcast_to(index, dflows.shape).ravel(), dflows.ravel(),
                          minlength=E * Nc * C).reshape(E, Nc, C)
    flows[:, cols] = np.where(dense[:, cols, None], dgroups, flows[:, cols])
    e, i, c = np.nonzero(flows > 0)
    log.add_rows(t, np.column_stack([e, donors[i], N + c]), flows[e, i, c], BILATERAL)


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

