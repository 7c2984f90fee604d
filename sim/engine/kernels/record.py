"""Stage 10 compiled: a day's income-group, world and ledger totals taken straight from the
state arrays in one pass, instead of buffering (E, N) copies and summing a block later.

The numpy reference is :class:`sim.engine.record.Recorder`'s buffer and
:meth:`~sim.engine.record.Recorder.flush`; sums are taken in numpy's order
(:mod:`sim.engine.kernels.sums`), so the records are identical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.fields import DIPLOMACY_FIELDS, GROUP_FIELDS, LEDGER_FIELDS
from sim.engine.kernels import jit
from sim.engine.kernels.sums import pairwise_sum, segment_sums

# Field positions as module constants (numba reads them as compile-time constants).
_FIRST, _COMPLETED, _ADMINISTERED = (GROUP_FIELDS.first_dose, GROUP_FIELDS.completed,
                                     GROUP_FIELDS.doses_administered)
_PRODUCED, _ADMINISTERED_CUM = LEDGER_FIELDS.produced_cum, LEDGER_FIELDS.administered_cum
_EXPIRED, _STOCK = LEDGER_FIELDS.expired_cum, LEDGER_FIELDS.stock_countries
_IN_TRANSIT = LEDGER_FIELDS.in_transit

@jit
def record_day(t: int, first: np.ndarray, completed: np.ndarray, administered: np.ndarray,
               expired: np.ndarray, stock: np.ndarray, allocated: np.ndarray,
               received: np.ndarray, produced: np.ndarray, seg_order: np.ndarray,
               seg_starts: np.ndarray, seg_present: np.ndarray, seg_contiguous: bool,
               groups: np.ndarray, ledger: np.ndarray) -> None:
    """Write day ``t`` of ``groups`` (E, D, 1 + G, 3) and ledger columns 0-3 and 5 of
    ``ledger`` (E, D, 7).

    Parameters
    ----------
    first, completed, administered, expired, allocated, received : (E, N) state arrays
    stock : (B, E, N) doses by shelf-life bucket
    produced : (E, D, P) cumulative output, day ``t`` already written
    seg_order, seg_starts, seg_present, seg_contiguous : the income-group segments
        (:class:`sim.engine.segments.Segments`)
    """
    B, E, N = stock.shape
    G = groups.shape[2] - 1
    P = produced.shape[2]
    row = np.empty(N)
    scratch = np.empty(N)
    by_group = np.empty(G)
    for e in range(E):
        for f in range(3):
            src = first if f == _FIRST else (completed if f == _COMPLETED else administered)
            for n in range(N):
                row[n] = src[e, n]
            groups[e, t, 0, f] = pairwise_sum(row, 0, N)
            segment_sums(row, seg_order, seg_starts, seg_present, seg_contiguous, by_group,
                         scratch)
            for g in range(G):
                groups[e, t, 1 + g, f] = by_group[g]
        ledger[e, t, _PRODUCED] = pairwise_sum(produced[e, t], 0, P)
        ledger[e, t, _ADMINISTERED_CUM] = groups[e, t, 0, _ADMINISTERED]
        ledger[e, t, _EXPIRED] = pairwise_sum(expired[e], 0, N)
        for n in range(N):
            s = stock[0, e, n]
            for b in range(1, B):  # (empty buckets would add exact zeros)
                v = stock[b, e, n]
                if v != 0.0:
                    s += v
            row[n] = s
        ledger[e, t, _STOCK] = pairwise_sum(row, 0, N)
        # A difference of two large running sums: clamp rounding below zero (as numpy's).
        ledger[e, t, _IN_TRANSIT] = max(pairwise_sum(allocated[e], 0, N)
                                        - pairwise_sum(received[e], 0, N), 0.0)


_STOCK_PRODUCERS, _STOCK_POOL = LEDGER_FIELDS.stock_producers, LEDGER_FIELDS.stock_pool
_POOL_BOUGHT, _POOL_DELIVERED = (DIPLOMACY_FIELDS.pool_bought_cum,
                                 DIPLOMACY_FIELDS.pool_delivered_cum)
_POOL_CONTRIBUTED = DIPLOMACY_FIELDS.pool_contributed_cum
_DONATED, _LICENSED = DIPLOMACY_FIELDS.donated_bilateral_cum, DIPLOMACY_FIELDS.licensed_output_cum


@jit
def record_producers_day(t: int, produced_cum: np.ndarray, exported_cum: np.ndarray,
                         home_delivered_cum: np.ndarray, inventory: np.ndarray,
                         track_diplomacy: bool, bulk: np.ndarray, pool_stock: np.ndarray,
                         pool_bought_cum: np.ndarray, pool_given: np.ndarray,
                         pool_contributed_cum: np.ndarray, donated_cum: np.ndarray,
                         licensed_cum: np.ndarray, out_produced: np.ndarray,
                         out_exported: np.ndarray, out_home: np.ndarray, ledger: np.ndarray,
                         diplomacy: np.ndarray) -> None:
    """Write day ``t`` of the producer records (E, D, P), the producers' and pool's stock
    in ``ledger`` (E, D, 7) and, with ``track_diplomacy``, ``diplomacy`` (E, D, 5).

    Parameters
    ----------
    produced_cum, exported_cum, home_delivered_cum, inventory : (E, P) doses
    bulk, licensed_cum : (E, C) doses; pool_stock, pool_bought_cum : (E,) doses
    pool_given, pool_contributed_cum, donated_cum : (E, N) doses

    Reference: :meth:`sim.engine.record.Recorder.record` (row sums in numpy's order).
    """
    E, P = inventory.shape
    N = pool_given.shape[1]
    C = bulk.shape[1]
    for e in range(E):
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
