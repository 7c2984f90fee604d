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
from typing import Any

import numpy as np

from sim.engine.build.product_params import ProductParams
from sim.engine.kernels import backend
from sim.engine.product_expiry import book_expiry, close_day, prepare_landing
from sim.engine.product_protection import refresh_protection

#: Cumulative counters of the dose engine whose daily change the tracker reads.
COUNTERS = ("allocated_cum", "administered_cum", "expired_cum", "donated_cum",
            "donations_received_cum", "pool_contributed_cum", "pool_given",
            "pool_bought_cum", "contract_delivered_cum", "licensed_cum", "exported_cum",
            "home_delivered_cum", "expired_arrival_cum")


#: Doses below which an amount counts as none in a ratio.
TINY = 1e-9


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Below TINY doses a total counts as nothing: a ratio to a subnormal would overflow.
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > TINY)


def _mix(amounts: np.ndarray) -> np.ndarray:
    """Composition (shares summing to 1 over the last axis; 0 where nothing)."""
    return _ratio(amounts, amounts.sum(axis=-1, keepdims=True))


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
                   arriving=z(E, N),
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


def _products_of(doses: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """(E, ..., Q) doses by product of ``doses`` (E, ..., P) by producer, of output mix
    ``mix`` (E, P, Q); added producer by producer (the same order in any batch, unlike a
    BLAS product).
    """
    E, P, Q = mix.shape
    out = np.zeros((*doses.shape[:-1], Q))
    shape = (E,) + (1,) * (doses.ndim - 2) + (Q,)
    for p in range(P):  # producers: a handful
        out += doses[..., p, None] * mix[:, p].reshape(shape)
    return out


def _mix_of(pp: ProductParams, producer: np.ndarray) -> np.ndarray:
    """(E, X, Q) output mix of the producers ``producer`` (E, X) of each member."""
    return pp.producer_mix[np.arange(len(producer))[:, None], producer]


def _by(bins: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(bins.ravel(), weights=values.ravel(), minlength=size)


def _to_countries(amount: np.ndarray, mix: np.ndarray, country: np.ndarray,
                  N: int) -> np.ndarray:
    """(E, N, Q) of ``amount`` (E, X) doses of composition ``mix`` (E, X, Q) going to
    countries ``country`` (E, X).
    """
    E, X, Q = mix.shape
    rows = np.arange(E)[:, None, None]
    bins = (rows * N + country[:, :, None]) * Q + np.arange(Q)
    return _by(bins, amount[:, :, None] * mix, E * N * Q).reshape(E, N, Q)


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


def _licences(ps: ProductState, pp: ProductParams, dip, d: dict[str, np.ndarray],
              licensed: np.ndarray) -> None:
    """Book licensees' own doses, in the proportions their licences filled today."""
    if not d["licensed_cum"].any():
        return  # no licence filled today (e.g. all done): nothing to book
    E = licensed.shape[0]
    lic = _fixed_mix(pp, "_licence_mix", pp.licence_product, dip.lic_producer)  # (E, C, Q)
    rows = np.arange(E)[:, None]
    filled = d["licensed_cum"]                                                 # (E, C)
    total = _by((rows * licensed.shape[1] + dip.lic_country).ravel(), filled,
                E * licensed.shape[1]).reshape(licensed.shape)                 # (E, N)
    own = licensed[rows, dip.lic_country] * _ratio(filled, total[rows, dip.lic_country])
    doses = own[..., None] * lic                                               # (E, C, Q)
    # Licences that filled today, member by member and licence by licence in order, so a
    # country with two licences adds them in the same order in any batch (np.add.at
    # applies repeated indices in sequence).
    e, c = np.nonzero(doses.any(axis=2))
    if len(e):
        n = dip.lic_country[e, c]
        np.add.at(ps.holding, (e, n), doses[e, c])
        np.add.at(ps.received, (e, n), doses[e, c])
        np.add.at(ps.transit, (e, n), doses[e, c])
        ps.mix[e, n] = _mix(ps.holding[e, n])
    ps.world_now += doses.sum(axis=1)


def _sales(ps: ProductState, pp: ProductParams, world, dip, d: dict[str, np.ndarray],
           market: np.ndarray | None, partners: np.ndarray | None) -> np.ndarray:
    """(E, N, Q) countries' doses from contracts, partner sales, home sales and the world
    market today; the pool's contract deliveries and purchases go into ``ps.pool``.
    """
    E, N, Q = ps.received.shape
    P = pp.producer_mix.shape[1]
    rows = np.arange(E)[:, None]
    inflow = np.zeros((E, N, Q))
    cx, ch, pool_contracts = np.zeros((E, P)), np.zeros((E, P)), np.zeros(E)
    if dip.contract_supplier.shape[1]:
        k_mix = _fixed_mix(pp, "_contract_mix", pp.contract_product,
                           dip.contract_supplier)                              # (E, K, Q)
        dk = d["contract_delivered_cum"]
        to_pool = dip.contract_buyer < 0
        ps.pool += (np.where(to_pool, dk, 0.0)[..., None] * k_mix).sum(axis=1)
        inflow += _to_countries(np.where(to_pool, 0.0, dk), k_mix,
                                np.maximum(dip.contract_buyer, 0), N)
        home = ~to_pool & (world.home_of[np.maximum(dip.contract_buyer, 0)]
                           == dip.contract_supplier)
        flat = (rows * P + dip.contract_supplier).ravel()
        cx = _by(flat, np.where(home, 0.0, dk), E * P).reshape(E, P)
        ch = _by(flat, np.where(home, dk, 0.0), E * P).reshape(E, P)
        pool_contracts = np.where(to_pool, dk, 0.0).sum(axis=1)
    # Exports of the day (partner sales, pool purchases, imports); partner sales by seller.
    exports = np.maximum(d["exported_cum"] - cx, 0.0)                          # (E, P)
    if partners is not None:
        mask = dip.partner_mask.T.astype(float)                                # (N, P)
        by_seller = partners[..., None] * _mix(mask[None] * exports[:, None, :])
        inflow += _products_of(by_seller, pp.producer_mix)
        exports = np.maximum(exports - by_seller.sum(axis=1), 0.0)
    world_mix = _mix(_products_of(exports, pp.producer_mix))                   # (E, Q)
    world_mix = np.where(world_mix.sum(axis=1, keepdims=True) > 0, world_mix,
                         _mix(pp.producer_mix.sum(axis=1)))
    imports = np.zeros((E, N))
    if market is not None and market.any():
        sales = np.maximum(d["home_delivered_cum"] - ch, 0.0)                  # (E, P)
        hp, has = np.maximum(world.home_of, 0), world.home_of >= 0
        bought = _by((rows * P + hp).ravel(), np.where(has, market, 0.0),
                     E * P).reshape(E, P)                                      # (E, P)
        own = market * np.where(has, np.minimum(_ratio(sales, bought)[:, hp], 1.0), 0.0)
        inflow += own[..., None] * pp.producer_mix[:, hp]
        imports = market - own
    pool_bought = np.maximum(d["pool_bought_cum"] - pool_contracts, 0.0)       # (E,)
    if imports.any() or pool_bought.any():
        taken, rest_mix = _world_market(pp, world_mix, imports, pool_bought)
        inflow += taken
        ps.pool += pool_bought[:, None] * rest_mix
    return inflow


def _gifts(ps: ProductState, pp: ProductParams, world, state, d: dict[str, np.ndarray],
           held: np.ndarray, outflow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bilateral gifts of the day: recipients' doses (E, N, Q) and givers' doses from their
    holdings (E, N). A giver's gifts from stock are what left its holdings besides the
    day's other outflows (``outflow`` (E, N): administration, expiry, the pool); the rest
    came from its producer's output (its home mix). All of a round's gifts share one
    composition.
    """
    gave = d["donated_cum"]
    left = (ps.holding.sum(axis=2) - outflow + d["donations_received_cum"]
            - _on_hand(state))
    from_stock = np.clip(left, 0.0, gave)
    has_home = (world.home_of >= 0)[None, :, None]
    out_mix = np.where(has_home, pp.producer_mix[:, np.maximum(world.home_of, 0)], held)
    doses = from_stock[..., None] * held + (gave - from_stock)[..., None] * out_mix
    gifts = d["donations_received_cum"][..., None] * _mix(doses.sum(axis=1))[:, None]
    return gifts, from_stock


def _world_market(pp: ProductParams, world_mix: np.ndarray, imports: np.ndarray,
                  pool_bought: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the day's world-market purchases over products.

    Buyers who accept only some products (``accept``) take those first, in proportion
    to the day's supply of them, as far as it goes; everything else bought (other
    countries' imports, what restricted buyers could not get in their products, the
    pool's purchases) has the composition of what is left.

    Returns
    -------
    taken : (E, N, Q) countries' imports by product
    rest_mix : (E, Q) the composition of what is left (the pool's purchases)
    """
    avail = world_mix * (imports.sum(axis=1) + pool_bought)[:, None]           # (E, Q)
    acc = pp.accept
    restricted = ~acc.all(axis=2)                                              # (E, N)
    pref = _mix(world_mix[:, None, :] * acc)                                  # (E, N, Q)
    want = np.where(restricted, imports, 0.0)[..., None] * pref
    demand = want.sum(axis=1)                                                  # (E, Q)
    scale = np.where(demand > avail, _ratio(avail, demand), 1.0)
    take = want * scale[:, None, :]
    left = np.maximum(avail - take.sum(axis=1), 0.0)
    rest_mix = np.where(left.sum(axis=1, keepdims=True) > 0, _mix(left), world_mix)
    rest = imports - take.sum(axis=2)                                          # (E, N)
    return take + rest[..., None] * rest_mix[:, None, :], rest_mix


def _on_hand(state) -> np.ndarray:
    """(E, N) doses in transit to or in stock in each country."""
    return (state.stock.sum(axis=0) + state.transit.sum(axis=1)
            + state.gift_transit.sum(axis=(0, 2)))


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
    if state.epi is not None:
        due = t % pp.refresh_days == 0                                         # (E,)
        if due.any():
            refresh_protection(ps, pp, state.epi, due)


def _fixed_mix(pp: ProductParams, name: str, product: np.ndarray,
               producer: np.ndarray) -> np.ndarray:
    """(E, X, Q) composition of the doses of licences or contracts: their named product,
    else (``product`` -1) their producer's mix; fixed for the batch, built on first use.
    """
    cached = pp.__dict__.get(name)
    if cached is None:
        Q = pp.n_products
        cached = np.ascontiguousarray(np.where(product[..., None] >= 0,
                                               np.eye(Q)[np.maximum(product, 0)],
                                               _mix_of(pp, producer)))
        object.__setattr__(pp, name, cached)
    return cached


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
    fixed = pp.__dict__.get("_kernel_fixed")
    if fixed is None:
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
        object.__setattr__(pp, "_kernel_fixed", fixed)
    kernel(t, (t + 1) % params.structure.bucket_days == 0, has_licensed, has_market,
              partners is not None,
              *(getattr(state, k) for k in COUNTERS[1:]), *(last[k] for k in COUNTERS[1:]),
              nothing if licensed is None else licensed,
              market if has_market else nothing,
              nothing if partners is None else partners,
              state.stock, state.transit, state.gift_transit, *fixed,
              ps.received, ps.holding, ps.administered, ps.expired, ps.given, ps.pool,
              ps.world_received, ps.mix, ps.world_now, ps.stale, ps.one_dose, ps.aged,
              ps.transit, ps.land, ps.land_mix, ps.arriving)
