"""Stages 2-3 compiled: export policy and market clearing for every member in one call.

The numpy reference is :func:`sim.engine.market.clear_market`; this kernel does the same
arithmetic in the same order (sums in numpy's order, :mod:`sim.engine.kernels.sums`),
member by member, so allocations and the dose ledger are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
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
                    home_need[n] = min(orders_open[e, n], max(target - allocated_cum[e, n], 0.0))
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
            remaining = max(remaining - fill * demand, 0.0)
        sold_share = _ratio(supply - remaining, supply)
        segment_sums(alloc, seg_order, seg_starts, seg_present, seg_contiguous,
                     home_bought, scratch)
        for p in range(P):
            sold = offered[p] * sold_share
            inventory[e, p] -= sold
            exported_cum[e, p] += max(sold - offered[p] * _ratio(home_bought[p], supply), 0.0)
        for n in range(N):
            total = alloc_home[n] + alloc[n]
            out[e, n] = total
            allocated_cum[e, n] += total
            orders_open[e, n] = max(orders_open[e, n] - total, 0.0)
