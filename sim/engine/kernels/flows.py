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


@jit
def accumulate_known(member: np.ndarray, donor: np.ndarray, recipient: np.ndarray,
                     channel: int, doses: np.ndarray, weight: np.ndarray,
                     row_of: np.ndarray, keys: np.ndarray, country: int, sums: np.ndarray,
                     given: np.ndarray) -> bool:
    """:func:`accumulate` for flows whose giver rows and (giver, recipient) sums all exist
    already (most days of a run): finds them itself (the row table and a binary search of
    the sorted keys) and adds the flows in the order given. Returns False, changing
    nothing, when some flow needs a new row or sum (the caller then adds them first).

    Parameters
    ----------
    member, donor, recipient : (K,) int member, donor + 2 and recipient + 1 of each flow
    channel : the flows' channel; doses : (K,); weight : (E,) influence per dose
    row_of : (E', N', 2) giver row of (member, donor + 2, channel), -1 for none
    keys : (S,) sorted keys row · ``country`` + recipient + 1 of the sums
    sums : (2, S) doses and influence (updated); given : (R,) zeros in, each giver
        row's doses today out
    """
    K = member.shape[0]
    slot = np.empty(K, np.int64)
    row = np.empty(K, np.int64)
    S = keys.shape[0]
    for k in range(K):
        m, d = member[k], donor[k]
        if m >= row_of.shape[0] or d >= row_of.shape[1]:
            return False
        r = row_of[m, d, channel]
        if r < 0:
            return False
        key = r * country + recipient[k]
        lo, hi = 0, S
        while lo < hi:
            mid = (lo + hi) >> 1
            if keys[mid] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo == S or keys[lo] != key:
            return False
        slot[k] = lo
        row[k] = r
    accumulate(member, row, slot, doses, weight, sums, given)
    return True
