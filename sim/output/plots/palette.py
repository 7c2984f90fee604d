"""The plot palette of vaxsim: colours, labels and rc settings, without matplotlib.

Kept apart from :mod:`sim.output.plots.style` (which imports matplotlib) so that code
that only names plots or colours (the report, the CLI, the browser view's legend) does
not pay matplotlib's import; plots themselves are drawn in worker processes.
"""

from __future__ import annotations

import zlib
from typing import Any

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
#: ``axes.titley`` 1.0 pins titles just above their axes, where matplotlib's automatic
#: placement puts them too when ticks are at the bottom and no y offset text ("1e6")
#: sits under the title, as in vaxsim's plots (unit formatters, zero-based axes); the
#: automatic placement measures the whole y axis once more at every layout step (~8%
#: of the drawing time of a run's plots).
STYLE: dict[Any, Any] = {
    "figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False, "font.size": 10, "axes.titlesize": 12,
         "axes.titley": 1.0, "legend.frameon": False}
#: rc settings of the maps: :data:`STYLE` without the grid.
MAP_STYLE: dict[Any, Any] = {**STYLE, "axes.grid": False}


def donor_color(code: str) -> str:
    """Colour of a donor (ISO3), bloc (``EU``), the pool (``POOL``) or ``OTHER``; the same
    code always gets the same colour, in every process.
    """
    if code in DONOR_COLORS:
        return DONOR_COLORS[code]
    return OTHER_DONOR_COLORS[zlib.crc32(code.encode()) % len(OTHER_DONOR_COLORS)]


def scenario_color(i: int) -> str:
    """Colour of the ``i``-th scenario in a comparison."""
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]
