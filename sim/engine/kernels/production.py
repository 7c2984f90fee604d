"""Stage 1 compiled: the day's output of every producer for every member in one call,
and with it the licensees' fill-finish (:func:`supply_day`).

The numpy reference is :func:`sim.engine.production.produce_reference`; the kernel
multiplies and adds element by element as numpy does, so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.licensing import fill_finish


@jit
def produce_day(t: int, production: np.ndarray, multiplier: np.ndarray,
                month_index: np.ndarray, inventory: np.ndarray, produced_cum: np.ndarray,
                made: np.ndarray) -> None:
    """Add day ``t``'s output to the producers' stock in place.

    production : (P, D) doses per day of the shipped schedule; multiplier : (E, P, M)
    each member's factor by producer and month; month_index : (D,) int month of each day;
    inventory, produced_cum : (E, P) doses, in place; made : (E, P) out, doses made today.
    """
    E, P = inventory.shape
    m = month_index[t]
    for e in range(E):
        for p in range(P):
            x = production[p, t] * multiplier[e, p, m]
            made[e, p] = x
            inventory[e, p] += x
            produced_cum[e, p] += x


@jit
def supply_day(t: int, production: np.ndarray, multiplier: np.ndarray,
               month_index: np.ndarray, licences_run: bool,
               clearing_days: float, lic_producer: np.ndarray, lic_country: np.ndarray,
               lic_active: np.ndarray, lic_rate: np.ndarray, lic_total: np.ndarray,
               lic_additional: np.ndarray, inventory: np.ndarray, produced_cum: np.ndarray,
               orders_open: np.ndarray, allocated_cum: np.ndarray, bulk: np.ndarray,
               bulk_drawn_cum: np.ndarray, licensed_cum: np.ndarray,
               out: np.ndarray) -> None:
    """Stage 1 of day ``t`` for a batch without plant outages or demand surges: production
    (:func:`produce_day`), then, when ``licences_run``, licensees' fill-finish
    (:func:`sim.engine.kernels.licensing.fill_finish`, whose arguments follow
    ``licences_run``).
    """
    made = np.empty(inventory.shape)
    produce_day(t, production, multiplier, month_index, inventory, produced_cum, made)
    if licences_run:
        fill_finish(t, clearing_days, lic_producer, lic_country, lic_active, lic_rate,
                    lic_total, lic_additional, inventory, produced_cum, orders_open,
                    allocated_cum, bulk, bulk_drawn_cum, licensed_cum, out)
