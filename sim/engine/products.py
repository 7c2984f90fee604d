"""Doses by vaccine product: which products each country received, held, gave and
administered, and the protection of its courses (run after delivery and uptake, stage 7b).

Every dose is made as a product: a producer's output in its product mix
(``sim/data/product_mix.csv``), a licence's fill-finish as its licensed product, a
contract's deliveries as the product it names. The day's flows are read from the dose
engine's cumulative counters and the per-channel allocations of :meth:`Simulation.step`,
channel by channel:

- *licences*: the licensee's own doses, by licence product;
- *contracts*: by contract product (the pool's into its stock);
- *market*: a producer's sales to its home countries (home sales of the day, shared by its
  home countries in proportion to what they bought) carry its own mix; everything else
  bought on the world market (countries' imports, the pool's purchases) carries the mix of
  the day's exports, each producer in proportion to what it exported (what it offered and
  sold), except that buyers restricted to some products (``products.accepted``) take those
  first and the others the rest;
- *partner sales*: the mix of the day's exports of the producers whose partner the
  country is;
- *pool* shipments: the pool's stock composition; contributions to the pool and
  bilateral gifts from stock: the giver's holdings composition; gifts from factory output:
  the donor's home producer's mix. All gifts of one round share one composition.

Holdings (doses in transit and in stock) are treated as well mixed: doses administered,
donated or given to the pool leave in the proportions held. Expired doses are booked by
product shelf life (:mod:`sim.engine.product_expiry`: bought doses land in their
product's shelf-life bucket and expire from it). A one-dose product
counts a course per dose. Producers' unsold stock keeps its producer's mix (a licensee's
excess joining its licensor's stock is counted as that mix).

Every ``refresh_days`` the epidemic's vaccine protection follows the products of each
country's courses (:mod:`sim.engine.product_protection`).

Shapes: E members, N countries, P producers, Q products, D days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from sim.engine.build.product_params import ProductParams
from sim.engine.kernels import backend
from sim.engine.product_channels import _fixed_mix, _gifts, _licences, _mix, _ratio, _sales
from sim.engine.product_expiry import book_expiry, close_day, prepare_landing
from sim.engine.product_protection import refresh_protection

#: Cumulative counters of the dose engine whose daily change the tracker reads.
COUNTERS = ("allocated_cum", "administered_cum", "expired_cum", "donated_cum",
            "donations_received_cum", "pool_contributed_cum", "pool_given",
            "pool_bought_cum", "contract_delivered_cum", "licensed_cum", "exported_cum",
            "home_delivered_cum", "expired_arrival_cum")


@dataclass
class ProductState:
    """Doses by product of a batch.

    Attributes
    ----------
    received : (E, N, Q) doses allocated to each country (every channel), cumulative
    holding : (E, N, Q) doses in transit to or in stock in each country
    administered, expired, given : (E, N, Q) cumulative doses administered, expired,
        given away (bilateral gifts from stock and contributions to the pool)
    course : (Q,) doses per course of each product
    pool : (E, Q) the pool's stock
    world_received : (E, D, Q) doses received by all countries by the end of each day
    mix : (E, N, Q) composition of ``holding`` (kept: outflows in proportion leave it)
    stale : (E,) bool, members whose ``mix`` must be recomputed (doses arrived)
    world_now : (E, Q) doses received by all countries so far
    one_dose : (E, N) share of ``holding`` in one-dose products at the end of the last
        day (the uptake stage's share of first doses that complete a course at once)
    aged : (B, E, N, Q) country stock by shelf-life bucket and product
    transit : (E, N, Q) bought doses on their way, by product
    land, land_mix, arriving : (E, N, B) bucket shares and (E, N, Q) composition of
        tomorrow's bought arrivals (that of ``transit``), and (E, N) those arrivals
        (:mod:`sim.engine.product_expiry`)
    moved : (E, N) bool, countries whose bought doses on their way changed since their
        landing shares were made (the compiled stage remakes only theirs; all on day 0)
    changed : (E, N) bool, the same for holdings and ``one_dose``
    last : the counters of :data:`COUNTERS` at the end of the previous day
    """

    received: np.ndarray
    holding: np.ndarray
    administered: np.ndarray
    expired: np.ndarray
    given: np.ndarray
    course: np.ndarray
    pool: np.ndarray
    world_received: np.ndarray
    mix: np.ndarray
    world_now: np.ndarray
    stale: np.ndarray
    one_dose: np.ndarray
    aged: np.ndarray
    transit: np.ndarray
    land: np.ndarray
    land_mix: np.ndarray
    arriving: np.ndarray
    moved: np.ndarray
    changed: np.ndarray
    last: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def start(cls, state, days: int, course: np.ndarray) -> ProductState:
        """All zeros on day 0 (before its flows: the counters' previous values are 0)."""
        E, N = state.first.shape
        B, Q = state.stock.shape[0], len(course)
        z = lambda *s: np.zeros(s)  # noqa: E731
        return cls(received=z(E, N, Q), holding=z(E, N, Q), administered=z(E, N, Q),
                   expired=z(E, N, Q), given=z(E, N, Q), course=np.asarray(course, float),
                   pool=z(E, Q), world_received=z(E, days, Q), mix=z(E, N, Q),
                   world_now=z(E, Q), stale=np.zeros(E, dtype=bool), one_dose=z(E, N),
                   aged=z(B, E, N, Q), transit=z(E, N, Q), land=z(E, N, B),
                   land_mix=z(E, N, Q),
                   arriving=z(E, N), moved=np.ones((E, N), dtype=bool),
                   changed=np.ones((E, N), dtype=bool),
                   last={k: np.zeros_like(v) for k, v in _counters(state).items()})

    def copy(self) -> ProductState:
        """A deep copy."""
        arrays = {k: v.copy() for k, v in vars(self).items() if k != "last"}
        return ProductState(**arrays, last={n: a.copy() for n, a in self.last.items()})

    @property
    def courses(self) -> np.ndarray:
        """(E, N, Q) courses completed: doses administered / doses per course (a one-dose
        product counts a course per dose).
        """
        return self.administered / self.course

    def course_length(self) -> np.ndarray:
        """(E, N) doses per course given so far (each country's own product mix; 0 before
        any dose).
        """
        return _ratio(self.administered.sum(axis=2), self.courses.sum(axis=2))


def track_reference(ps: ProductState, pp: ProductParams, state, world, params,
                    market: np.ndarray | None, partners: np.ndarray | None,
                    licensed: np.ndarray | None, t: int) -> None:
    """Book day ``t``'s flows by product (see the module docstring): the numpy reference
    of :func:`sim.engine.kernels.products.track_day`.

    market : (E, N) doses countries bought at today's clearing (home sales and imports;
        without contracts, partner sales, licences, pool shipments and gifts)
    partners : (E, N) partner sales today, or None
    licensed : (E, N) licensees' own doses from fill-finish today, or None
    """
    d = {k: np.asarray(getattr(state, k), dtype=float) - ps.last[k] for k in COUNTERS}
    if licensed is not None and params.diplomacy.lic_rate.shape[1]:
        _licences(ps, pp, params.diplomacy, d, licensed)
    if market is not None and not market.any():
        market = None  # the market clears on its days only
    if (market is not None or partners is not None or d["contract_delivered_cum"].any()
            or d["pool_bought_cum"].any()):
        _arrive(ps, _sales(ps, pp, world, params.diplomacy, d, market, partners))
    # What was held before today's shipments and gifts (those are still on their way)
    # leaves as administered, expired, given to the pool or donated.
    if ps.stale.any():  # members whose doses arrived (each member alike in any batch)
        ps.mix[ps.stale] = _mix(ps.holding[ps.stale])
        ps.stale[:] = False
    held = ps.mix
    out = d["administered_cum"]                                                # (E, N)
    ps.administered += d["administered_cum"][..., None] * held
    gone = book_expiry(ps, pp, state, d, held, (t + 1) % params.structure.bucket_days == 0)
    if d["expired_cum"].any():
        ps.expired += gone
        ps.holding -= gone
    if d["pool_contributed_cum"].any() or d["pool_given"].any():
        given = d["pool_contributed_cum"][..., None] * held
        out = out + d["pool_contributed_cum"]
        ps.given += given
        ps.pool += given.sum(axis=1)
        shipped = d["pool_given"][..., None] * _mix(ps.pool)[:, None, :]
        ps.pool = np.maximum(ps.pool - shipped.sum(axis=1), 0.0)
        _arrive(ps, shipped)
    if d["donated_cum"].any():
        gifts, from_stock = _gifts(ps, pp, world, state, d, held, out)
        out = out + from_stock
        ps.given += from_stock[..., None] * held
        _arrive(ps, gifts, bought=False)
    # Outflows in proportion to what is held leave its composition as it is.
    close_day(ps, out)
    if t < ps.world_received.shape[1]:
        ps.world_received[:, t] = ps.world_now
    ps.last = _counters(state)


def _arrive(ps: ProductState, doses: np.ndarray, bought: bool = True) -> None:
    """Doses (E, N, Q) allocated to countries today (``bought``: they travel in
    ``transit``, not as gifts).
    """
    if bought:
        ps.transit += doses
    ps.holding += doses
    ps.received += doses
    ps.world_now += doses.sum(axis=1)
    ps.stale |= doses.any(axis=(1, 2))


#: Today's cumulative counters (but the first) from the state, and yesterday's.
_TODAY, _YESTERDAY = attrgetter(*COUNTERS[1:]), itemgetter(*COUNTERS[1:])


def _counters(state) -> dict[str, np.ndarray]:
    return {k: np.array(getattr(state, k), dtype=float, copy=True) for k in COUNTERS}


def track_products(state, world, params, market: np.ndarray | None,
                   partners: np.ndarray | None, licensed: np.ndarray | None, t: int) -> None:
    """Stage 7b: book day ``t`` by product and, every ``refresh_days``, refresh the
    epidemic's vaccine protection. Does nothing when the batch tracks no products.
    """
    pp = params.products
    if pp is None:
        return
    if state.products is None:
        state.products = ProductState.start(state, max(world.days, 1), pp.course)
    ps = state.products
    if backend() == "numpy":
        track_reference(ps, pp, state, world, params, market, partners, licensed, t)
        prepare_landing(ps, pp, state.transit, t)
    else:
        track_compiled(ps, pp, state, world, params, market, partners, licensed, t)
    refresh(state, pp, t)


def refresh(state, pp: ProductParams, t: int) -> None:
    """Every ``refresh_days``, the epidemic's vaccine protection follows the products of
    each country's courses (nothing without an epidemic).
    """
    if state.epi is None:
        return
    ps = state.products
    every = pp.__dict__.get("_refresh_every")  # one period for the batch, or None
    if every is None and "_refresh_every" not in pp.__dict__:
        r = pp.refresh_days
        every = int(r[0]) if len(r) and (r == r[0]).all() else None
        object.__setattr__(pp, "_refresh_every", every)
    if every is not None:  # every member at once, or none today
        if t % every == 0:
            refresh_protection(ps, pp, state.epi, None)
        return
    due = t % pp.refresh_days == 0                                         # (E,)
    if due.any():
        refresh_protection(ps, pp, state.epi, due)


def track_compiled(ps: ProductState, pp: ProductParams, state, world, params,
                   market: np.ndarray | None, partners: np.ndarray | None,
                   licensed: np.ndarray | None, t: int) -> None:
    """Day ``t`` by product in one compiled call (:func:`sim.engine.kernels.products.
    track_day`, which also prepares tomorrow's landing); arguments as
    :func:`track_reference`.
    """
    from sim.engine.kernels.products import track_day

    kernel: Any = track_day  # arguments spread from tuples: checked by the kernel's types
    dip = params.diplomacy
    has_licensed = licensed is not None and dip.lic_rate.shape[1] > 0
    has_market = market is not None and bool(market.any())
    nothing = state.first  # any (E, N) array: read only where its flag is set
    last = ps.last
    fixed = kernel_fixed(pp, dip, world, ps)
    kernel(t, (t + 1) % params.structure.bucket_days == 0, has_licensed, has_market,
              partners is not None,
              *_TODAY(state), *_YESTERDAY(last),
              nothing if licensed is None else licensed,
              market if has_market else nothing,
              nothing if partners is None else partners,
              state.stock, state.transit, state.gift_transit, *fixed,
              ps.received, ps.holding, ps.administered, ps.expired, ps.given, ps.pool,
              ps.world_received, ps.mix, ps.world_now, ps.stale, ps.one_dose, ps.aged,
              ps.transit, ps.land, ps.land_mix, ps.arriving, ps.moved, ps.changed,
              *kernel_scratch(ps, fixed[0].shape[1]))


def kernel_scratch(ps: ProductState, producers: int) -> tuple[np.ndarray, ...]:
    """Work arrays of :func:`sim.engine.kernels.products.track_day` (their values are
    never read): gone (E, N, Q), inflow and work (N, Q), by_seller (N, P), out (E, N),
    imports (N,). Kept for a run by the fused dose day's plan.
    """
    E, N, Q = ps.holding.shape
    return (np.empty((E, N, Q)), np.empty((N, Q)), np.empty((N, Q)),
            np.empty((N, producers)), np.empty((E, N)), np.empty(N))


def kernel_fixed(pp: ProductParams, dip, world, ps: ProductState) -> tuple:
    """The arrays :func:`sim.engine.kernels.products.track_day` reads that are fixed for
    the batch, made on first use (again if the batch's diplomacy or world is another:
    parameters copied with ``dataclasses.replace`` share their products).
    """
    cached = pp.__dict__.get("_kernel_fixed")
    if cached is None or cached[0] is not dip or cached[1] is not world:
        fixed = (np.ascontiguousarray(pp.producer_mix, dtype=float),
                 _fixed_mix(pp, "_licence_mix", pp.licence_product, dip.lic_producer),
                 np.ascontiguousarray(dip.lic_country, dtype=np.int64),
                 _fixed_mix(pp, "_contract_mix", pp.contract_product, dip.contract_supplier),
                 np.ascontiguousarray(dip.contract_buyer, dtype=np.int64),
                 np.ascontiguousarray(dip.contract_supplier, dtype=np.int64),
                 np.ascontiguousarray(world.home_of, dtype=np.int64),
                 np.ascontiguousarray(dip.partner_mask, dtype=bool),
                 np.ascontiguousarray(pp.accept, dtype=bool),
                 np.ascontiguousarray(pp.bucket, dtype=np.int64),
                 np.ascontiguousarray(pp.enabled, dtype=bool),
                 (ps.course == 1).astype(float))
        cached = (dip, world, fixed)
        object.__setattr__(pp, "_kernel_fixed", cached)
    return cached[2]
