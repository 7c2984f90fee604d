"""Expiry by product shelf life: where bought doses land in the shelf-life buckets, and
which products the expiring doses are (stage 7b, with :mod:`sim.engine.products`).

A product-tracking member's bought doses land in the shelf-life bucket of their product
(``shelf_life_days`` of ``sim/data/products.csv``: Janssen 90 days, Comirnaty 180,
CoronaVac 365, BBIBP 730, ...), in the proportions of the country's bought doses on their
way (``transit`` by product, treated as well mixed over the few days of the delivery
lag) at the end of the day before. Gifts keep the remaining shelf life of the donor's
doses (:mod:`sim.engine.donation`).

``aged`` (B, E, N, Q) keeps each bucket's doses by product: arrivals are added to their
product's bucket every day; at the end of each bucket period each bucket is set to the
engine's stock of that bucket (what administration, gifts and pool contributions took,
oldest first, leaves each bucket in its own proportions; gifts that landed in a bucket
take its composition), the oldest bucket is booked as expired by product, and the others
age. Gifts that arrive past their shelf life are booked in the proportions of holdings.

Shapes: B shelf-life buckets, E members, N countries, Q products, L delivery-lag days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.build.product_params import ProductParams
from sim.engine.kernels import backend

if TYPE_CHECKING:
    from sim.engine.products import ProductState


def _shares(amounts: np.ndarray) -> np.ndarray:
    total = amounts.sum(axis=-1, keepdims=True)
    return np.divide(amounts, total, out=np.zeros(amounts.shape), where=total > 1e-9)


def close_day(ps: ProductState, out: np.ndarray) -> None:
    """End of the day's bookkeeping: ``out`` (E, N) doses administered, given or
    contributed today leave each country's holdings in proportion (expired doses left by
    product already), then ``ps.one_dose`` is the holdings' one-dose share.
    """
    if backend() == "numpy":
        close_reference(ps, out)
        return
    from sim.engine.kernels.product_expiry import close_day as kernel

    kernel(ps.holding, np.ascontiguousarray(out, dtype=float),
           (ps.course == 1).astype(float), ps.one_dose, np.ones(out.shape, dtype=bool))


def close_reference(ps: ProductState, out: np.ndarray) -> None:
    """Numpy reference of :func:`sim.engine.kernels.product_expiry.close_day`."""
    total = ps.holding.sum(axis=2)
    ratio = np.divide(out, total, out=np.zeros(total.shape), where=total > 1e-9)
    keep = np.where(total > 1e-9, np.clip(1.0 - ratio, 0.0, 1.0), 0.0)
    ps.holding *= keep[..., None]
    np.maximum(ps.holding, 0.0, out=ps.holding)  # rounding of the channels' splits
    held = ps.holding.sum(axis=2)
    one = (ps.holding * (ps.course == 1)).sum(axis=2)
    ps.one_dose = np.divide(one, held, out=np.zeros(held.shape), where=held > 1e-9)


def landing(ps: ProductState | None, pp: ProductParams | None, E: int, N: int,
            B: int) -> np.ndarray:
    """(E, N, B) share of a country's bought doses arriving today that land in each
    shelf-life bucket: by product for tracking members with doses on their way, else all
    in the freshest bucket (B - 1); made the evening before by :func:`prepare_landing`.
    """
    if ps is None or pp is None:
        fresh = np.zeros((E, N, B))
        fresh[..., B - 1] = 1.0
        return fresh
    return ps.land


def prepare_landing(ps: ProductState, pp: ProductParams, transit: np.ndarray,
                    t: int) -> None:
    """End of day ``t``: the composition tomorrow's arrivals are taken to have (that of
    the bought doses on their way), its shares by bucket, and what arrives tomorrow
    (``transit`` (E, L, N), the engine's).
    """
    if backend() == "numpy":
        landing_reference(ps, pp)
    else:
        from sim.engine.kernels.product_expiry import landing_day

        landing_day(ps.transit, pp.bucket, pp.enabled, ps.land_mix, ps.land,
                    np.ones(ps.arriving.shape, dtype=bool))
    ps.arriving = transit[:, (t + 1) % transit.shape[1]].copy()


def landing_reference(ps: ProductState, pp: ProductParams) -> None:
    """Numpy reference of :func:`sim.engine.kernels.product_expiry.landing_day`."""
    ps.land_mix = _shares(ps.transit)
    land = np.zeros(ps.land.shape)
    for q, b in enumerate(pp.bucket):  # products: a handful
        land[..., b] += ps.land_mix[..., q]
    fresh = np.zeros(land.shape)
    fresh[..., -1] = 1.0
    has = pp.enabled[:, None] & (ps.transit.sum(axis=2) > 1e-9)
    ps.land = np.where(has[..., None], land, fresh)


def age_by_product(ps: ProductState, pp: ProductParams, state, expired_stock: np.ndarray,
                   boundary: bool) -> np.ndarray:
    """Add today's bought arrivals to their buckets; on a bucket boundary, set each bucket
    to the engine's stock, then expire and age.

    expired_stock : (E, N) doses that expired in country stock today (not on the way)

    Returns
    -------
    (E, N, Q) doses of each product that expired in stock today
    """
    # The engine's stock before today's ageing: bucket 0 expired, bucket b is now b - 1.
    before = (np.concatenate([expired_stock[None], state.stock[:-1]]) if boundary
              else state.stock)                                                # (B, E, N)
    if backend() == "numpy":
        return age_reference(ps, pp, before, boundary)
    from sim.engine.kernels.product_expiry import age_day

    gone = np.zeros(ps.holding.shape)  # (written by the kernel on boundaries only)
    age_day(ps.aged, ps.transit, pp.bucket, ps.arriving, ps.land_mix, ps.holding, before,
            boundary, gone)
    return gone


def age_reference(ps: ProductState, pp: ProductParams, before: np.ndarray,
                  boundary: bool) -> np.ndarray:
    """Numpy reference of :func:`sim.engine.kernels.product_expiry.age_day`."""
    for q, b in enumerate(pp.bucket):
        landed = ps.arriving * ps.land_mix[..., q]
        ps.aged[b, :, :, q] += landed
        ps.transit[..., q] = np.maximum(ps.transit[..., q] - landed, 0.0)
    if not boundary:
        return np.zeros(ps.holding.shape)
    total = ps.aged.sum(axis=3)
    scale = np.divide(before, total, out=np.zeros(total.shape), where=total > 1e-9)
    ps.aged = np.where((total > 1e-9)[..., None], ps.aged * scale[..., None],
                       before[..., None] * _shares(ps.holding)[None])
    gone = ps.aged[0].copy()
    ps.aged[:-1] = ps.aged[1:].copy()
    ps.aged[-1] = 0.0
    return gone


def book_expiry(ps: ProductState, pp: ProductParams, state, d: dict[str, np.ndarray],
                held: np.ndarray, boundary: bool) -> np.ndarray:
    """(E, N, Q) doses expired today by product, never more of a product than held and
    adding up to the engine's expired doses: stock expiry by ``aged`` for tracking
    members, gifts expired on the way and non-tracking members by ``held`` (E, N, Q).
    """
    on_way = d["expired_arrival_cum"]
    in_stock = d["expired_cum"] - on_way
    by_age = age_by_product(ps, pp, state, in_stock, boundary)
    if not d["expired_cum"].any():
        return by_age  # nothing expired today (by_age is 0 then too)
    want = np.where(pp.enabled[:, None, None], by_age, in_stock[..., None] * held)
    want = want + on_way[..., None] * held
    take = np.minimum(want, ps.holding)
    # What a product's holdings could not cover comes from the others, as held.
    short = np.maximum(d["expired_cum"] - take.sum(axis=2), 0.0)
    return take + short[..., None] * _shares(ps.holding - take)
