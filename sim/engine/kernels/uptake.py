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
from sim.engine.kernels.clip import nonneg


@jit
def _split(amount, room, n, priority, out):
    """``amount`` people over bands with room ``room[n]`` (room (N, A)) into ``out`` (A,):
    oldest band first (priority 0) or in proportion to room (1); reference
    :func:`sim.engine.bands.allocate`.
    """
    A = room.shape[1]
    if priority == 0:
        left = amount
        for b in range(A - 1, -1, -1):
            take = min(left, nonneg(room[n, b]))
            out[b] = take
            left -= take
    else:
        total = 0.0
        for b in range(A):
            total += nonneg(room[n, b])
        share = min(amount / total, 1.0) if total > 0.0 else 0.0
        for b in range(A):
            out[b] = nonneg(room[n, b]) * share


@jit
def _wants(e: int, n: int, t: int, past: int, willing_band: np.ndarray,
           children_day: np.ndarray, first_band: np.ndarray, booster_day: np.ndarray,
           booster_uptake: np.ndarray, course_weeks: np.ndarray, boosted_band: np.ndarray,
           room: np.ndarray, boost_want: np.ndarray) -> tuple[float, float]:
    """Country ``n`` of member ``e`` on day ``t``: first doses wanted by band into
    ``room[n]`` and boosters wanted by band (courses of week ``past``) into
    ``boost_want[n]``; returns their sums (reference :func:`sim.engine.bands.
    booster_demand` and the eligible willing of :func:`sim.engine.uptake.administer`).
    """
    A = first_band.shape[2]
    W = course_weeks.shape[0]
    fw = 0.0
    for a in range(A):
        w = willing_band[e, n, a]
        if a == 0:
            w = w * (1.0 if children_day[e, n] <= t else 0.0)
        room[n, a] = nonneg(w - first_band[e, n, a])
        fw += room[n, a]
    bw = 0.0
    for a in range(A):
        want = 0.0
        if past >= 0 and booster_day[e, n, a] <= t:
            want = nonneg(booster_uptake[e] * course_weeks[past % W, e, n, a]
                          - boosted_band[e, n, a])
        boost_want[n, a] = want
        bw += want
    return fw, bw


@jit
def uptake_day(t: int, allocated: np.ndarray, land: np.ndarray, gifts: np.ndarray,
               gifts_given: bool,
               gifts_moving: bool, transit: np.ndarray, gift_transit: np.ndarray,
               stock: np.ndarray, expired_arrival_cum: np.ndarray, received_cum: np.ndarray,
               first: np.ndarray, completed: np.ndarray, due: np.ndarray,
               due_ring: np.ndarray, administered_cum: np.ndarray, expired_cum: np.ndarray,
               willing: np.ndarray, cap_start: np.ndarray, cap_slope: np.ndarray,
               cap_ramp: np.ndarray, one_dose: np.ndarray, expire_today: bool,
               willing_band: np.ndarray, children_day: np.ndarray, priority: np.ndarray,
               booster_day: np.ndarray, booster_uptake: np.ndarray, interval_weeks: np.ndarray,
               course_weeks: np.ndarray, first_band: np.ndarray, courses_band: np.ndarray,
               boosted_band: np.ndarray, boosted: np.ndarray, used: np.ndarray,
               gift_used: np.ndarray) -> None:
    """Deliver, administer and expire day ``t`` in place.

    Parameters
    ----------
    allocated : (E, N) doses allocated today (they enter ``transit``)
    land : (E, N, B) share of the bought doses arriving today that land in each bucket
    gifts : (B, E, N) doses donated today by the shelf-life bucket they travel in (they
        enter ``gift_transit``; read only when ``gifts_given``)
    gifts_moving : False when no gift can be on its way (the gift ring is skipped)
    transit : (E, L, N) ring of bought doses on their way, by slot of arrival
    gift_transit : (B, E, L, N) donated doses on their way, by shelf-life bucket and slot;
        they age with the stock and those expiring on the way arrive expired
    stock : (B, E, N) country stock by shelf-life bucket, 0 oldest
    expired_arrival_cum : (E, N) donated doses that arrived past their shelf life
    first, completed, due, administered_cum, expired_cum, received_cum : (E, N)
    due_ring : (I, E, N) first doses of the last I days
    willing : (E, N) people willing to be vaccinated
    cap_start, cap_slope, cap_ramp : (E, N) daily capacity on day 0, its daily change and
        the ramp's length in days
    one_dose : (E, N) share of today's first doses that are one-dose courses (complete at
        once; the rest are due a completing dose after the interval), see
        :func:`sim.engine.uptake.one_dose_share`
    expire_today : the oldest bucket expires at the end of today
    willing_band : (E, N, A) willing people by age band; children_day : (E, N) int first
        day the 0-19 band is eligible; priority : (E, N) int (0 oldest first, 1 uniform)
    booster_day : (E, N, A) int first booster day per band; booster_uptake : (E,)
    interval_weeks : (E,) int weeks from a course to its booster
    course_weeks : (W, E, N, A) courses by band at the start of each of the last W weeks
    first_band, courses_band, boosted_band : (E, N, A); boosted : (E, N)
        (reference: :mod:`sim.engine.bands`)
    used : (E, B) bool, in place: False where a member's bucket is empty in every
        country (True: it may hold doses; all True is always correct). Only this kernel
        adds doses to ``stock``, so what it marks stays a superset of the buckets in use
        while other stages take doses out (pool, gifts).
    gift_used : (E, L, B) bool, in place: the same for each slot of ``gift_transit``
        (which only this kernel writes).

    Empty buckets add (and give) exact zeros, so the passes over a member's buckets
    skip those ``used`` marks empty (with 25 buckets of 30 days, the baseline uses ~16
    of a member's 25 buckets on average and ~0.1 of a gift slot's). Loops that write
    stock store unconditionally, as the numpy references do: a conditional store
    (``if v != 0: ...``) vectorizes into masked stores, microcoded and slow on AMD
    CPUs (they were the hottest loops of the day at E=32). Values are the same; a zero's
    sign could differ, which no comparison sees.
    """
    B, E, N = stock.shape
    L = transit.shape[1]
    slot = t % L
    # Bought doses: land what was allocated L days ago, send today's.
    # (Nothing arrived: its buckets would add exact zeros.)
    for e in range(E):
        for n in range(N):
            arrived = transit[e, slot, n]
            transit[e, slot, n] = allocated[e, n]
            if arrived != 0.0:
                for b in range(B):  # a handful of buckets take shares: the rest add 0
                    share = land[e, n, b]
                    if share != 0.0:
                        stock[b, e, n] += arrived * share
                        used[e, b] = True
            received_cum[e, n] += arrived
    # Donated doses land in the bucket they travelled in; the recipient's receipts add
    # the buckets' sum, buckets in order. (The reference lands them only when anything
    # arrives at all: here buckets where nothing arrives and nothing is sent, which
    # would add exact zeros, are skipped.)
    if gifts_given or gifts_moving:
        landed = np.empty(N)
        for e in range(E):
            some = False
            for b in range(B):
                sending = False
                if gifts_given:
                    for n in range(N):
                        sending |= gifts[b, e, n] != 0.0
                if not (sending or gift_used[e, slot, b]):
                    continue
                if not some:
                    landed[:] = 0.0
                    some = True
                arriving = False
                for n in range(N):
                    arrived = gift_transit[b, e, slot, n]
                    gift_transit[b, e, slot, n] = gifts[b, e, n] if gifts_given else 0.0
                    stock[b, e, n] += arrived
                    landed[n] += arrived
                    arriving |= arrived != 0.0
                used[e, b] |= arriving
                gift_used[e, slot, b] = sending
            if some:
                for n in range(N):
                    received_cum[e, n] += landed[n]
    # Administration: completing doses due first, then first doses and boosters sharing
    # the rest in proportion to their demand; each split over age bands by priority.
    interval = due_ring.shape[0]
    ring_slot = t % interval
    tf = float(t)
    A = first_band.shape[2]
    W = course_weeks.shape[0]
    week = t // 7
    # Passes over countries (the axis contiguous in stock), each country's arithmetic in
    # the reference's order: shelf sums, wants, doses taken bucket by bucket, bands.
    shelf = np.empty(N)         # doses in stock, buckets summed oldest first
    left = np.empty(N)          # doses still to take from stock
    wanted = np.empty(N)        # doses to give today
    first_wanted = np.empty(N)  # first doses wanted, summed over bands
    boost_wanted = np.empty(N)  # boosters wanted, summed over bands
    room = np.empty((N, A))     # first doses wanted by band
    boost_want = np.empty((N, A))
    split = np.empty(A)
    first_split = np.empty(A)
    for e in range(E):
        past = week - interval_weeks[e]
        shelf[:] = 0.0
        for b in range(B):
            if not used[e, b]:
                continue
            nz = False
            for n in range(N):
                v = stock[b, e, n]
                shelf[n] += v
                nz |= v != 0.0
            used[e, b] = nz
        for n in range(N):
            due[e, n] += due_ring[ring_slot, e, n]
            if t % 7 == 0:
                for a in range(A):
                    course_weeks[week % W, e, n, a] = courses_band[e, n, a]
            capacity = nonneg(cap_start[e, n] + cap_slope[e, n] * min(tf, cap_ramp[e, n]))
            if shelf[n] == 0.0:
                # Nothing in stock (about half the country-days): 0 is wanted whatever
                # the demand (due and the bands' wants are >= 0), which is made below
                # only if the country gives anything after all.
                wanted[n] = min(min(shelf[n], capacity), due[e, n])
                left[n] = wanted[n]
                first_wanted[n] = -1.0  # not made
                continue
            fw, bw = _wants(e, n, t, past, willing_band, children_day, first_band,
                            booster_day, booster_uptake, course_weeks, boosted_band, room,
                            boost_want)
            wanted[n] = min(min(shelf[n], capacity), due[e, n] + fw + bw)
            left[n] = wanted[n]
            first_wanted[n] = fw
            boost_wanted[n] = bw
        # Oldest bucket first. A country's empty bucket gives nothing (unless what it
        # still wants is negative or NaN, ``bad``: then every bucket is visited).
        bad = False
        for n in range(N):
            bad |= not left[n] >= 0.0
        for b in range(B):
            if not (used[e, b] or bad):
                continue
            nz = False
            for n in range(N):
                v = stock[b, e, n]
                lf = left[n]
                take = min(v, lf)
                v -= take
                stock[b, e, n] = v
                nz |= v != 0.0
                lf -= take
                left[n] = lf
                bad |= not lf >= 0.0
            used[e, b] = nz
        for n in range(N):
            given = wanted[n] - left[n]
            if given == 0.0:  # nothing given (no stock, no demand): the splits add zeros
                due_ring[ring_slot, e, n] = 0.0
                continue
            if first_wanted[n] < 0.0:  # demand not made yet (see above)
                first_wanted[n], boost_wanted[n] = _wants(
                    e, n, t, past, willing_band, children_day, first_band, booster_day,
                    booster_uptake, course_weeks, boosted_band, room, boost_want)
            second = min(given, due[e, n])
            rest = given - second
            demand = first_wanted[n] + boost_wanted[n]
            new_first = rest * (first_wanted[n] / demand) if demand > 0.0 else 0.0
            new_boost = rest - new_first
            _split(new_first, room, n, priority[e, n], first_split)
            for a in range(A):
                first_band[e, n, a] += first_split[a]
            first[e, n] += new_first
            administered_cum[e, n] += given
            _split(new_boost, boost_want, n, priority[e, n], split)
            for a in range(A):
                boosted_band[e, n, a] += split[a]
            boosted[e, n] += new_boost
            # Completing doses, then first doses of one-dose products: courses at once.
            single = one_dose[e, n]
            due[e, n] -= second
            completed[e, n] += second
            due_ring[ring_slot, e, n] = new_first * (1.0 - single)
            for a in range(A):
                room[n, a] = first_band[e, n, a] - courses_band[e, n, a]
            _split(second, room, n, priority[e, n], split)
            for a in range(A):
                courses_band[e, n, a] += split[a]
            completed[e, n] += new_first * single
            for a in range(A):
                courses_band[e, n, a] += first_split[a] * single
    # Expiry at the end of a bucket period: bucket 0 expires, the others age.
    if expire_today:
        for e in range(E):  # plane by plane (country by country jumped between planes)
            for n in range(N):
                expired_cum[e, n] += stock[0, e, n]
            for b in range(B - 1):
                for n in range(N):
                    stock[b, e, n] = stock[b + 1, e, n]
            for n in range(N):
                stock[B - 1, e, n] = 0.0
            for b in range(B - 1):
                used[e, b] = used[e, b + 1]
                for k in range(L):
                    gift_used[e, k, b] = gift_used[e, k, b + 1]
            used[e, B - 1] = False
            for k in range(L):
                gift_used[e, k, B - 1] = False
        # Gifts on their way age too; the oldest bucket arrives expired (reference:
        # :func:`sim.engine.uptake.age_gifts`, only when any gift is on its way).
        moving = False
        if gifts_given or gifts_moving:
            for v in gift_transit.ravel():
                if v != 0.0:
                    moving = True
                    break
        if moving:
            lost = np.empty(N)
            for e in range(E):
                for n in range(N):
                    lost[n] = gift_transit[0, e, 0, n]
                for k in range(1, L):
                    for n in range(N):
                        lost[n] += gift_transit[0, e, k, n]
                for n in range(N):
                    received_cum[e, n] += lost[n]
                    expired_cum[e, n] += lost[n]
                    expired_arrival_cum[e, n] += lost[n]
            for b in range(B - 1):
                gift_transit[b] = gift_transit[b + 1]
            gift_transit[B - 1] = 0.0
