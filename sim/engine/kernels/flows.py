"""The diplomacy ledger's sums compiled: a day's flows added to their sums in one pass (the
numpy reference is :meth:`sim.engine.flows.FlowLog._accumulate`).

Flows are added one by one in the order given, so every sum is the same left fold as
the reference's ``np.add.at``; the sums are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


@jit
def accumulate(member: np.ndarray, row: np.ndarray, slot: np.ndarray, doses: np.ndarray,
               weight: np.ndarray, sums: np.ndarray, given: np.ndarray) -> None:
    """Add each flow to its sums in place.

    Parameters
    ----------
    member, row, slot : (K,) int member, giver row and slot of each flow's (giver,
        recipient) sums (see :class:`sim.engine.flows.FlowLog`)
    doses : (K,) doses; weight : (E,) influence each dose carries to the end
    sums : (2, S) doses and influence by slot
    given : (R,) zeros in, each giver row's doses today out
    """
    for k in range(member.shape[0]):
        s = slot[k]
        sums[0, s] += doses[k]
        sums[1, s] += doses[k] * weight[member[k]]
        given[row[k]] += doses[k]
