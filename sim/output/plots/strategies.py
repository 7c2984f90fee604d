"""Plot of adaptive strategies: how many countries follow each strategy over time."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.output.plots.style import STYLE, band, band_note, save
from sim.scenario.adaptation import STRATEGIES

STRATEGY_COLORS = {"need": "#7f7f7f", "hoard": "#d62728", "donate": "#2ca02c",
                   "pool": "#9467bd"}
STRATEGY_LABELS = {"need": "Order for need", "hoard": "Hoard",
                   "donate": "Donate surplus", "pool": "Pool surplus"}


def strategy_counts(strategies: pd.DataFrame, path: Path, title: str) -> Path:
    """Countries following each strategy, by date (median and 5–95% band over members)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 5))
        for s in STRATEGIES:
            sub = strategies[strategies["strategy"] == s]
            band(ax, sub, "date", "count", STRATEGY_COLORS[s], STRATEGY_LABELS[s])
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Date")
        ax.set_ylabel("Countries")
        ax.set_title(f"{title}: countries by strategy\n"
                     f"{band_note(strategies['member'].nunique())}")
        ax.legend(loc="center right")
        fig.autofmt_xdate()
        return save(fig, path)
