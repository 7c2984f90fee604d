"""Doses by product, compiled: the whole of a day's product ledger
(:func:`sim.engine.products.track_reference` and the landing of
:func:`sim.engine.product_expiry.landing_reference`) in one call.

Every channel of :mod:`sim.engine.products` is here, member by member: licensees' own
doses, contracts, partner sales, home sales and the world market (``_sales``), the pool's
stock, bilateral gifts, expiry by shelf-life bucket (:func:`~sim.engine.kernels.
product_expiry.age_day`), the day's outflows (:func:`~sim.engine.kernels.product_expiry.
close_day`) and tomorrow's landing shares. The numpy reference tests its conditions over
the whole batch (``d.any()``); here they are member by member, which books the same doses:
a member without a flow adds exact zeros there.

Sums add in numpy's order, so kernel and reference give the same doses bit for bit
(``tests/engine/kernels/test_products_kernel.py``): a row's sum over its last axis
pairwise (:func:`sim.engine.kernels.sums.pairwise_sum`), a sum over a middle axis
(``(E, N, Q).sum(axis=1)``) element after element, unless the last axis has length 1
(numpy then drops it and sums the middle axis pairwise), a ``bincount`` element after
element from 0.

Shapes: E members, N countries, P producers, Q products, K contracts, C licences,
B shelf-life buckets, L delivery-lag days.

Speed (session 8): the work arrays of a day (``gone``, ``inflow``, ``work``,
``by_seller``, ``out``, ``imports``) are the caller's (made once per run by the fused
day's plan: daily they were ~3 MB of allocation and memset at 10,000 regions), and a
country that gave no dose today skips ``administered += 0 * mix``. What is left at E=32
is mostly memory traffic: each pass over an (E, N, Q) array (0.5 MB at E=32) streams it
from L3; fusing a member's passes (arrivals, administered, ageing, close) into one walk
over its (N, Q) rows is the next step.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.need import on_hand_rows
from sim.engine.kernels.product_channels import _column_sums, _mix_into, _sales
from sim.engine.kernels.product_expiry import age_day, close_day, landing_day
from sim.engine.kernels.sums import short_sum

#: Doses below which an amount counts as none in a ratio (as the reference's ``TINY``).
TINY = 1e-9


@jit
def _arrive(e: int, doses: np.ndarray, bought: bool, transit: np.ndarray,
            holding: np.ndarray, received: np.ndarray, world_now: np.ndarray,
            stale: np.ndarray, col: np.ndarray, moved: np.ndarray,
            changed: np.ndarray) -> None:
    """Member ``e``'s doses (N, Q) allocated to countries today (see the reference);
    ``moved`` (E, N) marks countries whose bought doses on their way changed, ``changed``
    (E, N) those whose holdings changed.
    """
    N, Q = doses.shape
    for n in range(N):
        for q in range(Q):
            x = doses[n, q]
            if bought:
                transit[e, n, q] += x
            holding[e, n, q] += x
            received[e, n, q] += x
            if x != 0.0:
                stale[e] = True
                changed[e, n] = True
                if bought:
                    moved[e, n] = True
    _column_sums(doses, col)
    for q in range(Q):
        world_now[e, q] += col[q]


@jit
def _licences(e: int, filled: np.ndarray, licensed: np.ndarray, lic_country: np.ndarray,
              lic_mix: np.ndarray, holding: np.ndarray, received: np.ndarray,
              transit: np.ndarray, mix: np.ndarray, world_now: np.ndarray,
              total: np.ndarray, doses: np.ndarray, col: np.ndarray,
              moved: np.ndarray, changed: np.ndarray) -> None:
    """Licensees' own doses of member ``e``, in the proportions their licences filled.

    filled : (C,) doses each licence filled today; licensed : (N,) licensees' own doses;
    lic_mix : (C, Q); total : (N,) and doses : (C, Q) work arrays.
    """
    C, Q = doses.shape
    total[:] = 0.0
    for c in range(C):
        total[lic_country[c]] += filled[c]
    for c in range(C):
        n = lic_country[c]
        share = filled[c] / total[n] if total[n] > TINY else 0.0
        own = licensed[n] * share
        for q in range(Q):
            doses[c, q] = own * lic_mix[c, q]
    for c in range(C):
        n = lic_country[c]
        for q in range(Q):
            holding[e, n, q] += doses[c, q]
            received[e, n, q] += doses[c, q]
            transit[e, n, q] += doses[c, q]
            if doses[c, q] != 0.0:
                moved[e, n] = True
                changed[e, n] = True
    flat = holding.reshape(-1)
    out = mix.reshape(-1)
    N = holding.shape[1]
    for c in range(C):
        some = False
        for q in range(Q):
            if doses[c, q] != 0.0:
                some = True
        if some:
            lo = (e * N + lic_country[c]) * Q
            _mix_into(flat, lo, Q, out, lo)
    _column_sums(doses, col)
    for q in range(Q):
        world_now[e, q] += col[q]


@jit
def track_day(t: int, boundary: bool, has_licensed: bool, has_market: bool,
              has_partners: bool,
              # today's cumulative counters of the dose engine, and yesterday's (in place)
              adm: np.ndarray, exp: np.ndarray, donated: np.ndarray, don_recv: np.ndarray,
              pool_contrib: np.ndarray, pool_given: np.ndarray, pool_bought: np.ndarray,
              contract_cum: np.ndarray, lic_cum: np.ndarray, exported_cum: np.ndarray,
              home_cum: np.ndarray, exp_arr: np.ndarray,
              l_adm: np.ndarray, l_exp: np.ndarray, l_donated: np.ndarray,
              l_don_recv: np.ndarray, l_pool_contrib: np.ndarray, l_pool_given: np.ndarray,
              l_pool_bought: np.ndarray, l_contract: np.ndarray, l_lic: np.ndarray,
              l_exported: np.ndarray, l_home: np.ndarray, l_exp_arr: np.ndarray,
              # today's channel allocations
              licensed: np.ndarray, market: np.ndarray, partners: np.ndarray,
              # the engine's stock and doses on their way
              stock: np.ndarray, transit_engine: np.ndarray, gift_transit: np.ndarray,
              # fixed parameters
              producer_mix: np.ndarray, lic_mix: np.ndarray, lic_country: np.ndarray,
              contract_mix: np.ndarray, contract_buyer: np.ndarray,
              contract_supplier: np.ndarray, home_of: np.ndarray, partner_mask: np.ndarray,
              accept: np.ndarray, bucket: np.ndarray, enabled: np.ndarray, one: np.ndarray,
              # the product ledger, in place
              received: np.ndarray, holding: np.ndarray, administered: np.ndarray,
              expired: np.ndarray, given: np.ndarray, pool: np.ndarray,
              world_received: np.ndarray, mix: np.ndarray, world_now: np.ndarray,
              stale: np.ndarray, one_dose: np.ndarray, aged: np.ndarray, transit: np.ndarray,
              land: np.ndarray, land_mix: np.ndarray, arriving: np.ndarray,
              moved: np.ndarray, changed: np.ndarray,
              # work arrays, any values (:func:`sim.engine.products.kernel_scratch`)
              gone: np.ndarray, inflow: np.ndarray, work: np.ndarray,
              by_seller: np.ndarray, out: np.ndarray, imports: np.ndarray) -> None:
    """Book day ``t``'s flows by product and prepare tomorrow's landing.

    The counters are those of :data:`sim.engine.products.COUNTERS` but the first, in
    that order (``adm`` administered, ``exp`` expired, ..., ``exp_arr`` expired on
    arrival: each (E, N) but ``pool_bought`` (E,), ``contract_cum`` (E, K), ``lic_cum``
    (E, C), ``exported_cum`` and ``home_cum`` (E, P)); ``l_*`` the same at the end of
    yesterday, set to today's at the end.
    licensed, market, partners : (E, N) today's licensees' own doses, clearing and
    partner sales (read only where ``has_*``).
    stock : (B, E, N); transit_engine : (E, L, N); gift_transit : (B, E, L, N).
    producer_mix : (E, P, Q); lic_mix : (E, C, Q); lic_country : (E, C) int;
    contract_mix : (E, K, Q); contract_buyer, contract_supplier : (E, K) int (buyer -1:
    the pool); home_of : (N,) int home producer (-1: none); partner_mask : (P, N) bool;
    accept : (E, N, Q) bool; bucket : (Q,) int; enabled : (E,) bool; one : (Q,) 1.0 for a
    one-dose product.
    The rest are the fields of :class:`sim.engine.products.ProductState` (``moved`` and
    ``changed``: countries whose landing shares and one-dose share are to be remade),
    then work arrays whose values on entry are never read: gone (E, N, Q), inflow and
    work (N, Q), by_seller (N, P), out (E, N), imports (N,) (kept by the caller: made
    every day they cost a page-faulting allocation and a memset, ~3 MB a day at
    10,000 regions).
    """
    E, N, Q = holding.shape
    B = aged.shape[0]
    L = transit_engine.shape[1]
    C = lic_cum.shape[1]
    K = contract_cum.shape[1]
    P = producer_mix.shape[1]
    col = np.empty(Q)
    total_n = np.empty(N)
    lic_doses = np.empty((C, Q))
    filled = np.empty(C)
    dk = np.empty(K)
    exported = np.empty(P)
    home_sold = np.empty(P)
    flat_hold = holding.reshape(-1)
    flat_mix = mix.reshape(-1)
    # 1. arrivals: licences, then the market's channels
    for e in range(E):
        any_lic = False
        for c in range(C):
            filled[c] = lic_cum[e, c] - l_lic[e, c]
            if filled[c] != 0.0:
                any_lic = True
        if has_licensed and C and any_lic:
            _licences(e, filled, licensed[e], lic_country[e], lic_mix[e], holding, received,
                      transit, mix, world_now, total_n, lic_doses, col, moved, changed)
        any_k = False
        for k in range(K):
            dk[k] = contract_cum[e, k] - l_contract[e, k]
            if dk[k] != 0.0:
                any_k = True
        pb = pool_bought[e] - l_pool_bought[e]
        if has_market or has_partners or any_k or pb != 0.0:
            for p in range(P):
                exported[p] = exported_cum[e, p] - l_exported[e, p]
                home_sold[p] = home_cum[e, p] - l_home[e, p]
            _sales(e, dk, exported, home_sold, pb, market[e], has_market, partners[e],
                   has_partners, partner_mask, producer_mix[e], contract_mix[e],
                   contract_buyer[e], contract_supplier[e], home_of, accept[e], pool,
                   inflow, work, by_seller, imports)
            _arrive(e, inflow, True, transit, holding, received, world_now, stale, col,
                    moved, changed)
        # What was held before today's shipments and gifts leaves as administered,
        # expired, given to the pool or donated.
        if stale[e]:
            for n in range(N):
                lo = (e * N + n) * Q
                _mix_into(flat_hold, lo, Q, flat_mix, lo)
            stale[e] = False
        for n in range(N):
            a = adm[e, n] - l_adm[e, n]
            out[e, n] = a
            if a != 0.0:  # (none given: 0 * shares adds zeros)
                for q in range(Q):
                    administered[e, n, q] += a * mix[e, n, q]
    # 2. expiry in stock by shelf-life bucket (all members at once); the engine's stock
    # before today's ageing is read on bucket boundaries only
    before = stock
    if boundary:
        before = np.empty((B, E, N))
        for e in range(E):
            for n in range(N):
                before[0, e, n] = (exp[e, n] - l_exp[e, n]) - (exp_arr[e, n]
                                                               - l_exp_arr[e, n])
        before[1:] = stock[:-1]
    for e in range(E):  # today's arrivals leave the doses on their way
        for n in range(N):
            if arriving[e, n] != 0.0:
                moved[e, n] = True
    age_day(aged, transit, bucket, arriving, land_mix, holding, before, boundary, gone)
    # 3. expired doses by product, the pool, gifts
    flat_gone = gone.reshape(-1)
    row = np.empty(Q)
    for e in range(E):
        expired_any = False
        for n in range(N):
            if exp[e, n] - l_exp[e, n] != 0.0:
                expired_any = True
        if expired_any:
            for n in range(N):
                d_exp = exp[e, n] - l_exp[e, n]
                on_way = exp_arr[e, n] - l_exp_arr[e, n]
                in_stock = d_exp - on_way
                for q in range(Q):
                    held = mix[e, n, q]
                    # (age_day writes ``gone`` on boundaries only: none expired else)
                    want = ((gone[e, n, q] if boundary else 0.0) if enabled[e]
                            else in_stock * held)
                    want = want + on_way * held
                    gone[e, n, q] = min(want, holding[e, n, q])
                lo = (e * N + n) * Q
                short = nonneg(d_exp - short_sum(flat_gone, lo, Q))
                for q in range(Q):
                    row[q] = holding[e, n, q] - gone[e, n, q]
                rest = short_sum(row, 0, Q)
                for q in range(Q):
                    share = row[q] / rest if rest > TINY else 0.0
                    g = gone[e, n, q] + short * share
                    expired[e, n, q] += g
                    holding[e, n, q] -= g
                    if g != 0.0:
                        changed[e, n] = True
        pool_any = False
        for n in range(N):
            if (pool_contrib[e, n] - l_pool_contrib[e, n] != 0.0
                    or pool_given[e, n] - l_pool_given[e, n] != 0.0):
                pool_any = True
        if pool_any:
            for n in range(N):
                pc = pool_contrib[e, n] - l_pool_contrib[e, n]
                out[e, n] = out[e, n] + pc
                for q in range(Q):
                    g = pc * mix[e, n, q]
                    work[n, q] = g
                    given[e, n, q] += g
            _column_sums(work, col)
            for q in range(Q):
                pool[e, q] += col[q]
            _mix_into(pool[e], 0, Q, row, 0)
            for n in range(N):
                pg = pool_given[e, n] - l_pool_given[e, n]
                for q in range(Q):
                    inflow[n, q] = pg * row[q]
            _column_sums(inflow, col)
            for q in range(Q):
                pool[e, q] = nonneg(pool[e, q] - col[q])
            _arrive(e, inflow, True, transit, holding, received, world_now, stale, col,
                    moved, changed)
        donated_any = False
        for n in range(N):
            if donated[e, n] - l_donated[e, n] != 0.0:
                donated_any = True
        if donated_any:
            _gifts(e, donated, l_donated, don_recv, l_don_recv, stock, transit_engine,
                   gift_transit, producer_mix[e], home_of, holding, mix, out, given, work,
                   inflow, imports)
            _arrive(e, inflow, False, transit, holding, received, world_now, stale, col,
                    moved, changed)
    # 4. outflows in proportion, tomorrow's landing, the day's record, the counters
    close_day(holding, out, one, one_dose, changed)
    landing_day(transit, bucket, enabled, land_mix, land, moved)
    nxt = (t + 1) % L
    for e in range(E):
        for n in range(N):
            arriving[e, n] = transit_engine[e, nxt, n]
    if t < world_received.shape[1]:
        for e in range(E):
            for q in range(Q):
                world_received[e, t, q] = world_now[e, q]
    l_adm[:] = adm
    l_exp[:] = exp
    l_exp_arr[:] = exp_arr
    l_donated[:] = donated
    l_don_recv[:] = don_recv
    l_pool_contrib[:] = pool_contrib
    l_pool_given[:] = pool_given
    l_pool_bought[:] = pool_bought
    l_contract[:] = contract_cum
    l_lic[:] = lic_cum
    l_exported[:] = exported_cum
    l_home[:] = home_cum


@jit
def _gifts(e: int, donated: np.ndarray, l_donated: np.ndarray, don_recv: np.ndarray,
           l_don_recv: np.ndarray, stock: np.ndarray, transit_engine: np.ndarray,
           gift_transit: np.ndarray, producer_mix: np.ndarray, home_of: np.ndarray,
           holding: np.ndarray, mix: np.ndarray, out: np.ndarray, given: np.ndarray,
           doses: np.ndarray, gifts: np.ndarray, from_stock: np.ndarray) -> None:
    """Member ``e``'s bilateral gifts: recipients' doses into ``gifts`` (N, Q); the givers'
    doses from their holdings leave them (``out``, ``given``). ``doses`` (N, Q) and
    ``from_stock`` (N,) are work.
    """
    N, Q = doses.shape
    flat = holding.reshape(-1)
    # Each country's doses in stock or on their way (bought and gifts), summed plane by
    # plane (a country-by-country walk jumped between the B + L + B·L planes)
    shelf, reach, ring = np.empty(N), np.empty(N), np.empty(N)
    on_hand_rows(stock, transit_engine, gift_transit, True, e, shelf, reach, ring)
    for n in range(N):
        gave = donated[e, n] - l_donated[e, n]
        on_hand = reach[n]
        left = (short_sum(flat, (e * N + n) * Q, Q) - out[e, n]
                + (don_recv[e, n] - l_don_recv[e, n]) - on_hand)
        fs = min(nonneg(left), gave)
        from_stock[n] = fs
        h = home_of[n]
        for q in range(Q):
            held = mix[e, n, q]
            source = producer_mix[h, q] if h >= 0 else held
            doses[n, q] = fs * held + (gave - fs) * source
    total = np.empty(Q)
    _column_sums(doses, total)
    share = np.empty(Q)
    _mix_into(total, 0, Q, share, 0)
    for n in range(N):
        recv = don_recv[e, n] - l_don_recv[e, n]
        for q in range(Q):
            gifts[n, q] = recv * share[q]
        out[e, n] = out[e, n] + from_stock[n]
        for q in range(Q):
            given[e, n, q] += from_stock[n] * mix[e, n, q]
