"""The one plot style of vaxsim: colours, labels, rc settings and small drawing helpers.

Every plot function builds a :class:`matplotlib.figure.Figure` with :func:`figure` (no
pyplot state, so plots can be drawn in worker processes) inside ``plt.rc_context(STYLE)``
and returns it; :func:`save` writes it, so all PNGs look alike and read well when printed.
Colours are fixed per income group (:data:`GROUP_COLORS`) and per donor
(:func:`donor_color`), so a country or bloc has one colour in every plot and in the
browser view. Numbers on axes go through :mod:`sim.outcomes.formatting`.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.outcomes.formatting import tick_formatter  # noqa: E402

GROUP_COLORS = {"World": "#222222", "HIC": "#1f77b4", "UMIC": "#2ca02c", "LMIC": "#ff7f0e",
                "LIC": "#d62728"}
GROUP_LABELS = {"World": "World", "HIC": "High income", "UMIC": "Upper-middle income",
                "LMIC": "Lower-middle income", "LIC": "Low income"}
#: Colours of the largest donors and blocs (fixed, so each reads the same in every plot,
#: and none is an income group's); other donors get a stable colour from
#: :data:`OTHER_DONOR_COLORS` by their code.
DONOR_COLORS = {"USA": "#283593", "CHN": "#880E4F", "EU": "#FFC107", "RUS": "#795548",
                "GBR": "#00ACC1", "JPN": "#F06292", "IND": "#9E9D24", "AUS": "#26A69A",
                "CAN": "#B0BEC5", "POOL": "#7E57C2", "OTHER": "#9E9E9E"}
OTHER_DONOR_COLORS = ("#A1887F", "#90A4AE", "#CE93D8", "#80CBC4", "#FFAB91", "#C5E1A5",
                      "#B39DDB", "#FFE082")
#: How the pool is named in plots.
POOL_LABEL = "COVAX-style pool"
#: Colours for scenarios side by side (colour-blind safe, Okabe–Ito).
SCENARIO_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                   "#000000", "#F0E442")
#: Matplotlib rc settings of every plot (keys typed loosely: rc_context wants its own).
STYLE: dict[Any, Any] = {
    "figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False, "font.size": 10, "axes.titlesize": 12,
         "legend.frameon": False}


def donor_color(code: str) -> str:
    """Colour of a donor (ISO3), bloc (``EU``), the pool (``POOL``) or ``OTHER``; the same
    code always gets the same colour, in every process.
    """
    if code in DONOR_COLORS:
        return DONOR_COLORS[code]
    return OTHER_DONOR_COLORS[zlib.crc32(code.encode()) % len(OTHER_DONOR_COLORS)]


def figure(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure (outside pyplot's global state) and its axes, like ``plt.subplots``."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def scenario_color(i: int) -> str:
    """Colour of the ``i``-th scenario in a comparison."""
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG to ``path`` (folders created) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def band(ax: plt.Axes, df: pd.DataFrame, x: str, y: str, color: str, label: str | None,
         style: str = "-") -> None:
    """Median line and 5–95% band over members (``df`` has a ``member`` column)."""
    g = df.groupby(x)[y]
    med = g.median()
    _median_and_band(ax, med.index, med.to_numpy(), g.quantile(0.05).to_numpy(),
                     g.quantile(0.95).to_numpy(), df["member"].nunique() > 1, color, label,
                     style)


def band_arrays(ax: plt.Axes, x: Any, y: np.ndarray, color: str, label: str | None,
                style: str = "-") -> None:
    """Median line and 5–95% band of ``y`` (members, len(x)) over its first axis."""
    _median_and_band(ax, x, np.median(y, axis=0), np.quantile(y, 0.05, axis=0),
                     np.quantile(y, 0.95, axis=0), y.shape[0] > 1, color, label, style)


def _median_and_band(ax: plt.Axes, x: Any, med: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                     shade: bool, color: str, label: str | None, style: str) -> None:
    ax.plot(x, med, style, color=color, label=label, lw=1.8)
    if shade:
        ax.fill_between(x, lo, hi, color=color, alpha=0.18, lw=0)


def percent_axis(ax: plt.Axes, axis: str = "y", top: float | None = 1.0) -> None:
    """Format an axis holding shares (0–1) as percentages."""
    unit_axis(ax, "share", axis)
    if top is not None:
        (ax.set_ylim if axis == "y" else ax.set_xlim)(0, top)


def unit_axis(ax: plt.Axes, unit: str, axis: str = "y") -> None:
    """Ticks of ``axis`` written in ``unit`` (see :mod:`sim.outcomes.formatting`): 40%, 1.5 bn."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(tick_formatter(unit))


def legend_outside(ax: plt.Axes, **kwargs: Any) -> None:
    """The legend to the right of the axes, where it cannot cover data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, **kwargs)


def band_note(members: int) -> str:
    """Subtitle saying what lines and bands are."""
    return (f"line: median of {members} replicates; band: 5–95%" if members > 1
            else "one replicate")
