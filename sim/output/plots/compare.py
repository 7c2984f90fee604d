"""Plots comparing scenarios side by side: coverage by income group, Lorenz curves,
key metrics with uncertainty, deaths averted. Each function returns a Figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.engine.record import GROUPS
from sim.outcomes import formatting
from sim.output.plots.equity import draw_lorenz, lorenz_axes, median_member
from sim.output.plots.style import (
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    band,
    band_note,
    figure,
    legend_outside,
    percent_axis,
    scenario_color,
    tight_layout,
    unit_axis,
)


def compare_coverage(groups: Sequence[tuple[str, pd.DataFrame]]) -> Figure:
    """One panel per scenario: ≥1-dose coverage by income group over time, same y axis."""
    n = len(groups)
    cols = min(n, 3)
    rows = -(-n // cols)
    with plt.rc_context(STYLE):
        fig, axes = figure((5 * cols, 3.8 * rows + 0.6), rows, cols, sharey=True,
                           squeeze=False)
        for ax, (name, g) in zip(axes.flat, groups, strict=False):
            for grp in GROUPS:
                band(ax, g[g["group"] == grp], "date", "coverage_first", GROUP_COLORS[grp],
                     GROUP_LABELS[grp])
            percent_axis(ax)
            ax.set_title(name)
            ax.set_xlabel("Date")
            ax.tick_params(axis="x", labelrotation=30)
        for ax in axes[:, 0]:
            ax.set_ylabel("Population with at least one dose (%)")
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=5, bbox_to_anchor=(0.5, -0.01))
        members = groups[0][1]["member"].nunique()
        fig.suptitle(f"Coverage by income group, scenarios side by side ({band_note(members)})")
        tight_layout(fig, rect=(0, 0.05, 1, 1))
        return fig


def compare_lorenz(curves: Sequence[tuple[str, np.ndarray, np.ndarray]],
                   date: pd.Timestamp) -> Figure:
    """Lorenz curves of the scenarios overlaid: (name, (E, N) coverage, (N,) population)."""
    with plt.rc_context(STYLE):
        fig, ax = figure((6.5, 6))
        ax.plot([0, 1], [0, 1], color="grey", lw=1, ls=":", label="perfect equality")
        for i, (name, cov, pop) in enumerate(curves):
            draw_lorenz(ax, cov[median_member(cov, pop)], pop, scenario_color(i), name)
        lorenz_axes(ax)
        ax.set_title(f"Lorenz curves of vaccination on {pd.Timestamp(date).date()}\n"
                     "(population-weighted Gini in the legend)")
        ax.legend(loc="upper left")
        return fig


def compare_metrics(table: pd.DataFrame, metrics: Sequence[tuple[str, str, str]]) -> Figure:
    """One bar panel per metric, a bar per scenario with a 5–95% whisker.

    Values below the unit's resolution (:data:`sim.outcomes.formatting.RESOLUTION`) are drawn as
    zero, and each bar carries its value as text, so floating-point noise cannot pass
    for a difference.

    Parameters
    ----------
    table : comparison table (scenario, metric, median, p05, p95)
    metrics : (metric key, panel title, unit of :mod:`sim.outcomes.formatting`); keys missing in
        ``table`` or undefined in every scenario are skipped
    """
    names = list(dict.fromkeys(table["scenario"]))
    panels = []
    for key, title, unit in metrics:
        sub = table[table["metric"] == key].set_index("scenario").reindex(names)
        if sub["median"].notna().any():
            vals = {c: formatting.snap(sub[c].to_numpy(dtype=float), unit)
                    for c in ("median", "p05", "p95")}
            panels.append((vals, title, unit))
    cols = min(len(panels), 3)
    rows = -(-len(panels) // cols)
    with plt.rc_context(STYLE):
        fig, axes = figure((5 * cols, 3.9 * rows), rows, cols, squeeze=False)
        x = np.arange(len(names))
        for ax, (vals, title, unit) in zip(axes.flat, panels, strict=False):
            med, lo, hi = vals["median"], vals["p05"], vals["p95"]
            err = np.clip(np.nan_to_num(np.vstack([med - lo, hi - med])), 0, None)
            bars = ax.bar(x, np.nan_to_num(med), yerr=err if err.any() else None, capsize=4,
                          color=[scenario_color(i) for i in range(len(names))])
            ax.bar_label(bars, [formatting.value(v, unit) for v in med], fontsize=8,
                         padding=2)
            ax.set_xticks(x, names, rotation=20, ha="right")
            ax.set_xlabel("Scenario")
            finite = np.concatenate([a[np.isfinite(a)] for a in (med, lo, hi)])
            top = float(finite.max()) if finite.size else 0.0
            bottom = min(float(finite.min()) if finite.size else 0.0, 0.0)
            ax.set_ylim(bottom * 1.15, top * 1.18 if top > 0 else 1.0)
            unit_axis(ax, unit)
            ax.set_title(title, fontsize=10)
            axis_unit = formatting.AXIS_UNITS[unit] or "doses"
            ax.set_ylabel(f"{title.split(',')[0].split(' (')[0]} ({axis_unit})", fontsize=8)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        fig.suptitle("Key metrics by scenario (bar: median; whisker: 5–95% over replicates; "
                     "n/a: undefined)")
        tight_layout(fig, rect=(0, 0, 1, 1 - 0.25 / fig.get_figheight()))
        return fig


def compare_deaths(table: pd.DataFrame) -> Figure | None:
    """Deaths averted per million by income group and scenario; None when no scenario
    has deaths averted (no epidemic or no counterfactual).
    """
    keys = [f"deaths_averted_per_million.{g}" for g in GROUPS]
    sub = table[table["metric"].isin(keys)]
    if sub.empty:
        return None
    names = list(dict.fromkeys(sub["scenario"]))
    width = 0.8 / len(names)
    x = np.arange(len(GROUPS))
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        for i, name in enumerate(names):
            s = sub[sub["scenario"] == name].set_index("metric").reindex(keys)
            med, lo, hi = (formatting.snap(s[c].to_numpy(dtype=float), "per_million")
                           for c in ("median", "p05", "p95"))
            err = np.clip(np.nan_to_num(np.vstack([med - lo, hi - med])), 0, None)
            ax.bar(x + (i - (len(names) - 1) / 2) * width, np.nan_to_num(med), width,
                   yerr=err if err.any() else None, capsize=3, color=scenario_color(i),
                   label=name)
        ax.set_xticks(x, [GROUP_LABELS[g].replace(" income", "\nincome") for g in GROUPS])
        ax.set_xlabel("Income group")
        ax.set_ylabel("Deaths averted (per million people)")
        unit_axis(ax, "per_million")
        ax.set_title("Deaths averted by vaccination (against no vaccine), by income group")
        legend_outside(ax, title="Scenario")
        return fig
