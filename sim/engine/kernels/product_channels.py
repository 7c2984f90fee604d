"""The product ledger's inflows by channel, compiled: a member's doses from contracts,
partner sales, home sales and the world market (:func:`_sales`, reference
:func:`sim.engine.product_channels._sales`), for :func:`sim.engine.kernels.products.
track_day`. Sums in numpy's order (see that module).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.sums import pairwise_sum, short_sum

#: Doses below which an amount counts as none in a ratio (as the reference's ``TINY``).
TINY = 1e-9


@jit
def _mix_into(src: np.ndarray, lo: int, n: int, dst: np.ndarray, dlo: int) -> None:
    """``dst[dlo:dlo+n]`` the composition of ``src[lo:lo+n]`` (0 where it holds nothing)."""
    total = short_sum(src, lo, n)
    for i in range(n):
        dst[dlo + i] = src[lo + i] / total if total > TINY else 0.0


@jit
def _column_sums(a: np.ndarray, out: np.ndarray) -> None:
    """``out`` (R,) = ``a`` (M, R) summed over its first axis, as numpy does."""
    M, R = a.shape
    if R == 1:
        out[0] = pairwise_sum(a.reshape(-1), 0, M)
        return
    for r in range(R):
        out[r] = 0.0
    for m in range(M):
        for r in range(R):
            out[r] += a[m, r]


@jit
def _sales(e: int, dk: np.ndarray, exported: np.ndarray, home_sold: np.ndarray,
           pool_bought_today: float, market: np.ndarray, has_market: bool,
           partners: np.ndarray, has_partners: bool, partner_mask: np.ndarray,
           producer_mix: np.ndarray, contract_mix: np.ndarray, contract_buyer: np.ndarray,
           contract_supplier: np.ndarray, home_of: np.ndarray, accept: np.ndarray,
           pool: np.ndarray, inflow: np.ndarray, work: np.ndarray, by_seller: np.ndarray,
           imports: np.ndarray) -> None:
    """Member ``e``'s doses from contracts, partner sales, home sales and the world market
    into ``inflow`` (N, Q); the pool's contract deliveries and purchases into ``pool``.

    dk : (K,) contract deliveries today; exported, home_sold : (P,) today's exports and
    home sales; market, partners : (N,) today's clearing and partner sales;
    producer_mix : (P, Q); contract_mix : (K, Q); accept : (N, Q) bool;
    work : (N, Q), by_seller : (N, P), imports : (N,) work arrays.
    """
    N, Q = inflow.shape
    P = producer_mix.shape[0]
    K = dk.shape[0]
    inflow[:] = 0.0
    cx = np.zeros(P)
    ch = np.zeros(P)
    rowk = np.zeros(K)
    rowq = np.zeros(Q)
    rowp = np.zeros(P)
    col = np.zeros(max(P, Q))
    pool_contracts = 0.0
    if K:
        for k in range(K):
            b = contract_buyer[k]
            if b < 0:  # the pool's: exported by its supplier, into the pool's stock
                rowk[k] = dk[k]
                cx[contract_supplier[k]] += dk[k]
                continue
            for q in range(Q):
                inflow[b, q] += dk[k] * contract_mix[k, q]
            if home_of[b] == contract_supplier[k]:
                ch[contract_supplier[k]] += dk[k]
            else:
                cx[contract_supplier[k]] += dk[k]
        # (E, K, Q).sum(axis=1) of the pool's contracts: pairwise when Q is 1
        tmp = np.empty(K)
        for q in range(Q):
            for k in range(K):
                tmp[k] = rowk[k] * contract_mix[k, q]
            if Q == 1:
                pool[e, q] += pairwise_sum(tmp, 0, K)
            else:
                s = 0.0
                for k in range(K):
                    s += tmp[k]
                pool[e, q] += s
        pool_contracts = pairwise_sum(rowk, 0, K)
    exports = np.empty(P)
    for p in range(P):
        exports[p] = nonneg(exported[p] - cx[p])
    if has_partners:
        for n in range(N):
            for p in range(P):
                rowp[p] = exports[p] if partner_mask[p, n] else 0.0
            total = short_sum(rowp, 0, P)
            for p in range(P):
                by_seller[n, p] = partners[n] * (rowp[p] / total if total > TINY else 0.0)
        for n in range(N):
            for q in range(Q):
                s = 0.0
                for p in range(P):
                    s += by_seller[n, p] * producer_mix[p, q]
                inflow[n, q] = inflow[n, q] + s
        _column_sums(by_seller, col[:P])
        for p in range(P):
            exports[p] = nonneg(exports[p] - col[p])
    world_mix = np.empty(Q)
    for q in range(Q):
        s = 0.0
        for p in range(P):
            s += exports[p] * producer_mix[p, q]
        rowq[q] = s
    _mix_into(rowq, 0, Q, world_mix, 0)
    if not short_sum(world_mix, 0, Q) > 0:
        _column_sums(producer_mix, rowq)
        _mix_into(rowq, 0, Q, world_mix, 0)
    imports[:] = 0.0
    if has_market:
        bought = np.zeros(P)
        for n in range(N):
            if home_of[n] >= 0:
                bought[home_of[n]] += market[n]
        for n in range(N):
            h = home_of[n]
            own = 0.0
            if h >= 0:
                sales = nonneg(home_sold[h] - ch[h])
                r = sales / bought[h] if bought[h] > TINY else 0.0
                own = market[n] * min(r, 1.0)
                for q in range(Q):
                    inflow[n, q] = inflow[n, q] + own * producer_mix[h, q]
            else:
                own = market[n] * 0.0
                for q in range(Q):
                    inflow[n, q] = inflow[n, q] + own * producer_mix[0, q]
            imports[n] = market[n] - own
    pool_bought = nonneg(pool_bought_today - pool_contracts)
    some = pool_bought != 0.0
    for n in range(N):
        if imports[n] != 0.0:
            some = True
    if some:
        rest_mix = _world_market(world_mix, imports, pool_bought, accept, work, inflow)
        for q in range(Q):
            pool[e, q] += pool_bought * rest_mix[q]


@jit
def _world_market(world_mix: np.ndarray, imports: np.ndarray, pool_bought: float,
                  accept: np.ndarray, take: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    """One member's world-market purchases by product added to ``inflow`` (N, Q); returns
    the composition of what is left (the pool's purchases). ``take`` (N, Q) is work.
    """
    N, Q = take.shape
    bought = pairwise_sum(imports, 0, N) + pool_bought
    avail = np.empty(Q)
    for q in range(Q):
        avail[q] = world_mix[q] * bought
    row = np.empty(Q)
    pref = np.empty(Q)
    for n in range(N):
        restricted = False
        for q in range(Q):
            if not accept[n, q]:
                restricted = True
            row[q] = world_mix[q] if accept[n, q] else 0.0
        _mix_into(row, 0, Q, pref, 0)
        amount = imports[n] if restricted else 0.0
        for q in range(Q):
            take[n, q] = amount * pref[q]
    demand = np.empty(Q)
    _column_sums(take, demand)
    for q in range(Q):
        scale = 1.0
        if demand[q] > avail[q]:
            scale = avail[q] / demand[q] if demand[q] > TINY else 0.0
        for n in range(N):
            take[n, q] = take[n, q] * scale
    taken = np.empty(Q)
    _column_sums(take, taken)
    left = np.empty(Q)
    for q in range(Q):
        left[q] = nonneg(avail[q] - taken[q])
    rest_mix = np.empty(Q)
    if short_sum(left, 0, Q) > 0:
        _mix_into(left, 0, Q, rest_mix, 0)
    else:
        rest_mix[:] = world_mix
    flat = take.reshape(-1)
    for n in range(N):
        # (a buyer that took all it bought in its products leaves -1 ulp, not 0)
        rest = nonneg(imports[n] - short_sum(flat, n * Q, Q))
        for q in range(Q):
            inflow[n, q] = inflow[n, q] + (take[n, q] + rest * rest_mix[q])
    return rest_mix
