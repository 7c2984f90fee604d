"""Affinity-weighted sums over all countries in O(N + bloc memberships + ties), compiled.

Affinity (:mod:`sim.world.affinity`) is ``base + same_region·[same WHO region] +
bloc·(blocs shared) + tie·[tie]`` off the diagonal, except for a few directed overrides.
Without overrides it is symmetric, so for a vector ``x`` (N,) the sum
``S(n) = Σ_m formula(n, m) x_m`` of every country at once needs only per-region and
per-bloc totals of ``x`` and a pass over the ties: no (N, N) array, no pair loop. The
diagonal term ``formula(n, n) x_n`` is included; callers use ``S`` where it is zero
(a donor has no need; a recipient that gives has no need either).

``rel`` is the tuple of :meth:`sim.world.affinity.PairAffinity.kernel_arrays`:
``(region (N,), n_regions, memb_ptr (N+1,), memb_idx, n_blocs, bloc_ptr (K+1,),
bloc_idx, tie_ptr (N+1,), tie_idx, ovr_ptr (N+1,), ovr_idx, ovr_val, weights (4,))`` with
weights base, same_region, bloc, tie. The numpy references are in
:mod:`sim.world.affinity_sums`; sums run in the same order (countries ascending, a
country's blocs and ties in CSR order), so results are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg


@jit
def totals(x: np.ndarray, region: np.ndarray, n_regions: int, memb_ptr: np.ndarray,
           memb_idx: np.ndarray, n_blocs: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Per-region totals (G,), the world total and per-bloc totals (K,) of ``x`` (N,)."""
    N = x.shape[0]
    by_region = np.zeros(n_regions)
    by_bloc = np.zeros(n_blocs)
    for n in range(N):
        by_region[region[n]] += x[n]
        for j in range(memb_ptr[n], memb_ptr[n + 1]):
            by_bloc[memb_idx[j]] += x[n]
    world = 0.0
    for g in range(n_regions):
        world += by_region[g]
    return by_region, world, by_bloc


@jit
def at(n: int, x: np.ndarray, by_region: np.ndarray, world: float, by_bloc: np.ndarray,
       region: np.ndarray, memb_ptr: np.ndarray, memb_idx: np.ndarray, tie_ptr: np.ndarray,
       tie_idx: np.ndarray, weights: np.ndarray) -> float:
    """``S(n)``: the affinity-weighted sum of ``x`` seen from country ``n``."""
    shared = 0.0
    for j in range(memb_ptr[n], memb_ptr[n + 1]):
        shared += by_bloc[memb_idx[j]]
    tied = 0.0
    for j in range(tie_ptr[n], tie_ptr[n + 1]):
        tied += x[tie_idx[j]]
    return (weights[0] * world + weights[1] * by_region[region[n]] + weights[2] * shared
            + weights[3] * tied)


@jit
def sums(x: np.ndarray, out: np.ndarray, region: np.ndarray, n_regions: int,
         memb_ptr: np.ndarray, memb_idx: np.ndarray, n_blocs: int, tie_ptr: np.ndarray,
         tie_idx: np.ndarray, weights: np.ndarray) -> None:
    """``out[n] = S(n)`` for every country (see the module docstring)."""
    by_region, world, by_bloc = totals(x, region, n_regions, memb_ptr, memb_idx, n_blocs)
    for n in range(x.shape[0]):
        out[n] = at(n, x, by_region, world, by_bloc, region, memb_ptr, memb_idx, tie_ptr,
                    tie_idx, weights)


@jit
def row(d: int, out: np.ndarray, count: np.ndarray, region: np.ndarray,
        memb_ptr: np.ndarray, memb_idx: np.ndarray, bloc_ptr: np.ndarray,
        bloc_idx: np.ndarray, tie_ptr: np.ndarray, tie_idx: np.ndarray, ovr_ptr: np.ndarray,
        ovr_idx: np.ndarray, ovr_val: np.ndarray, weights: np.ndarray) -> None:
    """``out`` (N,) = affinity from ``d`` to every country, overrides included (reference
    :meth:`sim.world.affinity.PairAffinity.rows`, same operations in the same order).

    count : (N,) zeros in, zeros out (scratch for the number of shared blocs)
    """
    N = out.shape[0]
    for n in range(N):
        out[n] = weights[1] if region[n] == region[d] else 0.0
    for j in range(memb_ptr[d], memb_ptr[d + 1]):
        k = memb_idx[j]
        for i in range(bloc_ptr[k], bloc_ptr[k + 1]):
            count[bloc_idx[i]] += 1.0
    for j in range(memb_ptr[d], memb_ptr[d + 1]):
        k = memb_idx[j]
        for i in range(bloc_ptr[k], bloc_ptr[k + 1]):
            m = bloc_idx[i]
            if count[m] != 0.0:
                out[m] += weights[2] * count[m]
                count[m] = 0.0
    for j in range(tie_ptr[d], tie_ptr[d + 1]):
        out[tie_idx[j]] += weights[3]
    for j in range(ovr_ptr[d], ovr_ptr[d + 1]):
        out[ovr_idx[j]] = ovr_val[j]
    for n in range(N):
        out[n] = nonneg(out[n] + weights[0])
    out[d] = 0.0


@jit
def group_totals(x: np.ndarray, group: np.ndarray, n_groups: int, memb_ptr: np.ndarray,
                 memb_idx: np.ndarray, n_blocs: int) -> tuple[np.ndarray, np.ndarray]:
    """Totals of ``x`` (N,) per recipient group (C,) and per group and bloc (C, K)."""
    by_group = np.zeros(n_groups)
    by_group_bloc = np.zeros((n_groups, n_blocs))
    for n in range(x.shape[0]):
        c = group[n]
        by_group[c] += x[n]
        for j in range(memb_ptr[n], memb_ptr[n + 1]):
            by_group_bloc[c, memb_idx[j]] += x[n]
    return by_group, by_group_bloc


@jit
def group_at(d: int, x: np.ndarray, by_group: np.ndarray, by_group_bloc: np.ndarray,
             group: np.ndarray, group_region: np.ndarray, region: np.ndarray,
             memb_ptr: np.ndarray, memb_idx: np.ndarray, tie_ptr: np.ndarray,
             tie_idx: np.ndarray, weights: np.ndarray, shared: np.ndarray, tied: np.ndarray,
             out: np.ndarray) -> None:
    """``out[c] = Σ_{m in group c} formula(d, m) x_m`` for every group (C,); ``shared``
    and ``tied`` (C,) are scratch.
    """
    C = by_group.shape[0]
    for c in range(C):
        shared[c] = 0.0
        tied[c] = 0.0
    for j in range(memb_ptr[d], memb_ptr[d + 1]):
        k = memb_idx[j]
        for c in range(C):
            shared[c] += by_group_bloc[c, k]
    for j in range(tie_ptr[d], tie_ptr[d + 1]):
        m = tie_idx[j]
        tied[group[m]] += x[m]
    for c in range(C):
        v = weights[0] * by_group[c]
        if group_region[c] == region[d]:
            v += weights[1] * by_group[c]
        out[c] = v + weights[2] * shared[c] + weights[3] * tied[c]
