"""Equity plots of one run: Gini over time (both conventions), the Lorenz curve at the
end, deaths and deaths averted per million by income group (when the run has them).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.engine.fields import GROUPS
from sim.outcomes import formatting
from sim.outcomes.inequality import gini, lorenz_curve
from sim.output.plots.dates import date_ticks
from sim.output.plots.style import (
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    band,
    band_note,
    figure,
    legend_outside,
    unit_axis,
)


def gini_over_time(gini_table: pd.DataFrame, title: str) -> Figure:
    """Gini of ≥1-dose coverage across countries over time, population-weighted (people
    as units) and unweighted (countries as units); ``gini_table`` from
    :func:`sim.metrics.gini_over_time`.
    """
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        band(ax, gini_table, "date", "gini_weighted", "#0072B2",
             "population-weighted (people as units)")
        band(ax, gini_table, "date", "gini_unweighted", "#D55E00",
             "unweighted (countries as units)", "--")
        ax.set_ylim(0, 1)
        ax.set_xlabel("Date")
        ax.set_ylabel("Gini coefficient (index: 0 equal, 1 unequal)")
        ax.set_title(f"{title}: inequality of vaccination coverage across countries\n"
                     f"coverage = share with at least one dose; "
                     f"{band_note(gini_table['member'].nunique())}")
        legend_outside(ax)
        date_ticks(fig)
        return fig


def median_member(coverage: np.ndarray, population: np.ndarray) -> int:
    """Index of the member whose population-weighted Gini is the median (coverage (E, N))."""
    g = gini(coverage, population)
    return int(np.argsort(np.nan_to_num(g, nan=0.0))[len(g) // 2])


def draw_lorenz(ax: plt.Axes, coverage: np.ndarray, population: np.ndarray, color: str,
                label: str) -> None:
    """Population-weighted Lorenz curve of one member's coverage (N,) on ``ax``."""
    x, y = lorenz_curve(coverage, population)
    g = float(gini(coverage, population))
    ax.plot(x, y, color=color, lw=2, label=f"{label} (Gini {formatting.index(g)})")


def lorenz(coverage: np.ndarray, population: np.ndarray, title: str,
           date: pd.Timestamp) -> Figure:
    """Lorenz curve of vaccinated people against population at ``date``.

    Parameters
    ----------
    coverage : (E, N) ≥1-dose coverage per member and country
    population : (N,) people
    """
    e = median_member(coverage, population)
    with plt.rc_context(STYLE):
        fig, ax = figure((6.5, 6))
        ax.plot([0, 1], [0, 1], color="grey", lw=1, ls=":", label="perfect equality")
        label = "simulated" if len(coverage) == 1 else "replicate with the median Gini"
        draw_lorenz(ax, coverage[e], population, "#0072B2", label)
        lorenz_axes(ax)
        ax.set_title(f"{title}: Lorenz curve of vaccination on {pd.Timestamp(date).date()}")
        ax.legend(loc="upper left")
        return fig


def lorenz_axes(ax: plt.Axes) -> None:
    """Limits, percentage ticks and labels of a Lorenz plot."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    unit_axis(ax, "share", "x")
    unit_axis(ax, "share", "y")
    ax.set_xlabel("Cumulative share of world population (%)\n(countries from least to "
                  "most covered)")
    ax.set_ylabel("Cumulative share of people with ≥1 dose (%)")


def deaths_by_group(per_member: pd.DataFrame, title: str) -> Figure | None:
    """Bars of deaths (and deaths averted) per million by income group, median with a
    5–95% whisker; None (no plot) when the run has no epidemic output.
    """
    keys = [k for k in ("deaths_per_million", "deaths_averted_per_million")
            if f"{k}.World" in per_member]
    if not keys:
        return None
    labels = {"deaths_per_million": "Deaths", "deaths_averted_per_million": "Deaths averted"}
    with plt.rc_context(STYLE):
        fig, axes = figure((5.5 * len(keys), 4.5), 1, len(keys), squeeze=False)
        for ax, key in zip(axes[0], keys, strict=True):
            cols = [f"{key}.{g}" for g in GROUPS]
            med, lo, hi = (formatting.snap(q, "per_million") for q in (
                per_member[cols].median(), per_member[cols].quantile(0.05),
                per_member[cols].quantile(0.95)))
            bars = ax.bar([GROUP_LABELS[g].replace(" income", "\nincome") for g in GROUPS],
                          med, yerr=[med - lo, hi - med] if len(per_member) > 1 else None,
                          capsize=4, color=[GROUP_COLORS[g] for g in GROUPS])
            ax.bar_label(bars, [formatting.per_million(v) for v in med], fontsize=8,
                         padding=2)  # a zero reads "0", not as a missing bar
            ax.set_ylabel(f"{labels[key]} (per million people)")
            ax.set_xlabel("Income group")
            ax.set_title(labels[key])
            ax.tick_params(axis="x", labelsize=8)
            unit_axis(ax, "per_million")
            if np.nanmax(hi, initial=0.0) <= 0:
                ax.set_ylim(0, 1)
        note = band_note(len(per_member)).replace("line", "bar").replace("band", "whisker")
        fig.suptitle(f"{title}: deaths by income group (end of run); {note}")
        fig.tight_layout()
        return fig
