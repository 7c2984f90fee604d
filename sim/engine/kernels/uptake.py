"""Stages 6 and 7 fused: delivery (bought and donated doses), administration and expiry of
one day in a single compiled pass over (E, N).

The numpy reference is :func:`sim.engine.uptake.deliver`,
:func:`sim.engine.donation.deliver_gifts`, :func:`sim.engine.uptake.administer` and
:func:`sim.engine.uptake.expire`, called in that order; this kernel does the same
arithmetic in the same order, element by element, so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


@jit
def uptake_day(t: int, allocated: np.ndarray, gifts: np.ndarray, gifts_given: bool,
               gifts_moving: bool, transit: np.ndarray, gift_transit: np.ndarray,
               stock: np.ndarray, arrival_bucket: np.ndarray, received_cum: np.ndarray,
               first: np.ndarray, completed: np.ndarray, due: np.ndarray,
               due_ring: np.ndarray, administered_cum: np.ndarray, expired_cum: np.ndarray,
               willing: np.ndarray, cap_start: np.ndarray, cap_slope: np.ndarray,
               cap_ramp: np.ndarray, two_dose: bool, expire_today: bool) -> None:
    """Deliver, administer and expire day ``t`` in place.

    Parameters
    ----------
    allocated : (E, N) doses allocated today (they enter ``transit``)
    gifts : (E, N) doses donated today (they enter ``gift_transit``; read only when
        ``gifts_given``)
    gifts_moving : False when no gift can be on its way (the gift ring is skipped)
    transit, gift_transit : (E, L, N) rings of doses on their way
    stock : (B, E, N) country stock by shelf-life bucket, 0 oldest
    arrival_bucket : (E,) int bucket donated doses arrive in
    first, completed, due, administered_cum, expired_cum, received_cum : (E, N)
    due_ring : (I, E, N) first doses of the last I days
    willing : (E, N) people willing to be vaccinated
    cap_start, cap_slope, cap_ramp : (E, N) daily capacity on day 0, its daily change and
        the ramp's length in days
    two_dose : the course has two doses
    expire_today : the oldest bucket expires at the end of today
    """
    B, E, N = stock.shape
    L = transit.shape[1]
    slot = t % L
    # Bought doses: land what was allocated L days ago, send today's.
    for e in range(E):
        for n in range(N):
            arrived = transit[e, slot, n]
            transit[e, slot, n] = allocated[e, n]
            stock[B - 1, e, n] += arrived
            received_cum[e, n] += arrived
    # Donated doses (reference: only when anything arrives at all).
    if gifts_given or gifts_moving:
        any_arrival = False
        for e in range(E):
            for n in range(N):
                if gift_transit[e, slot, n] != 0.0:
                    any_arrival = True
        for e in range(E):
            b = arrival_bucket[e]
            for n in range(N):
                arrived = gift_transit[e, slot, n]
                gift_transit[e, slot, n] = gifts[e, n] if gifts_given else 0.0
                if any_arrival:
                    stock[b, e, n] += arrived
                    received_cum[e, n] += arrived
    # Administration: completing doses due first, then first doses; oldest stock first.
    interval = due_ring.shape[0]
    ring_slot = t % interval
    tf = float(t)
    for e in range(E):
        for n in range(N):
            if two_dose:
                due[e, n] += due_ring[ring_slot, e, n]
            unvaccinated = max(willing[e, n] - first[e, n], 0.0)
            on_shelf = stock[0, e, n]
            for b in range(1, B):
                on_shelf += stock[b, e, n]
            capacity = max(cap_start[e, n] + cap_slope[e, n] * min(tf, cap_ramp[e, n]), 0.0)
            wanted = min(min(on_shelf, capacity), due[e, n] + unvaccinated)
            left = wanted
            for b in range(B):
                take = min(stock[b, e, n], left)
                stock[b, e, n] -= take
                left -= take
            given = wanted - left
            second = min(given, due[e, n])
            new_first = given - second
            first[e, n] += new_first
            administered_cum[e, n] += given
            if two_dose:
                due[e, n] -= second
                completed[e, n] += second
                due_ring[ring_slot, e, n] = new_first
            else:
                completed[e, n] += new_first
    # Expiry at the end of a bucket period: bucket 0 expires, the others age.
    if expire_today:
        for e in range(E):
            for n in range(N):
                expired_cum[e, n] += stock[0, e, n]
                for b in range(B - 1):
                    stock[b, e, n] = stock[b + 1, e, n]
                stock[B - 1, e, n] = 0.0
