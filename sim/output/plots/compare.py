"""Plots comparing scenarios side by side: coverage by income group, Lorenz curves,
key metrics with uncertainty, deaths averted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.engine.record import GROUPS
from sim.output.plots.equity import draw_lorenz, median_member
from sim.output.plots.style import (
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    band,
    band_note,
    percent_axis,
    save,
    scenario_color,
)


def compare_coverage(groups: Sequence[tuple[str, pd.DataFrame]], path: Path) -> Path:
    """One panel per scenario: ≥1-dose coverage by income group over time, same y axis."""
    n = len(groups)
    cols = min(n, 3)
    rows = -(-n // cols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.8 * rows + 0.6),
                                 sharey=True, squeeze=False)
        for ax, (name, g) in zip(axes.flat, groups, strict=False):
            for grp in GROUPS:
                band(ax, g[g["group"] == grp], "date", "coverage_first", GROUP_COLORS[grp],
                     GROUP_LABELS[grp])
            percent_axis(ax)
            ax.set_title(name)
            ax.set_xlabel("Date")
            ax.tick_params(axis="x", labelrotation=30)
        for ax in axes[:, 0]:
            ax.set_ylabel("Share with at least one dose")
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=5, bbox_to_anchor=(0.5, -0.01))
        members = groups[0][1]["member"].nunique()
        fig.suptitle(f"Coverage by income group, scenarios side by side ({band_note(members)})")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        return save(fig, path)


def compare_lorenz(curves: Sequence[tuple[str, np.ndarray, np.ndarray]], path: Path,
                   date: pd.Timestamp) -> Path:
    """Lorenz curves of the scenarios overlaid: (name, (E, N) coverage, (N,) population)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 6))
        ax.plot([0, 1], [0, 1], color="grey", lw=1, ls=":", label="perfect equality")
        for i, (name, cov, pop) in enumerate(curves):
            draw_lorenz(ax, cov[median_member(cov, pop)], pop, scenario_color(i), name)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("Cumulative share of world population\n(countries from least to most "
                      "covered)")
        ax.set_ylabel("Cumulative share of people with ≥1 dose")
        ax.set_title(f"Lorenz curves of vaccination on {pd.Timestamp(date).date()}\n"
                     "(population-weighted Gini in the legend)")
        ax.legend(loc="upper left")
        return save(fig, path)


def compare_metrics(table: pd.DataFrame, metrics: Sequence[tuple[str, str, float, str]],
                    path: Path) -> Path:
    """One bar panel per metric, a bar per scenario with a 5–95% whisker.

    Parameters
    ----------
    table : comparison table (scenario, metric, median, p05, p95)
    metrics : (metric key, panel title, display factor, y label); keys missing in
        ``table`` or undefined in every scenario are skipped
    """
    names = list(dict.fromkeys(table["scenario"]))
    panels = []
    for key, title, factor, ylabel in metrics:
        sub = table[table["metric"] == key].set_index("scenario").reindex(names)
        if sub["median"].notna().any():
            panels.append((sub[["median", "p05", "p95"]].astype(float) * factor, title, ylabel))
    cols = min(len(panels), 3)
    rows = -(-len(panels) // cols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
        for ax, (sub, title, ylabel) in zip(axes.flat, panels, strict=False):
            med = sub["median"].to_numpy()
            err = np.vstack([med - sub["p05"].to_numpy(), sub["p95"].to_numpy() - med])
            x = np.arange(len(names))
            ax.bar(x, np.nan_to_num(med), yerr=np.nan_to_num(err), capsize=4,
                   color=[scenario_color(i) for i in range(len(names))])
            for i in np.flatnonzero(np.isnan(med)):
                ax.text(i, 0, "n/a", ha="center", va="bottom", color="#555555")
            ax.set_xticks(x, names, rotation=20, ha="right")
            if np.nanmin(sub.to_numpy()) >= 0:  # no negative axis for non-negative values
                top = float(np.nanmax(sub.to_numpy())) * 1.1
                ax.set_ylim(0, top if top > 0 else 1.0)
            ax.set_title(title)
            ax.set_ylabel(ylabel)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        fig.suptitle("Key metrics by scenario (bar: median; whisker: 5–95% over replicates; "
                     "n/a: undefined)")
        fig.tight_layout()
        return save(fig, path)


def compare_deaths(table: pd.DataFrame, path: Path) -> Path | None:
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
        fig, ax = plt.subplots(figsize=(9, 5))
        for i, name in enumerate(names):
            s = sub[sub["scenario"] == name].set_index("metric").reindex(keys)
            med = s["median"].to_numpy(dtype=float)
            err = np.vstack([med - s["p05"].to_numpy(dtype=float),
                             s["p95"].to_numpy(dtype=float) - med])
            ax.bar(x + (i - (len(names) - 1) / 2) * width, med, width, yerr=err, capsize=3,
                   color=scenario_color(i), label=name)
        ax.set_xticks(x, [GROUP_LABELS[g] for g in GROUPS])
        ax.set_ylabel("Deaths averted per million people")
        ax.set_title("Deaths averted by vaccination (against no vaccine), by income group")
        ax.legend()
        return save(fig, path)
