"""Stage 8, epidemic: one day of :mod:`sim.engine.epi_model` in every country.

The stage seeds scheduled variants in their origin on their day, sets the day's contacts
and travel, hands the dose engine's courses and boosters by age band to the compiled day
kernel (:func:`sim.engine.kernels.epidemic_driver.run_day`, or its numpy reference
:func:`sim.engine.epi_model.day_reference` with ``VAXSIM_BACKEND=numpy``), then lets new
variants emerge.

Seeding and emergence: :mod:`sim.engine.epi_variants`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np

from sim.engine.build.epi_params import EpiParams
from sim.engine.build.epi_status import (
    class_strains,
    first_statuses,
    infection_status,
    vaccinated_statuses,
)
from sim.engine.epi_model import (
    EpiState,
    day_reference,
    immunity_tables,
    initial_epi,
)
from sim.engine.epi_variants import emerge, seed
from sim.engine.kernels import backend

BURDEN_DAYS = 14.0

__all__ = ["BURDEN_DAYS", "EpiState", "burden", "kernel_layout", "need_weight", "seed",
           "start_epidemic", "step_epidemic"]

#: The state arrays the deterministic kernel takes in the country-last layout.
_LAID_OUT = ("S", "Ex", "Ix", "shadow", "fresh", "D_band", "courses_seen", "boosted_seen")


def kernel_layout(epi: EpiState) -> tuple[np.ndarray, ...]:
    """The arrays of :data:`_LAID_OUT` with the country axis moved last, C-contiguous
    views of ``epi``'s memory (``S`` (E, A, K, N), ``Ex`` (E, A, V, N), ``shadow``
    (E, A, V, 4, N), ``D_band`` (E, A, N), ...). An array stored in another order (set
    from outside) is first copied into this one, and ``epi`` rebound to the copy.
    """
    out = []
    for name in _LAID_OUT:
        x = getattr(epi, name)
        last = np.moveaxis(x, 1, -1)
        if not last.flags.c_contiguous:
            last = np.ascontiguousarray(last)
            setattr(epi, name, np.moveaxis(last, -1, 1))
        out.append(last)
    return tuple(out)


class _Workspace:
    """What a batch reuses from day to day: the regime index of each day, the immunity
    tables (recomputed when strains or vaccine protection change) and scratch buffers.
    """

    def __init__(self, ep: EpiParams, epi: EpiState) -> None:
        self.ep = ep
        E, N, A, _ = epi.S.shape
        V = ep.n_strains
        self.key: tuple | None = None   # the arrays the tables were computed from
        self.stale = True               # set by EpiState.changed()
        self.sus: np.ndarray = np.empty(0)    # filled by tables() on first use
        self.fatal: np.ndarray = np.empty(0)
        self.sus_plain, self.fatal_plain = self.sus, self.fatal   # (E, N, K, V) ...
        # (E, N, A) today's by band, stored country-last (the deterministic kernel's).
        self.infections_last, self.deaths_last = np.zeros((E, A, N)), np.zeros((E, A, N))
        self.infections = np.moveaxis(self.infections_last, -1, 1)
        self.deaths = np.moveaxis(self.deaths_last, -1, 1)
        self.backend = backend()
        # Compiled helpers, imported once: the deterministic day kernel and the pre-test
        # of suppression exits.
        self.kernel: Callable[..., None] | None = None
        self.near: Callable[..., bool] | None = None
        if self.backend == "numba":
            from sim.engine.kernels.epidemic_driver import run_day
            from sim.engine.kernels.epidemic_lanes import coverage_near

            self.kernel = None if ep.mode == "stochastic" else run_day
            self.near = coverage_near
        self.vaccinated = vaccinated_statuses(ep.n_classes)             # (K,) bool
        # Where each strain's survivors go (its class's infection status), and the
        # strain whose memory each class holds.
        self.first_status = first_statuses(ep.strain_class)             # (V,) int64
        self.class_strain = class_strains(ep.strain_class)              # (C,) int64
        # Members whose doses protect nobody (no-vaccine twins): their courses and
        # boosters move nobody between immunity statuses, so a dose cannot refresh
        # infection-acquired immunity either. None when every member's doses protect.
        unprotected = np.asarray(ep.vaccine_effect) <= 0                  # (E,)
        self.unprotected = unprotected[:, None, None] if unprotected.any() else None
        self.no_doses = np.zeros((E, N, A)) if unprotected.all() else None
        # Seeding days -> [(origin, strain slot, (E,) shares)], members grouped.
        self.seeds_on: dict[int, list[tuple[int, int, np.ndarray]]] = {}
        for e, s in zip(*np.nonzero((ep.seed_origin >= 0) & (ep.seed_share > 0)),
                        strict=True):
            day, n = int(ep.seed_day[e, s]), int(ep.seed_origin[e, s])
            todo = self.seeds_on.setdefault(day, [])
            match = [x for x in todo if x[0] == n and x[1] == 1 + s]
            if not match:
                todo.append((n, 1 + int(s), np.zeros(E)))
                match = todo[-1:]
            match[0][2][e] = ep.seed_share[e, s]
        # Scratch of the kernels, country-last.
        self.X = np.zeros((A, V, N))
        self.prev = np.zeros((V, N))
        self.band_pop_last = np.ascontiguousarray(ep.band_population.T)     # (A, N)
        self.laid_out: tuple[np.ndarray, ...] = ()     # kernel_layout() of these arrays
        self.laid_out_of: tuple[np.ndarray, ...] = ()
        self.reg = np.zeros((ep.n_regions, V))
        self.regw = np.zeros(ep.n_regions)
        # The compiled day's per-thread scratch, made on its first day and kept.
        self.scratch: dict = {}
        self.regime = -1
        self.span = (0, 0)      # days [from, to) of the current regime
        # Whether any member may see a variant emerge (else the stage skips the check).
        self.may_emerge = bool(((ep.emergence_rate > 0) & (ep.emergence_max > 0)).any())
        # Coverage exits of suppression: (E, N) True while a country on one still
        # suppresses (see suppress()).
        self.on_exit = np.isfinite(ep.suppress_coverage)
        self.exits = bool(self.on_exit.any())
        self.pending = self.exits       # some country still on a coverage exit
        self.latest = int(ep.suppress_latest.min()) if E else 0
        self.people = ep.band_population.sum(axis=1)                        # (N,)
        # Per-regime arrays, set by day() before any use.
        self.contacts: np.ndarray = np.empty(0)
        self.force: np.ndarray = np.empty(0)
        self.mix: np.ndarray = np.empty(0)
        self.traffic: np.ndarray = np.empty(0)

    def doses_that_protect(self, courses: np.ndarray,
                           boosted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The dose engine's ``courses`` and ``boosted`` (E, N, A) people so far, as the
        epidemic sees them: zero for members whose doses protect nobody (a dose given
        in the no-vaccine counterfactual changes nobody's immunity; coverage-based
        exits from suppression still read the real counts).
        """
        if self.unprotected is None:
            return courses, boosted
        if self.no_doses is not None:
            return self.no_doses, self.no_doses
        return (np.where(self.unprotected, 0.0, courses),
                np.where(self.unprotected, 0.0, boosted))

    def tables(self, epi: EpiState) -> tuple[np.ndarray, np.ndarray]:
        """Susceptibility and fatality tables (:func:`immunity_tables`; compiled in the
        deterministic kernel's layout on the numba backend), recomputed when
        :meth:`EpiState.changed` was called or the arrays they come from were replaced.
        """
        key = (epi.active, epi.strains, epi.ve_course)
        if self.stale or self.key is None or any(map(operator.is_not, key, self.key)):
            self.key, self.stale = key, False
            self.check_classes(epi)
            if self.backend == "numba" and self.ep.mode == "deterministic":
                self.sus, self.fatal = _tables_last(self.ep, epi)    # the kernel's layout
                return self.sus, self.fatal
            # The numpy references and the stochastic kernel read the (E, N, ...) layout.
            self.sus, self.fatal = immunity_tables(self.ep, epi)
            self.sus_plain, self.fatal_plain = self.sus, self.fatal
        return self.sus, self.fatal

    def check_classes(self, epi: EpiState) -> None:
        """Raise if strains of one immunity class differ in escape (their memories would
        differ: the classes were built from other strains than the run's).
        """
        escapes = epi.strains[:, :, 1:3]                                # (E, V, 2)
        if not (escapes == escapes[:, self.class_strain[self.ep.strain_class]]).all():
            raise ValueError("strains of one immunity class must share escape and "
                             "escape_death (EpiParams.strain_class)")

    def state_views(self, epi: EpiState) -> tuple[np.ndarray, ...]:
        """:func:`kernel_layout` of ``epi``, kept while its arrays stay the same objects."""
        now = (epi.S, epi.Ex, epi.Ix, epi.shadow, epi.fresh, epi.D_band, epi.courses_seen,
               epi.boosted_seen)                                        # _LAID_OUT
        if len(now) != len(self.laid_out_of) or any(map(operator.is_not, now,
                                                         self.laid_out_of)):
            self.laid_out = kernel_layout(epi)
            self.laid_out_of = tuple(getattr(epi, name) for name in _LAID_OUT)
        return self.laid_out

    def day(self, t: int) -> None:
        ep = self.ep
        if self.span[0] <= t < self.span[1]:
            return          # same contacts and travel as yesterday
        i = int(np.searchsorted(ep.contact_days, t, side="right")) - 1
        days = ep.contact_days
        self.span = (int(days[i]) if i >= 0 else -1 << 62,
                     int(days[i + 1]) if i + 1 < len(days) else 1 << 62)
        if i != self.regime:
            self.regime = i
            travel = ep.travel_values[i]
            self.contacts = ep.contact_values[i]
            self.force = np.ascontiguousarray(ep.force * self._capped(self.contacts))
            # A share of contacts: at most all of them, whatever the travel multiplier
            # (above 1, 1 - mix would weigh home prevalence negatively).
            self.mix = np.ascontiguousarray(np.minimum(ep.importation[:, None] * travel,
                                                       1.0))
            self.traffic = np.ascontiguousarray(ep.traffic[None] * travel)

    def _capped(self, contacts: np.ndarray) -> np.ndarray:
        """(E, N) ``contacts`` at most the suppression cap where a coverage exit is pending."""
        if not self.exits:
            return contacts
        return np.where(self.on_exit, np.minimum(contacts, self.ep.suppress_cap[:, None]),
                        contacts)

    def suppress(self, t: int, courses_band: np.ndarray) -> None:
        """End the suppression of countries on a coverage exit whose people with a
        completed course (``courses_band`` (E, N, A) courses) reach their level, or on
        ``suppression.coverage_latest``; once ended it stays ended. Rebuilds today's force
        when any country's ends.
        """
        if not self.pending:
            return
        ep = self.ep
        if t < self.latest and self.near is not None and not self.near(
                courses_band, self.people, ep.suppress_coverage, self.on_exit):
            return      # no country near its level: the exact test below is false
        coverage = courses_band.sum(axis=2) / np.maximum(self.people, 1e-300)   # (E, N)
        done = self.on_exit & ((coverage >= ep.suppress_coverage)
                               | (t >= ep.suppress_latest)[:, None])
        if done.any():
            self.on_exit &= ~done
            self.pending = bool(self.on_exit.any())
            self.force = np.ascontiguousarray(ep.force * self._capped(self.contacts))


def _tables_last(ep: EpiParams, epi: EpiState) -> tuple[np.ndarray, np.ndarray]:
    """:func:`immunity_tables` compiled, in the deterministic kernel's layout: sus
    (E, K, V, N) and fatal in factors (E, K + A, V, N) (:mod:`sim.engine.kernels.immunity`).
    """
    from sim.engine.kernels.immunity import immunity_last

    E, N, A, K = epi.S.shape
    V = epi.Ix.shape[3]
    sus, fatal = np.empty((E, K, V, N)), np.empty((E, K + A, V, N))
    immunity_last(ep.level, ep.peak, np.asarray(ep.vaccine_effect, dtype=float),
                  epi.ve_course, epi.strains, ep.ifr, infection_status(0),
                  class_strains(ep.strain_class), sus, fatal)
    return sus, fatal


def start_epidemic(world, params) -> EpiState | None:
    """The day-0 :class:`EpiState` of a batch, or None when it runs no epidemic."""
    ep = params.epidemic
    if ep is None:
        return None
    epi = initial_epi(ep, params.n_members, params.vaccination.vaccine_peak)
    if ep.mode == "stochastic":
        from sim.engine.epi_stochastic import whole_people

        whole_people(epi)
    return epi


def _day(epi, ep, ws, courses, boosted, sus, fatal, t, population):
    """Run the day in ``ep.mode`` on the batch's backend, given the dose engine's
    ``courses`` and ``boosted`` (E, N, A) so far; update the day's country totals,
    cumulative infections and recent deaths.

    The compiled kernels of both modes take the same state and parameters, the
    deterministic one in the country-last layout (:func:`kernel_layout`), the stochastic
    one as (E, N, ...) views with the members' stream keys and the day.
    """
    stochastic = ep.mode == "stochastic"
    if ws.backend == "numpy":
        flows = {"dcourse": courses - epi.courses_seen, "dboost": boosted - epi.boosted_seen,
                 "force": ws.force, "mix": ws.mix, "traffic": ws.traffic}
        if stochastic:
            from sim.engine.epi_stochastic import stochastic_reference

            infections, deaths = stochastic_reference(epi, flows, ep, sus, fatal, t)
        else:
            infections, deaths = day_reference(epi, flows, ep, sus, fatal)
        epi.new_infections = infections.sum(axis=2)
        epi.new_deaths = deaths.sum(axis=2)
        epi.D = epi.D_band.sum(axis=2)
        epi.infections_cum += epi.new_infections
        epi.recent_deaths += (epi.new_deaths / population - epi.recent_deaths) / BURDEN_DAYS
        return
    params = (courses, boosted, ws.force, ws.mix, ws.traffic)
    rest = (ep.wane, epi.chain, ep.activity, ep.assortativity, ep.regional, ep.region,
            ep.n_regions, epi.strains, epi.active)
    totals = (epi.new_infections, epi.new_deaths, epi.D, epi.infections_cum,
              epi.recent_deaths, population, BURDEN_DAYS)
    if ws.kernel is not None:       # deterministic, compiled: the arguments in one tuple
        ws.kernel((*ws.state_views(epi), *params, ws.band_pop_last, *rest, sus, fatal,
                   ep.substeps, ws.vaccinated, ws.first_status, ws.infections_last,
                   ws.deaths_last, *totals, ws.X, ws.prev, ws.reg, ws.regw), ws.scratch)
        return
    from sim.engine.kernels.epidemic_stochastic import stochastic_day

    stochastic_day(epi.S, epi.Ex, epi.Ix, epi.shadow, epi.fresh, epi.D_band,
                   epi.courses_seen, epi.boosted_seen, *params, ws.band_pop_last, *rest,
                   ws.sus_plain, ws.fatal_plain, ep.substeps, ws.vaccinated,
                   ws.first_status, ep.keys, t,
                   ws.infections, ws.deaths, *totals, ws.X, ws.prev, ws.reg, ws.regw)


def step_epidemic(state, world, params, t: int) -> None:
    """Stage 8: seed, vaccinate, wane, transmit, progress; update counters and variants.

    Does nothing when the batch runs no epidemic (``state.epi`` is None).
    """
    epi, ep = getattr(state, "epi", None), params.epidemic
    if epi is None or ep is None:
        return
    if epi.workspace is None:
        epi.workspace = _Workspace(ep, epi)
    ws = epi.workspace
    for n, v, share in ws.seeds_on.get(t, ()):
        seed(epi, ep, n, v, share)
    ws.day(t)
    ws.suppress(t, state.courses_band)
    sus, fatal = ws.tables(epi)
    courses, boosted = ws.doses_that_protect(state.courses_band, state.boosted_band)
    _day(epi, ep, ws, courses, boosted, sus, fatal, t, params.population)
    if ws.may_emerge:
        emerge(epi, ep, epi.new_infections, t)


def burden(state) -> np.ndarray:
    """(E, N) epidemic burden: recent deaths per person per day (~14-day average).

    The need signal for pooling and donation; zeros when the epidemic is off.
    """
    epi = getattr(state, "epi", None)
    return np.zeros(state.first.shape) if epi is None else epi.recent_deaths


def need_weight(state, population: np.ndarray) -> np.ndarray | None:
    """(E, N) weight of a country's supply gap in pool and donation allocation, or None
    when the run has no epidemic (the gap alone counts).

    ``w = 1 + b / b̄``, with ``b`` the country's recent deaths per person per day
    (:func:`burden`) and ``b̄`` the member's population-weighted world average: a country
    dying at the world's average rate weighs twice one with no deaths, at three times the
    average four times. Before any death anywhere every weight is 1. This is the
    "threat" part of the WHO allocation framework's phase 2 (Nov 2020) in its simplest
    form: need grows with burden, but no country with a gap is ever weighted to zero.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> epi = SimpleNamespace(recent_deaths=np.array([[0.0, 1e-5, 2e-5]]))
    >>> need_weight(SimpleNamespace(epi=epi), np.array([1.0, 1.0, 1.0]))
    array([[1., 2., 3.]])
    """
    if getattr(state, "epi", None) is None:
        return None
    b = state.epi.recent_deaths
    # Row by row (not ``b @ population``, whose rounding depends on the batch size).
    mean = (b * population).sum(axis=-1) / population.sum()           # (E,)
    return 1.0 + np.divide(b, mean[:, None], out=np.zeros_like(b), where=mean[:, None] > 0)
