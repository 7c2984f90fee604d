"""Expiry by product shelf life, compiled: the daily product-bucket bookkeeping of
:mod:`sim.engine.product_expiry` in two passes over (B, E, N, Q).

References: :func:`sim.engine.product_expiry.age_reference` and
:func:`sim.engine.product_expiry.landing_reference`; sums over products add in numpy's
order (:func:`sim.engine.kernels.sums.pairwise_sum`), so both give the same doses bit
for bit (``tests/engine/test_product_expiry.py``).

Speed (session 8, perf on numba's object code, E=32 and 10,000 regions): the daily
scatter of arrivals into ``aged`` (B planes apart) ran for every country every day; it
now runs where anything arrived (deliveries come on market and contract days). On
boundary days a bucket the engine's stock has empty (~3/4 of a country's buckets) is
set to zero without summing its products. ``close_day`` stores holdings unconditionally:
``if kept != v: store`` vectorized into masked stores (vmaskmovpd), microcoded and slow
on this AMD AVX2 machine. Only a zero's sign could differ from before.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.sums import short_sum

#: Doses below which an amount counts as none in a share (as the reference).
TINY = 1e-9


@jit
def age_day(aged: np.ndarray, transit: np.ndarray, bucket: np.ndarray, arriving: np.ndarray,
            land_mix: np.ndarray, holding: np.ndarray, before: np.ndarray,
            boundary: bool, gone: np.ndarray) -> None:
    """Add the day's bought arrivals to their products' buckets; on a bucket boundary set
    each bucket to the engine's stock ``before`` ageing, book the oldest into ``gone`` and
    age the rest.

    aged : (B, E, N, Q) stock by bucket and product, in place
    transit : (E, N, Q) bought doses on their way by product, in place (arrivals leave)
    bucket : (Q,) int landing bucket of each product
    arriving : (E, N) bought doses that arrived today; land_mix : (E, N, Q) their
        composition; holding : (E, N, Q) the holdings (composition of gifts in a bucket
        that held nothing else)
    before : (B, E, N) the engine's stock before today's ageing (read on boundaries)
    gone : (E, N, Q) out, written on boundaries only: doses expired in stock today by
        product (none expire off boundaries: the caller reads it only on boundaries)
    """
    B, E, N, Q = aged.shape
    for e in range(E):
        for n in range(N):
            a = arriving[e, n]
            if a == 0.0:
                # Nothing arrived (most days: deliveries come on market and contract
                # days): the buckets would add zeros and the doses on their way lose 0,
                # max(x - 0, 0) = x, unless x < 0 (rounding of inflows: -1e-32 happens).
                # The row is read, and written only where it holds such a negative.
                low = False
                for q in range(Q):
                    low |= transit[e, n, q] < 0.0
                if low:
                    for q in range(Q):
                        transit[e, n, q] = nonneg(transit[e, n, q])
                continue
            for q in range(Q):
                landed = a * land_mix[e, n, q]
                aged[bucket[q], e, n, q] += landed
                transit[e, n, q] = nonneg(transit[e, n, q] - landed)
    if not boundary:
        return
    flat = aged.reshape(-1)
    held = holding.reshape(-1)
    # Each bucket is set and moved down one in the same pass (bucket 0 into ``gone``),
    # plane by plane: bucket b is read after b - 1, which it overwrites, was read. (Country
    # by country, the pass jumped between 25 planes 800 kB apart at 10,000 regions: 8.6-9.8
    # ms a boundary day against 3.1-3.4 ms plane by plane, the same values.)
    # A bucket the engine's stock has empty becomes 0 whatever it held (0 * scale or
    # 0 * share): its products are not summed (most of a country's buckets are empty).
    for e in range(E):
        for b in range(B):
            for n in range(N):
                bv = before[b, e, n]
                if bv == 0.0:
                    for q in range(Q):
                        if b == 0:
                            gone[e, n, q] = 0.0
                        else:
                            aged[b - 1, e, n, q] = 0.0
                    continue
                total = short_sum(flat, ((b * E + e) * N + n) * Q, Q)
                if total > TINY:
                    scale = bv / total
                    for q in range(Q):
                        v = aged[b, e, n, q] * scale
                        if b == 0:
                            gone[e, n, q] = v
                        else:
                            aged[b - 1, e, n, q] = v
                else:  # the holdings' composition (their sum: the same every time)
                    h = short_sum(held, (e * N + n) * Q, Q)
                    for q in range(Q):
                        share = holding[e, n, q] / h if h > TINY else 0.0
                        v = bv * share
                        if b == 0:
                            gone[e, n, q] = v
                        else:
                            aged[b - 1, e, n, q] = v
        for n in range(N):
            for q in range(Q):
                aged[B - 1, e, n, q] = 0.0


@jit
def landing_day(holding: np.ndarray, bucket: np.ndarray, enabled: np.ndarray,
                land_mix: np.ndarray, land: np.ndarray, moved: np.ndarray) -> None:
    """Tomorrow's landing: ``land_mix`` (E, N, Q) the composition of ``holding`` (E, N,
    Q: the bought doses on their way) and ``land`` (E, N, B) its shares by bucket;
    members not ``enabled`` (E,) and countries with nothing on the way land everything in
    the freshest bucket.

    moved : (E, N) bool, countries whose ``holding`` changed since their shares were
        last made (the others keep them: the same inputs give the same shares); reset
    """
    E, N, Q = holding.shape
    B = land.shape[2]
    held = holding.reshape(-1)
    for e in range(E):
        for n in range(N):
            if not moved[e, n]:
                continue
            moved[e, n] = False
            h = short_sum(held, (e * N + n) * Q, Q)
            for b in range(B):
                land[e, n, b] = 0.0
            for q in range(Q):
                share = holding[e, n, q] / h if h > TINY else 0.0
                land_mix[e, n, q] = share
                land[e, n, bucket[q]] += share
            if not (enabled[e] and h > TINY):
                for b in range(B):
                    land[e, n, b] = 0.0
                land[e, n, B - 1] = 1.0


@jit
def close_day(holding: np.ndarray, out: np.ndarray, one: np.ndarray,
              one_dose: np.ndarray, changed: np.ndarray) -> None:
    """The day's outflows leave each country's holdings in proportion, then its share of
    one-dose products; reference :func:`sim.engine.product_expiry.close_reference`.

    holding : (E, N, Q) doses held, in place
    out : (E, N) doses administered, given or contributed today (expired ones already left)
    one : (Q,) 1.0 for a one-dose product, else 0.0
    one_dose : (E, N) out: share of holdings in one-dose products
    changed : (E, N) bool, countries whose holdings changed since their ``one_dose`` was
        made (the others keep it: the same holdings give the same share); reset
    """
    E, N, Q = holding.shape
    held = holding.reshape(-1)
    row = np.empty(Q)
    for e in range(E):
        for n in range(N):
            lo = (e * N + n) * Q
            total = short_sum(held, lo, Q)
            keep = 0.0
            if total > TINY:
                keep = min(nonneg(1.0 - out[e, n] / total), 1.0)
            rewrite = True
            if out[e, n] == 0.0 and total > TINY:
                # Nothing left (about half the rows): keep is 1 and nonneg(v) is v
                # unless v < 0 (or NaN): only then is the row rewritten.
                rewrite = False
                for q in range(Q):
                    rewrite |= not holding[e, n, q] >= 0.0
            differ = False
            if rewrite:
                for q in range(Q):  # stored unconditionally, as the reference
                    v = holding[e, n, q]
                    # The reference's np.maximum: +0.0 for a negative rounding residue
                    # times keep 0 (see sim.engine.kernels.clip).
                    kept = nonneg(v * keep)
                    holding[e, n, q] = kept
                    differ |= kept != v
            if differ:
                changed[e, n] = True
            if not changed[e, n]:
                continue
            changed[e, n] = False
            for q in range(Q):
                row[q] = holding[e, n, q] * one[q]
            h = short_sum(held, lo, Q)
            one_dose[e, n] = short_sum(row, 0, Q) / h if h > TINY else 0.0
