"""The fused dose day's plans of the running states (:class:`sim.engine.dose_day._Plan`),
by ``id`` of their state: made and dropped by :mod:`sim.engine.dose_day`, read here by the
stages that use the shelf-life bucket marks a plan keeps (the pool, before the day's dose
stages) without importing the dose day (which imports the donation stage, which imports
the pool).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engine.state import State

#: The plans of the states alive, by ``id`` (each plan checks its state is that one).
PLANS: dict[int, Any] = {}


def gift_marks(state: State) -> np.ndarray:
    """The fused day's (E, L, B) marks of ``state``'s gift ring planes (bucket, lag day)
    that may hold doses (:func:`sim.engine.dose_day.bucket_marks`; only the fused day
    writes the ring, so they hold until its next call), or all True (always correct)
    when no plan of this state is alive (a state copy, a day run stage by stage).
    """
    B, E, L, _ = state.gift_transit.shape
    return _marks(state, 1, (E, L, B))


def stock_used(state: State) -> np.ndarray:
    """The fused day's (E, B) marks of ``state``'s stock buckets that may hold doses
    (:func:`sim.engine.dose_day.stock_marks`: only the fused day adds doses to the stock,
    the pool and the donation only take), or all True (always correct) when no plan of
    this state is alive.
    """
    B, E = state.stock.shape[:2]
    return _marks(state, 0, (E, B))


def _marks(state: State, which: int, shape: tuple[int, ...]) -> np.ndarray:
    """Mark array ``which`` of the live plan of ``state``, else all True of ``shape``."""
    plan = PLANS.get(id(state))
    if plan is None or plan.state() is not state:
        return np.ones(shape, dtype=bool)
    return plan.marks[which]
