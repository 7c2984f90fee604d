"""The diplomacy ledger: every donated or pooled dose, donor → recipient, by member, summed
as it accrues.

A flow is (member, day, donor, recipient, doses, channel) with country indices; the pool
is :data:`POOL` (-1) and the channels are :data:`BILATERAL` (0) and :data:`POOLED` (1).
The stages hand their nonzero flows to a :class:`FlowLog` (:meth:`~FlowLog.add_matrix`,
:meth:`~FlowLog.add_rows`, :meth:`~FlowLog.add_vector`), which keeps them summed, never
one row per day and pair (that grows with days × donors × recipients: 97 M rows for a
10,000-region world):

- **pair totals**, one row per (member, donor, channel, recipient) over the whole run
  (``day`` = :data:`WHOLE_RUN`), with the doses that had arrived by the last day
  (``arrived``: given at least ``delivery_lag`` days before its end) and the influence
  the pair's doses still carry on the last day (``influence``: each dose weighted by
  0.5 ** (days since given / the member's donation half-life));
- **daily donor totals**, one row per (day, member, donor, channel) with doses
  (``recipient`` = :data:`ANY`), for time series of what a donor gave.

:meth:`FlowLog.totals` gives both as one (K, 8) array, columns :data:`TOTAL_COLUMNS`
(the first six are :data:`FLOW_COLUMNS`): the pair totals ordered by member, donor,
channel and recipient, then the daily totals ordered by day, member, donor and channel,
so the member column leads every row and a batch split into chunks gives the same rows.
Sums are taken in the order the flows were recorded (day by day, in stage order), so
they do not depend on the batch either.

Examples
--------
>>> log = FlowLog()
>>> log.add_rows(3, np.array([[0, 1, 2]]), np.array([5.0]))
>>> log.totals()[:, TOTAL_COLUMNS.doses].tolist()
[5.0, 5.0]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sim.engine.fields import Fields
from sim.engine.kernels import backend

POOL = -1
BILATERAL, POOLED = 0, 1
CHANNELS = ("bilateral", "pool")
#: ``day`` of a pair total (summed over the whole run).
WHOLE_RUN = -1
#: ``recipient`` of a daily donor total (summed over recipients).
ANY = -2
#: Columns of a flow (:meth:`FlowLog.array`).
FLOW_COLUMNS = Fields("member", "day", "donor", "recipient", "doses", "channel")
#: Columns of :meth:`FlowLog.totals` (``arrived`` and ``influence`` are 0 in daily rows).
TOTAL_COLUMNS = Fields(*FLOW_COLUMNS, "arrived", "influence")

_COUNTRY = 1 << 21   # country index + 2 (ANY, POOL, 0 … N-1) fits; up to ~2 M countries
_MEMBER = 1 << 20    # members per batch; days likewise


def _grown(a: np.ndarray, shape: tuple[int, ...], fill: float | int) -> np.ndarray:
    """``a`` padded with ``fill`` to at least ``shape`` (doubling a growing axis)."""
    if all(n <= m for n, m in zip(shape, a.shape, strict=True)):
        return a
    new = tuple(m if n <= m else max(n, 2 * m) for n, m in zip(shape, a.shape, strict=True))
    out = np.zeros(new, dtype=a.dtype) if fill == 0 else np.full(new, fill, dtype=a.dtype)
    out[tuple(slice(0, m) for m in a.shape)] = a
    return out


class FlowLog:
    """The flows of a batch, summed as they accrue (see the module docstring).

    Each (member, donor, channel) that has given gets a row of sums over recipients,
    dense (doses and influence for the pool and every country): memory is
    givers × N, the same order as the pairs themselves once donors give to most
    countries (affinity has a base for every pair, so they do), and adding a day's
    flows costs O(flows) with no sorting. Doses given too late to arrive by the end
    are not counted as arrived (a copy of the doses is taken the first day after
    ``arrive_by``).

    Parameters
    ----------
    enabled : keep flows of all members (True), none (False) or some ((E,) bool); a
        member's totals do not depend on what the other members of its batch keep
    end : the last day of the run (``influence`` is taken on it; default: the day of
        each flow, so influence equals doses)
    half_life : (E,) days of each member's donation half-life (default: no decay)
    arrive_by : the last day a flow may be given and still have arrived by the end
        (default: every flow has); the doses of each pair are copied on the first day
        after it, so ``arrived`` is the exact sum of the earlier flows
    countries : N, when known (else rows widen as recipients appear)
    rows : also keep every flow as recorded (:meth:`array`; memory grows with days ×
        pairs: for tests and small worlds)
    """

    def __init__(self, enabled: bool | np.ndarray = True, *, end: int | None = None,
                 half_life: np.ndarray | None = None,
                 arrive_by: int | None = None, countries: int = 0,
                 rows: bool = True) -> None:
        self.keep = np.asarray(enabled, dtype=bool)
        self.enabled = bool(self.keep.any())
        self.end = end
        self.half_life = None if half_life is None else np.asarray(half_life, dtype=float)
        self.arrive_by = arrive_by
        self.keep_rows = rows
        self.parts: list[np.ndarray] = []
        # row of sums of each (member, donor + 2, channel); -1: none yet
        self.row_of = np.full((0, countries + 2, 2), -1, dtype=np.int64)
        self.givers = np.zeros((0, 3), dtype=np.int64)   # (member, donor, channel) of rows
        self.n_rows = 0
        # doses, influence by giver row and recipient + 1; room for a row per country
        # to start with (zeros: pages no giver touches take no memory)
        self.sums = np.zeros((2, countries + 2 if countries else 0, countries + 1))
        self.arrived: sp.csr_matrix | None = None        # doses by arrive_by, once past it
        self.daily: list[np.ndarray] = []                # (day, member, donor, channel, doses)

    def add_matrix(self, t: int, flows: np.ndarray, donors: np.ndarray,
                   channel: int = BILATERAL) -> None:
        """Record the nonzero entries of ``flows`` (E, len(donors), N) on day ``t``."""
        if not self.enabled:
            return
        e, i, r = np.nonzero(flows > 0)
        if len(e):
            self._append(e, t, donors[i], r, flows[e, i, r], channel)

    def add_rows(self, t: int, rows: np.ndarray, doses: np.ndarray,
                 channel: int = BILATERAL) -> None:
        """Record flows on day ``t`` given as ``rows`` (K, 3) int member, donor, recipient
        and ``doses`` (K,) (a compiled kernel's output, nonzero flows only).
        """
        if self.enabled and len(doses):
            self._append(rows[:, 0], t, rows[:, 1], rows[:, 2], doses, channel)

    def add_vector(self, t: int, doses: np.ndarray, to_pool: bool) -> None:
        """Record pool flows (E, N) on day ``t``: countries → pool or pool → countries."""
        if not self.enabled:
            return
        e, n = np.nonzero(doses > 0)
        if len(e):
            pool = np.full(len(e), POOL)
            donor, recipient = (n, pool) if to_pool else (pool, n)
            self._append(e, t, donor, recipient, doses[e, n], POOLED)

    def _append(self, e, t, donor, recipient, doses, channel) -> None:
        if self.keep.ndim:  # only the members that keep their flows
            sel = self.keep[e]
            if not sel.all():
                e, donor, recipient, doses = e[sel], donor[sel], recipient[sel], doses[sel]
            if not len(e):
                return
        e = np.asarray(e, dtype=np.int64)      # views of a kernel's rows: no copy
        donor = np.asarray(donor, dtype=np.int64) + 2
        recipient = np.asarray(recipient, dtype=np.int64) + 1
        doses = np.asarray(doses, dtype=float)
        if self.arrived is None and self.arrive_by is not None and t > self.arrive_by:
            # before today's flows; sparse: a pool contributor's row has one entry
            self.arrived = sp.csr_matrix(self.sums[0, :self.n_rows])
        weight = self._weights(t, int(e.max()) + 1)
        if backend() == "numba":
            from sim.engine.kernels.flows import accumulate, missing_rows

            self.row_of = _grown(self.row_of, (int(e.max()) + 1, int(donor.max()) + 1, 2), -1)
            if missing_rows(e, donor, channel, self.row_of):
                self._rows(e, donor, channel)
            self._grow_sums(int(recipient.max()) + 1)
            given = np.zeros(self.n_rows)
            accumulate(e, donor, recipient, doses, weight, channel, self.row_of, self.sums,
                       given)
        else:
            given = self._accumulate(e, donor, recipient, doses, weight, channel)
        gave = np.flatnonzero(given > 0)
        self.daily.append(np.column_stack([np.full(len(gave), t), self.givers[gave],
                                           given[gave]]).astype(float))
        if self.keep_rows:
            self.parts.append(np.column_stack([e, np.full(len(e), t), donor - 2,
                                               recipient - 1, doses,
                                               np.full(len(e), channel)]).astype(float))

    def _rows(self, e: np.ndarray, donor: np.ndarray, channel: int) -> np.ndarray:
        """Row of sums of each flow's (member, donor, channel), new rows added."""
        self.row_of = _grown(self.row_of, (int(e.max()) + 1, int(donor.max()) + 1, 2), -1)
        row = self.row_of[e, donor, channel]
        new = row < 0
        if new.any():
            key = np.unique(e[new] * _COUNTRY + donor[new])
            me, d = np.divmod(key, _COUNTRY)
            self.row_of[me, d, channel] = self.n_rows + np.arange(len(key))
            self.givers = np.concatenate([self.givers, np.column_stack(
                [me, d - 2, np.full(len(key), channel)])])
            self.n_rows += len(key)
            row = self.row_of[e, donor, channel]
        return row

    def _accumulate(self, e: np.ndarray, donor: np.ndarray, recipient: np.ndarray,
                    doses: np.ndarray, weight: np.ndarray, channel: int) -> np.ndarray:
        """Add flows to their givers' sums (numpy reference of
        :func:`sim.engine.kernels.flows.accumulate`); return each row's doses today.
        """
        row = self._rows(e, donor, channel)
        self._grow_sums(int(recipient.max()) + 1)
        np.add.at(self.sums[0], (row, recipient), doses)  # in recorded order
        np.add.at(self.sums[1], (row, recipient), doses * weight[e])
        return np.bincount(row, weights=doses, minlength=self.n_rows)

    def _grow_sums(self, width: int) -> None:
        self.sums = _grown(self.sums, (2, self.n_rows, max(width, self.sums.shape[2])), 0.0)

    def _weights(self, t: int, members: int) -> np.ndarray:
        """(members,) influence a dose given on day ``t`` still carries at the end."""
        if self.half_life is None or self.end is None:
            return np.ones(members)
        weight = 0.5 ** ((self.end - t) / self.half_life)   # per member (or one)
        return np.full(members, weight) if weight.ndim == 0 else weight

    def totals(self) -> np.ndarray:
        """(K, 8) pair totals, then daily donor totals (columns :data:`TOTAL_COLUMNS`).

        Filled giver by giver (in member, donor, channel order): no copy of the sums.
        """
        T = TOTAL_COLUMNS
        daily = self._daily_totals()
        R = self.n_rows
        given = self.sums[0, :R] > 0                           # (R, W) bool
        counts = given.sum(axis=1)
        K = int(counts.sum())
        out = np.empty((K + len(daily), len(T)))
        out[K:] = daily
        start = 0
        for g in np.lexsort(self.givers.T[::-1]):
            cols = np.flatnonzero(given[g])
            block = out[start:start + len(cols)]
            start += len(cols)
            block[:, T.member], block[:, T.donor], block[:, T.channel] = self.givers[g]
            block[:, T.day] = WHOLE_RUN
            block[:, T.recipient] = cols - 1
            block[:, T.doses] = self.sums[0, g, cols]
            block[:, T.arrived] = (block[:, T.doses] if self.arrived is None
                                   else self._arrived_at(g, cols))
            block[:, T.influence] = self.sums[1, g, cols]
        return out

    def _arrived_at(self, g: int, cols: np.ndarray) -> np.ndarray:
        """Doses of giver row ``g`` to recipients ``cols`` (sorted) that had arrived."""
        out = np.zeros(len(cols))
        a = self.arrived
        if a is None or g >= a.shape[0]:
            return out  # a giver that first gave after the cut-off
        first, last = a.indptr[g], a.indptr[g + 1]
        idx, val = a.indices[first:last], a.data[first:last]
        pos = np.minimum(np.searchsorted(cols, idx), max(len(cols) - 1, 0))
        hit = cols[pos] == idx if len(cols) else np.zeros(len(idx), dtype=bool)
        out[pos[hit]] = val[hit]
        return out

    def _daily_totals(self) -> np.ndarray:
        """(K, 8) daily donor totals by day, member, donor, channel (a giver's same-day
        gifts summed).
        """
        daily = np.concatenate([np.zeros((0, 5)), *self.daily])
        if not len(daily):
            return np.zeros((0, len(TOTAL_COLUMNS)))
        key = ((daily[:, 0].astype(np.int64) * _MEMBER + daily[:, 1].astype(np.int64))
               * _COUNTRY + daily[:, 2].astype(np.int64) + 2) * 2 + daily[:, 3]
        key, inverse = np.unique(key.astype(np.int64), return_inverse=True)
        doses = np.bincount(inverse, weights=daily[:, 4])
        rest, channel = np.divmod(key, 2)
        rest, donor = np.divmod(rest, _COUNTRY)
        day, member = np.divmod(rest, _MEMBER)
        return np.column_stack([member, day, donor - 2, np.full(len(key), ANY), doses,
                                channel, np.zeros((len(key), 2))])

    def array(self) -> np.ndarray:
        """(K, 6) every flow so far, in the order recorded (only when kept: ``rows``)."""
        if not self.keep_rows:
            raise ValueError("this FlowLog keeps totals only (rows=False)")
        if not self.parts:
            return np.zeros((0, len(FLOW_COLUMNS)))
        if len(self.parts) > 1:
            self.parts = [np.concatenate(self.parts)]
        return self.parts[0].copy()


def run_log(enabled: np.ndarray, countries: int, days: int, half_life: np.ndarray,
            delivery_lag: int) -> FlowLog:
    """The log a run keeps: totals only, influence on the last day, flows given within
    ``delivery_lag`` days of the end counted as not yet arrived.
    """
    return FlowLog(enabled, end=days - 1, half_life=half_life,
                   arrive_by=days - 1 - delivery_lag, countries=countries, rows=False)


#: A log that keeps nothing (for recorders without a diplomacy ledger).
NO_FLOWS = FlowLog(enabled=False)
