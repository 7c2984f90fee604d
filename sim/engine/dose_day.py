"""Stages 6-7b of a day in one compiled call, for batches whose every member tracks
products: delivery, administration and expiry, then the day's doses by product
(:func:`sim.engine.kernels.dose_day.dose_day`).

:func:`dose_stages` runs them, and falls back to the stages one by one
(:func:`deliver_and_administer`, then
:func:`sim.engine.products.track_products`) for batches with members that do not track
products, and with ``VAXSIM_BACKEND=numpy``. Day 0 runs fused too (the ledger starts
before it, :func:`_ledger_on_day_0`): run stage by stage, it was the only caller of the
separate ``uptake_day`` and ``track_day`` kernels in a run, whose loading from numba's
cache cost ~80-110 ms of every process's first run (~10% of the ~0.7-1 s of kernel
loading; measured by load13, session 10, see docs/SPEED_FINDINGS.md).
The fused call's arguments fixed for a run (the state's and the ledger's arrays, which
the compiled stages update in place, and the parameters: :func:`uptake_fixed`,
:func:`sim.engine.products.kernel_fixed`) are gathered once per running state (:class:`_Plan`:
the Python around the kernel was ~15 us of a ~60 us day at E=1); a day run stage by
stage drops it (the numpy stages replace arrays). The plan also keeps the uptake kernel's
marks of the shelf-life buckets in use (:func:`bucket_marks`).
"""

from __future__ import annotations

import weakref
from operator import attrgetter
from typing import Any

import numpy as np

from sim.engine.build.params import Params
from sim.engine.donation import deliver_gifts
from sim.engine.dose_plans import PLANS
from sim.engine.kernels import backend
from sim.engine.product_expiry import landing
from sim.engine.products import (
    _YESTERDAY,
    ProductState,
    kernel_fixed,
    kernel_scratch,
    refresh,
    track_products,
)
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
    if ps is None and pp is not None and backend() == "numba" and _all_enabled(pp):
        ps = state.products = _ledger_on_day_0(state, world, pp)
    if ps is None or pp is None or backend() == "numpy" or not _all_enabled(pp):
        _PLANS.pop(id(state), None)  # the stages may replace arrays: remade
        deliver_and_administer(state, world, params, allocated, gifts, t)
        track_products(state, world, params, market, partners, licensed, t)
        return
    plan = _PLANS.get(id(state))
    if (plan is None or plan.state() is not state or plan.params is not params
            or plan.world is not world):
        plan = _PLANS[id(state)] = _Plan(state, world, params)
    if not plan.willing_from <= t < plan.willing_to:
        plan.willing_on(t)
    nothing = plan.nothing  # any (E, N) array: read only where its flag is set
    has_market = market is not None and bool(market.any())
    plan.kernel(t, (t + 1) % plan.bucket_days == 0, allocated,
                plan.stock if gifts is None else gifts, gifts is not None,
                t - state.last_gift_day <= plan.ring, plan.willing, plan.willing_band,
                *plan.engine, licensed is not None and plan.licences, has_market,
                partners is not None, *plan.counters,
                nothing if licensed is None else licensed,
                market if has_market else nothing,
                nothing if partners is None else partners, *plan.ledger, *plan.scratch)
    refresh(state, pp, t)


def _ledger_on_day_0(state: State, world: World, pp) -> ProductState:
    """The product ledger, started before day 0's stages (all zeros, as
    :func:`~sim.engine.products.track_products` starts it after day 0's delivery) with
    today's arrivals landing in the freshest bucket (:func:`landing` without a ledger),
    so day 0 runs fused too and the run never loads the stage-by-stage kernels.
    """
    ps = ProductState.start(state, max(world.days, 1), pp.course)
    ps.land[..., -1] = 1.0
    return ps


#: The plans of the states alive, by ``id`` (each plan checks its state is that one;
#: shared with :mod:`sim.engine.dose_plans`, which reads their marks).
_PLANS: dict[int, _Plan] = PLANS


class _Plan:
    """The arguments of the fused dose day fixed for a batch's run, gathered once (the
    compiled stages update the state's and the ledger's arrays in place and never
    replace one; a day run by the stages one by one drops the plan, as they may), and
    the willingness of the current dated period.
    """

    def __init__(self, state: State, world: World, params: Params) -> None:
        from sim.engine.kernels.dose_day import dose_day

        pp, ps, dip = params.products, state.products, params.diplomacy
        assert pp is not None and ps is not None
        self.kernel: Any = dose_day  # arguments spread from tuples: checked by its types
        key, plans = id(state), _PLANS  # the plan (and its arrays) goes with its state
        # (the dict held here: at interpreter exit the module's globals may be gone)
        self.state = weakref.ref(state, lambda _: plans.pop(key, None))
        self.params, self.world = params, world
        self.bucket_days = params.structure.bucket_days
        self.ring = state.gift_transit.shape[2]
        self.licences = dip.lic_rate.shape[1] > 0
        self.nothing, self.stock = state.first, state.stock
        self.marks = bucket_marks(state)
        self.engine = (*_ENGINE(state), *self.marks, *uptake_fixed(params))
        self.counters = (*_COUNTERS(state), *_YESTERDAY(ps.last))
        fixed = kernel_fixed(pp, dip, world, ps)
        self.ledger = (*fixed, *_LEDGER(ps))
        self.scratch = kernel_scratch(ps, fixed[0].shape[1])
        self.willing_from, self.willing_to = 0, -1  # none yet

    def willing_on(self, t: int) -> None:
        """Willingness on day ``t`` (:meth:`Params.willing_people_on` and
        :meth:`~Params.willing_band_on`), and the days it holds for: the period of the
        dated changes around ``t``.
        """
        params = self.params
        self.willing, self.willing_band = params.willing_people_on(t), params.willing_band_on(t)
        days = params.willing_days
        lo, hi = -(1 << 62), 1 << 62
        if days is not None and len(days) > 1:
            k = int(np.searchsorted(days, t, side="right")) - 1
            if k >= 0:
                lo = int(days[k])
            if k + 1 < len(days):
                hi = int(days[k + 1])
        self.willing_from, self.willing_to = lo, hi


def stock_marks(state: State) -> np.ndarray | None:
    """The fused day's (E, B) marks of ``state``'s stock buckets that may hold doses
    (:func:`bucket_marks`, kept up to date by the kernel; only it adds doses to the stock,
    so they stay a superset of the buckets in use for the rest of the day), or None when
    no plan of this state is alive (a day run stage by stage).
    """
    plan = _PLANS.get(id(state))
    if plan is None or plan.state() is not state:
        return None
    return plan.marks[0]


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
               *(band_arguments(state, params, t) + bucket_marks(state)))


def bucket_marks(state: State) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~sim.engine.kernels.uptake.uptake_day`'s marks of the shelf-life buckets
    in use, all True (every bucket may hold doses: always correct): (E, B) for the
    stock, (E, L, B) for the gifts on their way. The fused day's plan keeps its pair
    from day to day (the kernel keeps them up to date; only it adds doses to the
    stock and writes the gift ring), so its passes skip the buckets empty in every
    country.
    """
    B, E, L, _ = state.gift_transit.shape
    return np.ones((E, B), dtype=bool), np.ones((E, L, B), dtype=bool)


def band_arguments(state: State, params: Params, t: int) -> tuple:
    """The age-band arrays :func:`~sim.engine.kernels.uptake.uptake_day` reads and writes
    on day ``t`` (willingness by band follows dated hesitancy changes).
    """
    vp = params.vaccination
    return (params.willing_band_on(t), vp.children_day, vp.priority, vp.booster_day,
            vp.booster_uptake, vp.interval_weeks, state.course_weeks, state.first_band,
            state.courses_band, state.boosted_band, state.boosted)
