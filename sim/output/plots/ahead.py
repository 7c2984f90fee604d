"""Plot work done ahead, before a run's results exist: what a process with time to spare
(the server ``vaxsim run`` forks before simulating: :func:`sim.output.workers.server_ahead`)
prepares so that the plot workers it forks later start on the data at once.

:func:`idle_steps` yields after each piece, so the server stops as soon as the results
arrive (:func:`sim.output.workers.server_ahead`): the map outlines and their anchor
points (read from the shapefile), then the figures and axes of a run's plots
(:data:`FIGURES`, made with :func:`sim.output.plots.style.prepare`; the plot functions
take them through :func:`sim.output.plots.style.figure`, so the pictures are the same
whether a figure was made ahead or not), with their major ticks
(:func:`sim.output.plots.style.make_ticks`: the ~490 ticks of a baseline run's plots
cost ~0.7 s of its ~3 s of plot work when made while drawing). A figure is ~15-45 ms;
a figure made ahead that no plot asks for (another run shape) is just not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: The figures of a baseline-shaped run's plots, slowest plot first: (plot, rc settings
#: name, kind, arguments, keyword arguments) as the plot function asks for them, and the
#: major ticks (x, y) to make ahead on each of its axes (:func:`style.make_ticks`: the
#: most a baseline run's plot uses on any of its axes; a map's own axes show none, its
#: colour bar is added when drawing). The sizes that depend on the data are given for
#: the usual shape (7 history panels, 20 countries per ranking, 12 donors, deaths and
#: deaths averted).
FIGURES: tuple[tuple[str, str, str, tuple[Any, ...], dict[str, Any], tuple[int, int]], ...] = (
    ("history_check", "STYLE", "panels", ((15, 3.6 * 3), 3, 3, 7), {}, (9, 10)),
    ("coverage_ranking", "STYLE", "subplots", ((12, 0.3 * 20 + 2.6), 1, 2), {"sharex": True},
     (7, 20)),
    ("doses_per_100", "STYLE", "subplots", ((12, 0.3 * 20 + 2.6), 1, 2), {"sharex": True},
     (6, 20)),
    ("diplomacy_map", "MAP_STYLE", "subplots", ((15, 6.2), 1, 2),
     {"gridspec_kw": {"width_ratios": [2.6, 1]}}, (6, 9)),
    ("deaths_over_time", "STYLE", "subplots", ((13, 5), 1, 2), {}, (9, 8)),
    ("donor_flows", "STYLE", "subplots", ((10, 0.35 * 12 + 2.2),), {}, (9, 12)),
    ("deaths_by_group", "STYLE", "subplots", ((5.5 * 2, 4.5), 1, 2), {"squeeze": False},
     (5, 10)),
    ("coverage_by_group", "STYLE", "subplots", ((10, 5),), {}, (9, 6)),
    ("dose_ledger", "STYLE", "subplots", ((10, 5),), {}, (9, 9)),
    ("target_attainment", "STYLE", "subplots", ((10, 5),), {}, (9, 6)),
    ("diplomatic_flows", "STYLE", "subplots", ((10, 5),), {}, (9, 10)),
    ("influence_map", "MAP_STYLE", "subplots", ((12, 6),), {}, (0, 0)),
    ("gini_over_time", "STYLE", "subplots", ((10, 5),), {}, (9, 6)),
    ("coverage_map", "MAP_STYLE", "subplots", ((11, 5.6),), {}, (0, 0)),
    ("lorenz", "STYLE", "subplots", ((6.5, 6),), {}, (6, 6)),
)


def idle_steps() -> Iterator[None]:
    """Prepare a run's plots ahead, yielding after each piece (see the module's text).
    Needs matplotlib and the plot modules imported (:func:`sim.output.plots.warm_up`).
    """
    from sim.output.plots import palette, style, worldmap

    worldmap.anchors()  # reads the outlines too
    yield
    for _, rc, kind, args, kwargs, ticks in FIGURES:
        style.prepare(getattr(palette, rc), kind, *args, ticks=ticks, **kwargs)
        yield
