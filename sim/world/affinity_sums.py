"""Affinity-weighted sums over all countries without pairs: the numpy references of
:mod:`sim.engine.kernels.affinity`, for every member at once.

Off the diagonal and away from overrides, affinity(n, m) = base + same_region·[same
WHO region] + bloc·(blocs shared) + tie·[tie] is symmetric, so for ``x`` (E, N)

    S(n) = Σ_m formula(n, m) x_m
         = base·X + same_region·X[region n] + bloc·Σ_{k ∋ n} X[bloc k] + tie·Σ_{m tied to n} x_m

with per-region and per-bloc totals of ``x``: O(E × (N + bloc memberships + ties)). The
diagonal term ``formula(n, n) x_n`` is included (callers use ``S`` where ``x_n`` or the
weight of ``n`` is zero); overridden pairs are not special-cased here (callers treat a
country with overrides by its full row). Every total is a left fold in country order
(``np.bincount``), as the kernels add, so the two agree bit for bit.

Examples
--------
>>> s = sums(params.diplomacy.affinity, need)   # (E, N)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from sim.world.affinity import PairAffinity


def _members(ptr: np.ndarray) -> np.ndarray:
    """Row of each entry of a CSR matrix with index pointer ``ptr``."""
    return np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))


def _fold(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """``np.bincount`` of ``values`` by ``index`` (any equal shapes), in C order."""
    return np.bincount(index.ravel(), weights=values.ravel(), minlength=size)


def sums(aff: PairAffinity, x: np.ndarray) -> np.ndarray:
    """(E, N) ``S(n)`` of ``x`` (E, N) for every member and country (module docstring)."""
    region, G, memb_ptr, memb_idx, K, _, _, tie_ptr, tie_idx, *_, w = aff.kernel_arrays
    E, N = x.shape
    e = np.arange(E)[:, None]
    by_region = _fold(e * G + region, x, E * G).reshape(E, G)
    world = np.cumsum(by_region, axis=1)[:, -1] if G else np.zeros(E)
    holder = _members(memb_ptr)
    by_bloc = _fold(e * K + memb_idx, x[:, holder], E * K).reshape(E, K)
    shared = _fold(e * N + holder, by_bloc[:, memb_idx], E * N).reshape(E, N)
    tied = _fold(e * N + _members(tie_ptr), x[:, tie_idx], E * N).reshape(E, N)
    return (w[0] * world[:, None] + w[1] * by_region[:, region] + w[2] * shared
            + w[3] * tied)


def group_sums(aff: PairAffinity, x: np.ndarray, donors: np.ndarray, group: np.ndarray,
               group_region: np.ndarray) -> np.ndarray:
    """(E, Nd, C) ``Σ_{m in group c} formula(d, m) x_m`` for each donor ``d`` of ``donors``
    (Nd,) and each recipient group ``c`` (``group`` (N,) int, ``group_region`` (C,) the
    WHO region code of each group).
    """
    region, _, memb_ptr, memb_idx, K, _, _, tie_ptr, tie_idx, *_, w = aff.kernel_arrays
    E, N = x.shape
    C, Nd = len(group_region), len(donors)
    e = np.arange(E)[:, None]
    by_group = _fold(e * C + group, x, E * C).reshape(E, C)
    holder = _members(memb_ptr)
    by_group_bloc = _fold((e * C + group[holder]) * K + memb_idx, x[:, holder],
                          E * C * K).reshape(E, C, K)
    # Each donor's blocs (entries j in CSR order) and ties, folded per (member, donor, group).
    di, j = _entries(memb_ptr, donors)
    index = (e[:, :, None] * Nd + di[None, :, None]) * C + np.arange(C)[None, None, :]
    shared = _fold(index, by_group_bloc[:, :, memb_idx[j]].transpose(0, 2, 1),
                   E * Nd * C).reshape(E, Nd, C)
    ti, tj = _entries(tie_ptr, donors)
    m = tie_idx[tj]
    tied = _fold((e * Nd + ti) * C + group[m], x[:, m], E * Nd * C).reshape(E, Nd, C)
    v = w[0] * by_group[:, None, :]
    same = group_region[None, None, :] == region[donors][None, :, None]
    v = v + np.where(same, w[1] * by_group[:, None, :], 0.0)
    return v + w[2] * shared + w[3] * tied


def _entries(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in ``rows``, CSR entry) of every entry of the given rows, in order."""
    counts = ptr[rows + 1] - ptr[rows]
    pos = np.repeat(np.arange(len(rows)), counts)
    start = np.repeat(ptr[rows] - (np.cumsum(counts) - counts), counts)
    return pos, (start + np.arange(counts.sum())).astype(np.int64)
