"""Stage 1 compiled: the day's output of every producer for every member in one call.

The numpy reference is :func:`sim.engine.production.produce_reference`; the kernel
multiplies and adds element by element as numpy does, so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


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
