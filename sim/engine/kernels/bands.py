"""Compiled split of doses over age bands (:func:`sim.engine.bands.allocate` is its numpy
reference; tests compare the two).
"""

from __future__ import annotations

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg


@jit
def allocate_bands(amount, room, priority, out):
    """Split ``amount`` (E, N) people over the bands' ``room`` (E, N, A) into ``out``.

    ``priority`` (E, N) int64: 0 fills the oldest band first, then younger ones; 1 shares
    in proportion to the room of each band. Negative room counts as none.
    """
    E, N, A = room.shape
    for e in range(E):
        for n in range(N):
            left = amount[e, n]
            if priority[e, n] == 0:
                for b in range(A - 1, -1, -1):
                    r = nonneg(room[e, n, b])
                    take = min(left, r)
                    out[e, n, b] = take
                    left -= take
            else:
                total = 0.0
                for b in range(A):
                    total += nonneg(room[e, n, b])
                share = 0.0
                if total > 0.0:
                    share = min(amount[e, n] / total, 1.0)
                for b in range(A):
                    out[e, n, b] = nonneg(room[e, n, b]) * share
