"""The diplomacy ledger's sums compiled: a day's flows added to their sums in one pass (the
numpy reference is :meth:`sim.engine.flows.FlowLog._accumulate`), and on most days of a
run, when every pair they go to has been seen before, the whole day's bookkeeping in one
call (:func:`add_rows_known`, :func:`add_vector_known`).

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
def _add_found(t: int, member: np.ndarray, row: np.ndarray, slot: np.ndarray,
               doses: np.ndarray, K: int, weight: np.ndarray, sums: np.ndarray,
               givers: np.ndarray, daily: np.ndarray, n_daily: int) -> int:
    """Add the first ``K`` flows (giver rows and slots found) to their sums, then append
    one daily row (day, member, donor, channel, doses) per giver row that gave, in row
    order; return the daily rows' new count.
    """
    given = np.zeros(givers.shape[0])
    accumulate(member[:K], row[:K], slot[:K], doses[:K], weight, sums, given)
    for r in range(givers.shape[0]):
        if given[r] > 0:
            daily[n_daily, 0] = t
            daily[n_daily, 1] = givers[r, 0]
            daily[n_daily, 2] = givers[r, 1]
            daily[n_daily, 3] = givers[r, 2]
            daily[n_daily, 4] = given[r]
            n_daily += 1
    return n_daily


@jit
def _lower_bound(keys: np.ndarray, key: int, lo: int = 0) -> int:
    """First position in sorted ``keys`` whose key is not below ``key``
    (``np.searchsorted(keys, key)``), given that every key before ``lo`` is below it.

    Gallops forward from ``lo`` (steps 1, 2, 4 ...) before the binary search, so a
    run of ascending keys (a giver's recipients) costs a few steps each.
    """
    S = keys.shape[0]
    hi, step = lo, 1
    while hi < S and keys[hi] < key:
        lo = hi + 1
        hi += step
        step <<= 1
    hi = min(hi, S)
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def _find(m: int, d: int, recipient: int, channel: int, row_of: np.ndarray,
          keys: np.ndarray, country: int, last: np.ndarray) -> tuple[int, int]:
    """(giver row, slot) of the sums of member ``m``, donor + 2 ``d``, ``channel`` and
    recipient + 1 ``recipient``; (-1, -1) when either does not exist yet. ``last``
    (2,) int: the previous key found and its slot, updated (the search starts there
    when this key is above it).
    """
    if m >= row_of.shape[0] or d >= row_of.shape[1]:
        return -1, -1
    r = row_of[m, d, channel]
    if r < 0:
        return -1, -1
    key = r * country + recipient
    lo = _lower_bound(keys, key, last[1] if key > last[0] else 0)
    if lo == keys.shape[0] or keys[lo] != key:
        return -1, -1
    last[0], last[1] = key, lo
    return r, lo


@jit
def add_rows_known(t: int, rows: np.ndarray, doses: np.ndarray, channel: int,
                   keep: np.ndarray, keep_all: bool, weight: np.ndarray, row_of: np.ndarray,
                   keys: np.ndarray, country: int, sums: np.ndarray, givers: np.ndarray,
                   daily: np.ndarray, n_daily: int) -> int:
    """A day's flows (a kernel's rows) added to the ledger's sums and daily totals in one
    call, when every giver row and (giver, recipient) sum they need exists already (most
    days of a run). Reference: :meth:`sim.engine.flows.FlowLog._append`, which adds the
    flows in the same order.

    Parameters
    ----------
    rows : (K, 3) int member, donor, recipient; doses : (K,) doses
    keep, keep_all : (E,) bool members whose flows are kept, or ``keep_all``
    weight : (E,) influence per dose; row_of, keys, sums, givers : the ledger's tables
        (:class:`sim.engine.flows.FlowLog`); country : the key's recipient base
    daily : (M, 5) daily rows, room for one more per giver row; n_daily : rows so far

    Returns
    -------
    The daily rows' new count, or -1 (nothing changed) when some flow needs a new giver
    row or sum.
    """
    K = doses.shape[0]
    member = np.empty(K, np.int64)
    row = np.empty(K, np.int64)
    slot = np.empty(K, np.int64)
    took = np.empty(K)
    last = np.array([-1, 0])   # no key found yet: search from the start
    k = 0
    for i in range(K):
        m = rows[i, 0]
        if not keep_all and m >= keep.shape[0]:
            return -1   # the general path raises
        if not keep_all and not keep[m]:
            continue
        r, s = _find(m, rows[i, 1] + 2, rows[i, 2] + 1, channel, row_of, keys, country,
                     last)
        if r < 0:
            return -1
        member[k], row[k], slot[k], took[k] = m, r, s, doses[i]
        k += 1
    if k == 0:
        return n_daily
    return _add_found(t, member, row, slot, took, k, weight, sums, givers, daily, n_daily)


@jit
def add_vector_known(t: int, doses: np.ndarray, to_pool: bool, channel: int,
                     keep: np.ndarray, keep_all: bool, weight: np.ndarray,
                     row_of: np.ndarray, keys: np.ndarray, country: int, sums: np.ndarray,
                     givers: np.ndarray, daily: np.ndarray, n_daily: int) -> int:
    """:func:`add_rows_known` for the pool's flows ``doses`` (E, N): the positive entries,
    member by member and country by country, from each country to the pool
    (``to_pool``) or from the pool to each country (the pool is donor or recipient -1).
    Reference: :meth:`sim.engine.flows.FlowLog.add_vector`.
    """
    E, N = doses.shape
    member = np.empty(E * N, np.int64)
    row = np.empty(E * N, np.int64)
    slot = np.empty(E * N, np.int64)
    took = np.empty(E * N)
    last = np.array([-1, 0])   # no key found yet: search from the start
    k = 0
    for e in range(E):
        if not keep_all and not keep[e]:
            continue
        for n in range(N):
            if doses[e, n] > 0:
                if to_pool:
                    r, s = _find(e, n + 2, 0, channel, row_of, keys, country, last)
                else:
                    r, s = _find(e, 1, n + 1, channel, row_of, keys, country, last)
                if r < 0:
                    return -1
                member[k], row[k], slot[k], took[k] = e, r, s, doses[e, n]
                k += 1
    if k == 0:
        return n_daily
    return _add_found(t, member, row, slot, took, k, weight, sums, givers, daily, n_daily)


@jit
def insert_keys(keys: np.ndarray, sums: np.ndarray,
                key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sorted ``keys`` (S,) with every new one of ``key`` (K,) merged in, ``sums``
    (2, S) with zeros at the new keys' places, and each of ``key``'s position in them.
    Reference: :meth:`sim.engine.flows.FlowLog._slots` (``np.insert`` at
    ``np.searchsorted``); returns the inputs themselves when no key is new.
    """
    K, S = key.shape[0], keys.shape[0]
    pos = np.empty(K, np.int64)
    missing = np.empty(K, np.int64)
    m = 0
    for k in range(K):
        p = _lower_bound(keys, key[k], pos[k - 1] if k and key[k] > key[k - 1] else 0)
        if p == S or keys[p] != key[k]:
            missing[m] = key[k]
            m += 1
        pos[k] = p
    if m == 0:
        return keys, sums, pos
    new = np.unique(missing[:m])
    U = new.shape[0]
    merged = np.empty(S + U, np.int64)
    merged_sums = np.zeros((sums.shape[0], S + U))
    i, j = 0, 0
    for o in range(S + U):
        if j < U and (i == S or new[j] < keys[i]):
            merged[o] = new[j]
            j += 1
        else:
            merged[o] = keys[i]
            for c in range(sums.shape[0]):
                merged_sums[c, o] = sums[c, i]
            i += 1
    for k in range(K):  # old keys below it, plus new keys below it
        pos[k] += _lower_bound(new, key[k])
    return merged, merged_sums, pos


@jit
def assign_rows(member: np.ndarray, donor: np.ndarray, channel: int, row_of: np.ndarray,
                n_rows: int, country: int) -> tuple[np.ndarray, np.ndarray]:
    """Each flow's giver row, new givers given rows ``n_rows``, ``n_rows + 1`` … in the
    order of their key member · ``country`` + donor (``row_of`` updated in place).
    Reference: :meth:`sim.engine.flows.FlowLog._rows`.

    Parameters
    ----------
    member, donor : (K,) int member and donor + 2 of each flow (within ``row_of``)
    row_of : (E', N', 2) int giver row of (member, donor + 2, channel), -1 for none

    Returns
    -------
    (row, givers) : (K,) int giver row of each flow; (U, 3) int member, donor, channel of
        the new givers, in row order
    """
    K = member.shape[0]
    new = np.empty(K, np.int64)
    u = 0
    for k in range(K):
        if row_of[member[k], donor[k], channel] < 0:
            new[u] = member[k] * country + donor[k]
            u += 1
    keys = np.unique(new[:u])
    givers = np.empty((keys.shape[0], 3), np.int64)
    for i in range(keys.shape[0]):
        m, d = keys[i] // country, keys[i] % country
        row_of[m, d, channel] = n_rows + i
        givers[i, 0], givers[i, 1], givers[i, 2] = m, d - 2, channel
    row = np.empty(K, np.int64)
    for k in range(K):
        row[k] = row_of[member[k], donor[k], channel]
    return row, givers
