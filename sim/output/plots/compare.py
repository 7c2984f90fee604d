"""Plots comparing scenarios side by side: coverage by income group, Lorenz curves,
key metrics with uncertainty, deaths averted, and the paired differences from the first
scenario. Each function returns a Figure.
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
    difference_axis,
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
        ax.set_title("Deaths averted by vaccination, by income group: each scenario against "
                     "its own no-vaccine twin\n(whose reopening follows the scenario's "
                     "coverage; the scenarios' difference in deaths is in compare_differences)",
                     fontsize=10)
        legend_outside(ax, title="Scenario")
        return fig


#: Panels of :func:`compare_differences`: (metric prefix, title, unit).
DIFFERENCE_PANELS = (("deaths_by_group", "Deaths", "count"),
                     ("coverage_final", "Coverage ≥1 dose", "share"))


def compare_differences(differences: pd.DataFrame) -> Figure | None:
    """Each scenario minus the reference, paired by replicate, by income group: deaths and
    ≥1-dose coverage (a dot per scenario at the mean difference, a bar for its 95%
    interval; a line at no difference). None when neither metric is there.

    Parameters
    ----------
    differences : :func:`sim.output.differences.difference_table` (scenario, reference,
        metric, replicates, diff_mean, diff_lo, diff_hi, ...)
    """
    panels = []
    for prefix, title, unit in DIFFERENCE_PANELS:
        keys = [f"{prefix}.{g}" for g in GROUPS]
        sub = differences[differences["metric"].isin(keys)]
        if not sub.empty and sub["diff_mean"].notna().any():
            panels.append((keys, sub, title, unit))
    if not panels:
        return None
    names = list(dict.fromkeys(differences["scenario"]))
    reference = str(differences["reference"].iloc[0])
    pairs = int(differences["replicates"].max())
    step = 0.7 / max(len(names), 1)
    with plt.rc_context(STYLE):
        fig, axes = figure((6.2 * len(panels), 1.4 + 0.55 * len(GROUPS) * max(len(names), 2)
                            / 2 + 1.2), 1, len(panels), squeeze=False)
        for ax, (keys, sub, title, unit) in zip(axes.flat, panels, strict=True):
            y = np.arange(len(GROUPS))[::-1].astype(float)
            for i, name in enumerate(names):
                s = sub[sub["scenario"] == name].set_index("metric").reindex(keys)
                mid, lo, hi = (formatting.snap(s[c].to_numpy(dtype=float), unit)
                               for c in ("diff_mean", "diff_lo", "diff_hi"))
                yy = y - (i - (len(names) - 1) / 2) * step
                err = np.vstack([mid - lo, hi - mid])
                ax.errorbar(mid, yy, xerr=None if np.isnan(err).all() else np.abs(err),
                            fmt="o", color=scenario_color(i + 1), capsize=3, label=name)
                for x, yv in zip(mid, yy, strict=True):
                    if np.isfinite(x):
                        ax.annotate(formatting.signed(x, unit), (x, yv), xytext=(0, 5),
                                    textcoords="offset points", ha="center", fontsize=7)
            ax.axvline(0.0, color="0.4", lw=0.8)
            ax.set_yticks(y, [GROUP_LABELS[g] for g in GROUPS])
            ax.set_ylabel("Income group")
            ax.margins(x=0.15, y=0.12)
            difference_axis(ax, unit)
            ax.set_title(f"{title}, minus {reference}", fontsize=10)
        legend_outside(axes.flat[-1], title="Scenario")
        what = (f"mean of {pairs} paired replicates, bar: 95% interval" if pairs > 1
                else "one replicate: no interval")
        fig.suptitle(f"What each scenario changes against {reference} ({what})")
        tight_layout(fig, rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
        return fig
