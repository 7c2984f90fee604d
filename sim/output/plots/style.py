"""The one plot style of vaxsim: colours, labels, rc settings and small drawing helpers.

Every plot function builds a :class:`matplotlib.figure.Figure` with :func:`figure` (no
pyplot state, so plots can be drawn in worker processes) inside ``plt.rc_context(STYLE)``
and returns it; :func:`save` writes it, so all PNGs look alike and read well when printed.
Colours are fixed per income group (:data:`GROUP_COLORS`) and per donor
(:func:`donor_color`), so a country or bloc has one colour in every plot and in the
browser view. Numbers on axes go through :mod:`sim.outcomes.formatting`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.outcomes.formatting import AXIS_UNITS, tick_formatter  # noqa: E402
from sim.output.plots.palette import (  # noqa: E402, F401  (re-exported: the style's names)
    DONOR_COLORS,
    GROUP_COLORS,
    GROUP_LABELS,
    MAP_STYLE,
    OTHER_DONOR_COLORS,
    POOL_LABEL,
    SCENARIO_COLORS,
    STYLE,
    donor_color,
    scenario_color,
)


def figure(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure (outside pyplot's global state) and its axes, like ``plt.subplots``
    (one made ahead by :func:`prepare` with the same arguments and rc settings, if any).
    """
    return _take("subplots", (figsize, nrows, ncols), kwargs) or _subplots(
        figsize, nrows, ncols, **kwargs)


def panel_figure(figsize: tuple[float, float], rows: int, cols: int,
                 n: int) -> tuple[Figure, list[plt.Axes]]:
    """A new figure with axes in the first ``n`` cells of a ``rows`` x ``cols`` grid, row
    by row (no hidden spare axes: one costs as much to build as a shown one); made
    ahead by :func:`prepare` if one is waiting, as :func:`figure`.
    """
    return _take("panels", (figsize, rows, cols, n), {}) or _panels(figsize, rows, cols, n)


def _subplots(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1,
              **kwargs: Any) -> tuple[Figure, Any]:
    fig = new_figure(figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _panels(figsize: tuple[float, float], rows: int, cols: int,
            n: int) -> tuple[Figure, list[plt.Axes]]:
    fig = new_figure(figsize)
    grid = fig.add_gridspec(rows, cols)
    return fig, [fig.add_subplot(grid[i // cols, i % cols]) for i in range(n)]


#: Figures made ahead by :func:`prepare`, by how they were asked for and the rc
#: settings then in force; :func:`figure` and :func:`panel_figure` take them.
_READY: dict[tuple[Any, ...], list[tuple[Figure, Any]]] = {}
_BUILD: dict[str, Callable[..., tuple[Figure, Any]]] = {"subplots": _subplots,
                                                        "panels": _panels}


def prepare(rc: dict[Any, Any], kind: str, *args: Any, ticks: tuple[int, int] = (0, 0),
            **kwargs: Any) -> None:
    """Make ahead the figure that ``figure(*args, **kwargs)`` (kind ``"subplots"``) or
    ``panel_figure(*args)`` (kind ``"panels"``) will ask for under
    ``plt.rc_context(rc)``, so that call returns it without building axes (for a
    process with time to spare before the data is known: :mod:`sim.output.plots.ahead`).
    It is built by the same calls, so the picture is the same either way.

    ``ticks``: how many major ticks to make ahead on the x and y axis of each of its axes
    (:func:`make_ticks`).
    """
    if kind == "subplots":
        args = (*args, 1, 1)[:3]  # as figure() passes them
    with plt.rc_context(rc):
        made = _BUILD[kind](*args, **kwargs)
        make_ticks(made[0], *ticks)
        _READY.setdefault(_key(kind, args, kwargs), []).append(made)


def make_ticks(fig: Figure, x: int, y: int) -> None:
    """Make ``x`` and ``y`` major ticks on the x and y axis of each axes of ``fig`` now
    (under the rc settings in force), before the data is known.

    Drawing makes as many ticks as the axis's locator asks for, each a
    :class:`matplotlib.axis.Tick` of two lines, a grid line and two texts (~2.5 ms); an
    axis that already holds them only sets their positions and labels, and later
    ``tick_params`` apply to the ticks made ahead as to new ones, so the picture is the
    same. Ticks beyond the locator's count are never drawn (they only cost the time spent
    making them ahead).
    """
    for ax in fig.axes:
        for axis, n in ((ax.xaxis, x), (ax.yaxis, y)):
            if n > len(axis.majorTicks):
                axis.get_major_ticks(n)


def _key(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """How a figure was asked for, with the rc settings in force (as a string, ~0.5 ms)."""
    figsize, *rest = args
    return (kind, tuple(figsize), *rest, repr(sorted(kwargs.items())),
            repr(sorted(dict.items(matplotlib.rcParams))))


def _take(kind: str, args: tuple[Any, ...],
          kwargs: dict[str, Any]) -> tuple[Figure, Any] | None:
    """A figure made ahead for these arguments under the rc settings in force, or None."""
    if not _READY:
        return None
    key = _key(kind, args, kwargs)
    ready = _READY.get(key)
    if not ready:
        return None
    made = ready.pop(0)
    if not ready:
        del _READY[key]
    return made


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A new figure on the canvas :func:`save` draws it with
    (:class:`sim.output.plots.png.CroppingCanvas`), so that its layout and its drawing
    share one renderer and its texts are measured once.
    """
    from sim.output.plots.png import CroppingCanvas

    fig = Figure(figsize=figsize)
    CroppingCanvas(fig)
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG to ``path`` (folders created) and close it.

    The picture is cropped to its contents plus ``savefig.pad_inches``, as
    ``savefig(bbox_inches="tight")`` crops it, but the figure is laid out and drawn once
    (:func:`sim.output.plots.png.save_png`): matplotlib's "tight" lays it out twice more
    just to measure it.
    """
    from sim.output.plots.png import save_png

    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        save_png(fig, path, plt.rcParams["savefig.pad_inches"])
    plt.close(fig)
    return path


def band(ax: plt.Axes, df: pd.DataFrame, x: str, y: str, color: str, label: str | None,
         style: str = "-") -> None:
    """Median line and 5–95% band over members (``df`` has a ``member`` column); the
    quantiles are computed only when there are several members (a band to shade).
    """
    g = df.groupby(x)[y]
    med = g.median()
    shade = df["member"].nunique() > 1  # the 5-95% band only when there is one to shade
    ax.plot(med.index, med.to_numpy(), style, color=color, label=label, lw=1.8)
    if shade:
        ax.fill_between(med.index, g.quantile(0.05).to_numpy(), g.quantile(0.95).to_numpy(),
                        color=color, alpha=0.18, lw=0)


def band_arrays(ax: plt.Axes, x: Any, y: np.ndarray, color: str, label: str | None,
                style: str = "-") -> None:
    """Median line and 5–95% band of ``y`` (members, len(x)) over its first axis."""
    ax.plot(x, np.median(y, axis=0), style, color=color, label=label, lw=1.8)
    if y.shape[0] > 1:
        ax.fill_between(x, np.quantile(y, 0.05, axis=0), np.quantile(y, 0.95, axis=0),
                        color=color, alpha=0.18, lw=0)


def percent_axis(ax: plt.Axes, axis: str = "y", top: float | None = 1.0) -> None:
    """Format an axis holding shares (0–1) as percentages."""
    unit_axis(ax, "share", axis)
    if top is not None:
        (ax.set_ylim if axis == "y" else ax.set_xlim)(0, top)


def unit_axis(ax: plt.Axes, unit: str, axis: str = "y") -> None:
    """Ticks of ``axis`` written in ``unit`` (see :mod:`sim.outcomes.formatting`): 40%, 1.5 bn."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(tick_formatter(unit))


def log_x(ax: plt.Axes) -> None:
    """A log x axis with decades and 2, 5 between them, written plainly (0.002, 0.005)."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(mticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())


def difference_axis(ax: plt.Axes, unit: str, counts: str = "people", axis: str = "x",
                    **label: Any) -> None:
    """The ``axis`` ("x" or "y") of paired differences in ``unit``: shares in signed
    percentage points (``+4``, ``−2``), others as :func:`unit_axis`; labelled
    "Difference (…)" (``counts`` names what a count counts; ``label`` goes to the label).
    """
    if unit == "share":
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(plt.FuncFormatter(
            lambda v, _p: f"{100 * v:+.3g}".replace("-", "−") if v else "0"))
        what = "percentage points"
    else:
        unit_axis(ax, unit, axis=axis)
        what = AXIS_UNITS[unit] or counts
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(f"Difference ({what})", **label)


def tight_layout(fig: Figure, **kwargs: Any) -> None:
    """``fig.tight_layout(**kwargs)`` with each axes' extent measured once: with a
    ``rect``, matplotlib lays the figure out twice in a row (the second time inside the
    rect) and measures every axes (ticks, labels, titles) both times, with nothing
    changed in between. The same subplot parameters, ~35% less work (-0.06 s for a
    two-panel ranking).
    """
    extents: dict[tuple[Any, ...], Any] = {}

    def measured_once(ax: Any, *args: Any, **kw: Any) -> Any:
        key = (id(ax), *args, *sorted(kw.items()))
        if key not in extents:
            extents[key] = type(ax).get_tightbbox(ax, *args, **kw)
        return extents[key]

    axes = list(fig.axes)
    for ax in axes:
        ax.get_tightbbox = functools.partial(measured_once, ax)  # type: ignore[method-assign]
    try:
        fig.tight_layout(**kwargs)
    finally:
        for ax in axes:
            del ax.get_tightbbox


def observed_legend(observed: pd.DataFrame | None, fitted: str, not_fitted: str
                    ) -> tuple[list[Any], list[str]]:
    """Legend entries for observations drawn as dots (``observed["fitted"]``): a filled
    grey dot labelled ``fitted`` and an open one labelled ``not_fitted``, for the kinds
    present (none for no observations).
    """
    from matplotlib.lines import Line2D

    if observed is None or observed.empty:
        return [], []
    kinds = sorted({bool(f) for f in observed["fitted"]}, reverse=True)
    handles = [Line2D([], [], ls="", marker="o", color="#555555",
                      markerfacecolor="#555555" if f else "white") for f in kinds]
    return handles, [fitted if f else not_fitted for f in kinds]


def legend_outside(ax: plt.Axes, **kwargs: Any) -> None:
    """The legend to the right of the axes, where it cannot cover data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, **kwargs)


def band_note(members: int) -> str:
    """Subtitle saying what lines and bands are."""
    return (f"line: median of {members} replicates; band: 5–95%" if members > 1
            else "one replicate")
