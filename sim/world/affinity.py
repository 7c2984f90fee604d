"""Affinity between countries: the relationship table (blocs, ties, WHO regions) as sparse
N×N matrices, and the affinity of each pair as the scenario weights them.

affinity(d, r) = base + same_region·[same WHO region] + bloc·(number of shared blocs)
+ tie·[documented tie] for d ≠ r, 0 on the diagonal; ``affinity.pairs`` replaces single
directed pairs. Blocs and ties are shipped in ``sim/data/blocs.csv`` and ``ties.csv``
(sources in ``sim/data/SOURCES.md``); ties are symmetric.

Examples
--------
>>> rel = relations(world)                                   # doctest: +SKIP
>>> rows = affinity_rows(rel, scenario.affinity, donors)     # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sim import data
from sim.scenario.schema import Affinity
from sim.world.world import World


@dataclass(frozen=True)
class Relations:
    """Static relationship structure of a world (N countries).

    Attributes
    ----------
    region : (N, N) csr, 1 where two different countries share a WHO region
    blocs : (N, N) csr, number of blocs two different countries share
    ties : (N, N) csr, 1 for a documented tie (symmetric)
    """

    region: sp.csr_matrix
    blocs: sp.csr_matrix
    ties: sp.csr_matrix


def _pairs_matrix(groups: list[np.ndarray], n: int) -> sp.csr_matrix:
    """Sum over groups of the all-pairs matrix of each group's members, diagonal dropped."""
    rows, cols = [], []
    for idx in groups:
        rows.append(np.repeat(idx, len(idx)))
        cols.append(np.tile(idx, len(idx)))
    if not rows:
        return sp.csr_matrix((n, n))
    r, c = np.concatenate(rows), np.concatenate(cols)
    keep = r != c
    m = sp.coo_matrix((np.ones(keep.sum()), (r[keep], c[keep])), shape=(n, n)).tocsr()
    m.sum_duplicates()
    return m


def relations(world: World, blocs: pd.DataFrame | None = None,
              ties: pd.DataFrame | None = None) -> Relations:
    """The relationship matrices of ``world`` (codes missing from the world are skipped)."""
    blocs = data.blocs() if blocs is None else blocs
    ties = data.ties() if ties is None else ties
    pos = {c: i for i, c in enumerate(world.iso3)}
    n = world.n_countries
    regions = [np.flatnonzero(world.who_region == r) for r in np.unique(world.who_region)]
    members = [np.array([pos[c] for c in str(m).split(";") if c in pos], dtype=int)
               for m in blocs["members"]]
    a = np.array([pos.get(c, -1) for c in ties["a"]], dtype=int)
    b = np.array([pos.get(c, -1) for c in ties["b"]], dtype=int)
    ok = (a >= 0) & (b >= 0) & (a != b)
    t = sp.coo_matrix((np.ones(2 * ok.sum()), (np.r_[a[ok], b[ok]], np.r_[b[ok], a[ok]])),
                      shape=(n, n)).tocsr()
    t.data[:] = 1.0
    return Relations(region=_pairs_matrix(regions, n), blocs=_pairs_matrix(members, n),
                     ties=t)


def override_pairs(world: World, aff: Affinity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, values) of the scenario's directed overrides present in ``world``."""
    pos = {c: i for i, c in enumerate(world.iso3)}
    out = [(pos[d], pos[r], v) for d, row in aff.pairs.items() for r, v in row.items()
           if d in pos and r in pos and d != r]
    if not out:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    d, r, v = zip(*out, strict=True)
    return np.array(d), np.array(r), np.array(v, dtype=float)


def affinity_matrix(world: World, aff: Affinity, rel: Relations | None = None) -> sp.csr_matrix:
    """(N, N) csr of the ties part: affinity minus ``base`` off the diagonal (overrides
    included as value − base). The full affinity is ``base + this`` for d ≠ r.
    """
    rel = relations(world) if rel is None else rel
    m = (aff.same_region * rel.region + aff.bloc * rel.blocs + aff.tie * rel.ties).tolil()
    d, r, v = override_pairs(world, aff)
    if len(d):
        m[d, r] = v - aff.base
    return m.tocsr()


def dense_rows(base: float, ties: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """(len(rows), N) full affinity of the given rows (0 on the diagonal)."""
    out = base + ties[rows].toarray()
    out[np.arange(len(rows)), rows] = 0.0
    return np.maximum(out, 0.0)
