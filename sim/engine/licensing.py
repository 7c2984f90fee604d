"""Stage 1b, licensing and technology transfer: licensees fill and finish doses from bulk
supplied by their licensor (run right after production).

A licence c (licensor producer p, licensee country n) becomes active ``lag_days`` after
signing. From then on, every day:

1. *Bulk.* The licensee tops its bulk stock up to ``clearing_days`` days of fill-finish
   capacity (bulk arrives with the weekly shipments), within what is left of the contract.
   Bulk comes out of the licensor's unsold stock (shared pro rata between its licences
   when short), or, with ``additional: true``, is made on top of its output (counted in
   the licensor's production).
2. *Fill-finish.* Up to capacity (``doses_per_month``) of bulk becomes finished doses.
3. *Domestic priority.* Finished doses serve the licensee's open orders first (they enter
   the delivery pipeline); any excess joins the licensor's stock for the world market.

Bulk counts in the dose ledger with the producers' stock.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.kernels import backend
from sim.engine.state import State


def _by(bins: np.ndarray, values: np.ndarray, E: int, width: int) -> np.ndarray:
    """(E, width) sums of ``values`` (E, C) into flat ``bins`` (E·C,) of an (E, width) grid."""
    return np.bincount(bins, weights=values.ravel(), minlength=E * width).reshape(E, width)


def fill_finish(state: State, params: Params, t: int) -> np.ndarray | None:
    """Run the licences for day ``t``; return (E, N) doses for licensees' own orders
    (None when no member has a licence yet).

    The compiled kernel (:func:`sim.engine.kernels.licensing.fill_finish`), or the numpy
    reference :func:`fill_finish_numpy` when ``VAXSIM_BACKEND=numpy``.
    """
    d = params.diplomacy
    if t < d.first_licence_day:
        return None
    if backend() == "numpy":
        return fill_finish_numpy(state, params, t)
    from sim.engine.kernels.licensing import fill_finish as kernel

    out = np.empty_like(state.orders_open)
    kernel(t, float(params.structure.clearing_days), d.lic_producer, d.lic_country,
           d.lic_active, d.lic_rate, d.lic_total, d.lic_additional, state.inventory,
           state.produced_cum, state.orders_open, state.allocated_cum, state.bulk,
           state.bulk_drawn_cum, state.licensed_cum, out)
    return out


def fill_finish_numpy(state: State, params: Params, t: int) -> np.ndarray:
    """:func:`fill_finish` in numpy (the kernel's reference), on a day licences run."""
    d = params.diplomacy
    E, C = d.lic_rate.shape
    P, N = state.inventory.shape[1], state.orders_open.shape[1]
    rows = np.arange(E)[:, None]
    by_p, by_n = d.lic_bins
    active = t >= d.lic_active
    room = np.maximum(d.lic_rate * params.structure.clearing_days - state.bulk, 0.0)
    want = np.where(active, np.minimum(room, np.maximum(d.lic_total - state.bulk_drawn_cum,
                                                         0.0)), 0.0)
    from_stock = np.where(d.lic_additional, 0.0, want)
    demand = _by(by_p, from_stock, E, P)
    scale = np.divide(np.minimum(state.inventory, demand), demand,
                      out=np.zeros_like(demand), where=demand > 0)
    drawn = from_stock * scale[rows, d.lic_producer]
    state.inventory = np.maximum(state.inventory - _by(by_p, drawn, E, P), 0.0)
    made = np.where(d.lic_additional, want, 0.0)
    state.produced_cum += _by(by_p, made, E, P)
    draw = drawn + made
    state.bulk += draw
    state.bulk_drawn_cum += draw
    filled = np.where(active, np.minimum(state.bulk, d.lic_rate), 0.0)
    state.bulk -= filled
    state.licensed_cum += filled
    per_country = _by(by_n, filled, E, N)
    home = np.minimum(per_country, state.orders_open)
    excess_share = np.divide(per_country - home, per_country, out=np.zeros_like(home),
                             where=per_country > 0)
    state.inventory += _by(by_p, filled * excess_share[rows, d.lic_country], E, P)
    state.orders_open -= home
    state.allocated_cum += home
    return home
