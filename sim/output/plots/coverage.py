"""Coverage plots of one run: by income group over time, country ranking, dose ledger,
attainment of dated targets. Each function returns a Figure (see :mod:`sim.output.plots.style`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from sim.engine.fields import GROUPS
from sim.outcomes import formatting
from sim.output.plots.dates import date_ticks
from sim.output.plots.style import (
    DONOR_COLORS,
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    band,
    band_note,
    figure,
    legend_outside,
    observed_legend,
    percent_axis,
    tight_layout,
    unit_axis,
)

#: Country columns the ranking can show: (axis label, unit of :mod:`sim.outcomes.formatting`).
RANKED = {"doses_per_100": ("Doses administered (per 100 people)", "per_million"),
          "coverage_first": ("Population with at least one dose (%)", "share")}


def coverage_by_group(groups: pd.DataFrame, title: str,
                      observed: pd.DataFrame | None = None) -> Figure:
    """Share of population with ≥1 dose (solid) and a full course (dashed) by group;
    observed first-dose coverage as dots in the group's colour (``observed``: date, group,
    observed, fitted — :func:`sim.outcomes.history.coverage_observed`), filled where it
    is a calibration target of the baseline, open where it was never fitted.
    """
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        for g in GROUPS:
            sub = groups[groups["group"] == g]
            band(ax, sub, "date", "coverage_first", GROUP_COLORS[g], GROUP_LABELS[g])
            band(ax, sub, "date", "coverage_completed", GROUP_COLORS[g], None, "--")
        _observed_dots(ax, observed)
        percent_axis(ax)
        ax.set_xlabel("Date")
        ax.set_ylabel("Share of population (%)")
        ax.set_title(f"{title}: vaccination coverage by income group\n"
                     f"solid: at least one dose; dashed: full course; "
                     f"{band_note(groups['member'].nunique())}")
        handles, labels = ax.get_legend_handles_labels()
        handles += [Line2D([], [], color="#555555"), Line2D([], [], color="#555555", ls="--")]
        labels += ["at least one dose", "full course"]
        dots, dot_labels = observed_legend(observed, "observed (OWID), a calibration target",
                                           "observed (OWID), never fitted")
        handles, labels = handles + dots, labels + dot_labels
        legend_outside(ax, handles=handles, labels=labels)
        date_ticks(fig)
        return fig


def _observed_dots(ax: Axes, observed: pd.DataFrame | None) -> None:
    """Draw ``observed`` first-dose coverage as dots, filled where fitted."""
    if observed is None:
        return
    for (group, fitted), rows in observed.groupby(["group", "fitted"]):
        color = GROUP_COLORS[str(group)]
        ax.plot(rows["date"], rows["observed"], ls="", marker="o", ms=6, zorder=5,
                color=color, markerfacecolor=color if fitted else "white",
                markeredgewidth=1.5)


def _ranked(countries: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per country on the last recorded day: the median over members, noise
    snapped to zero, sorted from highest to lowest (ties: most populous first).
    """
    last = countries[countries["date"] == countries["date"].max()]
    per = last.groupby(["iso3", "name", "income_group"], as_index=False).agg(
        value=(column, "median"), population=("population", "first"))
    unit = RANKED[column][1]
    # Values that read the same are ties: 85.0% and 84.99% are not ranked apart.
    per["value"] = np.round(formatting.snap(per["value"].to_numpy(), unit),
                            3 if unit == "share" else 0)
    return per.sort_values(["value", "population"], ascending=[False, False])


def _tie_note(per: pd.DataFrame, shown: pd.DataFrame, unit: str) -> str:
    """"; 57 more at 85.0%" when countries not shown tie with the panel's last one."""
    edge = shown["value"].iloc[-1]
    more = int((per["value"] == edge).sum() - (shown["value"] == edge).sum())
    if more <= 0:
        return ""
    what = "country" if more == 1 else "countries"
    verb = "is" if more == 1 else "are"
    return (f"\n{more} more {what} at {_label(edge, unit)} {verb} not shown "
            "(ties: the most populous are)")


def _label(v: float, unit: str) -> str:
    return formatting.share(v) if unit == "share" else f"{v:,.0f}"


def country_ranking(countries: pd.DataFrame, title: str, column: str = "doses_per_100",
                    k: int = 20) -> Figure:
    """The ``k`` countries with the highest and the lowest ``column`` on the last recorded
    day (median over members), as dots on a line from zero, so a zero is still drawn.

    ``column`` is ``doses_per_100`` (doses administered per 100 people) or
    ``coverage_first`` (share with ≥1 dose). Ties are broken by population (the most
    populous shown) and the panel says how many tied countries it leaves out.
    """
    xlabel, unit = RANKED[column]
    per = _ranked(countries, column)
    k = min(k, max(len(per) // 2, 1))
    low = per.sort_values(["value", "population"], ascending=[True, False]).head(k)
    parts = [("Highest", per.head(k)), ("Lowest", low)]
    top = float(per["value"].max()) or 1.0
    with plt.rc_context(STYLE):
        fig, axes = figure((12, 0.3 * k + 2.6), 1, 2, sharex=True)
        for ax, (label, part) in zip(axes, parts, strict=True):
            y = range(len(part))[::-1]
            colors = [GROUP_COLORS[g] for g in part["income_group"]]
            ax.hlines(list(y), 0, part["value"], colors=colors, lw=2)
            ax.scatter(part["value"], list(y), color=colors, s=28, zorder=3)
            # value labels 4 pt right of each dot: plain texts (an annotation would test
            # at every draw whether its point is inside the axes)
            right = ax.transData + ScaledTranslation(4 / 72, 0, fig.dpi_scale_trans)
            for yi, v in zip(y, part["value"], strict=True):
                ax.text(v, yi, _label(v, unit), transform=right, va="center", fontsize=7)
            ax.set_yticks(list(y), part["name"])
            ax.set_ylim(-0.7, len(part) - 0.3)
            ax.set_xlim(0, top * 1.15)
            ax.set_title(f"{label} {len(part)} countries{_tie_note(per, part, unit)}",
                         fontsize=10)
            ax.set_xlabel(xlabel)
            ax.set_ylabel("Country")
            ax.tick_params(axis="y", labelsize=8)
            if unit == "share":
                unit_axis(ax, "share", "x")
        shown = pd.concat([p for _, p in parts])["income_group"].unique()
        present = [g for g in GROUPS[1:] if g in shown]
        fig.legend([Patch(color=GROUP_COLORS[g]) for g in present],
                   [GROUP_LABELS[g] for g in present], loc="lower center",
                   ncol=len(present), bbox_to_anchor=(0.5, -0.01))
        date = pd.Timestamp(countries["date"].max()).date()
        what = "coverage (≥1 dose)" if unit == "share" else "doses per 100 people"
        members = countries["member"].nunique()
        fig.suptitle(f"{title}: {what} on {date}"
                     + (f" (median of {members} replicates)" if members > 1 else ""))
        tight_layout(fig, rect=(0, 0.05, 1, 1))
        return fig


def doses_per_100(countries: pd.DataFrame, title: str, k: int = 20) -> Figure:
    """Doses administered per 100 people at the end: the top and bottom ``k`` countries."""
    return country_ranking(countries, title, "doses_per_100", k)


LEDGER_PARTS = (("administered_cum", "Administered", "#2ca02c"),
                ("expired_cum", "Expired", "#7f7f7f"),
                ("stock_countries", "In country stock", "#1f77b4"),
                ("stock_pool", "In pool stock", DONOR_COLORS["POOL"]),
                ("in_transit", "In transit", "#bcbd22"),
                ("stock_producers", "Unsold at producers", "#ff7f0e"))


def dose_ledger(ledger: pd.DataFrame, title: str) -> Figure:
    """Where every produced dose is: administered, expired, in stock, in transit, unsold
    (median over members), stacked under the produced total.
    """
    med = ledger.groupby("date").median(numeric_only=True)
    parts = [p for p in LEDGER_PARTS if med[p[0]].abs().max() >= 0.5]  # drop empty layers
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        if parts:
            ax.stackplot(med.index, *[med[c].clip(lower=0).to_numpy() for c, _, _ in parts],
                         labels=[lab for _, lab, _ in parts], colors=[c for _, _, c in parts],
                         alpha=0.85)
        else:   # nothing produced, held or given (no production, or a run too short)
            ax.text(0.5, 0.5, "no doses produced in this run", transform=ax.transAxes,
                    ha="center", va="center", color="#555555")
        ax.plot(med.index, med["produced_cum"], color="black", lw=1.5, label="Produced")
        unit_axis(ax, "count")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Date")
        ax.set_ylabel("Doses (cumulative)")
        members = ledger["member"].nunique()
        ax.set_title(f"{title}: where the produced doses are"
                     + (f"\n(median of {members} replicates)" if members > 1 else ""))
        handles, labels = ax.get_legend_handles_labels()
        legend_outside(ax, handles=handles[::-1], labels=labels[::-1])
        date_ticks(fig)
        return fig


TARGET_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


def target_attainment(attainment: list[tuple[str, pd.Timestamp, pd.DataFrame]],
                      title: str) -> Figure | None:
    """Share of countries (solid) and of world population (dashed) at or above each
    dated target over time; a dotted vertical line marks each target's date. None when
    the scenario has no targets.

    ``attainment``: (label, target date, :func:`sim.metrics.target_attainment` table).
    """
    if not attainment:
        return None
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        members = 1
        for i, (label, by, att) in enumerate(attainment):
            c = TARGET_COLORS[i % len(TARGET_COLORS)]
            att = att.assign(share_countries=att["countries_met"] / att["countries_total"])
            members = att["member"].nunique()
            band(ax, att, "date", "share_countries", c, f"{label}: share of countries")
            band(ax, att, "date", "population_share_met", c, f"{label}: share of people", "--")
            if att["date"].min() <= by <= att["date"].max():
                ax.axvline(by, color=c, ls=":", lw=1.2)
        percent_axis(ax)
        ax.set_xlabel("Date")
        ax.set_ylabel("Share meeting the target (%)")
        ax.set_title(f"{title}: countries meeting coverage targets\n"
                     f"dotted line: target date; {band_note(members)}")
        legend_outside(ax, fontsize=9)
        date_ticks(fig)
        return fig
