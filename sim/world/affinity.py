"""Affinity between countries: the relationship table (blocs, ties, WHO regions) and the
affinity of each pair as the scenario weights them, in memory linear in countries and ties.

affinity(d, r) = base + same_region·[same WHO region] + bloc·(number of shared blocs)
+ tie·[documented tie] for d ≠ r, 0 on the diagonal, never negative; ``affinity.pairs``
replaces single directed pairs. Blocs and ties are shipped in ``sim/data/blocs.csv`` and
``ties.csv`` (sources in ``sim/data/SOURCES.md``); ties are symmetric.

Nothing N × N is stored: :class:`Relations` keeps each country's WHO region (N,), its
bloc memberships (N × blocs, sparse) and the ties (sparse), and
:meth:`PairAffinity.rows` computes the affinity of the rows asked for (a producer's
home countries, donors with overrides) in O(rows × N). Building is O(N + blocs'
members + ties). Sums weighted by affinity over all countries at once (donation) need
no rows at all: :mod:`sim.world.affinity_sums` and its kernels
(:attr:`PairAffinity.kernel_arrays`).

Examples
--------
>>> aff = pair_affinity(world, scenario.affinity)   # doctest: +SKIP
>>> weights = aff.rows(donors)                      # (len(donors), N)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.scenario.schema import Affinity
from sim.world.tables import columns
from sim.world.world import World

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp  # imported where a structure is built: ~0.17 s of import


_A = np.ndarray
#: :attr:`PairAffinity.kernel_arrays`.
KernelArrays = tuple[_A, int, _A, _A, int, _A, _A, _A, _A, _A, _A, _A, _A]


def _restore(cls: type, state: dict[str, Any], parts: dict[str, tuple]) -> Any:
    """Unpickle a :class:`LazySparse` object: its sparse fields stay plain arrays until read."""
    obj: Any = object.__new__(cls)
    obj.__dict__.update(state)
    if parts:
        obj.__dict__["_sparse_parts"] = parts
    return obj


class LazySparse:
    """Pickles the scipy.sparse fields named in ``_SPARSE`` as their CSR arrays and rebuilds
    each at its first read, so unpickling needs no scipy: ``vaxsim run``'s results server
    unpickles the run's parameters (this affinity among them) but never reads the matrices,
    and importing scipy.sparse there cost ~0.2 s of CPU (docs/SPEED_FINDINGS.md, startup15).
    The rebuilt matrix holds the very arrays pickled, so every result is unchanged.
    """

    _SPARSE: ClassVar[tuple[str, ...]] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        parts = dict(state.pop("_sparse_parts", {}))
        for name in self._SPARSE:
            if name in state:
                m = state.pop(name)
                parts[name] = (m.data, m.indices, m.indptr, m.shape)
        return (_restore, (type(self), state, parts))

    def __getattr__(self, name: str) -> Any:
        parts = self.__dict__.get("_sparse_parts")
        if parts is None or name not in parts:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        import scipy.sparse as sp

        data, indices, indptr, shape = parts[name]
        matrix = sp.csr_matrix((data, indices, indptr), shape=shape)
        self.__dict__[name] = matrix
        return matrix


@dataclass(frozen=True)
class Relations(LazySparse):
    """Static relationship structure of a world (N countries).

    Attributes
    ----------
    region : (N,) int, WHO region code of each country
    membership : (N, K) csr, 1 where a country belongs to a bloc (K blocs)
    ties : (N, N) csr, 1 for a documented tie (symmetric, no diagonal)
    """

    _SPARSE = ("membership", "ties")

    region: np.ndarray
    membership: sp.csr_matrix
    ties: sp.csr_matrix

    def shared_blocs(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), N) number of blocs each of ``rows`` shares with every country."""
        return (self.membership[rows] @ self.membership.T).toarray()


def relations(world: World, blocs: pd.DataFrame | Mapping[str, np.ndarray] | None = None,
              ties: pd.DataFrame | Mapping[str, np.ndarray] | None = None) -> Relations:
    """The relationship structure of ``world`` (codes missing from the world are skipped)."""
    import scipy.sparse as sp

    blocs = columns("blocs.csv") if blocs is None else blocs
    ties = columns("ties.csv") if ties is None else ties
    pos = world.position
    n = world.n_countries
    region = world.level_codes("who_region")[1]
    rows, cols = [], []
    for k, members in enumerate(blocs["members"]):
        idx = sorted({pos[c] for c in str(members).split(";") if c in pos})
        rows += idx
        cols += [k] * len(idx)
    membership = sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(n, len(blocs["members"])))
    a = np.array([pos.get(c, -1) for c in ties["a"]], dtype=int)
    b = np.array([pos.get(c, -1) for c in ties["b"]], dtype=int)
    ok = (a >= 0) & (b >= 0) & (a != b)
    t = sp.coo_matrix((np.ones(2 * ok.sum()), (np.r_[a[ok], b[ok]], np.r_[b[ok], a[ok]])),
                      shape=(n, n)).tocsr()
    t.data[:] = 1.0
    return Relations(region=region.astype(np.int64), membership=membership, ties=t)


def override_pairs(world: World, aff: Affinity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, values) of the scenario's directed overrides present in ``world``."""
    pos = world.position
    out = [(pos[d], pos[r], v) for d, row in aff.pairs.items() for r, v in row.items()
           if d in pos and r in pos and d != r]
    if not out:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    d, r, v = zip(*out, strict=True)
    return np.array(d), np.array(r), np.array(v, dtype=float)


@dataclass(frozen=True)
class PairAffinity(LazySparse):
    """The affinity of every pair of a world under a scenario's weights, row by row.

    Attributes
    ----------
    base, same_region, bloc, tie : the scenario's weights (``affinity``)
    relations : the world's :class:`Relations`
    overrides : (N, N) csr, ``value − base`` of each overridden directed pair
    overridden : (N, N) csr bool, which pairs are overridden
    """

    _SPARSE = ("overrides", "overridden")

    base: float
    same_region: float
    bloc: float
    tie: float
    relations: Relations
    overrides: sp.csr_matrix
    overridden: sp.csr_matrix

    @cached_property
    def kernel_arrays(self) -> KernelArrays:
        """The structure as plain arrays for :mod:`sim.engine.kernels.affinity`:
        ``(region, n_regions, memb_ptr, memb_idx, n_blocs, bloc_ptr, bloc_idx, tie_ptr,
        tie_idx, ovr_ptr, ovr_idx, ovr_val, weights)`` (CSR index arrays int64; ``ovr_val``
        the stored ``value − base`` of each override; weights base, same_region, bloc, tie).
        """
        rel = self.relations
        i64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)  # noqa: E731
        memb = rel.membership.tocsr()
        blocs = rel.membership.T.tocsr()
        hit = self.overridden.tocsr()
        hit.sort_indices()
        rows = np.repeat(np.arange(self.n), np.diff(hit.indptr))
        values = (np.asarray(self.overrides[rows, hit.indices], dtype=float).ravel()
                  if hit.nnz else np.zeros(0))
        return (i64(rel.region), int(rel.region.max(initial=-1)) + 1,
                i64(memb.indptr), i64(memb.indices), int(memb.shape[1]),
                i64(blocs.indptr), i64(blocs.indices), i64(rel.ties.indptr),
                i64(rel.ties.indices), i64(hit.indptr), i64(hit.indices), values,
                np.array([self.base, self.same_region, self.bloc, self.tie]))

    @cached_property
    def has_override(self) -> np.ndarray:
        """(N,) bool, countries with an overridden affinity to some country."""
        return np.diff(self.overridden.tocsr().indptr) > 0

    @property
    def n(self) -> int:
        """N countries."""
        return len(self.relations.region)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), N) full affinity from each of ``rows`` to every country (0 to itself).

        The pairs are summed in a fixed order (region, blocs, ties, then ``base``), so the
        values do not depend on which rows are asked for together.
        """
        rows = np.asarray(rows, dtype=int)
        rel = self.relations
        # One dense (rows, N) array; blocs, ties and overrides are added where they are
        # (adding the zeros elsewhere would change nothing): O(rows × N + their pairs).
        out = np.multiply(rel.region[rows, None] == rel.region[None, :], self.same_region)
        for weight, pairs in ((self.bloc, rel.membership[rows] @ rel.membership.T),
                              (self.tie, rel.ties[rows])):
            pairs = pairs.tocoo()
            out[pairs.row, pairs.col] += weight * pairs.data
        hit = self.overridden[rows].tocoo()
        if hit.nnz:
            out[hit.row, hit.col] = np.asarray(self.overrides[rows][hit.row, hit.col]).ravel()
        out += self.base
        out[np.arange(len(rows)), rows] = 0.0
        return np.maximum(out, 0.0, out=out)


def pair_affinity(world: World, aff: Affinity, rel: Relations | None = None) -> PairAffinity:
    """The :class:`PairAffinity` of ``world`` under the scenario's ``affinity`` weights."""
    import scipy.sparse as sp

    rel = relations(world) if rel is None else rel
    d, r, v = override_pairs(world, aff)
    n = world.n_countries
    return PairAffinity(
        base=float(aff.base), same_region=float(aff.same_region), bloc=float(aff.bloc),
        tie=float(aff.tie), relations=rel,
        overrides=sp.csr_matrix((v - aff.base, (d, r)), shape=(n, n)),
        overridden=sp.csr_matrix((np.ones(len(d), dtype=bool), (d, r)), shape=(n, n)))
