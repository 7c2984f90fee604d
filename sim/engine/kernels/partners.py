"""Stage 3a compiled: producers serve their partners first, for every member in one call.

The numpy reference is :func:`sim.engine.partners.sell_to_partners`; each member's row
sums are pairwise (as numpy's), so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.sums import pairwise_sum


@jit
def sell_to_partners(partner_share: np.ndarray, partner_mask: np.ndarray,
                     export_share: np.ndarray, inventory: np.ndarray,
                     exported_cum: np.ndarray, orders_open: np.ndarray,
                     allocated_cum: np.ndarray, out: np.ndarray) -> None:
    """Offer each seller's share of stock to its partners' open orders, pro rata, in place;
    ``out`` (E, N) gets the doses allocated.

    Sellers are the producers with a partner and a positive share in some member of the
    batch, in producer order (as the reference's).

    Parameters
    ----------
    partner_share, export_share : (E, P); partner_mask : (P, N) bool
    inventory, exported_cum : (E, P); orders_open, allocated_cum : (E, N) doses
    """
    E, N = orders_open.shape
    P = partner_mask.shape[0]
    sellers = np.zeros(P, np.bool_)
    for p in range(P):
        has_partner = False
        for n in range(N):
            has_partner = has_partner or partner_mask[p, n]
        for e in range(E):
            sellers[p] = sellers[p] or (has_partner and partner_share[e, p] > 0)
    want = np.empty(N)
    for e in range(E):
        for n in range(N):
            out[e, n] = 0.0
        for p in range(P):
            if not sellers[p]:
                continue
            offer = inventory[e, p] * partner_share[e, p] * export_share[e, p]
            for n in range(N):
                want[n] = orders_open[e, n] * (1.0 if partner_mask[p, n] else 0.0)
            demand = pairwise_sum(want, 0, N)
            fill = min(offer, demand) / demand if demand > 0 else 0.0
            for n in range(N):
                want[n] = want[n] * fill
            sold = pairwise_sum(want, 0, N)
            inventory[e, p] = nonneg(inventory[e, p] - sold)
            exported_cum[e, p] += sold
            for n in range(N):
                orders_open[e, n] = nonneg(orders_open[e, n] - want[n])
                allocated_cum[e, n] += want[n]
                out[e, n] += want[n]
