"""Quantities the pool and donors share: a country's supply gap, its surplus, and taking
doses out of country stock oldest first.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.state import State
from sim.engine.uptake import capacity
from sim.world.world import World


def on_hand(state: State) -> np.ndarray:
    """(E, N) doses in stock or on their way (bought, pooled or donated)."""
    return state.stock.sum(axis=0) + state.transit.sum(axis=1) + state.gift_transit.sum(axis=1)


def supply_gap(state: State, params: Params, burden: np.ndarray | None = None) -> np.ndarray:
    """(E, N) doses a country still lacks to give every willing person a full course:
    courses for the willing minus doses given, in stock and on their way.

    burden : optional (E, N) weight (epidemic burden); the gap is multiplied by it.
    Hook: the epidemic passes its burden here; without it every country weighs 1.
    """
    course = params.structure.doses_per_course
    gap = np.maximum(course * params.willing_people - state.administered_cum - on_hand(state),
                     0.0)
    return gap if burden is None else gap * burden


def surplus(state: State, world: World, params: Params, t: int) -> np.ndarray:
    """(E, N) doses a country can spare: stock and doses on the way beyond what it needs to
    reach its own coverage target (``keep_coverage``) plus ``buffer_days`` of absorptive
    capacity; never more than its stock.
    """
    d = params.diplomacy
    stock = state.stock.sum(axis=0)
    keep = (np.maximum(d.keep_doses - state.administered_cum, 0.0)
            + d.buffer_days * capacity(world, params, t))
    return np.clip(on_hand(state) - keep, 0.0, stock)


def take_oldest(state: State, amount: np.ndarray) -> None:
    """Remove ``amount`` (E, N) doses from country stock, oldest bucket first.

    ``amount`` must not exceed the stock (see :func:`surplus`).
    """
    left = amount.copy()
    take = np.empty_like(left)
    for bucket in state.stock:  # B planes
        np.minimum(bucket, left, out=take)
        bucket -= take
        left -= take
