"""Drawing a partner for every country with probability proportional to affinity, without
the (N, N) table of cumulative affinity rows.

Country n picks the smallest m whose cumulative affinity C(n, m) = Σ_{m' ≤ m}
affinity(n, m') exceeds u × C(n, N − 1) (inverse CDF, countries in index order, as
:func:`sim.engine.adaptive.pick_partners` does over explicit rows). Off overrides,
affinity is base + same_region·[same WHO region] + bloc·(blocs shared) + tie·[tie]
(0 to itself), so C(n, m) is a weighted sum of counts: countries up to m, those of n's
region, each of n's blocs' members and n's ties up to m, each a binary search in sorted
index arrays. A bisection over m then costs O(log N × (1 + n's blocs) × log N) per
country: O(E × N log² N) in all, memory O(E × N). Countries with overridden pairs use
their full row (there are few). A country with no positive affinity picks itself.

Examples
--------
>>> partner = sample_partners(params.diplomacy.affinity, u)   # (E, N)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from sim.world.affinity import PairAffinity


def sample_partners(aff: PairAffinity, u: np.ndarray) -> np.ndarray:
    """(E, N) int partner of each country, drawn from uniforms ``u`` (E, N) in [0, 1)."""
    E, N = u.shape
    own = np.broadcast_to(np.arange(N), (E, N)).ravel()
    flat_u = u.ravel()
    index = _Index(aff)
    total = index.cumulative(own, np.full(E * N, N - 1))
    pick = index.first_above(own, flat_u * total)
    last = index.first_above(own, np.nextafter(total, -np.inf))   # last positive weight
    pick = np.where(total > 0, np.minimum(pick, last), own)
    special = aff.has_override[own]
    if special.any():
        pick[special] = _explicit(aff, own[special], flat_u[special])
    return pick.reshape(E, N)


class _Index:
    """Sorted keys (group · (N + 1) + country) of regions', blocs' and ties' members."""

    def __init__(self, aff: PairAffinity) -> None:
        region, G, memb_ptr, memb_idx, K, bloc_ptr, bloc_idx, tie_ptr, tie_idx, *_, w = \
            aff.kernel_arrays
        N = len(region)
        self.N, self.big, self.w = N, N + 1, w
        self.region, self.memb_ptr, self.memb_idx = region, memb_ptr, memb_idx
        self.by_region = np.sort(region * self.big + np.arange(N))
        self.region_start = np.searchsorted(self.by_region, np.arange(G) * self.big)
        self.members = np.sort(np.repeat(np.arange(K), np.diff(bloc_ptr)) * self.big + bloc_idx)
        self.bloc_start = bloc_ptr
        self.ties = np.sort(np.repeat(np.arange(N), np.diff(tie_ptr)) * self.big + tie_idx)
        self.tie_start = tie_ptr

    def first_above(self, n: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Smallest m with C(n, m) > target (N − 1 if none), by bisection."""
        lo = np.zeros(len(n), dtype=np.int64)
        hi = np.full(len(n), self.N - 1, dtype=np.int64)
        while (lo < hi).any():
            mid = (lo + hi) // 2
            above = self.cumulative(n, mid) > target
            hi = np.where(above, mid, hi)
            lo = np.where(above, lo, mid + 1)
        return lo

    def cumulative(self, n: np.ndarray, m: np.ndarray) -> np.ndarray:
        """C(n, m) for paired arrays ``n``, ``m`` (formula only: overrides not applied)."""
        big, w = self.big, self.w
        self_in = (n <= m).astype(float)
        upto = m + 1.0 - self_in
        g = self.region[n]
        same = (np.searchsorted(self.by_region, g * big + m, side="right")
                - self.region_start[g] - self_in)
        # Each bloc of n (CSR entries of n's row): its members up to m, n left out.
        counts = np.diff(self.memb_ptr)[n]
        item = np.repeat(np.arange(len(n)), counts)
        entry = np.repeat(self.memb_ptr[n] - (np.cumsum(counts) - counts), counts) + np.arange(
            counts.sum(), dtype=np.int64)
        k = self.memb_idx[entry]
        inside = (np.searchsorted(self.members, k * big + m[item], side="right")
                  - self.bloc_start[k] - self_in[item])
        shared = np.bincount(item, weights=inside, minlength=len(n))
        tied = np.searchsorted(self.ties, n * big + m, side="right") - self.tie_start[n]
        return w[0] * upto + w[1] * same + w[2] * shared + w[3] * tied


def _explicit(aff: PairAffinity, n: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Picks of countries with overrides, from their full rows (inverse CDF)."""
    rows, inverse = np.unique(n, return_inverse=True)
    cum = np.cumsum(aff.rows(rows), axis=1)[inverse]                    # (L, N)
    total = cum[:, -1]
    pick = (cum <= (u * total)[:, None]).sum(axis=1)
    positive = np.diff(cum, axis=1, prepend=0.0) > 0
    last = cum.shape[1] - 1 - np.argmax(positive[:, ::-1], axis=1)
    return np.where(total > 0, np.minimum(pick, last), n)
