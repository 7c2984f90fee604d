"""Binomial draws for the stochastic epidemic, vectorized over members and countries.

One generator object per member would mean a Python loop over members every day. Instead
each member has a 64-bit key (drawn once from its ``member_rng(seed, "epidemic")``
stream) and its uniforms are a counter-based hash (SplitMix64) of that key and the
position of the draw: (day, sub-step, stage, plane, country). A member's draws therefore
depend only on its own seed, never on the batch size or its place in the batch, and a
whole day's draws for all members are a handful of array operations.

Binomial variates come from those uniforms by inversion: exactly (a walk up the CDF) where the
variance is small, which is where the randomness matters (few infected, extinction), and
by the normal approximation with continuity correction (rounded, clipped to [0, n])
where the variance is at least ``NORMAL_ABOVE``.
"""

from __future__ import annotations

import numpy as np

NORMAL_ABOVE = 25.0
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer, in place on a uint64 array (wrapping arithmetic)."""
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def uniforms(keys: np.ndarray, counter: int, planes: int, n: int) -> np.ndarray:
    """(planes, E, n) uniforms in (0, 1) for draw position ``counter``.

    Parameters
    ----------
    keys : (E,) uint64 member keys
    counter : a distinct integer for each (day, sub-step, stage) of the run
    planes, n : number of planes and countries
    """
    position: np.ndarray = (np.uint64(counter) * np.uint64(planes)
                            + np.arange(planes, dtype=np.uint64))
    position = position[:, None, None] * np.uint64(n) + np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = _mix(_mix(keys[None, :, None] ^ (position * _GOLDEN)) + keys[None, :, None])
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def binomial(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial(floor(n), p) variates by inversion of the uniforms ``u`` (same shape).

    Returns floats holding whole numbers in [0, floor(n)].
    """
    from scipy.special import ndtri

    n = np.floor(np.maximum(n, 0.0))
    p = np.broadcast_to(np.clip(p, 0.0, 1.0), n.shape)
    flip = p > 0.5
    q = np.where(flip, 1.0 - p, p)
    var = n * q * (1.0 - q)
    # Normal approximation everywhere first (cheap, unmasked), then exact where needed.
    out = np.floor(n * q + np.sqrt(var) * ndtri(u) + 0.5)
    np.clip(out, 0.0, n, out=out)
    small = (var < NORMAL_ABOVE) & (n > 0) & (q > 0)
    if small.any():
        out[small] = _invert_small(n[small], q[small], u[small])
    return np.where(flip, n - out, out)


def _invert_small(n: np.ndarray, q: np.ndarray, u: np.ndarray, block: int = 8) -> np.ndarray:
    """Smallest k with P(Bin(n, q) ≤ k) ≥ u (q ≤ 1/2): a walk up the exact CDF.

    The walk advances ``block`` values of k at a time (pmf ratios, cumulative products),
    so its few Python iterations each treat every unresolved element at once. With
    variance below ``NORMAL_ABOVE`` the mean is below ``2 × NORMAL_ABOVE``: a handful of
    blocks resolves everything.
    """
    out = np.zeros(n.shape)
    pk = np.exp(n * np.log1p(-q))                   # P(X = 0)
    cdf = pk.copy()
    k = np.zeros(n.shape)
    ratio = q / (1.0 - q)
    steps = np.arange(block, dtype=float)
    active = np.flatnonzero(u > cdf)
    while active.size:
        ka, na = k[active, None] + steps, n[active, None]
        pmf = pk[active, None] * np.cumprod(np.maximum(na - ka, 0.0) / (ka + 1.0)
                                            * ratio[active, None], axis=1)
        cum = cdf[active, None] + np.cumsum(pmf, axis=1)
        hit = cum >= u[active, None]
        found = hit.any(axis=1)
        # Past n (or where rounding keeps the CDF short of u) the answer is the top value.
        stuck = ~found & ((ka[:, -1] + 1.0 >= na[:, 0]) | (pmf[:, -1] == 0.0))
        out[active[found]] = ka[found, 0] + 1.0 + hit[found].argmax(axis=1)
        out[active[stuck]] = np.minimum(na[stuck, 0], ka[stuck, -1] + 1.0)
        rest = ~found & ~stuck
        k[active[rest]] += block
        pk[active[rest]] = pmf[rest, -1]
        cdf[active[rest]] = cum[rest, -1]
        active = active[rest]
    return np.minimum(out, n)
