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
where the variance is at least ``NORMAL_ABOVE`` (one compiled routine,
:mod:`sim.engine.kernels.epidemic_random`, which also computes single uniforms inside the
stochastic kernel with the same hash).
"""

from __future__ import annotations

import numpy as np

__all__ = ["binomial", "cell_uniforms", "uniforms"]

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

    The compiled routine the stochastic kernel uses
    (:func:`sim.engine.kernels.epidemic_random.draw_binomial`), elementwise. Returns
    floats holding whole numbers in [0, floor(n)].
    """
    from sim.engine.kernels.epidemic_random import binomial_draws

    return binomial_draws(n, p, u)


def cell_uniforms(keys: np.ndarray, t: int, stage: int, n_stages: int, shape: tuple[int, int],
                  j: int) -> np.ndarray:
    """(E, N, A) uniforms of draw ``j`` of ``stage`` on day t in every member, country and
    band: the positions of :func:`sim.engine.kernels.epidemic_random.position`, hashed as
    :func:`sim.engine.kernels.epidemic_random.uniform` does (bit for bit).

    keys : (E,) uint64; shape : (N, A); j : draw number (< 2**28).
    """
    N, A = shape
    u64 = np.uint64
    cell = ((u64(t) * u64(n_stages) + u64(stage)) * u64(N)
            + np.arange(N, dtype=u64)[:, None]) * u64(A) + np.arange(A, dtype=u64)[None]
    pos = (cell << u64(28)) + u64(j)                                   # (N, A)
    k = keys[:, None, None]
    with np.errstate(over="ignore"):
        x = _mix(_mix(k ^ (pos[None] * _GOLDEN)) + k)
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
