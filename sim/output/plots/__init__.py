"""PNG plots of a run, in one consistent style (:mod:`sim.output.plots.style`), readable when
printed.

Every plot is a plain function: tables or arrays in, a matplotlib ``Figure`` out (or
None when the run has nothing to show), with no global state, so plots can be drawn in
worker processes and tested on matplotlib's own objects. :func:`plot_jobs` lists the
plots of a run as :class:`PlotJob` (file stem, function, arguments); :func:`draw` draws
one and writes its PNG; :func:`plot_run` draws them all. With several members a line is
the median and a band the 5–95% range. Modules: ``coverage`` (coverage, ranking, ledger,
targets), ``equity`` (Gini, Lorenz, deaths by group), ``worldmap`` (choropleth),
``diplomacy`` (flows, the diplomacy map, influence), ``compare`` (scenarios side by
side); each mechanism adds its own module (``epidemic``, ``strategies``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sim.output.plots.palette import GROUP_COLORS, GROUP_LABELS, STYLE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.outcomes.results import Results
    from sim.output.workers import Pending, Server

__all__ = ["CAPTIONS", "GROUP_COLORS", "GROUP_LABELS", "PLOT_STEMS", "STYLE", "PlotJob",
           "draw", "finish_plots", "fsync_file", "iter_jobs", "plot_jobs", "plot_run",
           "start_plots", "warm_up"]

#: Every plot of a run, in report order, with the caption the report gives it. A
#: mechanism adding a plot adds its stem here and its job in :func:`iter_jobs`.
CAPTIONS = {
    "coverage_by_group": "Coverage by income group over time, with observed first-dose "
                         "coverage (OWID: filled where a calibration target, open where never "
                         "fitted).",
    "history_check": "History check: the run's supply series against the observed 2021 "
                     "figures (sources in sim/data/SOURCES.md; open markers are estimates).",
    "diplomacy_map": "Who gave doses to whom: bilateral and pool flows on the world map, "
                     "and doses by donor bloc and channel.",
    "coverage_map": "Coverage by country at the end.",
    "gini_over_time": "Inequality of coverage across countries: Gini, both conventions.",
    "lorenz": "Lorenz curve of vaccinated people against population at the end.",
    "target_attainment": "Countries and people meeting the dated coverage targets.",
    "coverage_ranking": "Countries with the highest and lowest coverage at the end.",
    "doses_per_100": "Doses administered per 100 people: highest and lowest countries.",
    "dose_ledger": "Where every produced dose is.",
    "deaths_by_group": "Deaths and deaths averted per million by income group.",
    "deaths_over_time": "Deaths per million over time by income group, with and without "
                        "vaccines; dots: observed excess deaths with their 95% range (The "
                        "Economist's model: filled where a calibration target, open where "
                        "never fitted).",
    "diplomatic_flows": "Doses through each diplomacy channel over time.",
    "influence_map": "Where influence went: the donor bloc with the most influence over "
                     "each recipient at the end.",
    "donor_flows": "The largest bilateral donors, by the recipients' WHO region.",
    "strategies": "Countries following each procurement strategy over time.",
}
PLOT_STEMS = tuple(CAPTIONS)
#: Every plot of a run, slowest first (thread CPU on the baseline, session 9: history_check
#: ~0.78 s, the two rankings ~0.5 s, diplomacy_map and deaths_over_time ~0.35 s, then
#: 0.27 s down to 0.1 s), handed to the workers in this order (longest job first): each
#: worker takes the next job when it is done, so the two finish within ~0.1 s.
DRAW_FIRST = ("history_check", "coverage_ranking", "doses_per_100", "diplomacy_map",
              "deaths_over_time", "donor_flows", "deaths_by_group", "coverage_by_group",
              "dose_ledger", "target_attainment", "diplomatic_flows", "influence_map",
              "gini_over_time", "coverage_map", "lorenz", "strategies")


@dataclass(frozen=True)
class PlotJob:
    """One plot to draw: ``function(*args)`` returns a Figure or None; ``stem`` names the
    PNG (``<stem>.png``). ``function`` is a callable or, so that naming a job does not
    import matplotlib, ``"<module>.<function>"`` inside this package (resolved where the
    job is drawn). Picklable when its arguments are.
    """

    stem: str
    function: Callable[..., Figure | None] | str
    args: tuple[Any, ...]

    def resolve(self) -> Callable[..., Figure | None]:
        """The plot function itself."""
        if not isinstance(self.function, str):
            return self.function
        module, name = self.function.rsplit(".", 1)
        return cast(Callable[..., "Figure | None"],
                    getattr(importlib.import_module(f"{__name__}.{module}"), name))


def draw(job: PlotJob, out: Path, sync: bool = False) -> Path | None:
    """Draw ``job`` and write ``out/<stem>.png``; None when it has nothing to show.
    ``sync``: flush the file to disk too (a results folder is flushed before it is
    published; done here, the wait overlaps the other plots instead of ending the run).
    """
    from sim.output.plots.style import save

    fig = job.resolve()(*job.args)
    if fig is None:
        return None
    path = save(fig, Path(out) / f"{job.stem}.png")
    if sync:
        fsync_file(path)
    return path


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to disk."""
    import os

    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def warm_up() -> None:
    """Import every plot module and draw one small figure (fonts, caches), so that the
    workers a server forked ahead (:func:`sim.output.workers.server_ahead`) forks draw
    their first plot at full speed.
    """
    import io

    from sim.output.plots import (  # noqa: F401  (imported to warm the worker up)
        coverage,
        diplomacy,
        epidemic,
        equity,
        history,
        strategies,
        worldmap,
    )
    from sim.output.plots.style import figure
    from sim.output.plots.text import fast_text_ok

    fast_text_ok()  # the text renderer's probe (~0.06 s), once, before any fork
    fig, ax = figure((1, 1))
    ax.set_title("warm-up")
    fig.savefig(io.BytesIO(), format="png")


def plot_jobs(results: Results) -> list[PlotJob]:
    """Every plot of one run, in report order (:func:`iter_jobs` lists them)."""
    order = {s: i for i, s in enumerate(PLOT_STEMS)}
    return sorted(iter_jobs(results), key=lambda j: order[j.stem])


def iter_jobs(results: Results) -> Iterator[PlotJob]:
    """Every plot of one run, slowest first (:data:`DRAW_FIRST`), each job's inputs
    computed only when it is its turn (the inputs several plots share, once), so that
    the first can be drawn while the next ones are being made.

    Each mechanism adds its jobs to the table below from its own module.
    """
    import pandas as pd

    from sim import data
    from sim.outcomes.history import coverage_observed, deaths_observed, supply_series
    from sim.output.plots.run import equity_inputs

    name = results.scenario.name
    world = results.world

    @functools.cache
    def eq() -> Any:
        return equity_inputs(results)

    @functools.cache
    def countries() -> pd.DataFrame:
        return pd.DataFrame({"name": world.name, "who_region": world.who_region,
                             "population": world.population},
                            index=pd.Index(world.iso3, name="iso3"))

    @functools.cache
    def last_day() -> pd.DataFrame:
        # the rankings read only the last recorded day: 1/730 of the table to send
        table = results.countries
        return table[table["date"] == table["date"].max()]

    @functools.cache
    def eu() -> frozenset[str]:
        return frozenset(data.blocs().set_index("bloc").at["EU", "members"].split(";"))

    half_life = results.scenario.donation.half_life_days
    jobs: dict[str, Callable[[], tuple[str, tuple[Any, ...]]]] = {
        "coverage_by_group": lambda: ("coverage.coverage_by_group",
                                      (results.groups, name, coverage_observed(results))),
        "diplomacy_map": lambda: ("diplomacy.diplomacy_map",
                                  (results.donations, countries(), eu(), name)),
        "coverage_map": lambda: ("worldmap.coverage_map", (eq().coverage_map, name, eq().end)),
        "gini_over_time": lambda: ("equity.gini_over_time", (eq().gini, name)),
        "lorenz": lambda: ("equity.lorenz",
                           (eq().coverage_end, eq().population, name, eq().end)),
        "target_attainment": lambda: ("coverage.target_attainment", (eq().attainment, name)),
        "coverage_ranking": lambda: ("coverage.country_ranking",
                                     (last_day(), name, "coverage_first")),
        "doses_per_100": lambda: ("coverage.doses_per_100", (last_day(), name)),
        "dose_ledger": lambda: ("coverage.dose_ledger", (results.ledger, name)),
        "deaths_by_group": lambda: ("equity.deaths_by_group", (eq().per_member, name)),
        "deaths_over_time": lambda: ("epidemic.deaths_over_time",
                                     (results.groups, name, deaths_observed(results))),
        "diplomatic_flows": lambda: ("diplomacy.diplomatic_flows",
                                     (results.trajectories.diplomacy, world.dates, name)),
        "influence_map": lambda: ("diplomacy.influence_map",
                                  (results.donations, countries(), eu(), world.dates[-1],
                                   half_life, name)),
        "donor_flows": lambda: ("diplomacy.donor_flows",
                                (results.donations, countries(), name)),
        "strategies": lambda: ("strategies.strategy_counts", (results.strategies, name)),
        "history_check": lambda: ("history.supply_check",
                                  (supply_series(results), world.dates, name)),
    }
    for stem in [*DRAW_FIRST, *(s for s in jobs if s not in DRAW_FIRST)]:
        function, args = jobs[stem]()
        yield PlotJob(stem, function, args)


def plot_run(results: Results, out: Path, progress: Callable[[], None] | None = None,
             workers: int | None = None) -> list[Path]:
    """Write every plot of one run into ``out``; return the paths written.

    The jobs' tables are built here, once; the plots are then drawn in worker processes
    (:func:`start_plots`: ``workers`` of them, default one per core).
    ``progress()`` is called once per plot job (drawn or skipped) as it finishes.
    """
    with start_plots(results, out, workers) as pending:
        return finish_plots(pending, progress)


@contextlib.contextmanager
def start_plots(results: Results, out: Path, workers: int | None = None,
                enabled: bool = True, server: Server | None = None,
                sync: bool = False) -> Iterator[Pending]:
    """Start drawing every plot of one run into ``out`` in worker processes and yield at
    once: the caller writes its tables meanwhile, then collects with
    :func:`finish_plots`. The slowest plots are handed out first (:data:`DRAW_FIRST`).
    With ``server`` (a process forked ahead that has matplotlib loaded already:
    :func:`sim.output.workers.server_ahead` with :func:`warm_up`), the server's workers
    draw them; else each job is sent, as soon as its inputs are made
    (:func:`iter_jobs`), to the pool this process forked ahead
    (:func:`sim.output.pool.pool_ahead`) or forks now
    (:func:`sim.output.pool.streamed_calls`). Nothing is drawn unless ``enabled``.
    ``sync``: each PNG is flushed to disk as it is written (see :func:`draw`).
    """
    from functools import partial

    from sim.output.pool import streamed_calls
    from sim.output.workers import Pending

    if not enabled:
        yield Pending([], None)
        return
    if server is not None:
        jobs = plot_jobs(results)
        stems = [j.stem for j in jobs]
        first = [stems.index(s) for s in DRAW_FIRST if s in stems]
        yield server.submit([partial(draw, job, out, sync) for job in jobs], workers, first)
        return
    with streamed_calls((partial(draw, job, out, sync) for job in iter_jobs(results)),
                        workers) as pending:
        yield pending


def finish_plots(pending: Pending, progress: Callable[[], None] | None = None) -> list[Path]:
    """Wait for the plots :func:`start_plots` started; return the paths written, in
    report order.
    """
    order = {s: i for i, s in enumerate(PLOT_STEMS)}
    paths = [p for p in pending.results(progress) if p is not None]
    return sorted(paths, key=lambda p: order.get(p.stem, len(order)))
