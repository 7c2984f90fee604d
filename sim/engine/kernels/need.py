"""Per-country quantities the compiled pool and donation kernels share: doses on hand,
daily capacity, supply gap, surplus, and taking doses out of stock oldest first.

The numpy references are in :mod:`sim.engine.need` and :func:`sim.engine.uptake.capacity`;
each helper adds in the same order (``ordered_sum``: buckets, then lag days), so the
doses are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.sums import marked_bucket_sum


@jit
def capacity(t: int, start: np.ndarray, slope: np.ndarray, ramp: np.ndarray, e: int,
             n: int) -> float:
    """Doses country ``n`` can give on day ``t`` (``start``, ``slope``, ``ramp`` (E, N));
    reference :func:`sim.engine.uptake.capacity`.
    """
    return nonneg(start[e, n] + slope[e, n] * min(float(t), ramp[e, n]))


@jit
def take_oldest(stock: np.ndarray, e: int, n: int, amount: float, taken: np.ndarray) -> None:
    """Take ``amount`` doses out of ``stock`` (B, E, N), oldest bucket first; ``taken``
    (B,) gets what came from each bucket. Reference :func:`sim.engine.need.take_oldest`.
    """
    left = amount
    for b in range(stock.shape[0]):
        take = min(stock[b, e, n], left)
        taken[b] = take
        stock[b, e, n] -= take
        left -= take


@jit
def take_oldest_rows(stock: np.ndarray, e: int, amount: np.ndarray, left: np.ndarray,
                     taken: np.ndarray) -> None:
    """:func:`take_oldest` for every country of member ``e`` at once (``amount`` (N,)),
    plane by plane: each element gets the same operations in the same order, but each
    (N,) plane of ``stock`` streams once instead of a country's walk jumping between the
    B planes (at 10,000 regions 25 planes 80 kB apart, every country, every round).
    ``left`` (N,) is work. ``taken`` (B, N) gets what came from each bucket (the
    donation's gifts by the bucket they travel in), or is (0, N) when not wanted (the pool).
    """
    N = stock.shape[2]
    keep = taken.shape[0] > 0
    for n in range(N):
        left[n] = amount[n]
    for b in range(stock.shape[0]):
        for n in range(N):
            take = min(stock[b, e, n], left[n])
            if keep:
                taken[b, n] = take
            stock[b, e, n] -= take
            left[n] -= take


@jit
def on_hand_rows(stock: np.ndarray, transit: np.ndarray, gift_transit: np.ndarray,
                 gifts_moving: bool, e: int, shelf_out: np.ndarray, held_out: np.ndarray,
                 scratch: np.ndarray) -> None:
    """:func:`on_hand_marked` with every stock bucket and gift plane marked as possibly
    in use.
    """
    B, E, L = gift_transit.shape[0], gift_transit.shape[1], gift_transit.shape[2]
    on_hand_marked(stock, np.ones((E, B), dtype=np.bool_), transit, gift_transit,
                   gifts_moving, np.ones((E, L, B), dtype=np.bool_), e, shelf_out, held_out,
                   scratch)


@jit
def on_hand_marked(stock: np.ndarray, stock_used: np.ndarray, transit: np.ndarray,
                   gift_transit: np.ndarray, gifts_moving: bool, gift_used: np.ndarray, e: int,
                   shelf_out: np.ndarray, held_out: np.ndarray, scratch: np.ndarray) -> None:
    """Member ``e``'s doses in stock (``shelf_out`` (N,)) and in stock or on their way
    (``held_out`` (N,)), walking the arrays plane by plane (as numpy does, and
    cache-friendly); each element adds in the order of the reference
    :func:`sim.engine.need.on_hand` (``ordered_sum``: buckets, then lag days).

    stock_used : (E, B) bool, False where the stock's bucket is zero in every country (the
        fused dose day's marks, :func:`sim.engine.dose_day.stock_marks`): such planes are
        skipped, as they would add exact zeros (as ``record_day``'s stock sum does)
    gifts_moving : False when ``gift_transit`` is all zero (its planes are skipped: they
        would add zeros)
    gift_used : (E, L, B) bool, False where the gift ring's (bucket, lag day) plane is
        zero in every country (the fused dose day's marks,
        :func:`sim.engine.dose_plans.gift_marks`): such planes are skipped, as they would
        add exact zeros (at 10,000 regions the ring is 8 MB, few of its planes in use)
    scratch : (N,) buffer
    """
    B, N = stock.shape[0], stock.shape[2]
    L = transit.shape[1]
    marked_bucket_sum(stock, e, stock_used, shelf_out)
    for n in range(N):
        held_out[n] = transit[e, 0, n]
    for k in range(1, L):
        for n in range(N):
            held_out[n] += transit[e, k, n]
    for n in range(N):
        held_out[n] = shelf_out[n] + held_out[n]
    some = False
    if gifts_moving:
        for b in range(B):
            for k in range(L):
                if not gift_used[e, k, b]:
                    continue
                if not some:
                    for n in range(N):
                        scratch[n] = gift_transit[b, e, k, n]
                    some = True
                else:
                    for n in range(N):
                        scratch[n] += gift_transit[b, e, k, n]
    if not some:
        for n in range(N):
            held_out[n] += 0.0
        return
    for n in range(N):
        held_out[n] += scratch[n]
