"""Stage 1, production: each producer makes its scheduled doses for the day; with plant
outages, demand surges and licensees' fill-finish, the day's supply (:func:`supply`).
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.kernels import backend
from sim.engine.licensing import fill_finish
from sim.engine.shocks import cut_outages, surge_orders
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


def supply(state: State, world: World, params: Params, t: int) -> np.ndarray | None:
    """Stage 1 of day ``t``: production, plant outages, demand surges, then licensees'
    fill-finish; returns (E, N) doses for licensees' own orders (None before any licence
    fills).

    A batch without outages or surges runs production and fill-finish in one compiled
    call (:func:`sim.engine.kernels.production.supply_day`).
    """
    d = params.diplomacy
    if backend() == "numpy" or d.any_outage or d.any_surge:
        cut_outages(state, params, produce(state, world, params, t), t)
        surge_orders(state, params, t)
        return fill_finish(state, params, t)
    from sim.engine.kernels.production import supply_day

    licences_run = t >= d.first_licence_day
    out = np.empty_like(state.orders_open) if licences_run else state.orders_open
    supply_day(t, world.production, params.production_multiplier, world.month_index,
               licences_run,
               float(params.structure.clearing_days), d.lic_producer, d.lic_country,
               d.lic_active, d.lic_rate, d.lic_total, d.lic_additional, state.inventory,
               state.produced_cum, state.orders_open, state.allocated_cum, state.bulk,
               state.bulk_drawn_cum, state.licensed_cum, out)
    return out if licences_run else None
