"""Stage 10 compiled: a whole day's records in one call, taken straight from the state
arrays (no (E, N) copies buffered for later).

:func:`record_day` writes the producer records, the dose ledger, the income-group and
world totals, the diplomacy totals, the strategy counts and, on the days the per-country
records are kept, those. The numpy reference is :class:`sim.engine.record.Recorder`'s
block buffer, :meth:`~sim.engine.record.Recorder.flush` and its per-country records;
sums are taken in numpy's order (:mod:`sim.engine.kernels.sums`), so the records are
identical (``tests/engine/kernels/test_dose_kernels.py``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.fields import COUNTRY_FIELDS, DIPLOMACY_FIELDS, GROUP_FIELDS, LEDGER_FIELDS
from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.epi_record import epi_record_day
from sim.engine.kernels.sums import marked_bucket_sum, pairwise_sum, segment_sums

# Field positions as module constants (numba reads them as compile-time constants).
_FIRST, _COMPLETED, _ADMINISTERED = (GROUP_FIELDS.first_dose, GROUP_FIELDS.completed,
                                     GROUP_FIELDS.doses_administered)
_PRODUCED, _ADMINISTERED_CUM = LEDGER_FIELDS.produced_cum, LEDGER_FIELDS.administered_cum
_EXPIRED, _STOCK = LEDGER_FIELDS.expired_cum, LEDGER_FIELDS.stock_countries
_IN_TRANSIT = LEDGER_FIELDS.in_transit
_STOCK_PRODUCERS, _STOCK_POOL = LEDGER_FIELDS.stock_producers, LEDGER_FIELDS.stock_pool
_POOL_BOUGHT, _POOL_DELIVERED = (DIPLOMACY_FIELDS.pool_bought_cum,
                                 DIPLOMACY_FIELDS.pool_delivered_cum)
_POOL_CONTRIBUTED = DIPLOMACY_FIELDS.pool_contributed_cum
_DONATED, _LICENSED = DIPLOMACY_FIELDS.donated_bilateral_cum, DIPLOMACY_FIELDS.licensed_output_cum
_C = COUNTRY_FIELDS
_C_FIRST, _C_COMPLETED, _C_ADMINISTERED = _C.first_dose, _C.completed, _C.doses_administered
_C_RECEIVED, _C_STOCK, _C_EXPIRED = _C.doses_received, _C.stock, _C.doses_expired
_C_ORDERS, _C_LICENSED = _C.orders_open, _C.doses_licensed


@jit
def record_day(t: int, slot: int, review: bool, first: np.ndarray, completed: np.ndarray,
               administered: np.ndarray, expired: np.ndarray, stock: np.ndarray,
               stock_used: np.ndarray, allocated: np.ndarray, received: np.ndarray,
               orders_open: np.ndarray,
               licensed_cum: np.ndarray, lic_bins: np.ndarray, strategy: np.ndarray,
               produced_cum: np.ndarray, exported_cum: np.ndarray,
               home_delivered_cum: np.ndarray, inventory: np.ndarray, track_diplomacy: bool,
               bulk: np.ndarray, pool_stock: np.ndarray, pool_bought_cum: np.ndarray,
               pool_given: np.ndarray, pool_contributed_cum: np.ndarray,
               donated_cum: np.ndarray, seg_order: np.ndarray, seg_starts: np.ndarray,
               seg_present: np.ndarray, seg_contiguous: bool, work: np.ndarray,
               group_work: np.ndarray, groups: np.ndarray, ledger: np.ndarray,
               out_produced: np.ndarray, out_exported: np.ndarray, out_home: np.ndarray,
               diplomacy: np.ndarray, strategies: np.ndarray, countries: np.ndarray,
               has_epi: bool, epi_end: bool, new_infections: np.ndarray,
               new_deaths: np.ndarray, deaths: np.ndarray, deaths_band: np.ndarray,
               infections_cum: np.ndarray, epi_groups: np.ndarray, epi_bands: np.ndarray,
               epi_countries_end: np.ndarray) -> None:
    """Write day ``t`` of every daily record, per-country record ``slot`` (-1: none
    today) and, with ``has_epi``, the epidemic's records
    (:func:`sim.engine.kernels.epi_record.epi_record_day`).

    Parameters
    ----------
    slot : index into ``countries``' second axis, or -1 on days without country records
    review : True on the days strategies may have changed (day 0 and policy reviews);
        on other days the strategy counts are copied from day ``t - 1``
    first, completed, administered, expired, allocated, received, orders_open : (E, N)
        people or doses
    stock : (B, E, N) doses by shelf-life bucket; stock_used : (E, B) bool, False where a
        member's bucket is empty in every country (all True is always correct; the fused
        dose day keeps such marks: :func:`sim.engine.dose_day.stock_marks`)
    licensed_cum : (E, C) doses filled and finished by each licence; lic_bins : (E·C,)
        flat (E·N) bin of each licence's licensee
    strategy : (E, N) int strategy codes
    produced_cum, exported_cum, home_delivered_cum, inventory : (E, P) doses
    track_diplomacy : write the pool, bulk and diplomacy totals
    bulk : (E, C) doses; pool_stock, pool_bought_cum : (E,) doses
    pool_given, pool_contributed_cum, donated_cum : (E, N) doses
    seg_order, seg_starts, seg_present, seg_contiguous : the income-group segments
        (:class:`sim.engine.segments.Segments`)
    work : (2, N) and group_work : (2, 1 + G) scratch
    groups : (E, D, 1 + G, 3); ledger : (E, D, 7); out_produced, out_exported,
        out_home : (E, D, P); diplomacy : (E, D, 5); strategies : (E, D, S) int;
        countries : (K, W, N, 8), K <= E members kept
    epi_end, new_infections … epi_countries_end : the epidemic's arguments of
        :func:`~sim.engine.kernels.epi_record.epi_record_day` (read only with ``has_epi``)
    """
    E, N = first.shape
    stock_row = work[0]
    for e in range(E):
        _producers(t, e, produced_cum, exported_cum, home_delivered_cum, inventory,
                   track_diplomacy, bulk, pool_stock, pool_bought_cum, pool_given,
                   pool_contributed_cum, donated_cum, licensed_cum, out_produced,
                   out_exported, out_home, ledger, diplomacy)
        _groups(t, e, first, completed, administered, seg_order, seg_starts, seg_present,
                seg_contiguous, work[1], group_work[0], groups)
        # Country stock: the buckets in use added one after another (``ordered_sum``).
        marked_bucket_sum(stock, e, stock_used, stock_row)
        ledger[e, t, _PRODUCED] = pairwise_sum(out_produced[e, t], 0, out_produced.shape[2])
        ledger[e, t, _ADMINISTERED_CUM] = groups[e, t, 0, _ADMINISTERED]
        ledger[e, t, _EXPIRED] = pairwise_sum(expired[e], 0, N)
        ledger[e, t, _STOCK] = pairwise_sum(stock_row, 0, N)
        # A difference of two large running sums: clamp rounding below zero (as numpy's).
        ledger[e, t, _IN_TRANSIT] = nonneg(pairwise_sum(allocated[e], 0, N)
                                           - pairwise_sum(received[e], 0, N))
        _strategies(t, e, review, strategy, strategies)
        if slot >= 0 and e < countries.shape[0]:
            _countries(slot, e, first, completed, administered, received, stock_row,
                       expired, orders_open, licensed_cum, lic_bins, countries)
    if has_epi:
        epi_record_day(t, epi_end, new_infections, new_deaths, deaths, deaths_band,
                       infections_cum, seg_order, seg_starts, seg_present, seg_contiguous,
                       work, group_work, epi_groups, epi_bands, epi_countries_end)


@jit
def _producers(t: int, e: int, produced_cum: np.ndarray, exported_cum: np.ndarray,
               home_delivered_cum: np.ndarray, inventory: np.ndarray, track_diplomacy: bool,
               bulk: np.ndarray, pool_stock: np.ndarray, pool_bought_cum: np.ndarray,
               pool_given: np.ndarray, pool_contributed_cum: np.ndarray,
               donated_cum: np.ndarray, licensed_cum: np.ndarray, out_produced: np.ndarray,
               out_exported: np.ndarray, out_home: np.ndarray, ledger: np.ndarray,
               diplomacy: np.ndarray) -> None:
    """Member ``e``'s producer records, producers' and pool stock and diplomacy totals
    (reference :meth:`sim.engine.record.Recorder.record_producers`; row sums in numpy's
    order).
    """
    P = inventory.shape[1]
    N = pool_given.shape[1]
    C = bulk.shape[1]
    for p in range(P):
        out_produced[e, t, p] = produced_cum[e, p]
        out_exported[e, t, p] = exported_cum[e, p]
        out_home[e, t, p] = home_delivered_cum[e, p]
    ledger[e, t, _STOCK_PRODUCERS] = pairwise_sum(inventory[e], 0, P)
    if track_diplomacy:
        ledger[e, t, _STOCK_PRODUCERS] += pairwise_sum(bulk[e], 0, C)
        ledger[e, t, _STOCK_POOL] = pool_stock[e]
        diplomacy[e, t, _POOL_BOUGHT] = pool_bought_cum[e]
        diplomacy[e, t, _POOL_DELIVERED] = pairwise_sum(pool_given[e], 0, N)
        diplomacy[e, t, _POOL_CONTRIBUTED] = pairwise_sum(pool_contributed_cum[e], 0, N)
        diplomacy[e, t, _DONATED] = pairwise_sum(donated_cum[e], 0, N)
        diplomacy[e, t, _LICENSED] = pairwise_sum(licensed_cum[e], 0, C)


@jit
def _groups(t: int, e: int, first: np.ndarray, completed: np.ndarray,
            administered: np.ndarray, seg_order: np.ndarray, seg_starts: np.ndarray,
            seg_present: np.ndarray, seg_contiguous: bool, scratch: np.ndarray,
            group_work: np.ndarray, groups: np.ndarray) -> None:
    """Member ``e``'s world and income-group totals of the ``GROUP_FIELDS`` (reference:
    the world and :class:`~sim.engine.segments.Segments` sums of
    :meth:`sim.engine.record.Recorder.flush`); ``scratch`` (N,) and ``group_work``
    (1 + G,) are scratch.
    """
    N = first.shape[1]
    G = groups.shape[2] - 1
    by_group = group_work[:G]
    for f in range(3):
        src = first if f == _FIRST else (completed if f == _COMPLETED else administered)
        row = src[e]
        groups[e, t, 0, f] = pairwise_sum(row, 0, N)
        segment_sums(row, seg_order, seg_starts, seg_present, seg_contiguous, by_group,
                     scratch)
        for g in range(G):
            groups[e, t, 1 + g, f] = by_group[g]


@jit
def _strategies(t: int, e: int, review: bool, strategy: np.ndarray,
                strategies: np.ndarray) -> None:
    """Member ``e``'s number of countries following each strategy on day ``t`` (reference
    :func:`sim.engine.adaptive.strategy_counts`): counted on ``review`` days, else the
    previous day's.
    """
    S = strategies.shape[2]
    if not review:
        for s in range(S):
            strategies[e, t, s] = strategies[e, t - 1, s]
        return
    for s in range(S):
        strategies[e, t, s] = 0
    for n in range(strategy.shape[1]):
        code = strategy[e, n]
        if 0 <= code < S:
            strategies[e, t, code] += 1


@jit
def _countries(slot: int, e: int, first: np.ndarray, completed: np.ndarray,
               administered: np.ndarray, received: np.ndarray, stock_row: np.ndarray,
               expired: np.ndarray, orders_open: np.ndarray, licensed_cum: np.ndarray,
               lic_bins: np.ndarray, countries: np.ndarray) -> None:
    """Member ``e``'s per-country record ``slot`` (``COUNTRY_FIELDS``); ``stock_row`` (N,)
    its stock summed over buckets. Doses licensed by country are added licence by licence
    in flat order, as ``np.bincount`` adds them
    (:meth:`sim.engine.record.Recorder.licensed_by_country`).
    """
    N = first.shape[1]
    rec = countries[e, slot]
    for n in range(N):
        rec[n, _C_FIRST] = first[e, n]
        rec[n, _C_COMPLETED] = completed[e, n]
        rec[n, _C_ADMINISTERED] = administered[e, n]
        rec[n, _C_RECEIVED] = received[e, n]
        rec[n, _C_STOCK] = stock_row[n]
        rec[n, _C_EXPIRED] = expired[e, n]
        rec[n, _C_ORDERS] = orders_open[e, n]
        rec[n, _C_LICENSED] = 0.0
    C = licensed_cum.shape[1]
    for i in range(e * C, (e + 1) * C):
        rec[lic_bins[i] - e * N, _C_LICENSED] += licensed_cum[e, i - e * C]
