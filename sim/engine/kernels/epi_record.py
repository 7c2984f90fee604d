"""The epidemic's daily records compiled: income-group and world sums of a day's new
infections, new deaths, cumulative deaths and cumulative deaths by age band, written
straight from the :class:`~sim.engine.epidemic.EpiState` arrays in one call.

The numpy reference is :class:`sim.engine.epi_record.EpiRecorder`'s block buffer and
:meth:`~sim.engine.epi_record.EpiRecorder.flush`; sums are taken in numpy's order
(:mod:`sim.engine.kernels.sums`), so the records are identical
(``tests/engine/test_epi_record.py``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.sums import pairwise_sum, segment_sums


@jit
def _group_row(row: np.ndarray, seg_order: np.ndarray, seg_starts: np.ndarray,
               seg_present: np.ndarray, seg_contiguous: bool, by_group: np.ndarray,
               scratch: np.ndarray, out: np.ndarray) -> None:
    """``out`` (1 + G,): the world total then the group sums of ``row`` (N,); the world is
    the sum of the group sums, as the reference takes it.
    """
    segment_sums(row, seg_order, seg_starts, seg_present, seg_contiguous, by_group, scratch)
    out[0] = pairwise_sum(by_group, 0, by_group.shape[0])
    for g in range(by_group.shape[0]):
        out[1 + g] = by_group[g]


@jit
def epi_record_day(t: int, end: bool, new_infections: np.ndarray, new_deaths: np.ndarray,
                   deaths: np.ndarray, deaths_band: np.ndarray, infections_cum: np.ndarray,
                   seg_order: np.ndarray, seg_starts: np.ndarray, seg_present: np.ndarray,
                   seg_contiguous: bool, work: np.ndarray, group_work: np.ndarray,
                   groups: np.ndarray, bands: np.ndarray, countries_end: np.ndarray) -> None:
    """Write day ``t`` of ``groups`` (E, D, 1 + G, 3) and ``bands`` (E, D, 1 + G, A), and
    on an ``end`` day (the end of the reference's block, or the last day)
    ``countries_end`` (E, N, 2): cumulative infections and deaths.

    Parameters
    ----------
    new_infections, new_deaths, deaths : (E, N) people (``EPI_GROUP_FIELDS`` order)
    deaths_band : (E, N, A) cumulative deaths by age band; infections_cum : (E, N)
    seg_order, seg_starts, seg_present, seg_contiguous : the income-group segments
        (:class:`sim.engine.segments.Segments`)
    work : (2, N) and group_work : (2, 1 + G) scratch
    """
    E, N = deaths.shape
    G = groups.shape[2] - 1
    A = deaths_band.shape[2]
    row, scratch = work[0], work[1]
    by_group, out = group_work[0, :G], group_work[1]
    for e in range(E):
        for f in range(3):
            src = new_infections if f == 0 else (new_deaths if f == 1 else deaths)
            _group_row(src[e], seg_order, seg_starts, seg_present, seg_contiguous, by_group,
                       scratch, out)
            for g in range(1 + G):
                groups[e, t, g, f] = out[g]
        for a in range(A):
            for n in range(N):
                row[n] = deaths_band[e, n, a]
            _group_row(row, seg_order, seg_starts, seg_present, seg_contiguous, by_group,
                       scratch, out)
            for g in range(1 + G):
                bands[e, t, g, a] = out[g]
        if end:
            for n in range(N):
                countries_end[e, n, 0] = infections_cum[e, n]
                countries_end[e, n, 1] = deaths[e, n]
