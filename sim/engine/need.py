"""Quantities the pool and donors share: a country's supply gap, its surplus, and taking
doses out of country stock oldest first.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.epidemic import need_weight
from sim.engine.state import State, ordered_sum
from sim.engine.uptake import capacity
from sim.world.world import World


def on_hand(state: State) -> np.ndarray:
    """(E, N) doses in stock or on their way (bought, pooled or donated)."""
    return (ordered_sum(state.stock, (0,)) + ordered_sum(state.transit, (1,))
            + ordered_sum(state.gift_transit, (0, 2)))


def gifts_moving(state: State) -> bool:
    """False when no donated dose can be on its way (the last gift has arrived): the
    compiled kernels then skip the gift ring, which would add only zeros.
    """
    return state.day - state.last_gift_day <= state.gift_transit.shape[2]


def burden_weight(state: State, world: World, params: Params) -> np.ndarray | None:
    """(E, N) epidemic weight of each country's gap in pool and donation allocation
    (:func:`sim.engine.epidemic.need_weight`), None without an epidemic.

    A no-vaccine twin (:mod:`sim.engine.counterfactual`) uses its real member's weight
    (``params.burden_member``), so doses move exactly as in the real run and deaths
    averted compare the same allocation with and without the vaccine's effect.
    """
    w = need_weight(state, world.population)
    if w is None or params.burden_member is None:
        return w
    return w[params.burden_member]


def supply_gap(state: State, params: Params, burden: np.ndarray | None = None) -> np.ndarray:
    """(E, N) doses a country still lacks to give every willing person a full course:
    courses for the willing minus doses given, in stock and on their way.

    burden : optional (E, N) weight (epidemic burden); the gap is multiplied by it.
    Hook: the epidemic passes its burden here; without it every country weighs 1.
    """
    course = params.structure.doses_per_course
    willing = params.willing_people_on(state.day)
    gap = np.maximum(course * willing - state.administered_cum - on_hand(state),
                     0.0)
    return gap if burden is None else gap * burden


def surplus(state: State, world: World, params: Params, t: int) -> np.ndarray:
    """(E, N) doses a country can spare: stock and doses on the way beyond what it needs to
    reach its own coverage target (``keep_coverage``) plus ``buffer_days`` of absorptive
    capacity; never more than its stock.
    """
    d = params.diplomacy
    stock = ordered_sum(state.stock, (0,))
    keep = (np.maximum(d.keep_doses - state.administered_cum, 0.0)
            + d.buffer_days * capacity(world, params, t))
    return np.clip(on_hand(state) - keep, 0.0, stock)


def take_oldest(state: State, amount: np.ndarray) -> np.ndarray:
    """Remove ``amount`` (E, N) doses from country stock, oldest bucket first.

    ``amount`` must not exceed the stock (see :func:`surplus`).

    Returns
    -------
    taken : (B, E, N) doses taken from each shelf-life bucket
    """
    left = amount.copy()
    taken = np.zeros_like(state.stock)
    for b, bucket in enumerate(state.stock):  # B planes
        np.minimum(bucket, left, out=taken[b])
        bucket -= taken[b]
        left -= taken[b]
    return taken
