"""Stage 1b compiled: licensees' bulk draw and fill-finish for every member in one call.

The numpy reference is :func:`sim.engine.licensing.fill_finish`; this kernel does the same
arithmetic in the same order (per-producer and per-country sums over licences in licence
order, as ``np.bincount`` adds them), so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg


@jit
def fill_finish(t: int, clearing_days: float, lic_producer: np.ndarray,
                lic_country: np.ndarray, lic_active: np.ndarray, lic_rate: np.ndarray,
                lic_total: np.ndarray, lic_additional: np.ndarray, inventory: np.ndarray,
                produced_cum: np.ndarray, orders_open: np.ndarray, allocated_cum: np.ndarray,
                bulk: np.ndarray, bulk_drawn_cum: np.ndarray, licensed_cum: np.ndarray,
                out: np.ndarray) -> None:
    """Run the licences for day ``t`` in place; ``out`` (E, N) gets the doses for licensees'
    own orders.

    Parameters
    ----------
    lic_producer, lic_country : (E, C) int licensor producer and licensee country
    lic_active : (E, C) int first day of fill-finish; lic_rate : (E, C) doses per day;
    lic_total : (E, C) contract doses; lic_additional : (E, C) bool, bulk made on top of
        the licensor's output
    inventory, produced_cum : (E, P) doses
    orders_open, allocated_cum : (E, N) doses
    bulk, bulk_drawn_cum, licensed_cum : (E, C) doses
    """
    E, C = lic_rate.shape
    P = inventory.shape[1]
    N = orders_open.shape[1]
    want = np.empty(C)
    filled = np.empty(C)
    demand = np.empty(P)
    drawn_p = np.empty(P)
    made_p = np.empty(P)
    back_p = np.empty(P)
    per_country = np.empty(N)
    for e in range(E):
        for p in range(P):
            demand[p] = 0.0
            drawn_p[p] = 0.0
            made_p[p] = 0.0
            back_p[p] = 0.0
        for c in range(C):
            room = nonneg(lic_rate[e, c] * clearing_days - bulk[e, c])
            if t >= lic_active[e, c]:
                want[c] = min(room, nonneg(lic_total[e, c] - bulk_drawn_cum[e, c]))
            else:
                want[c] = 0.0
            demand[lic_producer[e, c]] += 0.0 if lic_additional[e, c] else want[c]
        for c in range(C):
            p = lic_producer[e, c]
            d = demand[p]
            scale = min(inventory[e, p], d) / d if d > 0 else 0.0
            from_stock = 0.0 if lic_additional[e, c] else want[c]
            drawn = from_stock * scale
            made = want[c] if lic_additional[e, c] else 0.0
            drawn_p[p] += drawn
            made_p[p] += made
            draw = drawn + made
            bulk[e, c] += draw
            bulk_drawn_cum[e, c] += draw
        for p in range(P):
            inventory[e, p] = nonneg(inventory[e, p] - drawn_p[p])
            produced_cum[e, p] += made_p[p]
        for n in range(N):
            per_country[n] = 0.0
        for c in range(C):
            f = min(bulk[e, c], lic_rate[e, c]) if t >= lic_active[e, c] else 0.0
            filled[c] = f
            bulk[e, c] -= f
            licensed_cum[e, c] += f
            per_country[lic_country[e, c]] += f
        for c in range(C):
            n = lic_country[e, c]
            pc = per_country[n]
            home = min(pc, orders_open[e, n])
            share = (pc - home) / pc if pc > 0 else 0.0
            back_p[lic_producer[e, c]] += filled[c] * share
        for p in range(P):
            inventory[e, p] += back_p[p]
        for n in range(N):
            home = min(per_country[n], orders_open[e, n])
            out[e, n] = home
            orders_open[e, n] -= home
            allocated_cum[e, n] += home
