"""Stage 2a compiled: deliveries under supply contracts for every member in one call.

The numpy reference is :func:`sim.engine.contracts.deliver_contracts`; sums over
contracts are taken in contract order (as ``np.bincount`` adds them) and over a member's
contracts pairwise (as numpy's row sum), so the dose ledger is identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.sums import pairwise_sum


@jit
def deliver_contracts(t: int, supplier: np.ndarray, buyer: np.ndarray, due: np.ndarray,
                      home_of: np.ndarray, export_share: np.ndarray, inventory: np.ndarray,
                      delivered_cum: np.ndarray, exported_cum: np.ndarray,
                      home_delivered_cum: np.ndarray, pool_stock: np.ndarray,
                      pool_bought_cum: np.ndarray, allocated_cum: np.ndarray,
                      orders_open: np.ndarray, out: np.ndarray) -> bool:
    """Deliver what contracts have made due by day ``t``, in place; ``out`` (E, N) gets the
    doses delivered to countries, written only when some contract of the batch sells to
    a country: returns whether one does.

    Parameters
    ----------
    supplier, buyer : (E, K) int producer and buyer (country index, -1 the pool)
    due : (E, K, D) doses due by the end of each day; home_of : (N,) int home producer
    export_share : (E, P) share of its stock a producer may sell abroad today
    inventory, exported_cum, home_delivered_cum : (E, P); delivered_cum : (E, K)
    pool_stock, pool_bought_cum : (E,); allocated_cum, orders_open : (E, N) doses
    """
    E, K = supplier.shape
    to_countries = False
    for e in range(E):
        for k in range(K):
            to_countries = to_countries or buyer[e, k] >= 0
    P = inventory.shape[1]
    N = orders_open.shape[1]
    owed = np.empty(K)
    to_pool = np.empty(K)
    demand = np.empty(P)
    exported = np.empty(P)
    home_sold = np.empty(P)
    for e in range(E):
        for p in range(P):
            demand[p] = 0.0
            exported[p] = 0.0
            home_sold[p] = 0.0
        for k in range(K):
            owed[k] = nonneg(due[e, k, t] - delivered_cum[e, k])
            demand[supplier[e, k]] += owed[k]
        for k in range(K):
            p = supplier[e, k]
            d = demand[p]
            available = inventory[e, p] * export_share[e, p]
            fill = min(available, d) / d if d > 0 else 0.0
            owed[k] = owed[k] * fill                       # now: delivered
            delivered_cum[e, k] += owed[k]
            b = buyer[e, k]
            home = b >= 0 and home_of[b] == p
            exported[p] += 0.0 if home else owed[k]
            home_sold[p] += owed[k] if home else 0.0
            to_pool[k] = owed[k] if b < 0 else 0.0
        for p in range(P):
            d = demand[p]
            available = inventory[e, p] * export_share[e, p]
            fill = min(available, d) / d if d > 0 else 0.0
            inventory[e, p] = nonneg(inventory[e, p] - d * fill)
            exported_cum[e, p] += exported[p]
            home_delivered_cum[e, p] += home_sold[p]
        bought = pairwise_sum(to_pool, 0, K)
        pool_stock[e] += bought
        pool_bought_cum[e] += bought
        if to_countries:
            for n in range(N):
                out[e, n] = 0.0
            for k in range(K):
                b = buyer[e, k]
                out[e, max(b, 0)] += 0.0 if b < 0 else owed[k]
            for n in range(N):
                allocated_cum[e, n] += out[e, n]
                orders_open[e, n] = nonneg(orders_open[e, n] - out[e, n])
    return to_countries
