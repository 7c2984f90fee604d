"""Per-country quantities the compiled pool and donation kernels share: doses on hand,
daily capacity, supply gap, surplus, and taking doses out of stock oldest first.

The numpy references are in :mod:`sim.engine.need` and :func:`sim.engine.uptake.capacity`;
each helper adds in the same order (``ordered_sum``: buckets, then lag days), so the
doses are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


@jit
def shelf(stock: np.ndarray, e: int, n: int) -> float:
    """Doses in country stock (``stock`` (B, E, N)), buckets added in order."""
    s = stock[0, e, n]
    for b in range(1, stock.shape[0]):
        s += stock[b, e, n]
    return s


@jit
def on_hand(stock: np.ndarray, transit: np.ndarray, gift_transit: np.ndarray, e: int,
            n: int) -> float:
    """Doses in stock or on their way: ``stock`` (B, E, N), ``transit`` (E, L, N),
    ``gift_transit`` (B, E, L, N); reference :func:`sim.engine.need.on_hand`.
    """
    L = transit.shape[1]
    moving = transit[e, 0, n]
    for k in range(1, L):
        moving += transit[e, k, n]
    gifts = gift_transit[0, e, 0, n]
    for b in range(gift_transit.shape[0]):
        for k in range(L):
            if b > 0 or k > 0:
                gifts += gift_transit[b, e, k, n]
    return (shelf(stock, e, n) + moving) + gifts


@jit
def capacity(t: int, start: np.ndarray, slope: np.ndarray, ramp: np.ndarray, e: int,
             n: int) -> float:
    """Doses country ``n`` can give on day ``t`` (``start``, ``slope``, ``ramp`` (E, N));
    reference :func:`sim.engine.uptake.capacity`.
    """
    return max(start[e, n] + slope[e, n] * min(float(t), ramp[e, n]), 0.0)


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
