"""Random draws of the stochastic epidemic, compiled: counter-based uniforms and binomial
variates by inversion, shared by the stochastic kernel and its numpy reference.

**Uniforms.** Draw ``j`` of stage ``s`` for band a of country n on day t, in a member
with key ``key``, is a SplitMix64 hash of the key and the position
``((((t × stages + s) × N + n) × A + a) << 28) + j`` (:func:`position`): the same
function of the member's seed and of *where* the draw is used, whatever the batch (its
size, its other members' strains), the executor or the worker. The draws of a stage are
numbered by status and strain index (:func:`infection_draw`, :func:`progression_draw`),
which do not depend on how many strains the batch holds. Two policy arms with the same
seed draw the same uniforms at the same positions (common random numbers), so their
epidemics coincide until their doses differ. :func:`sim.engine.epi_random.uniforms`
uses the same hash.

**Binomials.** ``Bin(n, p)`` by inversion of one uniform (:func:`draw_binomial`): an exact
walk up the CDF where the variance is below ``NORMAL_ABOVE`` (few people: extinction,
first cases), the normal approximation with continuity correction, rounded and clipped
to [0, n], above it. The numpy reference calls the same compiled scalar routine through
:func:`binomial_draws`, so identical inputs give identical draws.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg

NORMAL_ABOVE = 25.0
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_S28 = np.uint64(28)


@jit
def _mix(x):
    """SplitMix64 finalizer of one uint64 (wrapping arithmetic)."""
    x = (x ^ (x >> _S30)) * M1
    x = (x ^ (x >> _S27)) * M2
    return x ^ (x >> _S31)


@jit
def uniform(key, pos):
    """Uniform in (0, 1) of member key ``key`` (uint64) at draw position ``pos`` (uint64)."""
    key, pos = np.uint64(key), np.uint64(pos)   # (Python ints would type as int64)
    x = _mix(_mix(key ^ (pos * GOLDEN)) + key)
    return (float(x >> _S11) + 0.5) * 2.0**-53


@jit
def position(t, stage, n_stages, n, N, a, A, j):
    """uint64 position of draw ``j`` (< 2**28) of ``stage`` (< n_stages) for band a of
    country n on day t (see the module docstring).
    """
    cell = ((np.uint64(t) * np.uint64(n_stages) + np.uint64(stage)) * np.uint64(N)
            + np.uint64(n)) * np.uint64(A) + np.uint64(a)
    return (cell << _S28) + np.uint64(j)


@jit
def infection_draw(k, what, v):
    """Draw number of an infection stage for status k: ``what`` 0 its infected (v
    ignored), 1 the share of strain v among them, 2 those of strain v fated to die.
    """
    return (k << 12) + (0 if what == 0 else 1 + v if what == 1 else 2048 + v)


@jit
def progression_draw(v, kind, i):
    """Draw number of a progression stage: strain v, kind of infected (0 fated to die,
    1 vaccinated survivors, 2 other survivors), draw i < 5.
    """
    return (v << 4) + 5 * kind + i


@jit
def _ndtri(u):
    """Standard normal quantile of u in (0, 1): Acklam's rational approximation
    (relative error below 1.2e-9, far below what rounding to a whole number keeps).
    """
    if u < 0.02425:
        q = math.sqrt(-2.0 * math.log(u))
        z = (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q
                - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
              + 4.374664141464968e+00) * q + 2.938163982698783e+00) / (
            (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q
              + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1.0)
    elif u > 1.0 - 0.02425:
        return -_ndtri(1.0 - u)
    else:
        q = u - 0.5
        r = q * q
        z = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r
                - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
              - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q / (
            ((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
               - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r
             - 1.328068155288572e+01) * r + 1.0)
    return z


@jit
def draw_binomial(n, p, u):
    """Bin(n, p) by inversion of the uniform u: a float holding a whole number in [0, n].

    n : whole number of trials (a float; fractions are dropped); p : probability.
    """
    n = math.floor(n)
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    flip = p > 0.5
    q = 1.0 - p if flip else p
    var = n * q * (1.0 - q)
    if var < NORMAL_ABOVE:
        if u <= 1.0 - n * q:     # P(X = 0) = (1 - q)^n >= 1 - n q: no exp or log needed
            x = 0.0
            return n - x if flip else x
        pk = math.exp(n * math.log1p(-q))                    # P(X = 0)
        cdf = pk
        k = 0.0
        ratio = q / (1.0 - q)
        while cdf < u and k < n:
            pk *= (n - k) / (k + 1.0) * ratio
            if pk == 0.0:    # rounding keeps the CDF short of u: the top of the walk
                break
            k += 1.0
            cdf += pk
        x = k
    else:
        x = min(nonneg(math.floor(n * q + math.sqrt(var) * _ndtri(u) + 0.5)), n)
    return n - x if flip else x


@jit
def _binomial_flat(n, p, u, out):
    for i in range(n.size):
        out[i] = draw_binomial(n[i], p[i], u[i])


def binomial_draws(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Elementwise :func:`draw_binomial` over broadcast arrays (the reference's draws).

    Returns floats holding whole numbers in [0, floor(n)], shaped like the broadcast.
    """
    n, p, u = np.broadcast_arrays(np.asarray(n, float), np.asarray(p, float),
                                  np.asarray(u, float))
    out = np.empty(n.shape)
    _binomial_flat(np.ascontiguousarray(n).ravel(), np.ascontiguousarray(p).ravel(),
                   np.ascontiguousarray(u).ravel(), out.ravel())
    return out


def n_stages(substeps: int) -> int:
    """Stages with draws in a day: courses, boosters, waning, then infection and
    progression in each sub-step.
    """
    return 3 + 2 * substeps
