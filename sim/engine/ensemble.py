"""Large ensembles in chunks of members, so memory does not grow with E × working state.

A batch's working arrays (parameters, state, the stages' temporaries) cost about the
same per member as what the recorder keeps of it over a whole run; running E = 1,024
members at once would hold them all. Members are independent of their batch (a member
alone equals the same member in a batch, the engine's guarantee, tested in
``tests/engine/test_determinism.py``), so a large ensemble is run as consecutive chunks
of at most :func:`chunk_members` members and each chunk's trajectories are copied into
arrays for all members (:class:`MemberStack`): the result is bit-identical to one batch,
and only one chunk's working arrays are alive at a time.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from sim.engine.flows import TOTAL_COLUMNS, WHOLE_RUN
from sim.engine.record import Trajectories

#: Bytes of working arrays (parameters, state and temporaries) one chunk may hold.
CHUNK_BYTES = 128 * 2**20
#: Never fewer members per chunk than this (small chunks lose the batch's speed).
MIN_CHUNK = 16
#: Trajectory fields that are not per member.
_SHARED = ("country_days",)
#: Fields of the epidemic records.
EPI_FIELDS = ("epi_groups", "epi_countries_end", "epi_bands")


def chunk_members(world, params_one, members: int, twins: bool = False) -> int:
    """Members per chunk: as many as fit in :data:`CHUNK_BYTES` of working arrays (at least
    :data:`MIN_CHUNK`, at most ``members``).

    params_one : a one-member :class:`~sim.engine.build.params.Params` like the batch's
    twins : no-vaccine twins run beside each member (their epidemic state counts)
    """
    from sim.engine.memory import WORKING_COPIES, member_bytes

    if members <= MIN_CHUNK:  # one chunk, whatever a member weighs
        return members
    params_bytes, state_bytes, epi_bytes = member_bytes(world, params_one)
    per_member = params_bytes + state_bytes + (epi_bytes if twins else 0)
    per_member *= WORKING_COPIES
    return int(min(members, max(MIN_CHUNK, CHUNK_BYTES // max(per_member, 1))))


def chunks(members: int, size: int) -> list[slice]:
    """Consecutive slices of at most ``size`` members covering ``members``."""
    return [slice(start, min(start + size, members)) for start in range(0, members, size)]


class MemberStack:
    """The trajectories of consecutive member chunks, copied into arrays for all members.

    Parameters
    ----------
    members : E, the members of all chunks together
    kept : K, the members whose per-country records are kept (the first K)
    only : copy only these fields (the rest are taken from ``base`` in :meth:`result`)
    """

    def __init__(self, members: int, kept: int, only: tuple[str, ...] | None = None) -> None:
        self.members, self.kept, self.only = members, kept, only
        self.fields: dict[str, np.ndarray | None] = {}
        self.flows: list[np.ndarray] = []
        self.start = 0
        self.kept_start = 0

    def add(self, part: Trajectories) -> None:
        """Copy the next chunk's trajectories (its members follow the previous chunk's)."""
        n = part.groups.shape[0]
        for f in dataclasses.fields(part):
            if self.only is not None and f.name not in self.only:
                continue
            v = getattr(part, f.name)
            if f.name == "flows":
                rows = v.copy()
                rows[:, TOTAL_COLUMNS.member] += self.start
                self.flows.append(rows)
                continue
            if v is None or f.name in _SHARED:
                self.fields[f.name] = v
                continue
            if f.name not in self.fields:
                rows = self.kept if f.name == "countries" else self.members
                self.fields[f.name] = np.zeros((rows, *v.shape[1:]), dtype=v.dtype)
            out = self.fields[f.name]
            assert out is not None
            if f.name == "countries":  # a chunk may keep more than the rest of K
                v = v[:max(self.kept - self.kept_start, 0)]
            first = self.kept_start if f.name == "countries" else self.start
            out[first:first + v.shape[0]] = v
        self.kept_start = min(self.kept, self.kept_start + part.countries.shape[0])
        self.start += n

    def result(self, base: Trajectories | None = None) -> Trajectories:
        """The stacked trajectories; fields not copied (``only``) come from ``base``."""
        assert self.start == self.members, "every chunk must be added"
        out: dict[str, Any] = dict(self.fields)
        if self.flows:  # the same rows as one batch's: pair totals in member order, then
            # daily totals by day (chunk by chunk, so member by member, within a day)
            day = TOTAL_COLUMNS.day
            pairs = [f[f[:, day] == WHOLE_RUN] for f in self.flows]
            daily = np.concatenate([f[f[:, day] != WHOLE_RUN] for f in self.flows])
            self.flows = []
            out["flows"] = np.concatenate(
                [*pairs, daily[np.argsort(daily[:, day], kind="stable")]])
        if base is None:
            return Trajectories(**out)
        return dataclasses.replace(base, **out)
