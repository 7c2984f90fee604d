"""Epidemic plot: deaths over time by income group, with the no-vaccine counterfactual."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.engine.fields import GROUPS
from sim.output.plots.dates import date_ticks
from sim.output.plots.style import (
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    band,
    band_note,
    figure,
    observed_legend,
    tight_layout,
    unit_axis,
)


def deaths_over_time(groups: pd.DataFrame, title: str,
                     observed: pd.DataFrame | None = None) -> Figure | None:
    """Two panels by income group: daily deaths per million (7-day mean) and cumulative
    deaths per million, solid with vaccines, dashed without (the counterfactual); on the
    cumulative panel, ``observed`` excess deaths per million with their 95% range (date,
    group, per_million, low, high, fitted: :func:`sim.outcomes.history.deaths_observed`),
    filled where fitted, open where not.

    None (no plot) when the run has no epidemic.
    """
    if "deaths" not in groups:
        return None
    df = groups.sort_values(["member", "group", "date"]).copy()
    per_m = 1e6 / df["population"]
    df["daily"] = (df.groupby(["member", "group"])["deaths"]
                   .transform(lambda s: s.rolling(7, min_periods=1).mean()) * per_m)
    df["cum"] = df["deaths_cum"] * per_m
    novax = "deaths_cum_novax" in df
    if novax:
        df["cum_novax"] = df["deaths_cum_novax"] * per_m
    with plt.rc_context(STYLE):
        fig, (a1, a2) = figure((13, 5), 1, 2)
        for g in GROUPS:
            sub = df[df["group"] == g]
            band(a1, sub, "date", "daily", GROUP_COLORS[g], GROUP_LABELS[g])
            band(a2, sub, "date", "cum", GROUP_COLORS[g], GROUP_LABELS[g])
            if novax:
                band(a2, sub, "date", "cum_novax", GROUP_COLORS[g], None, "--")
        _observed_deaths(a2, observed)
        dots, dot_labels = observed_legend(observed, "observed, a calibration target",
                                           "observed, never fitted")
        a1.set_ylabel("Deaths per million people per day (7-day mean)")
        a1.set_title("Daily deaths")
        a2.set_ylabel("Deaths per million people (cumulative)")
        a2.set_title("Cumulative deaths" + ("; dashed: without vaccines" if novax else "")
                     + ("; dots: excess deaths, 95% range" if dots else ""))
        for ax in (a1, a2):
            ax.set_xlabel("Date")
            ax.set_ylim(bottom=0)
            unit_axis(ax, "per_million")
        handles, labels = a1.get_legend_handles_labels()
        handles, labels = handles + dots, labels + dot_labels
        fig.legend(handles, labels, loc="lower center", ncol=len(handles),
                   bbox_to_anchor=(0.5, -0.02))
        fig.suptitle(f"{title}: deaths by income group; {band_note(df['member'].nunique())}")
        date_ticks(fig)
        tight_layout(fig, rect=(0, 0.05, 1, 1))
        return fig


def _observed_deaths(ax: Axes, observed: pd.DataFrame | None) -> None:
    """Draw ``observed`` cumulative excess deaths with their 95% range, filled where
    fitted.
    """
    if observed is None:
        return
    for r in observed.itertuples(index=False):
        color = GROUP_COLORS[str(r.group)]
        ax.errorbar([r.date], [r.per_million],
                    yerr=[[r.per_million - r.low], [r.high - r.per_million]], fmt="o",
                    ms=6, capsize=3, color=color, zorder=5, markeredgewidth=1.5,
                    markerfacecolor=color if r.fitted else "white")
