"""Stages 6-7b in one compiled call: delivery, administration and expiry
(:func:`sim.engine.kernels.uptake.uptake_day`), then the day's doses by product
(:func:`sim.engine.kernels.products.track_day`), for batches whose every member tracks
products. One call instead of two halves the day's dispatch and argument unboxing; each
half does exactly what it does alone (tests compare the fused day with the two calls and
with the numpy references).

Shapes: E members, N countries, P producers, Q products, K contracts, C licences, B
shelf-life buckets, L delivery-lag days, I dose-interval days, A age bands, W weeks kept.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.products import track_day
from sim.engine.kernels.uptake import uptake_day


@jit
def dose_day(t: int, expire_today: bool, allocated: np.ndarray, gifts: np.ndarray,
             gifts_given: bool, gifts_moving: bool, willing: np.ndarray,
             willing_band: np.ndarray,
             # the engine's state, in place
             transit: np.ndarray, gift_transit: np.ndarray, stock: np.ndarray,
             expired_arrival_cum: np.ndarray, received_cum: np.ndarray, first: np.ndarray,
             completed: np.ndarray, due: np.ndarray, due_ring: np.ndarray,
             administered_cum: np.ndarray, expired_cum: np.ndarray,
             course_weeks: np.ndarray, first_band: np.ndarray, courses_band: np.ndarray,
             boosted_band: np.ndarray, boosted: np.ndarray,
             used: np.ndarray, gift_used: np.ndarray,
             # fixed vaccination parameters
             cap_start: np.ndarray, cap_slope: np.ndarray, cap_ramp: np.ndarray,
             children_day: np.ndarray, priority: np.ndarray, booster_day: np.ndarray,
             booster_uptake: np.ndarray, interval_weeks: np.ndarray,
             # products: flags, the other counters today and all of them yesterday
             has_licensed: bool, has_market: bool, has_partners: bool,
             donated: np.ndarray, don_recv: np.ndarray, pool_contrib: np.ndarray,
             pool_given: np.ndarray, pool_bought: np.ndarray, contract_cum: np.ndarray,
             lic_cum: np.ndarray, exported_cum: np.ndarray, home_cum: np.ndarray,
             l_adm: np.ndarray, l_exp: np.ndarray, l_donated: np.ndarray,
             l_don_recv: np.ndarray, l_pool_contrib: np.ndarray, l_pool_given: np.ndarray,
             l_pool_bought: np.ndarray, l_contract: np.ndarray, l_lic: np.ndarray,
             l_exported: np.ndarray, l_home: np.ndarray, l_exp_arr: np.ndarray,
             licensed: np.ndarray, market: np.ndarray, partners: np.ndarray,
             # fixed product parameters
             producer_mix: np.ndarray, lic_mix: np.ndarray, lic_country: np.ndarray,
             contract_mix: np.ndarray, contract_buyer: np.ndarray,
             contract_supplier: np.ndarray, home_of: np.ndarray, partner_mask: np.ndarray,
             accept: np.ndarray, bucket: np.ndarray, enabled: np.ndarray, one: np.ndarray,
             # the product ledger, in place
             received: np.ndarray, holding: np.ndarray, administered: np.ndarray,
             expired: np.ndarray, given: np.ndarray, pool: np.ndarray,
             world_received: np.ndarray, mix: np.ndarray, world_now: np.ndarray,
             stale: np.ndarray, one_dose: np.ndarray, aged: np.ndarray,
             products_transit: np.ndarray, land: np.ndarray, land_mix: np.ndarray,
             arriving: np.ndarray, moved: np.ndarray, changed: np.ndarray,
             # work arrays of the product ledger
             gone: np.ndarray, inflow: np.ndarray, work: np.ndarray,
             by_seller: np.ndarray, out: np.ndarray, imports: np.ndarray) -> None:
    """Deliver, administer and expire day ``t``, then book it by product, in place.

    The arguments are those of :func:`~sim.engine.kernels.uptake.uptake_day` and
    :func:`~sim.engine.kernels.products.track_day` (see their docstrings), each given once:
    ``expire_today`` is also the product ledger's bucket boundary; ``administered_cum``,
    ``expired_cum`` and ``expired_arrival_cum`` are also today's counters; ``one_dose``
    (E, N) the ledger's one-dose share, which uptake reads and the ledger remakes;
    ``used`` (E, B) and ``gift_used`` (E, L, B) uptake's marks of the buckets in use
    (kept by the caller from day to day);
    ``land`` (E, N, B) the ledger's landing shares; ``products_transit`` (E, N, Q) the
    ledger's bought doses on their way (``transit`` (E, L, N) is the engine's); the
    last six are the ledger's work arrays (:func:`sim.engine.products.kernel_scratch`).
    """
    uptake_day(t, allocated, land, gifts, gifts_given, gifts_moving, transit, gift_transit,
               stock, expired_arrival_cum, received_cum, first, completed, due, due_ring,
               administered_cum, expired_cum, willing, cap_start, cap_slope, cap_ramp,
               one_dose, expire_today, willing_band, children_day, priority, booster_day,
               booster_uptake, interval_weeks, course_weeks, first_band, courses_band,
               boosted_band, boosted, used, gift_used)
    track_day(t, expire_today, has_licensed, has_market, has_partners,
              administered_cum, expired_cum, donated, don_recv, pool_contrib, pool_given,
              pool_bought, contract_cum, lic_cum, exported_cum, home_cum,
              expired_arrival_cum,
              l_adm, l_exp, l_donated, l_don_recv, l_pool_contrib, l_pool_given,
              l_pool_bought, l_contract, l_lic, l_exported, l_home, l_exp_arr,
              licensed, market, partners, stock, transit, gift_transit,
              producer_mix, lic_mix, lic_country, contract_mix, contract_buyer,
              contract_supplier, home_of, partner_mask, accept, bucket, enabled, one,
              received, holding, administered, expired, given, pool, world_received, mix,
              world_now, stale, one_dose, aged, products_transit, land, land_mix,
              arriving, moved, changed, gone, inflow, work, by_seller, out, imports)
