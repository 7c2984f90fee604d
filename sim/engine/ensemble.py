"""Large ensembles in chunks of members, so memory does not grow with E × working state
and a day's working set stays in the processor's cache.

A batch's working arrays (parameters, state, the stages' temporaries) cost about the
same per member as what the recorder keeps of it over a whole run; running E = 1,024
members at once would hold them all. Members are independent of their batch (a member
alone equals the same member in a batch, the engine's guarantee, tested in
``tests/engine/test_determinism.py``), so a large ensemble is run as consecutive chunks
of at most :func:`chunk_members` members and each chunk's trajectories are copied into
arrays for all members (:class:`MemberStack`): the result is bit-identical to one batch,
and only one chunk's working arrays are alive at a time. Sweeps cut their batches the
same way (:func:`sim.sweep.batches.run_batch`).

Chunks are also kept small enough for speed. Every stage of a day walks the whole
batch's state, so a batch whose state outgrows the last-level cache is read from memory
every day: on the baseline world (about 1 MB of state, parameters and twin epidemic per
member) the engine took, per member of a 730-day run, 113 ms alone, 71-70 ms in batches
of 8-16, 78 ms at 32, 94 ms at 64 and 108 ms at 256 (one process, 2-core AMD EPYC with
a 32 MB L3, session 14, quiet host). ``run(baseline, replicates=256)`` took 33.3 s in
chunks of 41 (memory alone) and 24.9-25.7 s in chunks of 8-16.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from sim.engine.flows import TOTAL_COLUMNS, WHOLE_RUN
from sim.engine.record import Trajectories

#: Bytes of working arrays (parameters, state and temporaries) one chunk may hold.
CHUNK_BYTES = 128 * 2**20
#: Never fewer members per chunk than this for memory's sake.
MIN_CHUNK = 16
#: Bytes of parameters and state (with the twins' epidemic) a chunk's day should touch:
#: a quarter of a 32 MB last-level cache, which the day's temporaries and the recorder
#: share, and so do the other cores (two sweep workers) and, on a cloud host, its other
#: tenants. A 256-member sweep on 2 workers took 5.4-5.8 s with 8 MB, 5.7-6.4 s with
#: 16 MB and 6.4-6.8 s in batches of 32 (busy host); on 1 worker 9.8 s against 10.6 s.
CACHE_BYTES = 8 * 2**20
#: Never fewer members per chunk than this for the cache's sake (a batch shares its
#: per-day costs among its members: 4 members cost 79 ms a member, 8 71 ms, measured).
MIN_CACHE_CHUNK = 8
#: Trajectory fields that are not per member.
_SHARED = ("country_days",)
#: Fields of the epidemic records.
EPI_FIELDS = ("epi_groups", "epi_countries_end", "epi_bands")


def chunk_members(world, params_one, members: int, twins: bool = False,
                  workers: int = 1) -> int:
    """Members per chunk (at most ``members``): as many as fit in :data:`CHUNK_BYTES` of
    working arrays (at least :data:`MIN_CHUNK`) and whose parameters and state fit in
    :data:`CACHE_BYTES` (at least :data:`MIN_CACHE_CHUNK`), whichever is fewer; and few
    enough that ``workers`` processes get a chunk each.

    params_one : a one-member :class:`~sim.engine.build.params.Params` like the batch's
    twins : no-vaccine twins run beside each member (their epidemic state counts)
    workers : processes the chunks are shared out among

    On the baseline world a member weighs about 1 MB (parameters 0.18, state 0.65, a
    twin's epidemic 0.23), so chunks hold :data:`MIN_CACHE_CHUNK` (8) members.
    """
    from sim.engine.memory import WORKING_COPIES, member_bytes

    per_worker = -(-members // max(workers, 1))
    if members <= MIN_CACHE_CHUNK:  # one chunk, whatever a member weighs
        return per_worker
    params_bytes, state_bytes, epi_bytes = member_bytes(world, params_one)
    per_member = max(params_bytes + state_bytes + (epi_bytes if twins else 0), 1)
    by_memory = max(MIN_CHUNK, CHUNK_BYTES // (per_member * WORKING_COPIES))
    by_cache = max(MIN_CACHE_CHUNK, CACHE_BYTES // per_member)
    return int(min(per_worker, by_memory, by_cache))


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
