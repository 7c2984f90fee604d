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

On worlds of more than :data:`~sim.world.recipient_groups.PAIR_LIMIT` countries
(synthetic scale worlds) bilateral gifts are recorded per donor and **recipient group**
(WHO region × income group, :mod:`sim.world.recipient_groups`), recipient index
``N + c`` for group ``c``: a donor reaches nearly every country, so pairs would be
donors × N rows (31.7 M at 10,000 regions).
Pool flows are per country at any size (they are O(N)).

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

from collections.abc import Callable
from typing import Any

import numpy as np

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
_ALL = np.ones(1, dtype=bool)   # the keep mask of a log keeping every member (unread)

#: Flows as (K,) arrays of member, donor, recipient and doses.
Flows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _pool_flows(doses: np.ndarray, to_pool: bool) -> Flows:
    """The positive pool flows of ``doses`` (E, N), member by member: from each country
    to the pool (``to_pool``) or from the pool to each country.
    """
    e, n = np.nonzero(doses > 0)
    pool = np.full(len(e), POOL)
    donor, recipient = (n, pool) if to_pool else (pool, n)
    return e, donor, recipient, doses[e, n]


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

    Each (member, donor, channel) that has given gets a giver row; its sums (doses and
    influence) are kept per (giver row, recipient) that has had a flow, sparse and
    sorted by key: memory is the number of such pairs, and adding a day's flows costs
    a binary search per flow (plus an insert when new pairs appear). Doses given too
    late to arrive by the end are not counted as arrived (a copy of the doses is taken
    the first day after ``arrive_by``).

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
        # sums by (giver row, recipient + 1), sparse: sorted keys row · 2^21 + recipient + 1
        # and their doses and influence (2, K)
        self.keys = np.zeros(0, dtype=np.int64)
        self.sums = np.zeros((2, 0))
        self.arrived: tuple[np.ndarray, np.ndarray] | None = None  # keys, doses by arrive_by
        # daily donor totals as rows (day, member, donor, channel, doses), the first
        # ``n_daily`` of a buffer that doubles when full
        self.daily = np.zeros((0, 5))
        self.n_daily = 0
        self._weight: tuple[int, np.ndarray] | None = None   # day and its weights
        # the compiled fast paths, once a flow came in with numba
        self._compiled: tuple[Callable[..., int], Callable[..., int]] | None = None

    def add_matrix(self, t: int, flows: np.ndarray, donors: np.ndarray,
                   channel: int = BILATERAL) -> None:
        """Record the nonzero entries of ``flows`` (E, len(donors), N) on day ``t``."""
        if not self.enabled:
            return
        e, i, r = np.nonzero(flows > 0)
        if len(e):
            self._append(t, channel, e, donors[i], r, flows[e, i, r])

    def add_rows(self, t: int, rows: np.ndarray, doses: np.ndarray,
                 channel: int = BILATERAL) -> None:
        """Record flows on day ``t`` given as ``rows`` (K, 3) int member, donor, recipient
        and ``doses`` (K,) (a compiled kernel's output, nonzero flows only).
        """
        if not self.enabled or not len(doses):
            return
        flows = rows[:, 0], rows[:, 1], rows[:, 2], doses
        kernels = self._kernels()
        if kernels is not None and self._known(t, kernels[0], rows, doses, channel):
            if self.keep_rows:
                self._keep(t, channel, *self._kept(*flows))
            return
        self._append(t, channel, *flows)

    def add_vector(self, t: int, doses: np.ndarray, to_pool: bool) -> None:
        """Record pool flows (E, N) on day ``t``: countries → pool or pool → countries."""
        if not self.enabled:
            return
        kernels = self._kernels()
        if kernels is not None and self._known(t, kernels[1], doses, to_pool, POOLED):
            if self.keep_rows:
                self._keep(t, POOLED, *self._kept(*_pool_flows(doses, to_pool)))
            return
        self._append(t, POOLED, *_pool_flows(doses, to_pool))

    def _kernels(self) -> tuple[Callable[..., int], Callable[..., int]] | None:
        """The compiled fast paths (:func:`sim.engine.kernels.flows.add_rows_known`,
        :func:`~sim.engine.kernels.flows.add_vector_known`) with the numba backend, else
        None.
        """
        if backend() != "numba":
            return None
        if self._compiled is None:
            from sim.engine.kernels.flows import add_rows_known, add_vector_known

            self._compiled = (add_rows_known, add_vector_known)
        return self._compiled

    def _known(self, t: int, kernel: Callable[..., int], flows: np.ndarray, second: Any,
               channel: int) -> bool:
        """Add today's flows by ``kernel`` if every giver row and sum they need exists;
        False (nothing changed) when some are new.
        """
        self._snapshot(t)
        if len(self.daily) < self.n_daily + self.n_rows:
            self.daily = _grown(self.daily, (self.n_daily + self.n_rows, 5), 0)
        keep = self.keep if self.keep.ndim else _ALL
        n = kernel(t, flows, second, channel, keep, not self.keep.ndim,
                   self._weights(t, self.row_of.shape[0]), self.row_of, self.keys, _COUNTRY,
                   self.sums, self.givers, self.daily, self.n_daily)
        if n < 0:
            return False
        self.n_daily = n
        return True

    def _kept(self, e: np.ndarray, donor: np.ndarray, recipient: np.ndarray,
              doses: np.ndarray) -> Flows:
        """The flows of the members that keep theirs."""
        if self.keep.ndim:
            sel = self.keep[e]
            e, donor, recipient, doses = e[sel], donor[sel], recipient[sel], doses[sel]
        return e, donor, recipient, doses

    def _snapshot(self, t: int) -> None:
        """Copy the doses of every pair on the first day after ``arrive_by`` (before its
        flows): what had arrived by the end.
        """
        if self.arrived is None and self.arrive_by is not None and t > self.arrive_by:
            self.arrived = (self.keys.copy(), self.sums[0].copy())

    def _append(self, t: int, channel: int, e: np.ndarray, donor: np.ndarray,
                recipient: np.ndarray, doses: np.ndarray) -> None:
        """Record flows (K,) member, donor, recipient and doses on day ``t``: the general
        path (new giver rows or sums, or the numpy backend).
        """
        e, donor, recipient, doses = self._kept(e, donor, recipient, doses)
        if not len(e):
            return
        e = np.asarray(e, dtype=np.int64)      # views of a kernel's rows: no copy
        donor = np.asarray(donor, dtype=np.int64) + 2
        recipient = np.asarray(recipient, dtype=np.int64) + 1
        doses = np.asarray(doses, dtype=float)
        self._snapshot(t)
        weight = self._weights(t, int(e.max()) + 1)
        row = self._rows(e, donor, channel)
        slot = self._slots(row * _COUNTRY + recipient)
        if backend() == "numba":
            from sim.engine.kernels.flows import accumulate

            given = np.zeros(self.n_rows)
            accumulate(e, row, slot, doses, weight, self.sums, given)
        else:
            given = self._accumulate(e, row, slot, doses, weight)
        gave = np.flatnonzero(given > 0)
        self.daily = _grown(self.daily, (self.n_daily + len(gave), 5), 0)
        today = self.daily[self.n_daily:self.n_daily + len(gave)]
        today[:, 0], today[:, 1:4], today[:, 4] = t, self.givers[gave], given[gave]
        self.n_daily += len(gave)
        if self.keep_rows:
            self._keep(t, channel, e, donor - 2, recipient - 1, doses)

    def _keep(self, t: int, channel: int, e: np.ndarray, donor: np.ndarray,
              recipient: np.ndarray, doses: np.ndarray) -> None:
        """Keep the flows as rows (:meth:`array`)."""
        self.parts.append(np.column_stack([e, np.full(len(e), t), donor, recipient, doses,
                                           np.full(len(e), channel)]).astype(float))

    def _rows(self, e: np.ndarray, donor: np.ndarray, channel: int) -> np.ndarray:
        """Row of sums of each flow's (member, donor, channel), new rows added."""
        self.row_of = _grown(self.row_of, (int(e.max()) + 1, int(donor.max()) + 1, 2), -1)
        if backend() == "numba":
            from sim.engine.kernels.flows import assign_rows

            row, new_givers = assign_rows(e, donor, channel, self.row_of, self.n_rows,
                                          _COUNTRY)
            if len(new_givers):
                self.givers = np.concatenate([self.givers, new_givers])
                self.n_rows += len(new_givers)
            return row
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

    def _slots(self, key: np.ndarray) -> np.ndarray:
        """Slot of each (giver row, recipient) key in the sorted sums, new keys added."""
        if backend() == "numba":
            from sim.engine.kernels.flows import insert_keys

            self.keys, self.sums, pos = insert_keys(self.keys, self.sums, key)
            return pos
        pos = np.searchsorted(self.keys, key)
        found = pos < len(self.keys)
        found[found] = self.keys[pos[found]] == key[found]
        if not found.all():
            new = np.unique(key[~found])
            at = np.searchsorted(self.keys, new)
            self.keys = np.insert(self.keys, at, new)
            self.sums = np.insert(self.sums, at, 0.0, axis=1)
            pos = np.searchsorted(self.keys, key)
        return pos

    def _accumulate(self, e: np.ndarray, row: np.ndarray, slot: np.ndarray,
                    doses: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Add flows to their sums (numpy reference of
        :func:`sim.engine.kernels.flows.accumulate`); return each row's doses today.
        """
        np.add.at(self.sums[0], slot, doses)  # in recorded order
        np.add.at(self.sums[1], slot, doses * weight[e])
        return np.bincount(row, weights=doses, minlength=self.n_rows)

    def _weights(self, t: int, members: int) -> np.ndarray:
        """(members,) influence a dose given on day ``t`` still carries at the end (at
        least ``members`` long; made once a day).
        """
        if self.half_life is None or self.end is None:
            return np.ones(members)
        if self._weight is None or self._weight[0] != t or len(self._weight[1]) < members:
            weight = 0.5 ** ((self.end - t) / self.half_life)   # per member (or one)
            self._weight = t, np.full(members, weight) if weight.ndim == 0 else weight
        return self._weight[1]

    def totals(self) -> np.ndarray:
        """(K, 8) pair totals, then daily donor totals (columns :data:`TOTAL_COLUMNS`)."""
        T = TOTAL_COLUMNS
        daily = self._daily_totals()
        given = self.sums[0] > 0
        keys = self.keys[given]
        row, recipient = np.divmod(keys, _COUNTRY)
        rank = np.empty(self.n_rows, dtype=np.int64)
        rank[np.lexsort(self.givers.T[::-1])] = np.arange(self.n_rows)
        order = np.lexsort((recipient, rank[row]))
        keys, row, recipient = keys[order], row[order], recipient[order]
        out = np.empty((len(keys) + len(daily), len(T)))
        out[len(keys):] = daily
        pairs = out[:len(keys)]
        pairs[:, T.member], pairs[:, T.donor], pairs[:, T.channel] = self.givers[row].T
        pairs[:, T.day] = WHOLE_RUN
        pairs[:, T.recipient] = recipient - 1
        pairs[:, T.doses] = self.sums[0, given][order]
        pairs[:, T.influence] = self.sums[1, given][order]
        pairs[:, T.arrived] = pairs[:, T.doses] if self.arrived is None else self._arrived_at(keys)
        return out

    def _arrived_at(self, keys: np.ndarray) -> np.ndarray:
        """Doses of each (giver row, recipient) key that had arrived (0 if none)."""
        assert self.arrived is not None
        have, doses = self.arrived
        pos = np.minimum(np.searchsorted(have, keys), max(len(have) - 1, 0))
        hit = have[pos] == keys if len(have) else np.zeros(len(keys), dtype=bool)
        return np.where(hit, doses[pos] if len(have) else 0.0, 0.0)

    def _daily_totals(self) -> np.ndarray:
        """(K, 8) daily donor totals by day, member, donor, channel (a giver's same-day
        gifts summed).
        """
        daily = self.daily[:self.n_daily]
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
