"""Stage 10, record: trajectories into preallocated arrays.

Daily: income-group and world totals, the dose ledger and producer totals. Every
``country_every`` days (and on the last day): per-country values.

To keep a day cheap, each day only copies the per-country arrays into a block buffer
of ``block`` days; group and world sums of a whole block are then taken in one
vectorized pass. The result is the same as summing day by day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.engine.adaptive import strategy_counts
from sim.engine.build.diplomacy_params import mechanisms_on
from sim.engine.build.params import Params
from sim.engine.dose_day import stock_marks
from sim.engine.epi_record import epi_recorder
from sim.engine.fields import (  # noqa: F401  (GROUPS re-exported)
    COUNTRY_FIELDS,
    DIPLOMACY_FIELDS,
    GROUP_FIELDS,
    GROUPS,
    LEDGER_FIELDS,
    Fields,
)
from sim.engine.flows import TOTAL_COLUMNS, run_log
from sim.engine.kernels import backend
from sim.engine.segments import Segments
from sim.engine.state import State, ordered_sum
from sim.scenario.adaptation import STRATEGIES
from sim.scenario.schema import INCOME_GROUPS
from sim.world.world import World

#: Per-country arrays buffered each day, in this order.
BUFFERED = Fields("first", "completed", "administered_cum", "expired_cum", "stock",
                  "allocated_cum", "received_cum")


#: Bytes of per-country days buffered before group sums are taken (see :func:`buffer_days`).
BUFFER_BYTES = 4 * 2**20


# The recorder sums the first buffered fields into the group records.
assert BUFFERED[:len(GROUP_FIELDS)] == ("first", "completed", "administered_cum")


def buffer_days(members: int, countries: int, most: int = 32) -> int:
    """Days to buffer before summing: up to ``most``, within ``BUFFER_BYTES``.

    Small batches buffer many days (one vectorized sum instead of dozens of tiny ones a
    day); a large batch buffers few, so the sums read the buffer while it is still in
    the CPU cache: at E=256 a 32-day buffer (88 MB) goes out to main memory and its
    group sums cost about 5 times more per day than a 1-day buffer's.
    """
    per_day = len(BUFFERED) * members * countries * 8
    return max(1, min(most, BUFFER_BYTES // per_day))


@dataclass
class Trajectories:
    """What a batch recorded.

    Attributes
    ----------
    groups : (E, D, G, F) people / doses by group (``GROUPS``) and field (``GROUP_FIELDS``)
    ledger : (E, D, len(LEDGER_FIELDS)) doses
    produced_cum, exported_cum : (E, D, P) doses by producer
    home_cum : (E, D, P) doses each producer sold to its own home countries
    country_days : (W,) day indices of the per-country records
    countries : (K, W, N, len(COUNTRY_FIELDS)), the first K members (all unless the
        recorder was asked for fewer: no-vaccine twins keep none)
    diplomacy : (E, D, len(DIPLOMACY_FIELDS)) doses
    flows : (K, 8) the diplomacy ledger's totals (:meth:`sim.engine.flows.FlowLog.totals`),
        set on the last day
    strategies : (E, D, S) number of countries following each strategy (``STRATEGIES``)
    epi_groups : (E, D, G, 3) new infections, new deaths, cumulative deaths by group
        (``EPI_GROUP_FIELDS`` in :mod:`sim.engine.epi_record`); None without epidemic
    epi_countries_end : (E, N, 2) cumulative infections and deaths per country at the end
    epi_bands : (E, D, G, 3) cumulative deaths by group and age band (0-19, 20-64, 65+)
    products : (E, D, Q) doses received by all countries by product, cumulative
        (:mod:`sim.engine.products`); None when the batch tracks no products
    """

    groups: np.ndarray
    ledger: np.ndarray
    produced_cum: np.ndarray
    exported_cum: np.ndarray
    country_days: np.ndarray
    countries: np.ndarray
    strategies: np.ndarray
    home_cum: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    diplomacy: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    flows: np.ndarray = field(default_factory=lambda: np.zeros((0, len(TOTAL_COLUMNS))))
    epi_groups: np.ndarray | None = None
    epi_countries_end: np.ndarray | None = None
    epi_bands: np.ndarray | None = None
    products: np.ndarray | None = None


class Recorder:
    """Fills :class:`Trajectories` day by day (flushing sums once per block of days)."""

    def __init__(self, world: World, params: Params, country_every: int = 7,
                 block: int | None = None, country_members: int | None = None) -> None:
        E, D, N, P = params.n_members, world.days, world.n_countries, world.n_producers
        self.country_members = E if country_members is None else min(country_members, E)
        if block is None:
            block = buffer_days(E, N)
        self.income = Segments(world.group_index, len(INCOME_GROUPS))
        days = np.arange(country_every - 1, D, country_every)
        if len(days) == 0 or days[-1] != D - 1:
            days = np.append(days, D - 1)
        # Per day: the slot of its per-country record (-1: none) and whether strategies
        # may have changed (day 0 and policy reviews; stage 9 is their only writer).
        self.slot = np.full(D, -1)
        self.slot[days] = np.arange(len(days))
        self.slot_of: list[int] = self.slot.tolist()
        review_days = params.structure.review_days
        self.review = [t == 0 or (t + 1) % review_days == 0 for t in range(D)]
        self.last_day = D - 1
        self.block = block
        self.compiled = backend() == "numba"  # day sums by the kernel: no buffer needed
        self.buffer = np.zeros((len(BUFFERED), 0 if self.compiled else block, E, N))
        self.first_day = 0
        self.out = Trajectories(
            groups=np.zeros((E, D, len(GROUPS), len(GROUP_FIELDS))),
            ledger=np.zeros((E, D, len(LEDGER_FIELDS))),
            produced_cum=np.zeros((E, D, P)),
            exported_cum=np.zeros((E, D, P)),
            home_cum=np.zeros((E, D, P)),
            country_days=days,
            countries=np.zeros((self.country_members, len(days), N, len(COUNTRY_FIELDS))),
            diplomacy=np.zeros((E, D, len(DIPLOMACY_FIELDS))),
            strategies=np.zeros((E, D, len(STRATEGIES)), dtype=np.int32),
        )
        d = params.diplomacy
        self.flows = run_log(d.record_flows, N, D, d.half_life_days,
                             params.structure.delivery_lag)
        self.track_diplomacy = mechanisms_on(params)
        self.lic_bins = params.diplomacy.lic_bins[1]  # flat (E·C,) licensee bins
        self.epi = epi_recorder(world, params, block)
        if self.epi is not None:  # filled in place (the numpy reference: at each flush)
            self.out.epi_groups, self.out.epi_countries_end = (self.epi.groups,
                                                               self.epi.countries_end)
            self.out.epi_bands = self.epi.bands
        self._kernel: Callable[..., None] | None = None
        self._all_buckets = np.ones((0, 0), dtype=bool)
        if self.compiled:
            from sim.engine.kernels.record import record_day

            self._kernel = record_day
        inc = self.income
        self.segments = (inc.order, inc.starts, inc.present, inc.slices is not None)
        #: Scratch of the compiled day: (2, N) and (2, 1 + G).
        self.work = (np.empty((2, N)), np.empty((2, len(GROUPS))))
        self._no_epi = (False, False, *(np.zeros((0, 0)),) * 3, np.zeros((0, 0, 0)),
                        np.zeros((0, 0)), *(np.zeros((0, 0, 0, 0)),) * 2, np.zeros((0, 0, 0)))

    def epi_day(self, state: State, t: int) -> tuple:
        """The epidemic's arguments of the compiled day
        (:func:`sim.engine.kernels.record.record_day`): its records are written in the
        same call.
        """
        epi = self.epi
        if epi is None:
            return self._no_epi
        return (True, epi.ends[t], *epi.day_arrays(state.epi), epi.groups, epi.bands,
                epi.countries_end)

    def record(self, state: State, t: int) -> None:
        """Store the state at the end of day ``t``."""
        out = self.out
        if self._kernel is not None:  # one compiled call (the numpy below is its reference)
            self._kernel(t, self.slot_of[t], self.review[t], state.first, state.completed,
                         state.administered_cum, state.expired_cum, state.stock,
                         self.stock_used(state), state.allocated_cum, state.received_cum,
                         state.orders_open,
                         state.licensed_cum, self.lic_bins, state.strategy,
                         state.produced_cum, state.exported_cum, state.home_delivered_cum,
                         state.inventory, self.track_diplomacy, state.bulk, state.pool_stock,
                         state.pool_bought_cum, state.pool_given, state.pool_contributed_cum,
                         state.donated_cum, *self.segments, *self.work, out.groups,
                         out.ledger, out.produced_cum, out.exported_cum, out.home_cum,
                         out.diplomacy, out.strategies, out.countries, *self.epi_day(state, t))
            if t == self.last_day:
                out.flows = self.flows.totals()
            return
        b = t - self.first_day
        self.record_producers(state, t)
        buf, B = self.buffer[:, b], BUFFERED
        buf[B.first], buf[B.completed] = state.first, state.completed
        buf[B.administered_cum], buf[B.expired_cum] = (state.administered_cum,
                                                       state.expired_cum)
        buf[B.stock] = ordered_sum(state.stock, (0,))
        buf[B.allocated_cum], buf[B.received_cum] = state.allocated_cum, state.received_cum
        if t == self.last_day:
            out.flows = self.flows.totals()
        if self.review[t]:  # strategies change only at stage 9
            out.strategies[:, t] = strategy_counts(state.strategy)
        else:
            out.strategies[:, t] = out.strategies[:, t - 1]
        if self.epi is not None:
            self.epi.record(state.epi, t)
        w = self.slot[t]
        if w >= 0:
            k = self.country_members                               # twins not kept
            rec, C = out.countries[:, w], COUNTRY_FIELDS            # (k, N, F)
            rec[..., C.first_dose], rec[..., C.completed] = state.first[:k], state.completed[:k]
            rec[..., C.doses_administered] = state.administered_cum[:k]
            rec[..., C.doses_received] = state.received_cum[:k]
            rec[..., C.stock] = ordered_sum(state.stock[:, :k], (0,))
            rec[..., C.doses_expired] = state.expired_cum[:k]
            rec[..., C.orders_open] = state.orders_open[:k]
            rec[..., C.doses_licensed] = self.licensed_by_country(state)[:k]
        if b == self.block - 1 or t == self.last_day:
            self.flush(b + 1)

    def stock_used(self, state: State) -> np.ndarray:
        """(E, B) bool marks of the stock's shelf-life buckets that may hold doses: the
        fused dose day's (:func:`sim.engine.dose_day.stock_marks`; at 10,000 regions
        the record's bucket sum read ~15 of 25 buckets instead of all), else all True.
        """
        used = stock_marks(state)
        if used is not None:
            return used
        B, E, _ = state.stock.shape
        if self._all_buckets.shape != (E, B):
            self._all_buckets = np.ones((E, B), dtype=bool)
        return self._all_buckets

    def record_producers(self, state: State, t: int) -> None:
        """Day ``t`` of the producer records, producers' and pool stock and diplomacy
        totals (numpy reference of part of :func:`sim.engine.kernels.record.record_day`).
        """
        out, L = self.out, LEDGER_FIELDS
        out.produced_cum[:, t] = state.produced_cum
        out.exported_cum[:, t] = state.exported_cum
        out.home_cum[:, t] = state.home_delivered_cum
        out.ledger[:, t, L.stock_producers] = state.inventory.sum(axis=1)
        if self.track_diplomacy:
            # Licensees' bulk is producers' stock.
            out.ledger[:, t, L.stock_producers] += state.bulk.sum(axis=1)
            out.ledger[:, t, L.stock_pool] = state.pool_stock
            dip, P = out.diplomacy[:, t], DIPLOMACY_FIELDS
            dip[:, P.pool_bought_cum] = state.pool_bought_cum
            dip[:, P.pool_delivered_cum] = state.pool_given.sum(axis=1)
            dip[:, P.pool_contributed_cum] = state.pool_contributed_cum.sum(axis=1)
            dip[:, P.donated_bilateral_cum] = state.donated_cum.sum(axis=1)
            dip[:, P.licensed_output_cum] = state.licensed_cum.sum(axis=1)

    def licensed_by_country(self, state: State) -> np.ndarray:
        """(E, N) doses filled and finished by each licensee country so far."""
        E, N = state.first.shape
        if not state.licensed_cum.size:
            return np.zeros((E, N))
        by_n = self.lic_bins
        return np.bincount(by_n, weights=state.licensed_cum.ravel(),
                           minlength=E * N).reshape(E, N)

    def flush(self, n_days: int) -> None:
        """Sum the first ``n_days`` buffered days into group and ledger totals."""
        out, t0 = self.out, self.first_day
        days = slice(t0, t0 + n_days)
        buf = self.buffer[:, :n_days]                        # (K, b, E, N)
        K, _, E, N = buf.shape
        world = buf.sum(axis=-1)                             # (K, b, E)
        B, L = BUFFERED, LEDGER_FIELDS
        # The first buffered fields are the group fields, in GROUP_FIELDS order.
        G = len(GROUP_FIELDS)
        by_group = self.income.sum(buf[:G].reshape(-1, N)).reshape(G, n_days, E, -1)
        out.groups[:, days, 1:] = by_group.transpose(2, 1, 3, 0)
        out.groups[:, days, 0] = world[:G].transpose(2, 1, 0)
        out.ledger[:, days, L.produced_cum] = out.produced_cum[:, days].sum(axis=-1)
        out.ledger[:, days, L.administered_cum] = world[B.administered_cum].T
        out.ledger[:, days, L.expired_cum] = world[B.expired_cum].T
        out.ledger[:, days, L.stock_countries] = world[B.stock].T
        # In transit = allocated - received: a difference of two large running sums, whose
        # rounding can dip below zero once everything has arrived; a stock is never < 0.
        out.ledger[:, days, L.in_transit] = np.maximum(
            world[B.allocated_cum] - world[B.received_cum], 0.0).T
        self.first_day += n_days
