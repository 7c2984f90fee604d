"""The diplomacy ledger's sums compiled: a day's flows added to each giver's row of sums in
one pass (the numpy reference is :meth:`sim.engine.flows.FlowLog._accumulate`).

Flows are added one by one in the order given, so every sum is the same left fold as
the reference's ``np.add.at``; the sums are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


@jit
def missing_rows(member: np.ndarray, donor: np.ndarray, channel: int,
                 row_of: np.ndarray) -> bool:
    """True if some flow's (member, donor + 2, channel) has no row of sums yet.

    member, donor : (K,) int; row_of : (E, N + 2, 2) int, -1 where no row
    """
    for k in range(member.shape[0]):
        if row_of[member[k], donor[k], channel] < 0:
            return True
    return False


@jit
def accumulate(member: np.ndarray, donor: np.ndarray, recipient: np.ndarray,
               doses: np.ndarray, weight: np.ndarray, channel: int, row_of: np.ndarray,
               sums: np.ndarray, given: np.ndarray) -> None:
    """Add each flow to its giver's sums in place.

    Parameters
    ----------
    member, donor, recipient : (K,) int; donor shifted by 2, recipient by 1 (see
        :class:`sim.engine.flows.FlowLog`)
    doses : (K,) doses; weight : (E,) influence each dose carries to the end
    row_of : (E, N + 2, 2) int row of sums of each (member, donor, channel)
    sums : (2, R, N + 1) doses and influence by giver row and recipient
    given : (R,) zeros in, each giver row's doses today out
    """
    for k in range(member.shape[0]):
        r = row_of[member[k], donor[k], channel]
        sums[0, r, recipient[k]] += doses[k]
        sums[1, r, recipient[k]] += doses[k] * weight[member[k]]
        given[r] += doses[k]
