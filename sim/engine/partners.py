"""Selling with strings: a producer serves its partners' orders first (stage 3, before the
world market clears), as China did with Sinovac and Sinopharm.

Partners of a producer are countries whose affinity with one of its home countries is at
least ``partner_sales.<producer>.min_affinity`` (``DiplomacyParams.partner_mask``). At each
market clearing the producer offers ``share`` of its stock to their open orders, pro rata
to the orders; what partners do not take goes to the world market as usual.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.kernels import backend
from sim.engine.market import export_share, export_share_today
from sim.engine.state import State


def sell_to_partners(state: State, params: Params, t: int) -> np.ndarray | None:
    """Serve partners first; return (E, N) doses allocated today, or None if no producer
    sells with strings.

    The compiled kernel (:func:`sim.engine.kernels.partners.sell_to_partners`) unless
    ``VAXSIM_BACKEND=numpy`` asks for this function's numpy reference.
    """
    d = params.diplomacy
    if not d.any_partners:  # then some producer sells to partners in some member
        return None
    if backend() == "numba":
        from sim.engine.kernels.partners import sell_to_partners as kernel

        alloc = np.empty_like(state.orders_open)
        kernel(d.partner_share, d.partner_mask, export_share_today(params, t),
               state.inventory, state.exported_cum, state.orders_open, state.allocated_cum,
               alloc)
        return alloc
    sellers = np.flatnonzero(d.partner_mask.any(axis=1) & (d.partner_share > 0).any(axis=0))
    share = export_share(params, t)
    alloc = np.zeros_like(state.orders_open)
    for p in sellers:  # producers as planes: a handful
        offer = state.inventory[:, p] * d.partner_share[:, p] * share[:, p]
        want = state.orders_open * d.partner_mask[p]
        demand = want.sum(axis=1)
        fill = np.divide(np.minimum(offer, demand), demand, out=np.zeros_like(demand),
                         where=demand > 0)
        x = want * fill[:, None]
        sold = x.sum(axis=1)
        state.inventory[:, p] = np.maximum(state.inventory[:, p] - sold, 0.0)
        state.exported_cum[:, p] += sold
        state.orders_open = np.maximum(state.orders_open - x, 0.0)
        state.allocated_cum += x
        alloc += x
    return alloc
