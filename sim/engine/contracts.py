"""Stage 2a, the pool's advance-purchase contracts (COVAX with the Serum Institute,
AstraZeneca, Pfizer, Moderna, Sinovac ...): each supplier delivers on its dated schedule,
before any other sale, what it can.

Contract k has a supplier producer ``contract_supplier[:, k]`` and a cumulative schedule
``contract_due[:, k, t]`` (doses due by the end of day t). On every market clearing day the
supplier owes ``due - delivered`` and delivers it from its unsold stock, within the share
of that stock it may export today (:func:`sim.engine.market.export_share`: nothing during
an export ban). When a supplier is short, its contracts share what it has pro rata to what
they are owed; the shortfall stays owed and is delivered when stock allows. A contract
never delivers more than its schedule has made due.

Delivered doses go into the pool's stock (``pool_stock``) and count as the pool's
purchases (``pool_bought_cum``) and as the supplier's exports.
"""

from __future__ import annotations

import numpy as np

from sim.engine.market import export_share
from sim.engine.params import Params
from sim.engine.state import State


def deliver_contracts(state: State, params: Params, t: int) -> np.ndarray | None:
    """Deliver what the pool's contracts have made due by day ``t``; return (E, K) doses
    delivered today, or None when no member has a contract.
    """
    d = params.diplomacy
    if not d.any_contract:
        return None
    E, K = d.contract_supplier.shape
    P = state.inventory.shape[1]
    owed = np.maximum(d.contract_due[:, :, t] - state.contract_delivered_cum, 0.0)  # (E, K)
    bins = (np.arange(E)[:, None] * P + d.contract_supplier).ravel()
    demand = np.bincount(bins, weights=owed.ravel(), minlength=E * P).reshape(E, P)
    available = state.inventory * export_share(params, t)
    fill = np.divide(np.minimum(available, demand), demand, out=np.zeros_like(demand),
                     where=demand > 0)
    rows = np.arange(E)[:, None]
    delivered = owed * fill[rows, d.contract_supplier]                                 # (E, K)
    taken = demand * fill
    state.inventory -= taken
    state.exported_cum += taken
    state.contract_delivered_cum += delivered
    bought = delivered.sum(axis=1)
    state.pool_stock += bought
    state.pool_bought_cum += bought
    return delivered
