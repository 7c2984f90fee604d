"""Sums of country columns by a label (income group, producer home) without matmul.

``np.add.reduceat`` over columns sorted by label sums each row on its own, in a fixed
order, so a member's sums do not depend on how many other members share its batch
(a BLAS matrix product may change its summation order with the batch shape).
"""

from __future__ import annotations

import numpy as np


class Segments:
    """Column sums of (E, N) arrays grouped by ``labels`` (N,) into K segments.

    Countries with a negative label belong to no segment. Segments with no member sum to
    zero.

    Examples
    --------
    >>> seg = Segments(np.array([1, 0, -1, 1]), 3)
    >>> seg.sum(np.array([[1.0, 2.0, 4.0, 8.0]]))
    array([[2., 9., 0.]])
    """

    def __init__(self, labels: np.ndarray, n_segments: int) -> None:
        labels = np.asarray(labels, dtype=int)
        member = labels >= 0
        self.order = np.flatnonzero(member)[np.argsort(labels[member], kind="stable")]
        sorted_labels = labels[self.order]
        present, self.starts = np.unique(sorted_labels, return_index=True)
        self.present = present
        self.n_segments = n_segments
        self.empty = len(self.order) == 0
        # Labels already sorted (e.g. countries ordered by income group): sum slices
        # in place instead of gathering columns first.
        ends = np.append(self.starts[1:], len(self.order))
        self.slices = None
        if np.array_equal(self.order, np.arange(len(labels))):
            self.slices = [slice(a, b) for a, b in zip(self.starts, ends, strict=True)]

    def sum(self, x: np.ndarray) -> np.ndarray:
        """(E, K) sums of ``x`` (E, N) over the columns of each segment."""
        out = np.zeros((x.shape[0], self.n_segments))
        if self.slices is not None:
            for k, cols in zip(self.present, self.slices, strict=True):
                out[:, k] = x[:, cols].sum(axis=1)
        elif not self.empty:
            out[:, self.present] = np.add.reduceat(x[:, self.order], self.starts, axis=1)
        return out
