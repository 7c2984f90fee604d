"""Stages 2-3 compiled: export policy and market clearing for every member in one call.

The numpy reference is :func:`sim.engine.market.clear_market`; this kernel does the same
arithmetic in the same order (sums in numpy's order, :mod:`sim.engine.kernels.sums`),
member by member, so allocations and the dose ledger are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.sums import pairwise_sum, segment_sums


@jit
def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


@jit
def clear_market(inventory: np.ndarray, orders_open: np.ndarray, allocated_cum: np.ndarray,
                 exported_cum: np.ndarray, offer_share: np.ndarray, restricted: np.ndarray,
                 protects: np.ndarray, export_target: np.ndarray, course: float,
                 population: np.ndarray, home_producer: np.ndarray, has_home: np.ndarray,
                 seg_order: np.ndarray, seg_starts: np.ndarray, seg_present: np.ndarray,
                 seg_contiguous: bool, tier_masks: np.ndarray, out: np.ndarray) -> None:
    """Allocate manufacturers' inventory to open orders, in place; ``out`` (E, N) gets the
    doses allocated to each country.

    Parameters
    ----------
    inventory, exported_cum : (E, P) doses
    orders_open, allocated_cum : (E, N) doses
    offer_share : (E, P) share of its unsold stock a producer offers the world (0 banned)
    restricted : (E, P) bool, the producer serves all its home orders first (a ban)
    protects : (E, P) bool, the producer serves home first (ban or ``domestic_first``)
    export_target : (E, P) coverage share a ``domestic_first`` producer serves home up to
    course : doses per course
    population : (N,) people
    home_producer : (N,) int producer of each country's home (0 without); has_home (N,)
    seg_order, seg_starts, seg_present, seg_contiguous : the home segments
        (:class:`sim.engine.segments.Segments` over producers)
    tier_masks : (K, E, N) bool, the priority tiers served, in order
    """
    E, P = inventory.shape
    N = orders_open.shape[1]
    K = tier_masks.shape[0]
    home_need = np.empty(N)
    alloc_home = np.empty(N)
    wanted = np.empty(N)
    alloc = np.empty(N)
    tier_orders = np.empty(N)
    scratch = np.empty(N)
    demand_home = np.empty(P)
    home_bought = np.empty(P)
    offered = np.empty(P)
    for e in range(E):
        # 1. Export policy: protected producers serve their home countries first.
        for n in range(N):
            hp = home_producer[n]
            if protects[e, hp] and has_home[n]:
                if restricted[e, hp]:
                    home_need[n] = orders_open[e, n]
                else:
                    target = export_target[e, hp] * course * population[n]
                    home_need[n] = min(orders_open[e, n], nonneg(target - allocated_cum[e, n]))
            else:
                home_need[n] = 0.0
        segment_sums(home_need, seg_order, seg_starts, seg_present, seg_contiguous,
                     demand_home, scratch)
        for p in range(P):
            served = min(inventory[e, p], demand_home[p])
            # keep the share for the home countries, then take it out of inventory
            home_bought[p] = _ratio(served, demand_home[p])
            inventory[e, p] -= served
        for n in range(N):
            alloc_home[n] = home_need[n] * home_bought[home_producer[n]]
        # 2. Market clearing: one world supply, tier by tier, pro rata within a tier.
        for p in range(P):
            offered[p] = inventory[e, p] * offer_share[e, p]
        supply = pairwise_sum(offered, 0, P)
        remaining = supply
        for n in range(N):
            wanted[n] = orders_open[e, n] - alloc_home[n]
            alloc[n] = 0.0
        for k in range(K):
            for n in range(N):
                tier_orders[n] = wanted[n] if tier_masks[k, e, n] else 0.0
            demand = pairwise_sum(tier_orders, 0, N)
            fill = min(1.0, _ratio(remaining, demand))
            for n in range(N):
                alloc[n] += tier_orders[n] * fill
            remaining = nonneg(remaining - fill * demand)
        sold_share = _ratio(supply - remaining, supply)
        segment_sums(alloc, seg_order, seg_starts, seg_present, seg_contiguous,
                     home_bought, scratch)
        for p in range(P):
            sold = offered[p] * sold_share
            inventory[e, p] -= sold
            exported_cum[e, p] += nonneg(sold - offered[p] * _ratio(home_bought[p], supply))
        for n in range(N):
            total = alloc_home[n] + alloc[n]
            out[e, n] = total
            allocated_cum[e, n] += total
            orders_open[e, n] = nonneg(orders_open[e, n] - total)


@jit
def _share(t: int, export_policy: np.ndarray, ban_start: np.ndarray, ban_end: np.ndarray,
           resume_days: np.ndarray, e: int, p: int) -> tuple[bool, float]:
    """(banned, export share) of member ``e``'s producer ``p`` on day ``t``: references
    :func:`sim.engine.market.banned_today` and :func:`~sim.engine.market.export_share`.
    """
    ban = export_policy[e, p] == 2 and ban_start[e, p] <= t and t <= ban_end[e, p]
    after = t - ban_end[e, p]
    resume = resume_days[e, p]
    ramp = 1.0
    if export_policy[e, p] == 2 and after > 0 and after < resume:
        ramp = after / max(resume, 1.0)
    return ban, 0.0 if ban else ramp


@jit
def export_share(t: int, export_policy: np.ndarray, ban_start: np.ndarray,
                 ban_end: np.ndarray, resume_days: np.ndarray) -> np.ndarray:
    """(E, P) share of its unsold stock each producer may offer abroad on day ``t``
    (reference :func:`sim.engine.market.export_share`).

    export_policy : (E, P) int; ban_start, ban_end : (E, P) int days; resume_days :
    (E, P) days (0: none)
    """
    E, P = export_policy.shape
    out = np.empty((E, P))
    for e in range(E):
        for p in range(P):
            out[e, p] = _share(t, export_policy, ban_start, ban_end, resume_days, e, p)[1]
    return out


@jit
def _policy_today(t: int, export_policy: np.ndarray, ban_start: np.ndarray,
                  ban_end: np.ndarray, resume_days: np.ndarray, banned: np.ndarray,
                  resuming: np.ndarray) -> bool:
    """``banned`` (E, P) bool: producers whose export ban covers day ``t``; ``resuming``
    (E, P) the share a producer resuming exports after a ban offers abroad (0 when not
    resuming). References :func:`sim.engine.market.banned_today` and
    :func:`~sim.engine.market.resuming`. Returns whether any producer is resuming.
    """
    E, P = banned.shape
    some = False
    for e in range(E):
        for p in range(P):
            ban, share = _share(t, export_policy, ban_start, ban_end, resume_days, e, p)
            banned[e, p] = ban
            resuming[e, p] = share if share > 0 and share < 1 else 0.0
            if resuming[e, p] != 0.0:
                some = True
    return some


@jit
def _home_sales(inventory0: np.ndarray, exported0: np.ndarray, inventory: np.ndarray,
                exported_cum: np.ndarray, home_delivered_cum: np.ndarray) -> None:
    """Reference :func:`sim.engine.market.record_home_sales`, and the copies for the next
    sale: what producers sold since ``inventory0`` (E, P) and did not export.
    """
    E, P = inventory.shape
    for e in range(E):
        for p in range(P):
            home_delivered_cum[e, p] += nonneg((inventory0[e, p] - inventory[e, p])
                                            - (exported_cum[e, p] - exported0[e, p]))
            inventory0[e, p] = inventory[e, p]
            exported0[e, p] = exported_cum[e, p]


@jit
def _serve_home(share: np.ndarray, inventory: np.ndarray, orders_open: np.ndarray,
                allocated_cum: np.ndarray, home_producer: np.ndarray, has_home: np.ndarray,
                seg_order: np.ndarray, seg_starts: np.ndarray, seg_present: np.ndarray,
                seg_contiguous: bool, out: np.ndarray) -> None:
    """Producers resuming exports serve their home countries' open orders first from
    ``1 - share`` of their stock; ``out`` (E, N) what home countries got. Reference
    :func:`sim.engine.market.serve_home_while_resuming` (without its home-sales record).
    """
    E, P = inventory.shape
    N = orders_open.shape[1]
    need = np.empty(N)
    scratch = np.empty(N)
    demand = np.empty(P)
    ratio = np.empty(P)
    for e in range(E):
        for n in range(N):
            hp = home_producer[n]
            need[n] = orders_open[e, n] if share[e, hp] > 0 and has_home[n] else 0.0
        segment_sums(need, seg_order, seg_starts, seg_present, seg_contiguous, demand,
                     scratch)
        for p in range(P):
            served = min(inventory[e, p] * (1.0 - share[e, p]), demand[p])
            if not share[e, p] > 0:
                served = 0.0
            ratio[p] = _ratio(served, demand[p])
            inventory[e, p] = nonneg(inventory[e, p] - served)
        for n in range(N):
            alloc = need[n] * ratio[home_producer[n]]
            out[e, n] = alloc
            allocated_cum[e, n] += alloc
            orders_open[e, n] = nonneg(orders_open[e, n] - alloc)


@jit
def _pool_buy(t: int, pool_on: np.ndarray, pool_budget: np.ndarray, pool_same: np.ndarray,
              banned: np.ndarray, orders_open: np.ndarray, inventory: np.ndarray,
              exported_cum: np.ndarray, pool_stock: np.ndarray, pool_bought_cum: np.ndarray,
              pool_orders_open: np.ndarray) -> None:
    """The pool buys from producers' unsold, exportable stock, beside the countries of its
    own market tier. Reference :func:`sim.engine.pool.pool_buy`.
    """
    E, P = inventory.shape
    N = orders_open.shape[1]
    row = np.empty(N)
    offered = np.empty(P)
    for e in range(E):
        for n in range(N):
            row[n] = orders_open[e, n] if pool_same[e, n] else 0.0
        others = pairwise_sum(row, 0, N)
        funds_left = nonneg(pool_budget[e, t] - pool_bought_cum[e])
        want = min(pool_orders_open[e], funds_left) if pool_on[e] else 0.0
        for p in range(P):
            offered[p] = 0.0 if banned[e, p] else inventory[e, p]
        supply = pairwise_sum(offered, 0, P)
        fill = min(1.0, _ratio(supply, want + others))
        part = min(1.0, _ratio(want * fill, supply))
        for p in range(P):
            offered[p] = offered[p] * part
        bought = pairwise_sum(offered, 0, P)
        for p in range(P):
            inventory[e, p] -= offered[p]
            exported_cum[e, p] += offered[p]
        pool_stock[e] += bought
        pool_bought_cum[e] += bought
        pool_orders_open[e] = nonneg(pool_orders_open[e] - bought)


@jit
def clear_with_pool(t: int, any_pool: bool, export_policy: np.ndarray,
                    ban_start: np.ndarray, ban_end: np.ndarray, resume_days: np.ndarray,
                    export_target: np.ndarray, course: float, population: np.ndarray,
                    home_producer: np.ndarray, has_home: np.ndarray, seg_order: np.ndarray,
                    seg_starts: np.ndarray, seg_present: np.ndarray, seg_contiguous: bool,
                    early: np.ndarray, late: np.ndarray, pool_on: np.ndarray,
                    pool_budget: np.ndarray, pool_same: np.ndarray,
                    inventory: np.ndarray, orders_open: np.ndarray, allocated_cum: np.ndarray,
                    exported_cum: np.ndarray, home_delivered_cum: np.ndarray,
                    pool_stock: np.ndarray, pool_bought_cum: np.ndarray,
                    pool_orders_open: np.ndarray, out: np.ndarray) -> None:
    """A whole market clearing with the pool as a buyer, in place; ``out`` (E, N) the
    doses allocated to countries. Reference :func:`sim.engine.pool.clear_with_pool`:
    resuming producers serve home first, the tiers ``early`` (K, E, N) bool clear, the
    pool buys (when ``any_pool``), the tiers ``late`` clear.

    export_policy : (E, P) int; ban_start, ban_end : (E, P) int days; resume_days :
    (E, P) (0: none); export_target : (E, P); pool_on : (E,) bool; pool_budget : (E, D);
    pool_same : (E, N) bool; the rest as :func:`clear_market`.
    """
    E, P = inventory.shape
    N = orders_open.shape[1]
    banned = np.empty((E, P), dtype=np.bool_)
    share = np.empty((E, P))
    some = _policy_today(t, export_policy, ban_start, ban_end, resume_days, banned, share)
    offer = np.empty((E, P))
    protects = np.empty((E, P), dtype=np.bool_)
    for e in range(E):
        for p in range(P):
            offer[e, p] = 0.0 if banned[e, p] else 1.0
            protects[e, p] = banned[e, p] or export_policy[e, p] == 1
    inventory0 = inventory.copy()
    exported0 = exported_cum.copy()
    home = np.zeros((E, N))
    if some:
        _serve_home(share, inventory, orders_open, allocated_cum, home_producer, has_home,
                    seg_order, seg_starts, seg_present, seg_contiguous, home)
        _home_sales(inventory0, exported0, inventory, exported_cum, home_delivered_cum)
    part = np.empty((E, N))
    clear_market(inventory, orders_open, allocated_cum, exported_cum, offer, banned,
                 protects, export_target, course, population, home_producer, has_home,
                 seg_order, seg_starts, seg_present, seg_contiguous, early, part)
    _home_sales(inventory0, exported0, inventory, exported_cum, home_delivered_cum)
    for e in range(E):
        for n in range(N):
            out[e, n] = part[e, n] + home[e, n] if some else part[e, n]
    if any_pool:
        _pool_buy(t, pool_on, pool_budget, pool_same, banned, orders_open, inventory,
                  exported_cum, pool_stock, pool_bought_cum, pool_orders_open)
        inventory0[:] = inventory  # the pool's purchases are exports, not home sales
        exported0[:] = exported_cum
    clear_market(inventory, orders_open, allocated_cum, exported_cum, offer, banned,
                 protects, export_target, course, population, home_producer, has_home,
                 seg_order, seg_starts, seg_present, seg_contiguous, late, part)
    _home_sales(inventory0, exported0, inventory, exported_cum, home_delivered_cum)
    for e in range(E):
        for n in range(N):
            out[e, n] = out[e, n] + part[e, n]
