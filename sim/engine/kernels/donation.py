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
from sim.engine.kernels.need import capacity, on_hand_rows, take_oldest
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
           donors: np.ndarray, affinity: np.ndarray, receive: np.ndarray,
           burden: np.ndarray, use_burden: bool, course: float, willing: np.ndarray,
           absorb_days: np.ndarray, keep_doses: np.ndarray, buffer_days: np.ndarray,
           cap_start: np.ndarray, cap_slope: np.ndarray, cap_ramp: np.ndarray,
           output_donor: np.ndarray, arrival_bucket: np.ndarray, keep_flows: np.ndarray,
           stock: np.ndarray, transit: np.ndarray, gift_transit: np.ndarray,
           gifts_moving: bool, administered_cum: np.ndarray, inventory: np.ndarray,
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
    affinity : (Nd, N) affinity from each donor to every country
    receive : (E, N) bool, may receive; burden : (E, N) epidemic weight of need (read only
        when ``use_burden``)
    course : doses per course; willing : (E, N) people willing
    absorb_days : (E,) int days of capacity a recipient accepts gifts up to
    keep_doses, buffer_days : (E, N) what a donor keeps before it has a surplus
    cap_start, cap_slope, cap_ramp : (E, N) daily capacity ramp
    output_donor : (P,) int country giving each producer's output (-1 none)
    arrival_bucket : (E,) int freshest bucket a gift may travel in
    keep_flows : (E,) bool, members whose flows go to the ledger
    stock : (B, E, N); transit : (E, L, N); gift_transit : (B, E, L, N) doses
    gifts_moving : False when ``gift_transit`` is all zero
    administered_cum, donated_cum, influence, donations_received_cum, allocated_cum :
        (E, N) doses; inventory : (E, P) doses

    Returns
    -------
    (rows, doses) : (K, 3) int member, donor, recipient and (K,) doses of every positive
        flow, in the reference's order (member, donor, recipient)
    """
    B, E, N = stock.shape
    Nd = donors.shape[0]
    P = output_donor.shape[0]
    need = np.empty(N)
    row = np.empty(N)
    received = np.empty(N)
    scale = np.empty(N)
    gave = np.empty(N)
    offered = np.empty(N)
    gave_stock = np.empty(N)
    out_part = np.empty(N)
    on_shelf = np.empty(N)
    held = np.empty(N)
    by_bucket = np.empty((B, N))
    taken = np.empty(B)
    offer = np.empty(Nd)
    total = np.empty(Nd)
    mix = np.empty((B, Nd))
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
        on_hand_rows(stock, transit, gift_transit, gifts_moving, e, on_shelf, held, row)
        for i in range(Nd):
            d = donors[i]
            cap_d = capacity(t, cap_start, cap_slope, cap_ramp, e, d)
            keep = max(keep_doses[e, d] - administered_cum[e, d], 0.0) + buffer_days[e, d] * cap_d
            spare = min(max(held[d] - keep, 0.0), on_shelf[d])
            offer[i] = share[e, d] * spare
            if has_output:
                offer[i] = offer[i] + from_output[e, d]
        # Need of each recipient (none for a country giving this round), and each
        # recipient's room: its gap, within what it can absorb.
        for n in range(N):
            gap = max(course * willing[e, n] - administered_cum[e, n] - held[n], 0.0)
            giving = share[e, n] > 0 or (has_output and from_output[e, n] > 0)
            if receive[e, n] and not giving:
                need[n] = gap * burden[e, n] if use_burden else gap
            else:
                need[n] = 0.0
            room = max(absorb_days[e] * capacity(t, cap_start, cap_slope, cap_ramp, e, n)
                       - held[n], 0.0)
            scale[n] = min(gap, room)   # the cap, turned into a scale below
            received[n] = 0.0
        # Pass 1: what each recipient would get, donors in order.
        for i in range(Nd):
            for n in range(N):
                row[n] = affinity[i, n] * need[n]
            tot = pairwise_sum(row, 0, N)
            total[i] = tot
            for n in range(N):
                part = row[n] / tot if tot > 0 else 0.0
                received[n] += part * offer[i]
        for n in range(N):
            cap = scale[n]
            over = cap / received[n] if received[n] > cap else 1.0
            scale[n] = min(over, 1.0)
            received[n] = 0.0
            gave[n] = 0.0
        # Pass 2: the flows, scaled to what recipients can take; each donor's total.
        for i in range(Nd):
            tot = total[i]
            for n in range(N):
                part = affinity[i, n] * need[n] / tot if tot > 0 else 0.0
                f = part * offer[i] * scale[n]
                row[n] = f
                received[n] += f
                if f > 0 and keep_flows[e]:
                    rows, doses = _grow(rows, doses, k)
                    rows[k, 0], rows[k, 1], rows[k, 2] = e, donors[i], n
                    doses[k] = f
                    k += 1
            gave[donors[i]] = pairwise_sum(row, 0, N)
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
        fresh = min(arrival_bucket[e], B - 1)
        for n in range(N):
            take_oldest(stock, e, n, gave_stock[n], taken)
            for b in range(B):
                by_bucket[b, n] = taken[b]
            by_bucket[fresh, n] += gave[n] - gave_stock[n]
            for b in range(B - 1, 0, -1):  # nothing travels fresher than allowed
                if b > fresh:
                    by_bucket[b - 1, n] += by_bucket[b, n]
                    by_bucket[b, n] = 0.0
        for i in range(Nd):
            g = gave[donors[i]]
            for b in range(B):
                mix[b, i] = by_bucket[b, donors[i]] / g if g > 0 else 0.0
        # Pass 3: each recipient's gifts by bucket, donors in order (buckets a donor gave
        # nothing from are skipped: they would add zeros).
        for i in range(Nd):
            tot = total[i]
            if gave[donors[i]] <= 0:
                continue
            for b in range(B):
                if mix[b, i] == 0.0:
                    continue
                for n in range(N):
                    part = affinity[i, n] * need[n] / tot if tot > 0 else 0.0
                    given[b, e, n] += mix[b, i] * (part * offer[i] * scale[n])
        for n in range(N):
            donated_cum[e, n] += gave[n]
            influence[e, n] += gave[n]
            donations_received_cum[e, n] += received[n]
            allocated_cum[e, n] += received[n]
    return rows[:k], doses[:k]
