"""The calibration plot: model against observed targets, by income group over time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sim.engine.record import GROUPS
from sim.output.plots.dates import date_ticks
from sim.output.plots.style import (
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    figure,
    percent_axis,
    tight_layout,
    unit_axis,
)


def model_vs_observed(trajectories: pd.DataFrame, table: pd.DataFrame,
                      title: str) -> Figure:
    """Simulated coverage (lines) and world doses against the observed targets (markers),
    and, when the fit has death targets, cumulative deaths by group against the observed
    estimates with their 95% range (error bars).

    Parameters
    ----------
    trajectories : date, group, coverage_first (share), doses_administered (doses)
        [, deaths (cumulative since the start)]
    table : the fit table (date, group, metric, observed, simulated [, low, high])
    title : figure title
    """
    with plt.rc_context(STYLE):
        obs = table.assign(date=pd.to_datetime(table["date"]))
        deaths = obs[obs["metric"] == "deaths"]
        if len(deaths):
            fig, (ax, bx, cx) = figure((19, 5.5), 1, 3,
                                       gridspec_kw={"width_ratios": [3, 2, 2]})
            _deaths_panel(cx, trajectories, deaths)
        else:
            fig, (ax, bx) = figure((14, 5.5), 1, 2, gridspec_kw={"width_ratios": [3, 2]})
        for g in GROUPS:
            sim = trajectories[trajectories["group"] == g]
            ax.plot(sim["date"], sim["coverage_first"], color=GROUP_COLORS[g], lw=1.8,
                    label=f"{GROUP_LABELS[g]} (model)")
            o = obs[(obs["group"] == g) & (obs["metric"] == "coverage_first")]
            if len(o):
                ax.plot(o["date"], o["observed"], "o", color=GROUP_COLORS[g], ms=6,
                        mfc="white", mew=1.8, label=f"{GROUP_LABELS[g]} (observed)")
        percent_axis(ax)
        ax.set_xlabel("Date")
        ax.set_ylabel("Share of population with at least one dose (%)")
        ax.set_title("Coverage by income group")
        fig.legend(*ax.get_legend_handles_labels(), loc="lower center", fontsize=8, ncol=4,
                   bbox_to_anchor=(0.5, -0.04))
        world = trajectories[trajectories["group"] == "World"]
        bx.plot(world["date"], world["doses_administered"], color="black", lw=1.8,
                label="World (model)")
        o = obs[obs["metric"] == "doses_administered"]
        bx.plot(o["date"], o["observed"], "o", color="black", mfc="white", mew=1.8,
                label="World (observed)")
        unit_axis(bx, "count")
        bx.set_xlabel("Date")
        bx.set_ylabel("Doses administered (cumulative doses)")
        bx.set_title("Doses administered, world")
        bx.legend(loc="upper left", fontsize=8)
        fig.suptitle(title)
        date_ticks(fig)
        tight_layout(fig, rect=(0, 0.06, 1, 1))
        return fig


def _deaths_panel(ax, trajectories: pd.DataFrame, deaths: pd.DataFrame) -> None:
    """Cumulative deaths by group (lines) and the observed estimates with 95% ranges."""
    for g in GROUPS:
        sim = trajectories[trajectories["group"] == g]
        ax.plot(sim["date"], sim["deaths"], color=GROUP_COLORS[g], lw=1.8,
                label=f"{GROUP_LABELS[g]} (model)")
        o = deaths[deaths["group"] == g]
        if len(o):
            err = [o["observed"] - o["low"], o["high"] - o["observed"]]
            ax.errorbar(o["date"], o["observed"], yerr=err, fmt="o", color=GROUP_COLORS[g],
                        ms=6, mfc="white", mew=1.8, capsize=3)
    unit_axis(ax, "count")
    ax.set_xlabel("Date")
    ax.set_ylabel("Deaths since the start (cumulative)")
    ax.set_title("Deaths vs excess-death estimates (95% range)")
    ax.legend(loc="upper left", fontsize=8)
