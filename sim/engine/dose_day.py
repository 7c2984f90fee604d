"""Stages 6-7b of a day in one compiled call, for batches whose every member tracks
products: delivery, administration and expiry, then the day's doses by product
(:func:`sim.engine.kernels.dose_day.dose_day`).

:func:`dose_stages` runs them, and falls back to the stages one by one
(:func:`deliver_and_administer`, then
:func:`sim.engine.products.track_products`) on day 0 (the product ledger starts then),
for batches with members that do not track products, and with ``VAXSIM_BACKEND=numpy``.
Arguments fixed for the batch are gathered once (:func:`uptake_fixed`,
:func:`sim.engine.products.kernel_fixed`); the state's arrays are read every day (a stage
may replace one).
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import numpy as np

from sim.engine.build.params import Params
from sim.engine.donation import deliver_gifts
from sim.engine.kernels import backend
from sim.engine.product_expiry import landing
from sim.engine.products import _YESTERDAY, kernel_fixed, refresh, track_products
from sim.engine.state import State
from sim.engine.uptake import _all_enabled, administer, deliver, expire, one_dose_share
from sim.world.world import World

#: The engine's arrays the fused day reads and writes, in the kernel's order.
_ENGINE = attrgetter("transit", "gift_transit", "stock", "expired_arrival_cum",
                     "received_cum", "first", "completed", "due", "due_ring",
                     "administered_cum", "expired_cum", "course_weeks", "first_band",
                     "courses_band", "boosted_band", "boosted")
#: The product ledger's counters not among those (:data:`sim.engine.products.COUNTERS`).
_COUNTERS = attrgetter("donated_cum", "donations_received_cum", "pool_contributed_cum",
                       "pool_given", "pool_bought_cum", "contract_delivered_cum",
                       "licensed_cum", "exported_cum", "home_delivered_cum")
#: The product ledger's arrays, in the kernel's order (``one_dose`` to ``changed``).
_LEDGER = attrgetter("received", "holding", "administered", "expired", "given", "pool",
                     "world_received", "mix", "world_now", "stale", "one_dose", "aged",
                     "transit", "land", "land_mix", "arriving", "moved", "changed")


def uptake_fixed(params: Params) -> tuple[np.ndarray, ...]:
    """The vaccination arrays of :func:`sim.engine.kernels.uptake.uptake_day` fixed for
    the batch: capacity on day 0 (E, N), its daily change (E, N) and ramp (E, N) days,
    children's first day (E, N), priority (E, N), booster days (E, N, A), booster uptake
    (E,) and interval (E,) weeks; made on first use.
    """
    cached = params.__dict__.get("_uptake_fixed")
    if cached is None:
        vp = params.vaccination
        start, slope = params.capacity_per_day
        cached = (start, slope, params.capacity_ramp, vp.children_day, vp.priority,
                  vp.booster_day, vp.booster_uptake, vp.interval_weeks)
        object.__setattr__(params, "_uptake_fixed", cached)
    return cached


def dose_stages(state: State, world: World, params: Params, allocated: np.ndarray,
                gifts: np.ndarray | None, market: np.ndarray | None,
                partners: np.ndarray | None, licensed: np.ndarray | None, t: int) -> None:
    """Stages 6-7b of day ``t``.

    allocated : (E, N) doses allocated today by every channel; gifts : (B, E, N) doses
    donated today by shelf-life bucket, or None; market : (E, N) doses bought at today's
    clearing, or None off clearing days; partners, licensed : (E, N) partner sales and
    licensees' own doses today, or None.
    """
    pp, ps = params.products, state.products
    if ps is None or pp is None or backend() == "numpy" or not _all_enabled(pp):
        deliver_and_administer(state, world, params, allocated, gifts, t)
        track_products(state, world, params, market, partners, licensed, t)
        return
    from sim.engine.kernels.dose_day import dose_day

    kernel: Any = dose_day  # arguments spread from tuples: checked by the kernel's types
    dip = params.diplomacy
    nothing = state.first  # any (E, N) array: read only where its flag is set
    has_market = market is not None and bool(market.any())
    kernel(t, (t + 1) % params.structure.bucket_days == 0, allocated,
           state.stock if gifts is None else gifts, gifts is not None,
           t - state.last_gift_day <= state.gift_transit.shape[2],
           params.willing_people_on(t), params.willing_band_on(t),
           *_ENGINE(state), *uptake_fixed(params),
           licensed is not None and dip.lic_rate.shape[1] > 0, has_market,
           partners is not None, *_COUNTERS(state), *_YESTERDAY(ps.last),
           nothing if licensed is None else licensed,
           market if has_market else nothing,
           nothing if partners is None else partners,
           *kernel_fixed(pp, dip, world, ps), *_LEDGER(ps))
    refresh(state, pp, t)


def deliver_and_administer(state: State, world: World, params: Params, allocated: np.ndarray,
                           gifts: np.ndarray | None, t: int) -> None:
    """Stages 6-7: delivery of bought and donated doses, administration, expiry (stock and
    gifts on their way age together).

    One compiled pass (:func:`sim.engine.kernels.uptake.uptake_day`), or the numpy
    reference stages when ``VAXSIM_BACKEND=numpy``. Gifts travel by shelf-life bucket
    (``gifts`` (B, E, N), ``state.gift_transit`` (B, E, L, N), see
    :mod:`sim.engine.donation`).
    """
    E, N = allocated.shape
    land = landing(state.products, params.products, E, N, state.stock.shape[0])
    if backend() == "numpy":
        deliver(state, allocated, t, None if state.products is None else land)
        deliver_gifts(state, params, gifts, t)
        administer(state, world, params, t)
        expire(state, params, t)
        return
    from sim.engine.kernels.uptake import uptake_day

    s = params.structure
    start, slope, ramp = uptake_fixed(params)[:3]
    moving = t - state.last_gift_day <= state.gift_transit.shape[2]
    uptake_day(t, allocated, land, state.stock if gifts is None else gifts, gifts is not None,
               moving, state.transit, state.gift_transit, state.stock,
               state.expired_arrival_cum, state.received_cum, state.first, state.completed,
               state.due, state.due_ring, state.administered_cum, state.expired_cum,
               params.willing_people_on(t), start, slope, ramp,
               one_dose_share(state, params), (t + 1) % s.bucket_days == 0,
               *band_arguments(state, params, t))


def band_arguments(state: State, params: Params, t: int) -> tuple:
    """The age-band arrays :func:`~sim.engine.kernels.uptake.uptake_day` reads and writes
    on day ``t`` (willingness by band follows dated hesitancy changes).
    """
    vp = params.vaccination
    return (params.willing_band_on(t), vp.children_day, vp.priority, vp.booster_day,
            vp.booster_uptake, vp.interval_weeks, state.course_weeks, state.first_band,
            state.courses_band, state.boosted_band, state.boosted)
