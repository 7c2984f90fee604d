"""PNG plots of a run, in one consistent style, readable when printed.

Every function takes tidy tables (see :mod:`sim.results`) and a file path, draws with
matplotlib's non-interactive backend and writes a PNG. With several members the line
is the median and the band the 5–95% range.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import pandas as pd  # noqa: E402

from sim.engine.record import GROUPS  # noqa: E402

if TYPE_CHECKING:
    from sim.results import Results

GROUP_COLORS = {"World": "#222222", "HIC": "#1f77b4", "UMIC": "#2ca02c", "LMIC": "#ff7f0e",
                "LIC": "#d62728"}
GROUP_LABELS = {"World": "World", "HIC": "High income", "UMIC": "Upper-middle income",
                "LMIC": "Lower-middle income", "LIC": "Low income"}
STYLE = {"figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False, "font.size": 10, "axes.titlesize": 12,
         "legend.frameon": False}


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _band(ax: plt.Axes, df: pd.DataFrame, x: str, y: str, color: str, label: str | None,
          style: str = "-") -> None:
    """Median line and 5–95% band over members."""
    g = df.groupby(x)[y]
    med = g.median()
    ax.plot(med.index, med.to_numpy(), style, color=color, label=label, lw=1.8)
    if df["member"].nunique() > 1:
        ax.fill_between(med.index, g.quantile(0.05).to_numpy(), g.quantile(0.95).to_numpy(),
                        color=color, alpha=0.18, lw=0)


def coverage_by_group(groups: pd.DataFrame, path: Path, title: str) -> Path:
    """Share of population with ≥1 dose (solid) and a full course (dashed) by group."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 5))
        for g in GROUPS:
            sub = groups[groups["group"] == g]
            _band(ax, sub, "date", "coverage_first", GROUP_COLORS[g], GROUP_LABELS[g])
            _band(ax, sub, "date", "coverage_completed", GROUP_COLORS[g], None, "--")
        ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
        ax.set_ylim(0, 1)
        ax.set_xlabel("Date")
        ax.set_ylabel("Share of population")
        ax.set_title(f"{title}: vaccination coverage by income group\n"
                     "solid: at least one dose; dashed: full course")
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
        return _save(fig, path)


def doses_per_100(countries: pd.DataFrame, path: Path, title: str, k: int = 20) -> Path:
    """Doses administered per 100 people at the end: the top and bottom ``k`` countries."""
    last = countries[countries["date"] == countries["date"].max()]
    per = last.groupby(["iso3", "name", "income_group"], as_index=False)["doses_per_100"]\
        .median().sort_values("doses_per_100", ascending=False)
    k = min(k, max(len(per) // 2, 1))
    parts = [("Highest", per.head(k)), ("Lowest", per.tail(k))]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(12, 0.28 * k + 2.2), sharex=True)
        for ax, (label, part) in zip(axes, parts, strict=True):
            part = part.iloc[::-1]
            ax.barh(part["name"], part["doses_per_100"],
                    color=[GROUP_COLORS[g] for g in part["income_group"]])
            ax.set_title(f"{label} {len(part)} countries")
            ax.set_xlabel("Doses administered per 100 people")
            ax.tick_params(axis="y", labelsize=8)
        handles = [plt.Rectangle((0, 0), 1, 1, color=GROUP_COLORS[g]) for g in GROUPS[1:]]
        fig.legend(handles, [GROUP_LABELS[g] for g in GROUPS[1:]], loc="lower center",
                   ncol=4, bbox_to_anchor=(0.5, -0.02))
        date = pd.Timestamp(last["date"].iloc[0]).date()
        fig.suptitle(f"{title}: doses per 100 people on {date}")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        return _save(fig, path)


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
        return _save(fig, path)


def plot_run(results: Results, out: Path) -> list[Path]:
    """Write every plot of one run into ``out``; return the paths."""
    from sim.plots import strategies

    name = results.scenario.name
    return [
        coverage_by_group(results.groups, out / "coverage_by_group.png", name),
        doses_per_100(results.countries, out / "doses_per_100.png", name),
        dose_ledger(results.ledger, out / "dose_ledger.png", name),
        strategies.strategy_counts(results.strategies, out / "strategies.png", name),
    ]
