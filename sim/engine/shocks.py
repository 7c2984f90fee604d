"""Shocks: dated events from the scenario's ``shocks`` list.

- ``export_ban``: folded into the export-policy arrays when parameters are built
  (:func:`sim.engine.build.diplomacy_params.apply_ban_shocks`); the market applies it.
- ``plant_outage``: :func:`cut_outages` scales a producer's output on the days of the
  outage (run right after production).
- ``demand_surge``: :func:`surge_orders` adds orders on the day of the surge.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.state import State


def cut_outages(state: State, params: Params, made: np.ndarray, t: int) -> None:
    """Remove the share of today's output ``made`` (E, P) lost to plant outages.

    Several outages of one producer on the same day multiply.
    """
    d = params.diplomacy
    if not d.any_outage:
        return
    active = (d.outage_start <= t) & (t <= d.outage_end)          # (E, S)
    if not active.any():
        return
    E = made.shape[0]
    keep = np.ones_like(made)
    rows = np.arange(E)
    for s in range(active.shape[1]):  # S shocks: a handful
        keep[rows, d.outage_producer[:, s]] *= np.where(active[:, s], d.outage_keep[:, s], 1.0)
    before = state.inventory.copy()
    state.inventory[:] = np.maximum(state.inventory - made * (1.0 - keep), 0.0)
    state.produced_cum -= before - state.inventory


def surge_orders(state: State, params: Params, t: int) -> None:
    """Place the orders of demand surges dated day ``t`` (adds to ``orders_extra`` too)."""
    d = params.diplomacy
    if not d.any_surge:
        return
    hit = d.surge_day == t                                          # (E, S)
    if not hit.any():
        return
    extra = (d.surge_doses * hit[..., None]).sum(axis=1)
    state.orders_open += extra
    state.orders_extra += extra
