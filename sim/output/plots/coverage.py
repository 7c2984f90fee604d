"""Coverage plots of one run: by income group over time, country ranking, dose ledger,
attainment of dated targets.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.engine.record import GROUPS
from sim.output.plots.style import (
    GROUP_COLORS,
    GROUP_LABELS,
    STYLE,
    band,
    band_note,
    percent_axis,
    save,
)


def coverage_by_group(groups: pd.DataFrame, path: Path, title: str) -> Path:
    """Share of population with ≥1 dose (solid) and a full course (dashed) by group."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 5))
        for g in GROUPS:
            sub = groups[groups["group"] == g]
            band(ax, sub, "date", "coverage_first", GROUP_COLORS[g], GROUP_LABELS[g])
            band(ax, sub, "date", "coverage_completed", GROUP_COLORS[g], None, "--")
        percent_axis(ax)
        ax.set_xlabel("Date")
        ax.set_ylabel("Share of population")
        ax.set_title(f"{title}: vaccination coverage by income group\n"
                     f"solid: at least one dose; dashed: full course; "
                     f"{band_note(groups['member'].nunique())}")
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
        return save(fig, path)


def country_ranking(countries: pd.DataFrame, path: Path, title: str,
                    column: str = "doses_per_100", k: int = 20) -> Path:
    """The top and bottom ``k`` countries by ``column`` on the last recorded day.

    ``column`` is ``doses_per_100`` (doses administered per 100 people) or
    ``coverage_first`` (share with ≥1 dose, drawn as a percentage).
    """
    last = countries[countries["date"] == countries["date"].max()]
    per = last.groupby(["iso3", "name", "income_group"], as_index=False)[column]\
        .median().sort_values(column, ascending=False)
    share = column.startswith("coverage")
    if share:
        per[column] = 100 * per[column]
    xlabel = {"doses_per_100": "Doses administered per 100 people",
              "coverage_first": "Share of population with at least one dose (%)"}.get(
                  column, column)
    k = min(k, max(len(per) // 2, 1))
    parts = [("Highest", per.head(k)), ("Lowest", per.tail(k))]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(12, 0.28 * k + 2.2), sharex=True)
        for ax, (label, part) in zip(axes, parts, strict=True):
            part = part.iloc[::-1]
            bars = ax.barh(part["name"], part[column],
                           color=[GROUP_COLORS[g] for g in part["income_group"]])
            ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
            ax.set_title(f"{label} {len(part)} countries")
            ax.set_xlabel(xlabel)
            ax.tick_params(axis="y", labelsize=8)
        handles = [plt.Rectangle((0, 0), 1, 1, color=GROUP_COLORS[g]) for g in GROUPS[1:]]
        fig.legend(handles, [GROUP_LABELS[g] for g in GROUPS[1:]], loc="lower center",
                   ncol=4, bbox_to_anchor=(0.5, -0.02))
        date = pd.Timestamp(last["date"].iloc[0]).date()
        what = "coverage (≥1 dose)" if share else "doses per 100 people"
        members = countries["member"].nunique()
        fig.suptitle(f"{title}: {what} on {date}"
                     + (f" (median of {members} replicates)" if members > 1 else ""))
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        return save(fig, path)


def doses_per_100(countries: pd.DataFrame, path: Path, title: str, k: int = 20) -> Path:
    """Doses administered per 100 people at the end: the top and bottom ``k`` countries."""
    return country_ranking(countries, path, title, "doses_per_100", k)


def dose_ledger(ledger: pd.DataFrame, path: Path, title: str) -> Path:
    """Where every produced dose is: administered, expired, in stock, in transit, unsold."""
    med = ledger.groupby("date").median(numeric_only=True) / 1e9
    parts = [("administered_cum", "Administered", "#2ca02c"),
             ("expired_cum", "Expired", "#7f7f7f"),
             ("stock_countries", "In country stock", "#1f77b4"),
             ("stock_pool", "In pool stock", "#9467bd"),
             ("in_transit", "In transit", "#bcbd22"),
             ("stock_producers", "Unsold at producers", "#ff7f0e")]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 5))
        ax.stackplot(med.index, *[med[c].to_numpy() for c, _, _ in parts],
                     labels=[lab for _, lab, _ in parts], colors=[c for _, _, c in parts],
                     alpha=0.85)
        ax.plot(med.index, med["produced_cum"], color="black", lw=1.5, label="Produced")
        ax.set_xlabel("Date")
        ax.set_ylabel("Doses (billions, cumulative)")
        ax.set_title(f"{title}: dose ledger")
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
        return save(fig, path)


def target_attainment(attainment: list[tuple[str, pd.Timestamp, pd.DataFrame]], path: Path,
                      title: str) -> Path:
    """Share of countries (solid) and of world population (dashed) at or above each
    dated target over time; a dotted vertical line marks each target's date.

    ``attainment``: (label, target date, :func:`sim.outcomes.metrics.target_attainment` table).
    """
    colors = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 5))
        members = 1
        for i, (label, by, att) in enumerate(attainment):
            c = colors[i % len(colors)]
            att = att.assign(share_countries=att["countries_met"] / att["countries_total"])
            members = att["member"].nunique()
            band(ax, att, "date", "share_countries", c, f"{label}: share of countries")
            band(ax, att, "date", "population_share_met", c, f"{label}: share of people", "--")
            if att["date"].min() <= by <= att["date"].max():
                ax.axvline(by, color=c, ls=":", lw=1.2)
        percent_axis(ax)
        ax.set_xlabel("Date")
        ax.set_ylabel("Share meeting the target")
        ax.set_title(f"{title}: countries meeting coverage targets\n"
                     f"dotted line: target date; {band_note(members)}")
        ax.legend(loc="upper left", fontsize=9)
        fig.autofmt_xdate()
        return save(fig, path)
