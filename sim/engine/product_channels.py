"""Doses by product, channel by channel: the numpy reference of the product ledger's
inflows (licences, contracts, partner sales, home sales and the world market, bilateral
gifts), used by :func:`sim.engine.products.track_reference` and checked against the
compiled day (:mod:`sim.engine.kernels.products`).

Shapes: E members, N countries, P producers, Q products, K contracts, C licences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.build.product_params import ProductParams

if TYPE_CHECKING:
    from sim.engine.products import ProductState


#: Doses below which an amount counts as none in a ratio.
TINY = 1e-9


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Below TINY doses a total counts as nothing: a ratio to a subnormal would overflow.
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > TINY)


def _mix(amounts: np.ndarray) -> np.ndarray:
    """Composition (shares summing to 1 over the last axis; 0 where nothing)."""
    return _ratio(amounts, amounts.sum(axis=-1, keepdims=True))


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
    # A buyer that took all it bought in its products leaves -1 ulp, not 0.
    rest = np.maximum(imports - take.sum(axis=2), 0.0)                         # (E, N)
    return take + rest[..., None] * rest_mix[:, None, :], rest_mix


def _on_hand(state) -> np.ndarray:
    """(E, N) doses in transit to or in stock in each country."""
    return (state.stock.sum(axis=0) + state.transit.sum(axis=1)
            + state.gift_transit.sum(axis=(0, 2)))


def _fixed_mix(pp: ProductParams, name: str, product: np.ndarray,
               producer: np.ndarray) -> np.ndarray:
    """(E, X, Q) composition of the doses of licences or contracts: their named product,
    else (``product`` -1) their producer's mix; fixed for the batch, built on first use.
    """
    cached = pp.__dict__.get(name)
    if cached is None or cached[0] is not producer:  # (made for these producers)
        Q = pp.n_products
        cached = (producer, np.ascontiguousarray(np.where(product[..., None] >= 0,
                                                          np.eye(Q)[np.maximum(product, 0)],
                                                          _mix_of(pp, producer))))
        object.__setattr__(pp, name, cached)
    return cached[1]
