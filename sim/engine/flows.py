"""The diplomacy ledger: every donated or pooled dose, donor → recipient, by member, summed
as it accrues.

A flow is (member, day, donor, recipient, doses, channel) with country indices; the pool
is :data:`POOL` (-1) and the channels are :data:`BILATERAL` (0) and :data:`POOLED` (1).
The stages hand their nonzero flows to a :class:`FlowLog` (:meth:`~FlowLog.add_matrix`,
:meth:`~FlowLog.add_rows`, :meth:`~FlowLog.add_vector`), which keeps them summed, never
one row per day and pair (that grows with days × donors × recipients: 97 M rows for a
10,000-region world):

- **pair totals**, one row per (member, donor, recipient, channel) over the whole run
  (``day`` = :data:`WHOLE_RUN`), with the doses that had arrived by the last day
  (``arrived``: given at least ``delivery_lag`` days before its end) and the influence
  the pair's doses still carry on the last day (``influence``: each dose weighted by
  0.5 ** (days since given / the member's donation half-life));
- **daily donor totals**, one row per (day, member, donor, channel) with doses
  (``recipient`` = :data:`ANY`), for time series of what a donor gave.

:meth:`FlowLog.totals` gives both as one (K, 8) array, columns :data:`TOTAL_COLUMNS`
(the first six are :data:`FLOW_COLUMNS`): the pair totals ordered by member, donor,
recipient and channel, then the daily totals ordered by day, member, donor and channel,
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

from sim.engine.fields import Fields

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


class Sums:
    """Sums of value rows by int64 key, in the order the rows were added.

    Rows wait in a buffer and are folded into the sorted totals when the buffer outgrows
    them, so memory stays O(distinct keys + one buffer) and work O(rows · log keys).
    Each key's sum is a left fold in the order of addition (``np.bincount`` adds in input
    order, the totals so far first), whatever the buffer's size.
    """

    def __init__(self, width: int) -> None:
        """Sums of ``width`` values per key."""
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros((0, width))
        self._keys: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._waiting = 0

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add ``values`` (K, width) to the sums of ``keys`` (K,)."""
        self._keys.append(keys)
        self._values.append(values)
        self._waiting += len(keys)
        if self._waiting > max(len(self.keys), 1 << 16):
            self._fold()

    def _fold(self) -> None:
        if not self._waiting:
            return
        keys = np.concatenate([self.keys, *self._keys])
        values = np.concatenate([self.values, *self._values])
        self._keys, self._values, self._waiting = [], [], 0
        self.keys, inverse = np.unique(keys, return_inverse=True)
        self.values = np.stack([np.bincount(inverse, weights=values[:, j],
                                            minlength=len(self.keys))
                                for j in range(values.shape[1])], axis=1)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys ascending, (K, width) sums)."""
        self._fold()
        return self.keys, self.values


class FlowLog:
    """The flows of a batch, summed as they accrue (see the module docstring).

    Parameters
    ----------
    enabled : keep flows of all members (True), none (False) or some ((E,) bool); a
        member's totals do not depend on what the other members of its batch keep
    end : the last day of the run (``influence`` is taken on it; default: the day of
        each flow, so influence equals doses)
    half_life : (E,) days of each member's donation half-life (default: no decay)
    arrive_by : (E,) or scalar, the last day a flow may be given and still have arrived
        by the end (default: every flow has)
    rows : also keep every flow as recorded (:meth:`array`; memory grows with days ×
        pairs: for tests and small worlds)
    """

    def __init__(self, enabled: bool | np.ndarray = True, *, end: int | None = None,
                 half_life: np.ndarray | None = None,
                 arrive_by: int | np.ndarray | None = None, rows: bool = True) -> None:
        self.keep = np.asarray(enabled, dtype=bool)
        self.enabled = bool(self.keep.any())
        self.end = end
        self.half_life = None if half_life is None else np.asarray(half_life, dtype=float)
        self.arrive_by = None if arrive_by is None else np.asarray(arrive_by)
        self.keep_rows = rows
        self.parts: list[np.ndarray] = []
        self.pairs = Sums(3)   # doses, arrived, influence
        self.daily = Sums(1)   # doses

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
        e = np.asarray(e, dtype=np.int64)
        donor = np.asarray(donor, dtype=np.int64)
        doses = np.asarray(doses, dtype=float)
        side = (e * _COUNTRY + donor + 2) * _COUNTRY
        self.pairs.add((side + np.asarray(recipient, dtype=np.int64) + 2) * 2 + channel,
                       np.column_stack([doses, self._arrived(e, t, doses),
                                        self._influence(e, t, doses)]))
        order = np.unique(side // _COUNTRY, return_inverse=True)  # a donor's flows together
        daily = np.bincount(order[1], weights=doses)  # summed in recorded order
        member, donor1 = np.divmod(order[0], _COUNTRY)
        self.daily.add(((t * _MEMBER + member) * _COUNTRY + donor1) * 2 + channel,
                       daily[:, None])
        if self.keep_rows:
            self.parts.append(np.column_stack([e, np.full(len(e), t), donor, recipient,
                                               doses, np.full(len(e), channel)]).astype(float))

    def _arrived(self, e: np.ndarray, t: int, doses: np.ndarray) -> np.ndarray:
        if self.arrive_by is None:
            return doses
        by = self.arrive_by if self.arrive_by.ndim == 0 else self.arrive_by[e]
        return np.where(t <= by, doses, 0.0)

    def _influence(self, e: np.ndarray, t: int, doses: np.ndarray) -> np.ndarray:
        if self.half_life is None or self.end is None:
            return doses
        hl = self.half_life if self.half_life.ndim == 0 else self.half_life[e]
        return doses * 0.5 ** ((self.end - t) / hl)

    def totals(self) -> np.ndarray:
        """(K, 8) pair totals, then daily donor totals (columns :data:`TOTAL_COLUMNS`)."""
        keys, values = self.pairs.result()
        rest, channel = np.divmod(keys, 2)
        rest, recipient = np.divmod(rest, _COUNTRY)
        member, donor = np.divmod(rest, _COUNTRY)
        pairs = np.column_stack([member, np.full(len(keys), WHOLE_RUN), donor - 2,
                                 recipient - 2, values[:, 0], channel, values[:, 1:]])
        keys, values = self.daily.result()
        rest, channel = np.divmod(keys, 2)
        rest, donor = np.divmod(rest, _COUNTRY)
        day, member = np.divmod(rest, _MEMBER)
        daily = np.column_stack([member, day, donor - 2, np.full(len(keys), ANY),
                                 values[:, 0], channel, np.zeros((len(keys), 2))])
        return np.concatenate([pairs, daily]).astype(float)

    def array(self) -> np.ndarray:
        """(K, 6) every flow so far, in the order recorded (only when kept: ``rows``)."""
        if not self.keep_rows:
            raise ValueError("this FlowLog keeps totals only (rows=False)")
        if not self.parts:
            return np.zeros((0, len(FLOW_COLUMNS)))
        if len(self.parts) > 1:
            self.parts = [np.concatenate(self.parts)]
        return self.parts[0].copy()


def run_log(enabled: np.ndarray, days: int, half_life: np.ndarray,
            delivery_lag: int) -> FlowLog:
    """The log a run keeps: totals only, influence on the last day, flows given within
    ``delivery_lag`` days of the end counted as not yet arrived.
    """
    return FlowLog(enabled, end=days - 1, half_life=half_life,
                   arrive_by=days - 1 - delivery_lag, rows=False)


#: A log that keeps nothing (for recorders without a diplomacy ledger).
NO_FLOWS = FlowLog(enabled=False)
