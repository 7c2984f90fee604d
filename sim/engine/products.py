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
  sold);
- *partner sales*: the mix of the day's exports of the producers whose partner the
  country is;
- *pool* shipments: the pool's stock composition; contributions to the pool and
  bilateral gifts from stock: the giver's holdings composition; gifts from factory output:
  the donor's home producer's mix. All gifts of one round share one composition.

Holdings (doses in transit and in stock) are treated as well mixed: doses administered,
expired, donated or given to the pool leave in the proportions held. A one-dose product
counts a course per dose. Producers' unsold stock keeps its producer's mix (a licensee's
excess joining its licensor's stock is counted as that mix).

Every ``refresh_days`` the epidemic's ``ve_course`` (2, E, N, V) is set to the protection
of a country's courses weighted by product: ``Σ_q w_q prot[k, q, class(v)]`` with ``w``
the share of the country's courses given with product q; a strain of no class (emergent,
or an unnamed scheduled variant) gets the ancestral class's protection times one minus its
escape. Countries with no course yet keep the epidemic's value.

Shapes: E members, N countries, P producers, Q products, D days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine.build.product_params import ProductParams

#: Cumulative counters of the dose engine whose daily change the tracker reads.
COUNTERS = ("allocated_cum", "administered_cum", "expired_cum", "donated_cum",
            "donations_received_cum", "pool_contributed_cum", "pool_given",
            "pool_bought_cum", "contract_delivered_cum", "licensed_cum", "exported_cum",
            "home_delivered_cum")


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > 0)


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
    courses : (E, N, Q) cumulative courses completed (administered / doses per course)
    pool : (E, Q) the pool's stock
    world_received : (E, D, Q) doses received by all countries by the end of each day
    last : the counters of :data:`COUNTERS` at the end of the previous day
    """

    received: np.ndarray
    holding: np.ndarray
    administered: np.ndarray
    expired: np.ndarray
    given: np.ndarray
    courses: np.ndarray
    pool: np.ndarray
    world_received: np.ndarray
    last: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def start(cls, state, days: int, n_products: int) -> ProductState:
        """All zeros on day 0 (before its flows: the counters' previous values are 0)."""
        E, N = state.first.shape
        z = lambda *s: np.zeros(s)  # noqa: E731
        return cls(received=z(E, N, n_products), holding=z(E, N, n_products),
                   administered=z(E, N, n_products), expired=z(E, N, n_products),
                   given=z(E, N, n_products), courses=z(E, N, n_products),
                   pool=z(E, n_products), world_received=z(E, days, n_products),
                   last={k: np.zeros_like(v) for k, v in _counters(state).items()})

    def copy(self) -> ProductState:
        """A deep copy."""
        arrays = {k: v.copy() for k, v in vars(self).items() if k != "last"}
        return ProductState(**arrays, last={n: a.copy() for n, a in self.last.items()})

    def course_length(self) -> np.ndarray:
        """(E, N) doses per course given so far (each country's own product mix; 0 before
        any dose).
        """
        return _ratio(self.administered.sum(axis=2), self.courses.sum(axis=2))


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


def track_day(ps: ProductState, pp: ProductParams, state, world, params,
              market: np.ndarray | None, partners: np.ndarray | None,
              licensed: np.ndarray | None, t: int) -> None:
    """Book day ``t``'s flows by product (see the module docstring).

    market : (E, N) doses countries bought at today's clearing (home sales and imports;
        without contracts, partner sales, licences, pool shipments and gifts)
    partners : (E, N) partner sales today, or None
    licensed : (E, N) licensees' own doses from fill-finish today, or None
    """
    d = {k: np.asarray(getattr(state, k), dtype=float) - ps.last[k] for k in COUNTERS}
    E, N, Q = ps.received.shape
    P = pp.producer_mix.shape[0]
    dip = params.diplomacy
    inflow = np.zeros((E, N, Q))
    rows = np.arange(E)[:, None]
    # Licences: the licensee's own doses, in the proportions its licences filled today.
    if licensed is not None and dip.lic_rate.shape[1]:
        lic = np.where(pp.licence_product[..., None] >= 0,
                       np.eye(Q)[np.maximum(pp.licence_product, 0)],
                       pp.producer_mix[dip.lic_producer])                      # (E, C, Q)
        filled = _to_countries(d["licensed_cum"], lic, dip.lic_country, N)
        inflow += licensed[..., None] * _mix(filled)
    # Contracts.
    cx = np.zeros((E, P))
    ch = np.zeros((E, P))
    if dip.contract_supplier.shape[1]:
        k_mix = np.where(pp.contract_product[..., None] >= 0,
                         np.eye(Q)[np.maximum(pp.contract_product, 0)],
                         pp.producer_mix[dip.contract_supplier])               # (E, K, Q)
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
    else:
        pool_contracts = np.zeros(E)
    # World market: exports of the day (partner sales, pool purchases, imports) and home
    # sales. Partner sales first, by seller.
    exports = np.maximum(d["exported_cum"] - cx, 0.0)                          # (E, P)
    fallback = _mix(pp.producer_mix.sum(axis=0))
    if partners is not None:
        mask = dip.partner_mask.T.astype(float)                                # (N, P)
        seller = _mix(mask[None] * exports[:, None, :])                        # (E, N, P)
        by_seller = partners[..., None] * seller                               # (E, N, P)
        inflow += np.einsum("enp,pq->enq", by_seller, pp.producer_mix)
        exports = np.maximum(exports - by_seller.sum(axis=1), 0.0)
    world_mix = _mix(exports @ pp.producer_mix)                                # (E, Q)
    world_mix = np.where(world_mix.sum(axis=1, keepdims=True) > 0, world_mix, fallback)
    imports = np.zeros((E, N))
    if market is not None and market.any():
        sales = np.maximum(d["home_delivered_cum"] - ch, 0.0)                  # (E, P)
        hp, has = world.home_of, world.home_of >= 0
        bought = _by((rows * P + np.maximum(hp, 0)).ravel(),
                     np.where(has, market, 0.0), E * P).reshape(E, P)          # (E, P)
        home_share = np.where(has, np.minimum(_ratio(sales, bought)[:, np.maximum(hp, 0)],
                                              1.0), 0.0)                       # (E, N)
        own = market * home_share
        inflow += own[..., None] * pp.producer_mix[np.maximum(hp, 0)][None]
        imports = market - own
    pool_bought = np.maximum(d["pool_bought_cum"] - pool_contracts, 0.0)       # (E,)
    taken, rest_mix = _world_market(pp, world_mix, imports, pool_bought)
    inflow += taken
    ps.pool += pool_bought[:, None] * rest_mix
    # Pool: contributions from holdings, then shipments from its stock.
    ps.holding += inflow
    held = _mix(ps.holding)
    contrib = d["pool_contributed_cum"][..., None] * held
    ps.pool += contrib.sum(axis=1)
    shipped = d["pool_given"][..., None] * _mix(ps.pool)[:, None, :]
    ps.pool = np.maximum(ps.pool - shipped.sum(axis=1), 0.0)
    # Bilateral gifts: from stock (the giver's holdings) or factory output (home mix).
    # What left a giver's holdings besides administration, expiry and the pool went as
    # gifts from stock; the rest of its gifts came from its producer's output.
    on_hand = _on_hand(state)
    gave = d["donated_cum"]
    from_stock = np.clip(d["allocated_cum"] - d["administered_cum"] - d["expired_cum"]
                         - d["pool_contributed_cum"] - (on_hand - ps.last["on_hand"]),
                         0.0, gave)
    has_home = (world.home_of >= 0)[None, :, None]
    out_mix = np.where(has_home, pp.producer_mix[np.maximum(world.home_of, 0)][None], held)
    gift_doses = from_stock[..., None] * held + (gave - from_stock)[..., None] * out_mix
    gifts = d["donations_received_cum"][..., None] * _mix(gift_doses.sum(axis=1))[:, None]
    inflow += shipped + gifts
    ps.holding += shipped + gifts
    # Outflows of the day, in the proportions held.
    held = _mix(ps.holding)
    adm = d["administered_cum"][..., None] * held
    exp = d["expired_cum"][..., None] * held
    given = contrib + from_stock[..., None] * held
    ps.holding = np.maximum(ps.holding - adm - exp - given, 0.0)
    ps.received += inflow
    ps.administered += adm
    ps.expired += exp
    ps.given += given
    ps.courses += adm / pp.course
    if t < ps.world_received.shape[1]:
        ps.world_received[:, t] = ps.received.sum(axis=1)
    ps.last = _counters(state)


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
    out = {k: np.array(getattr(state, k), dtype=float, copy=True) for k in COUNTERS}
    out["on_hand"] = _on_hand(state)
    return out


def course_protection(ps: ProductState, pp: ProductParams, strains: np.ndarray) -> np.ndarray:
    """(2, E, N, V) protection of a country's courses against [infection, death] per
    strain slot, weighted by the products of its courses (0 where it has none).

    strains : (E, V, 4) the epidemic's strain table (transmissibility, escape,
        escape_death, severity)
    """
    w = _mix(ps.courses)                                                       # (E, N, Q)
    cls = pp.strain_class                                                      # (E, V)
    by_class = pp.protection[:, :, np.maximum(cls, 0)]                         # (2, Q, E, V)
    named = np.einsum("enq,kqev->kenv", w, by_class)
    base = np.einsum("enq,kq->ken", w, pp.protection[:, :, 0])                 # (2, E, N)
    esc = np.moveaxis(strains[:, :, 1:3], 2, 0)                               # (2, E, V)
    other = base[..., None] * (1.0 - esc[:, :, None, :])
    return np.where(cls[None, :, None, :] >= 0, named, other)


def refresh_protection(ps: ProductState, pp: ProductParams, epi) -> None:
    """Set ``epi.ve_course`` of product-tracking members' countries that have given
    courses to their product-weighted protection.
    """
    if epi is None:
        return
    ve = course_protection(ps, pp, epi.strains)
    mask = pp.enabled[:, None] & (ps.courses.sum(axis=2) > 0)                  # (E, N)
    epi.ve_course[...] = np.where(mask[None, :, :, None], ve, epi.ve_course)


def track_products(state, world, params, market: np.ndarray | None,
                   partners: np.ndarray | None, licensed: np.ndarray | None, t: int) -> None:
    """Stage 7b: book day ``t`` by product and, every ``refresh_days``, refresh the
    epidemic's vaccine protection. Does nothing when the batch tracks no products.
    """
    pp = params.products
    if pp is None:
        return
    if state.products is None:
        state.products = ProductState.start(state, max(world.days, 1), pp.n_products)
    track_day(state.products, pp, state, world, params, market, partners, licensed, t)
    if t % pp.refresh_days == 0:
        refresh_protection(state.products, pp, state.epi)
