"""Stage 5 compiled: a bilateral donation round for every member in one call, without the
dense (E, donors, N) flow array of the numpy reference.

The numpy reference is :func:`sim.engine.donation.donate`. This kernel walks each
member's donors one by one and recomputes a donor's row of flows (affinity × need,
shared pro rata, capped by what recipients can take) where the reference keeps the whole
array; each value is computed by the same operations in the same order (row sums
pairwise, sums over donors in donor order, as numpy), so gifts, stock and the flow ledger
are identical. Work is (donors × N) per member and round; memory is O(N).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.affinity import group_at, group_totals, sums
from sim.engine.kernels.affinity import row as _row
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.need import capacity, on_hand_marked, take_oldest_rows
from sim.engine.kernels.pool import NO_BURDEN, need_weight_row
from sim.engine.kernels.sums import pairwise_sum


@jit
def _grow(rows: np.ndarray, doses: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Room for at least one more flow row (doubling the buffers when full)."""
    if k < doses.shape[0]:
        return rows, doses
    size = max(2 * doses.shape[0], 1024)
    new_rows = np.empty((size, 3), dtype=np.int64)
    new_doses = np.empty(size)
    new_rows[:k] = rows[:k]
    new_doses[:k] = doses[:k]
    return new_rows, new_doses


@jit
def donate(t: int, active: np.ndarray, share: np.ndarray, from_output: np.ndarray, has_output: bool,
           donors: np.ndarray, region: np.ndarray, n_regions: int, memb_ptr: np.ndarray,
           memb_idx: np.ndarray, n_blocs: int, bloc_ptr: np.ndarray, bloc_idx: np.ndarray,
           tie_ptr: np.ndarray, tie_idx: np.ndarray, ovr_ptr: np.ndarray, ovr_idx: np.ndarray,
           ovr_val: np.ndarray, weights: np.ndarray, group: np.ndarray,
           group_region: np.ndarray, dense_above: float, receive: np.ndarray,
           burden_mode: int, burden: np.ndarray, burden_member: np.ndarray,
           population: np.ndarray, course: float, willing: np.ndarray,
           absorb_days: np.ndarray, keep_doses: np.ndarray, buffer_days: np.ndarray,
           cap_start: np.ndarray, cap_slope: np.ndarray, cap_ramp: np.ndarray,
           output_donor: np.ndarray, arrival_bucket: np.ndarray, keep_flows: np.ndarray,
           stock: np.ndarray, stock_used: np.ndarray, transit: np.ndarray,
           gift_transit: np.ndarray, gifts_moving: bool, gift_used: np.ndarray,
           administered_cum: np.ndarray, inventory: np.ndarray,
           donated_cum: np.ndarray, influence: np.ndarray, donations_received_cum: np.ndarray,
           allocated_cum: np.ndarray, given: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run a donation round in place; ``given`` (B, E, N) gets each recipient's gifts by
    the shelf-life bucket they travel in.

    Parameters
    ----------
    active : (E,) bool, members holding a round today
    share : (E, N) share of its surplus each country gives this round (0 for members
        without a round today)
    from_output : (E, N) doses offered from producers' unsold output, at their home
        country (read only when ``has_output``)
    donors : (Nd,) int countries that give in some member, ascending
    region … weights : the affinity structure
        (:attr:`sim.world.affinity.PairAffinity.kernel_arrays`)
    group : (N,) int recipient group of each country; group_region : (C,) their WHO
        region codes; C = 0: the ledger keeps pairs
    dense_above : a donor whose offer / total passes this is weighed by its full row
    receive : (E, N) bool, may receive
    burden_mode, burden, burden_member : how need is weighed
        (:func:`sim.engine.kernels.pool.need_weight_row`); population : (N,) people
    course : doses per course; willing : (E, N) people willing
    absorb_days : (E,) int days of capacity a recipient accepts gifts up to
    keep_doses, buffer_days : (E, N) what a donor keeps before it has a surplus
    cap_start, cap_slope, cap_ramp : (E, N) daily capacity ramp
    output_donor : (P,) int country giving each producer's output (-1 none)
    arrival_bucket : (E,) int freshest bucket a gift may travel in
    keep_flows : (E,) bool, members whose flows go to the ledger
    stock : (B, E, N); transit : (E, L, N); gift_transit : (B, E, L, N) doses
    stock_used : (E, B) bool, False where a bucket of ``stock`` is zero in every country
        (:func:`sim.engine.kernels.need.on_hand_marked` skips it)
    gifts_moving : False when ``gift_transit`` is all zero
    gift_used : (E, L, B) bool, False where a plane of ``gift_transit`` is zero in every
        country (:func:`sim.engine.kernels.need.on_hand_marked` skips it)
    administered_cum, donated_cum, influence, donations_received_cum, allocated_cum :
        (E, N) doses; inventory : (E, P) doses

    Returns
    -------
    (rows, doses) : (K, 3) int member, donor, recipient (``N + c`` for group c) and (K,)
        doses of every positive flow, in the reference's order (member, donor, recipient)
    """
    B, E, N = stock.shape
    Nd = donors.shape[0]
    P = output_donor.shape[0]
    C = group_region.shape[0]
    need = np.empty(N)
    weigh = np.empty(N)
    row = np.empty(N)
    flow = np.empty(N)
    count = np.zeros(N)
    received = np.empty(N)
    scale = np.empty(N)
    x = np.empty(N)
    spread = np.empty(N)
    pulled = np.empty(N)
    at = np.zeros(N)
    gave = np.empty(N)
    offered = np.empty(N)
    gave_stock = np.empty(N)
    out_part = np.empty(N)
    on_shelf = np.empty(N)
    held = np.empty(N)
    by_bucket = np.empty((B, N))
    left = np.empty(N)
    offer = np.empty(Nd)
    a = np.empty(Nd)
    dense = np.zeros(Nd, dtype=np.bool_)
    dtotal = np.empty(Nd)
    mix = np.empty((B, Nd))
    part = np.empty(C)
    shared = np.empty(C)
    tied = np.empty(C)
    rows = np.empty((0, 3), dtype=np.int64)
    doses = np.empty(0)
    k = 0
    for e in range(E):
        for b in range(B):
            for n in range(N):
                given[b, e, n] = 0.0
        if not active[e]:  # no round today: the reference adds zeros
            continue
        # Offers: a share of each donor's surplus, plus any output its producer gives.
        on_hand_marked(stock, stock_used, transit, gift_transit, gifts_moving, gift_used, e,
                       on_shelf, held, row)
        for i in range(Nd):
            d = donors[i]
            cap_d = capacity(t, cap_start, cap_slope, cap_ramp, e, d)
            keep = nonneg(keep_doses[e, d] - administered_cum[e, d]) + buffer_days[e, d] * cap_d
            spare = min(nonneg(held[d] - keep), on_shelf[d])
            offer[i] = share[e, d] * spare
            if has_output:
                offer[i] = offer[i] + from_output[e, d]
        # Need of each recipient (none for a country giving this round), and each
        # recipient's room: its gap, within what it can absorb.
        need_weight_row(burden_mode, burden, burden_member, population, e, weigh)
        for n in range(N):
            gap = nonneg(course * willing[e, n] - administered_cum[e, n] - held[n])
            giving = share[e, n] > 0 or (has_output and from_output[e, n] > 0)
            if receive[e, n] and not giving:
                need[n] = gap if burden_mode == NO_BURDEN else gap * weigh[n]
            else:
                need[n] = 0.0
            room = nonneg(absorb_days[e] * capacity(t, cap_start, cap_slope, cap_ramp, e, n)
                          - held[n])
            scale[n] = min(gap, room)   # the cap, turned into a scale below
        # Each donor's total weight: factored, or over its full row (overrides, or a
        # total so small that offer / total could overflow).
        sums(need, spread, region, n_regions, memb_ptr, memb_idx, n_blocs, tie_ptr, tie_idx,
             weights)
        for i in range(Nd):
            d = donors[i]
            tot = spread[d]
            a[i] = offer[i] / tot if tot > 0 else 0.0
            dense[i] = ovr_ptr[d + 1] > ovr_ptr[d] or a[i] > dense_above
            if dense[i]:
                a[i] = 0.0
                _row(d, row, count, region, memb_ptr, memb_idx, bloc_ptr, bloc_idx, tie_ptr,
                     tie_idx, ovr_ptr, ovr_idx, ovr_val, weights)
                for n in range(N):
                    flow[n] = row[n] * need[n]
                dtotal[i] = pairwise_sum(flow, 0, N)
        # Pass 1: what each recipient would get (factored donors, then dense ones).
        for n in range(N):
            at[n] = 0.0
        for i in range(Nd):
            at[donors[i]] = a[i]
        sums(at, pulled, region, n_regions, memb_ptr, memb_idx, n_blocs, tie_ptr, tie_idx,
             weights)
        for n in range(N):
            received[n] = need[n] * pulled[n]
        for i in range(Nd):
            if dense[i]:
                _dense_flows(i, donors[i], offer[i], dtotal[i], need, scale, False, row,
                             count, flow, region, memb_ptr, memb_idx, bloc_ptr, bloc_idx,
                             tie_ptr, tie_idx, ovr_ptr, ovr_idx, ovr_val, weights)
                for n in range(N):
                    received[n] += flow[n]
        for n in range(N):
            cap = scale[n]
            over = cap / received[n] if received[n] > cap else 1.0
            scale[n] = min(over, 1.0)
            x[n] = need[n] * scale[n]
            received[n] = x[n] * pulled[n]
            gave[n] = 0.0
        # Pass 2: the gifts, scaled to what recipients can take; each donor's total.
        sums(x, spread, region, n_regions, memb_ptr, memb_idx, n_blocs, tie_ptr, tie_idx,
             weights)
        for i in range(Nd):
            d = donors[i]
            if dense[i]:
                _dense_flows(i, d, offer[i], dtotal[i], need, scale, True, row, count, flow,
                             region, memb_ptr, memb_idx, bloc_ptr, bloc_idx, tie_ptr,
                             tie_idx, ovr_ptr, ovr_idx, ovr_val, weights)
                for n in range(N):
                    received[n] += flow[n]
                gave[d] = pairwise_sum(flow, 0, N)
            else:
                gave[d] = a[i] * spread[d]
        if keep_flows[e]:
            rows, doses, k = _record(e, N, donors, a, dense, offer, dtotal, need, scale, x,
                                     group, group_region, region, n_regions, memb_ptr,
                                     memb_idx, n_blocs, bloc_ptr, bloc_idx, tie_ptr, tie_idx,
                                     ovr_ptr, ovr_idx, ovr_val, weights, row, count, flow,
                                     part, shared, tied, rows, doses, k)
        # Gifts from output leave the producer's stock, the rest the donor's, oldest first.
        for n in range(N):
            offered[n] = 0.0
        for i in range(Nd):
            offered[donors[i]] = offer[i]
        for n in range(N):
            gave_stock[n] = gave[n]
        if has_output:
            for n in range(N):
                out_part[n] = gave[n] * (from_output[e, n] / offered[n] if offered[n] > 0
                                         else 0.0)
                gave_stock[n] = gave[n] - out_part[n]
            for p in range(P):
                if output_donor[p] >= 0:
                    inventory[e, p] -= out_part[output_donor[p]]
        # Plane by plane (each country's numbers get take_oldest's operations in the
        # same order, but each (N,) plane of stock and by_bucket streams once).
        fresh = min(arrival_bucket[e], B - 1)
        take_oldest_rows(stock, e, gave_stock, left, by_bucket)
        for n in range(N):
            by_bucket[fresh, n] += gave[n] - gave_stock[n]
        for b in range(B - 1, max(fresh, 0), -1):  # nothing travels fresher than allowed
            for n in range(N):
                by_bucket[b - 1, n] += by_bucket[b, n]
                by_bucket[b, n] = 0.0
        for i in range(Nd):
            g = gave[donors[i]]
            for b in range(B):
                mix[b, i] = by_bucket[b, donors[i]] / g if g > 0 else 0.0
        # Pass 3: each recipient's gifts by bucket (buckets no donor gave from add zeros).
        for b in range(B):
            used = False
            for i in range(Nd):
                used = used or mix[b, i] != 0.0
            if not used:
                continue
            for i in range(Nd):
                at[donors[i]] = mix[b, i] * a[i]
            sums(at, spread, region, n_regions, memb_ptr, memb_idx, n_blocs, tie_ptr,
                 tie_idx, weights)
            for n in range(N):
                given[b, e, n] = x[n] * spread[n]
            for i in range(Nd):
                if dense[i]:
                    _dense_flows(i, donors[i], offer[i], dtotal[i], need, scale, True, row,
                                 count, flow, region, memb_ptr, memb_idx, bloc_ptr, bloc_idx,
                                 tie_ptr, tie_idx, ovr_ptr, ovr_idx, ovr_val, weights)
                    for n in range(N):
                        given[b, e, n] += mix[b, i] * flow[n]
        for n in range(N):
            donated_cum[e, n] += gave[n]
            influence[e, n] += gave[n]
            donations_received_cum[e, n] += received[n]
            allocated_cum[e, n] += received[n]
    return rows[:k], doses[:k]


@jit
def _dense_flows(i: int, d: int, offer: float, total: float, need: np.ndarray,
                 scale: np.ndarray, scaled: bool, row: np.ndarray, count: np.ndarray,
                 flow: np.ndarray, region: np.ndarray, memb_ptr: np.ndarray,
                 memb_idx: np.ndarray, bloc_ptr: np.ndarray, bloc_idx: np.ndarray,
                 tie_ptr: np.ndarray, tie_idx: np.ndarray, ovr_ptr: np.ndarray,
                 ovr_idx: np.ndarray, ovr_val: np.ndarray, weights: np.ndarray) -> None:
    """``flow`` (N,) = a dense donor's gifts: its row's share of its total × offer
    (× ``scale`` when ``scaled``), as the reference computes them.
    """
    _row(d, row, count, region, memb_ptr, memb_idx, bloc_ptr, bloc_idx, tie_ptr, tie_idx,
         ovr_ptr, ovr_idx, ovr_val, weights)
    for n in range(row.shape[0]):
        f = (row[n] * need[n] / total if total > 0 else 0.0) * offer
        flow[n] = f * scale[n] if scaled else f


@jit
def _record(e: int, N: int, donors: np.ndarray, a: np.ndarray, dense: np.ndarray,
            offer: np.ndarray, dtotal: np.ndarray, need: np.ndarray, scale: np.ndarray,
            x: np.ndarray, group: np.ndarray, group_region: np.ndarray, region: np.ndarray,
            n_regions: int, memb_ptr: np.ndarray, memb_idx: np.ndarray, n_blocs: int,
            bloc_ptr: np.ndarray, bloc_idx: np.ndarray, tie_ptr: np.ndarray,
            tie_idx: np.ndarray, ovr_ptr: np.ndarray, ovr_idx: np.ndarray,
            ovr_val: np.ndarray, weights: np.ndarray, row: np.ndarray, count: np.ndarray,
            flow: np.ndarray, part: np.ndarray, shared: np.ndarray, tied: np.ndarray,
            rows: np.ndarray, doses: np.ndarray,
            k: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Append member ``e``'s positive gifts to (rows, doses): per pair when there are no
    recipient groups, else per donor and group (recipient ``N + c``).
    """
    C = group_region.shape[0]
    if C:
        by_group, by_group_bloc = group_totals(x, group, C, memb_ptr, memb_idx, n_blocs)
    for i in range(donors.shape[0]):
        d = donors[i]
        if dense[i]:
            _dense_flows(i, d, offer[i], dtotal[i], need, scale, True, row, count, flow,
                         region, memb_ptr, memb_idx, bloc_ptr, bloc_idx, tie_ptr, tie_idx,
                         ovr_ptr, ovr_idx, ovr_val, weights)
        elif not C:
            _row(d, row, count, region, memb_ptr, memb_idx, bloc_ptr, bloc_idx, tie_ptr,
                 tie_idx, ovr_ptr, ovr_idx, ovr_val, weights)
            for n in range(N):
                flow[n] = a[i] * row[n] * x[n]
        if not C:
            for n in range(N):
                if flow[n] > 0:
                    rows, doses = _grow(rows, doses, k)
                    rows[k, 0], rows[k, 1], rows[k, 2] = e, d, n
                    doses[k] = flow[n]
                    k += 1
            continue
        if dense[i]:
            for c in range(C):
                part[c] = 0.0
            for n in range(N):
                part[group[n]] += flow[n]
        else:
            group_at(d, x, by_group, by_group_bloc, group, group_region, region, memb_ptr,
                     memb_idx, tie_ptr, tie_idx, weights, shared, tied, part)
            for c in range(C):
                part[c] = a[i] * part[c]
        for c in range(C):
            if part[c] > 0:
                rows, doses = _grow(rows, doses, k)
                rows[k, 0], rows[k, 1], rows[k, 2] = e, d, N + c
                doses[k] = part[c]
                k += 1
    return rows, doses, k
