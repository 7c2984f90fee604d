"""Stage 2a, supply contracts with dated delivery schedules: the pool's advance-purchase
contracts (COVAX with the Serum Institute, AstraZeneca, Pfizer, Moderna, Sinovac ...) and
countries' own (Vietnam's with AstraZeneca and Pfizer). Each supplier delivers on its
schedule, before any other sale, what it can.

Contract k has a supplier producer ``contract_supplier[:, k]``, a buyer
``contract_buyer[:, k]`` (a country index, or -1 for the pool) and a cumulative schedule
``contract_due[:, k, t]`` (doses due by the end of day t). On every market clearing day the
supplier owes ``due - delivered`` and delivers it from its unsold stock, within the share
of that stock it may export today (:func:`sim.engine.market.export_share`: nothing during
an export ban, a rising share while exports resume after it). When a supplier is short,
its contracts share what it has pro rata to what they are owed; the shortfall stays owed
and is delivered when stock allows. A contract never delivers more than its schedule has
made due.

Doses for the pool go into its stock (``pool_stock``) and count as its purchases
(``pool_bought_cum``). Doses for a country are allocated to it (they enter the delivery
pipeline) and count against its open orders. Sales outside the supplier's home count as
its exports, sales to its home as home deliveries.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.kernels import backend
from sim.engine.market import export_share, export_share_today
from sim.engine.state import State
from sim.world.world import World


def _by(bins: np.ndarray, values: np.ndarray, E: int, width: int) -> np.ndarray:
    """(E, width) sums of ``values`` (E, K) into flat bins (E·K,) of an (E, width) grid."""
    return np.bincount(bins, weights=values.ravel(), minlength=E * width).reshape(E, width)


def deliver_contracts(state: State, world: World, params: Params,
                      t: int) -> np.ndarray | None:
    """Deliver what the contracts have made due by day ``t``.

    The compiled kernel (:func:`sim.engine.kernels.contracts.deliver_contracts`) unless
    ``VAXSIM_BACKEND=numpy`` asks for this function's numpy reference.

    Returns
    -------
    allocated : (E, N) doses delivered to countries under their own contracts today
        (they enter the delivery pipeline), or None when no member has a contract.
    """
    d = params.diplomacy
    if not d.any_contract:
        return None
    if backend() == "numba":
        from sim.engine.kernels.contracts import deliver_contracts as kernel

        out = np.empty_like(state.orders_open)
        to_countries = kernel(t, d.contract_supplier, d.contract_buyer, d.contract_due,
                              world.home_of, export_share_today(params, t), state.inventory,
                              state.contract_delivered_cum, state.exported_cum,
                              state.home_delivered_cum, state.pool_stock,
                              state.pool_bought_cum, state.allocated_cum, state.orders_open,
                              out)
        return out if to_countries else None
    E, K = d.contract_supplier.shape
    P, N = state.inventory.shape[1], state.orders_open.shape[1]
    rows = np.arange(E)[:, None]
    owed = np.maximum(d.contract_due[:, :, t] - state.contract_delivered_cum, 0.0)  # (E, K)
    by_p = (rows * P + d.contract_supplier).ravel()
    demand = _by(by_p, owed, E, P)
    available = state.inventory * export_share(params, t)
    fill = np.divide(np.minimum(available, demand), demand, out=np.zeros_like(demand),
                     where=demand > 0)
    delivered = owed * fill[rows, d.contract_supplier]                                 # (E, K)
    state.inventory = np.maximum(state.inventory - demand * fill, 0.0)
    state.contract_delivered_cum += delivered
    to_pool = d.contract_buyer < 0
    home = ~to_pool & (world.home_of[np.maximum(d.contract_buyer, 0)] == d.contract_supplier)
    state.exported_cum += _by(by_p, np.where(home, 0.0, delivered), E, P)
    state.home_delivered_cum += _by(by_p, np.where(home, delivered, 0.0), E, P)
    bought = np.where(to_pool, delivered, 0.0).sum(axis=1)
    state.pool_stock += bought
    state.pool_bought_cum += bought
    if to_pool.all():
        return None
    by_n = (rows * N + np.maximum(d.contract_buyer, 0)).ravel()
    allocated = _by(by_n, np.where(to_pool, 0.0, delivered), E, N)
    state.allocated_cum += allocated
    state.orders_open = np.maximum(state.orders_open - allocated, 0.0)
    return allocated
