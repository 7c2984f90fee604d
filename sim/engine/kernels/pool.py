"""Stage 4 compiled: the pool's round (contributions, then the two allocation phases) for
every member in one call.

The numpy reference is :func:`sim.engine.pool.allocate_pool` (with
:func:`sim.engine.pool.waterfill`); this kernel does the same arithmetic in the same order
(row sums pairwise, as numpy), member by member, so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.need import capacity, on_hand_marked, take_oldest_rows
from sim.engine.kernels.sums import pairwise_sum


@jit
def waterfill(avail: float, weight: np.ndarray, cap: np.ndarray, x: np.ndarray,
              w: np.ndarray, add: np.ndarray, rounds: int) -> None:
    """Share ``avail`` doses pro rata to ``weight`` (N,), none above ``cap`` (N,), into
    ``x`` (N,); ``w`` and ``add`` are scratch. Reference :func:`sim.engine.pool.waterfill`.
    """
    N = x.shape[0]
    for n in range(N):
        x[n] = 0.0
    left = avail
    for _ in range(rounds):
        for n in range(N):
            w[n] = weight[n] if cap[n] - x[n] > 0 else 0.0
        total = pairwise_sum(w, 0, N)
        for n in range(N):
            share = w[n] / total if total > 0 else 0.0
            a = nonneg(min(cap[n] - x[n], share * left))
            add[n] = a
            x[n] += a
        left = nonneg(left - pairwise_sum(add, 0, N))


#: How a kernel weighs each gap by the epidemic (``burden_mode``): not at all, by a
#: given (E, N) weight, or by the weight it makes from the recent deaths (E, N) per
#: person per day (:func:`need_weight_row`).
NO_BURDEN, GIVEN_BURDEN, DEATHS_BURDEN = 0, 1, 2


@jit
def need_weight_row(mode: int, burden: np.ndarray, member: np.ndarray,
                    population: np.ndarray, e: int, out: np.ndarray) -> None:
    """``out`` (N,): member ``e``'s weight of each country's gap. ``NO_BURDEN``: 1;
    ``GIVEN_BURDEN``: ``burden[e]``; ``DEATHS_BURDEN``: 1 + b / b̄ of the recent deaths
    ``b = burden[member[e]]`` (a no-vaccine twin weighs by its real member's) and their
    population-weighted mean b̄, 1 where b̄ is 0. References
    :func:`sim.engine.need.burden_weight` and :func:`sim.engine.epidemic.need_weight`
    (sums in numpy's order).
    """
    N = out.shape[0]
    if mode == NO_BURDEN:
        for n in range(N):
            out[n] = 1.0
        return
    if mode == GIVEN_BURDEN:
        for n in range(N):
            out[n] = burden[e, n]
        return
    b = burden[member[e]]
    for n in range(N):
        out[n] = b[n] * population[n]
    mean = pairwise_sum(out, 0, N) / pairwise_sum(population, 0, N)
    for n in range(N):
        out[n] = 1.0 + (b[n] / mean if mean > 0 else 0.0)


@jit
def allocate_pool(t: int, pool_on: np.ndarray, pool_every: np.ndarray,
                  pool_share: np.ndarray, pool_member: np.ndarray, keep_doses: np.ndarray,
                  buffer_days: np.ndarray, absorb_days: np.ndarray, proportional: np.ndarray,
                  tier_doses: np.ndarray, population: np.ndarray, course: float,
                  willing: np.ndarray, burden_mode: int, burden: np.ndarray,
                  burden_member: np.ndarray, cap_start: np.ndarray,
                  cap_slope: np.ndarray, cap_ramp: np.ndarray, stock: np.ndarray,
                  stock_used: np.ndarray, transit: np.ndarray, gift_transit: np.ndarray,
                  gifts_moving: bool, gift_used: np.ndarray, administered_cum: np.ndarray,
                  pool_stock: np.ndarray,
                  pool_bought_cum: np.ndarray, pool_contributed_cum: np.ndarray,
                  pool_given: np.ndarray, allocated_cum: np.ndarray, gift: np.ndarray,
                  ship: np.ndarray) -> bool:
    """Take contributions and allocate pool stock, in place; ``gift`` (E, N) gets the
    doses each country gave the pool, ``ship`` (E, N) those the pool shipped to it.
    Returns whether some member held a round (its pool is on and ``t`` is a multiple
    of its ``pool_every``); the others' ``gift`` and ``ship`` are zeros.

    Parameters
    ----------
    pool_on : (E,) bool; pool_every : (E,) int days between rounds
    pool_share, pool_member : (E, N) contribution share and participation (> 0)
    keep_doses, buffer_days : (E, N) what a country keeps before it has a surplus
    absorb_days : (E,) int; proportional : (E,) bool; tier_doses : (E, N) first-tier doses
    population : (N,) people; course : doses per course; willing : (E, N) people
    burden_mode, burden, burden_member : how need is weighed (:func:`need_weight_row`;
        ``burden`` (E, N), ``burden_member`` (E,) int)
    cap_start, cap_slope, cap_ramp : (E, N) daily capacity ramp
    stock : (B, E, N); transit : (E, L, N); gift_transit : (B, E, L, N) doses
    stock_used : (E, B) bool, False where a bucket of ``stock`` is zero in every country
        (:func:`on_hand_marked` skips it)
    gifts_moving : False when ``gift_transit`` is all zero
    gift_used : (E, L, B) bool, False where a plane of ``gift_transit`` is zero in every
        country (:func:`on_hand_marked` skips it)
    administered_cum, pool_contributed_cum, pool_given, allocated_cum : (E, N) doses
    pool_stock, pool_bought_cum : (E,) doses
    """
    B, E, N = stock.shape
    room = np.empty(N)
    tier = np.empty(N)
    weight = np.empty(N)
    first = np.empty(N)
    second = np.empty(N)
    need = np.empty(N)
    cap = np.empty(N)
    w = np.empty(N)
    add = np.empty(N)
    on_shelf = np.empty(N)
    held = np.empty(N)
    weigh = np.empty(N)
    nothing = np.empty((0, N))  # take_oldest_rows keeps no buckets' takes here
    some = False
    for e in range(E):
        if not (pool_on[e] and t % pool_every[e] == 0):
            for n in range(N):
                gift[e, n] = 0.0
                ship[e, n] = 0.0
            continue
        some = True
        # 1. Contributions: a share of each participant's surplus, oldest doses first.
        on_hand_marked(stock, stock_used, transit, gift_transit, gifts_moving, gift_used, e,
                       on_shelf, held, w)
        for n in range(N):
            cap_n = capacity(t, cap_start, cap_slope, cap_ramp, e, n)
            keep = nonneg(keep_doses[e, n] - administered_cum[e, n]) + buffer_days[e, n] * cap_n
            spare = min(nonneg(held[n] - keep), on_shelf[n])
            gift[e, n] = pool_share[e, n] * spare
        take_oldest_rows(stock, e, gift[e], w, nothing)
        for n in range(N):
            pool_contributed_cum[e, n] += gift[e, n]
        pool_stock[e] += pairwise_sum(gift[e], 0, N)
        avail = pool_stock[e]
        # 2. Room to absorb (never above the population share of all the pool has had).
        on_hand_marked(stock, stock_used, transit, gift_transit, gifts_moving, gift_used, e,
                       on_shelf, held, w)
        for n in range(N):
            cap_n = capacity(t, cap_start, cap_slope, cap_ramp, e, n)
            room[n] = nonneg(absorb_days[e] * cap_n - held[n])
        if proportional[e]:
            had = pool_bought_cum[e] + pairwise_sum(pool_contributed_cum[e], 0, N)
            for n in range(N):
                w[n] = population[n] if pool_member[e, n] > 0 else 0.0
            total = max(pairwise_sum(w, 0, N), 1.0)
            for n in range(N):
                fair = nonneg(w[n] / total * had - pool_given[e, n])
                room[n] = min(room[n], fair)
        # 3. Phase 1, pro rata to population up to the first tier.
        for n in range(N):
            if pool_member[e, n] > 0:
                tier[n] = min(nonneg(tier_doses[e, n] - pool_given[e, n]), room[n])
            else:
                tier[n] = 0.0
            weight[n] = population[n] * (1.0 if tier[n] > 0 else 0.0)
        waterfill(avail, weight, tier, first, w, add, 6)
        # 4. Phase 2, by (burden-weighted) need, never above the gap.
        need_weight_row(burden_mode, burden, burden_member, population, e, weigh)
        for n in range(N):
            gap = nonneg(course * willing[e, n] - administered_cum[e, n] - held[n])
            gap = nonneg(gap - first[n])
            if pool_member[e, n] > 0:
                need[n] = gap if burden_mode == NO_BURDEN else gap * weigh[n]
                cap[n] = min(gap, room[n] - first[n])
            else:
                need[n] = 0.0
                cap[n] = 0.0
        waterfill(avail - pairwise_sum(first, 0, N), need, cap, second, w, add, 6)
        for n in range(N):
            s = first[n] + second[n]
            ship[e, n] = s
            pool_given[e, n] += s
            allocated_cum[e, n] += s
        pool_stock[e] = nonneg(pool_stock[e] - pairwise_sum(ship[e], 0, N))
    return some
