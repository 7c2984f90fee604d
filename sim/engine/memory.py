"""How much memory a batch needs, estimated from array shapes before anything big is
allocated, and the check that refuses a run which cannot fit.

The estimate adds, for E members on N countries, P producers and D days:

- one member's parameter and day-0 state arrays, measured by building them for a single
  member (``nbytes`` of every array), times E, times :data:`WORKING_COPIES` for the
  stages' temporaries of the same shapes;
- the donation stage's (E, donors, N) work arrays when any country donates;
- the recorder's trajectories (shapes from :mod:`sim.engine.record`), times
  :data:`TABLE_COPIES` for the tables and files built from them.

It is an estimate, made to err high: ``tests/engine/test_memory.py`` checks it against
the peak that :mod:`tracemalloc` measures for real runs.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

import numpy as np

from sim.scenario.budget import USABLE_SHARE, available_bytes, human
from sim.world.recipient_groups import PAIR_LIMIT

#: Temporaries of the per-member arrays a day's stages make (a stage rarely holds more
#: than two or three (E, N) intermediates per input array).
WORKING_COPIES = 3
#: Copies of the recorded trajectories alive while tables, plots and files are written
#: (the arrays, the long tables built from them and one table being written).
TABLE_COPIES = 3


def array_bytes(obj: object, seen: set[int] | None = None) -> int:
    """Bytes of every numpy array reachable from a dataclass (recursively)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if is_dataclass(obj) and not isinstance(obj, type):
        return sum(array_bytes(getattr(obj, f.name), seen) for f in fields(obj))
    return 0


def member_bytes(world, params_one) -> tuple[int, int, int]:
    """Bytes of one member's (parameters, day-0 state, epidemic part of that state), for a
    one-member :class:`~sim.engine.build.params.Params`; measured once per ``params_one``
    (the memory check and the chunk size both ask).
    """
    cached = params_one.__dict__.get("_member_bytes")
    if cached is None or cached[0] is not world:
        from sim.engine.state import initial_state

        state = initial_state(world, params_one)
        sizes = (array_bytes(params_one), array_bytes(state),
                 array_bytes(state.epi) if state.epi is not None else 0)
        cached = (world, sizes)
        params_one.__dict__["_member_bytes"] = cached
    return cached[1]


def recorded_bytes(members: int, countries: int, producers: int, days: int,
                   country_every: int, epidemic: bool) -> int:
    """Bytes of the trajectories a full :class:`~sim.engine.record.Recorder` keeps."""
    from sim.engine.epi_record import EPI_COUNTRY_FIELDS, EPI_GROUP_FIELDS
    from sim.engine.record import (
        COUNTRY_FIELDS,
        DIPLOMACY_FIELDS,
        GROUP_FIELDS,
        GROUPS,
        LEDGER_FIELDS,
    )
    from sim.scenario.adaptation import STRATEGIES

    E, N, P, D = members, countries, producers, days
    kept = -(-D // country_every) + 1
    cells = (E * D * (len(GROUPS) * len(GROUP_FIELDS) + len(LEDGER_FIELDS) + 2 * P
                      + len(DIPLOMACY_FIELDS) + len(STRATEGIES))
             + E * kept * N * len(COUNTRY_FIELDS))
    if epidemic:
        cells += E * D * len(GROUPS) * len(EPI_GROUP_FIELDS) + E * N * len(EPI_COUNTRY_FIELDS)
    return 8 * cells


def estimate_bytes(world, params_one, members: int, country_every: int,
                   record_days: bool = True) -> int:
    """Bytes a batch of ``members`` members like ``params_one`` (a one-member
    :class:`~sim.engine.build.params.Params`) is expected to need at its peak.

    record_days : False when only the last day is recorded (sweeps' final metrics)
    """
    N = world.n_countries
    params_bytes, state_bytes, _ = member_bytes(world, params_one)
    per_member = params_bytes + state_bytes
    total = members * per_member * WORKING_COPIES
    d = params_one.diplomacy
    may_donate = d.donor_share0.any() or d.output_gift.any() or (params_one.rule != 0).any()
    if may_donate:  # a round is O(N) vectors; pair flows only on small worlds
        pairs = N * N * 4 if N <= PAIR_LIMIT else 0   # flows and their copies (numpy)
        total += members * (N * 32 + pairs) * 8
    days = world.days if record_days else 1
    total += TABLE_COPIES * recorded_bytes(members, N, world.n_producers, days,
                                           country_every, params_one.epidemic is not None)
    return int(total)


def check_fits(estimate: int, what: str) -> None:
    """Raise :class:`~sim.scenario.loader.ScenarioError` (exit 2) when ``estimate`` bytes
    exceed :data:`USABLE_SHARE` of :func:`available_bytes`.
    """
    from sim.scenario.loader import ScenarioError

    usable = int(available_bytes() * USABLE_SHARE)
    if estimate > usable:
        raise ScenarioError(f"{what} needs about {human(estimate)} of memory, more than the "
                            f"{human(usable)} this machine can give it; use fewer replicates, "
                            "countries or days (or a sweep's smaller batch_size)")
