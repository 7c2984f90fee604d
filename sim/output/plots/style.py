"""The one plot style of vaxsim: colours, labels, rc settings and small drawing helpers.

Every plot module draws inside ``plt.rc_context(STYLE)`` and writes through :func:`save`,
so all PNGs look alike and read well when printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

GROUP_COLORS = {"World": "#222222", "HIC": "#1f77b4", "UMIC": "#2ca02c", "LMIC": "#ff7f0e",
                "LIC": "#d62728"}
GROUP_LABELS = {"World": "World", "HIC": "High income", "UMIC": "Upper-middle income",
                "LMIC": "Lower-middle income", "LIC": "Low income"}
#: Colours for scenarios side by side (colour-blind safe, Okabe–Ito).
SCENARIO_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                   "#000000", "#F0E442")
STYLE = {"figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False, "font.size": 10, "axes.titlesize": 12,
         "legend.frameon": False}


def scenario_color(i: int) -> str:
    """Colour of the ``i``-th scenario in a comparison."""
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]


def save(fig: plt.Figure, path: Path) -> Path:
    """Write ``fig`` as PNG to ``path`` (folders created) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(mticker.PercentFormatter(1.0))
    if top is not None:
        (ax.set_ylim if axis == "y" else ax.set_xlim)(0, top)


def band_note(members: int) -> str:
    """Subtitle saying what lines and bands are."""
    return (f"line: median of {members} replicates; band: 5–95%" if members > 1
            else "one replicate")
