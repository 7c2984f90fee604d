"""Stages 6 and 7: delivery, administration and shelf-life expiry.

Country stock ages in B buckets of ``bucket_days`` days of remaining shelf life; bucket 0
is the oldest. Deliveries enter the freshest bucket (B-1), or, for members that track
products, the bucket of their product's shelf life (:mod:`sim.engine.product_expiry`).
Every ``bucket_days`` days bucket 0 expires and the others move down one, so a dose
delivered into the freshest bucket expires between ``(B-1) * bucket_days + 1`` and
``B * bucket_days`` days after it arrives. Doses are given oldest first.

A course's length follows its product: of each day's first doses, the share
:func:`one_dose_share` (the country's doses of one-dose products, e.g. Janssen, CanSino)
completes a course at once; the rest is due a completing dose ``dose_interval_days``
later. Without product tracking the share is 1 or 0 by ``uptake.doses_per_course``.
"""

from __future__ import annotations

import numpy as np

from sim.engine.bands import allocate, booster_demand
from sim.engine.build.params import Params
from sim.engine.state import State, ordered_sum
from sim.world.world import World


def deliver(state: State, allocated: np.ndarray, t: int,
            land: np.ndarray | None = None) -> np.ndarray:
    """Put today's allocation (E, N) into transit; land what was allocated L days ago, in
    the freshest bucket or split over buckets by ``land`` (E, N, B) shares (product shelf
    lives, :func:`sim.engine.product_expiry.landing`).

    Returns
    -------
    arrived : (E, N) doses that entered country stock today
    """
    slot = t % state.transit.shape[1]
    arrived = state.transit[:, slot].copy()
    state.transit[:, slot] = allocated
    if land is None:
        state.stock[-1] += arrived
    else:
        state.stock += arrived[None] * np.moveaxis(land, 2, 0)
    state.received_cum += arrived
    return arrived


def capacity(world: World, params: Params, t: int) -> np.ndarray:
    """(E, N) doses a country can administer on day ``t`` (linear ramp, then flat)."""
    start, slope = params.capacity_per_day
    # max: a ramp down to 0 may round to -1e-11 on its last day
    return np.maximum(start + slope * np.minimum(t, params.capacity_ramp), 0.0)


def one_dose_share(state: State, params: Params) -> np.ndarray:
    """(E, N) share of a country's first doses given today that are one-dose courses.

    A product-tracking member: its one-dose products' share of the doses the country
    holds (in stock and on their way; held doses are treated as well mixed, as the
    product ledger does); 0 before it holds any. Other members: 1 when
    ``uptake.doses_per_course`` is 1, else 0.
    """
    pp, ps = params.products, state.products
    if pp is not None and ps is not None and _all_enabled(pp):
        return ps.one_dose  # every member tracks products (read only by the caller)
    E, N = state.first.shape
    default = np.full((E, N), 1.0 if params.structure.doses_per_course == 1 else 0.0)
    if pp is None or ps is None:
        return default
    return np.where(pp.enabled[:, None], ps.one_dose, default)


def _all_enabled(pp) -> bool:
    """True when every member of the batch tracks products (kept on ``pp``: fixed)."""
    every = pp.__dict__.get("_all_enabled")
    if every is None:
        every = bool(pp.enabled.all())
        object.__setattr__(pp, "_all_enabled", every)
    return every


def administer(state: State, world: World, params: Params, t: int) -> np.ndarray:
    """Give doses: completing doses that are due first, then first doses to the willing
    eligible and boosters to those due one, sharing the rest of the day's doses in
    proportion to their demand; each goes to age bands by the country's priority
    (:mod:`sim.engine.bands`).

    Limited by stock, daily capacity and willingness. Stock is used oldest bucket first.

    Returns
    -------
    given : (E, N) doses administered on day ``t``
    """
    one = one_dose_share(state, params)                                # (E, N)
    slot = t % state.due_ring.shape[0]
    state.due += state.due_ring[slot]
    vp = params.vaccination
    room = np.maximum(vp.eligible(t, params.willing_band_on(t)) - state.first_band, 0.0)
    first_wanted = room.sum(axis=2)
    boost_band = booster_demand(state, vp, t)                          # (E, N, A)
    boost_wanted = boost_band.sum(axis=2)
    wanted = np.minimum(np.minimum(ordered_sum(state.stock, (0,)), capacity(world, params, t)),
                        state.due + first_wanted + boost_wanted)
    left = wanted.copy()
    take = np.empty_like(left)
    for bucket in state.stock:  # oldest first; B is a handful of (E, N) planes
        np.minimum(bucket, left, out=take)
        bucket -= take
        left -= take
    given = wanted - left
    second = np.minimum(given, state.due)
    # First doses and boosters share what is left in proportion to their demand.
    rest = given - second
    demand = first_wanted + boost_wanted
    first = rest * np.divide(first_wanted, demand, out=np.zeros_like(rest), where=demand > 0)
    boost = rest - first
    first_band = allocate(first, room, vp.priority)
    state.first_band += first_band
    state.first += first
    state.administered_cum += given
    boosted = allocate(boost, boost_band, vp.priority)
    state.boosted_band += boosted
    state.boosted += boost
    # Completing doses, then first doses of one-dose products: courses at once.
    state.due -= second
    state.completed += second
    state.due_ring[slot] = first * (1.0 - one)
    state.courses_band += allocate(second, state.first_band - state.courses_band,
                                   vp.priority)
    state.completed += first * one
    state.courses_band += first_band * one[..., None]
    return given


def expire(state: State, params: Params, t: int) -> np.ndarray:
    """At the end of every bucket period, the oldest bucket expires and stock ages.

    Returns
    -------
    expired : (E, N) doses that expired on day ``t``
    """
    if (t + 1) % params.structure.bucket_days:
        return np.zeros(state.stock.shape[1:])
    expired = state.stock[0].copy()
    state.expired_cum += expired
    state.stock[:-1] = state.stock[1:].copy()
    state.stock[-1] = 0.0
    if state.gift_transit.any():  # gifts on their way age with the stock
        expired = expired + age_gifts(state)
    return expired


def age_gifts(state: State) -> np.ndarray:
    """Age gifts on their way by one shelf-life bucket (with the stock, at the end of
    each bucket period); those in the oldest bucket expire and are booked as received
    expired by their recipient. Returns (E, N) doses expired on the way.
    """
    ring = state.gift_transit
    expired = ordered_sum(ring[0], (1,))                                 # (E, N)
    ring[:-1] = ring[1:].copy()
    ring[-1] = 0.0
    state.received_cum += expired
    state.expired_cum += expired
    state.expired_arrival_cum += expired
    return expired
