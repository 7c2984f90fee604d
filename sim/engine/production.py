"""Stage 1, production: each producer makes its scheduled doses for the day."""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.kernels import backend
from sim.engine.state import State
from sim.world.world import World


def produce(state: State, world: World, params: Params, t: int) -> np.ndarray:
    """Add day ``t``'s output to the manufacturers' inventory.

    Output is the shipped schedule (P, D) times the member's multiplier for the producer
    and month (scenario multipliers and lognormal noise).

    Returns
    -------
    made : (E, P) doses made on day ``t``
    """
    if backend() == "numpy":
        return produce_reference(state, world, params, t)
    from sim.engine.kernels.production import produce_day

    made = np.empty(state.inventory.shape)
    produce_day(t, world.production, params.production_multiplier, world.month_index,
                state.inventory, state.produced_cum, made)
    return made


def produce_reference(state: State, world: World, params: Params, t: int) -> np.ndarray:
    """:func:`produce` in numpy (the kernel's reference)."""
    made = world.production[:, t] * params.production_multiplier[:, :, world.month_index[t]]
    state.inventory += made
    state.produced_cum += made
    return made
