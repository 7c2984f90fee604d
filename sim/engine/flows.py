"""The diplomacy ledger: every donated or pooled dose, donor → recipient, by member and day.

No dense (E, D, N, N) array: each donation or pool round appends only its nonzero flows.
A flow row is (member, day, donor, recipient, doses, channel) with country indices; the
pool is :data:`POOL` (-1) and the channels are :data:`BILATERAL` (0) and :data:`POOLED` (1).
"""

from __future__ import annotations

import numpy as np

from sim.engine.fields import Fields

POOL = -1
BILATERAL, POOLED = 0, 1
CHANNELS = ("bilateral", "pool")
#: Columns of :meth:`FlowLog.array`.
FLOW_COLUMNS = Fields("member", "day", "donor", "recipient", "doses", "channel")


class FlowLog:
    """Append-only log of flows; :meth:`array` gives them as one (K, 6) float array."""

    def __init__(self, enabled: bool | np.ndarray = True) -> None:
        """Keep flows of all members (True), none (False) or some ((E,) bool).

        A member's ledger does not depend on what the other members of its batch keep.
        """
        self.keep = np.asarray(enabled, dtype=bool)
        self.enabled = bool(self.keep.any())
        self.parts: list[np.ndarray] = []

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
        self.parts.append(np.column_stack([e, np.full(len(e), t), donor, recipient, doses,
                                           np.full(len(e), channel)]).astype(float))

    def array(self) -> np.ndarray:
        """(K, 6) every flow so far, in the order recorded."""
        if not self.parts:
            return np.zeros((0, len(FLOW_COLUMNS)))
        if len(self.parts) > 1:
            self.parts = [np.concatenate(self.parts)]
        return self.parts[0].copy()


#: A log that keeps nothing (for recorders without a diplomacy ledger).
NO_FLOWS = FlowLog(enabled=False)
