"""Plot of adaptive strategies: how many countries follow each strategy over time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sim.output.plots.dates import date_ticks
from sim.output.plots.style import DONOR_COLORS, STYLE, band, band_note, figure, legend_outside
from sim.scenario.adaptation import STRATEGIES

#: Strategy colours: none of them an income group's (red is low income everywhere), the
#: pool strategy in the pool's own colour.
STRATEGY_COLORS = {"need": "#7f7f7f", "hoard": "#8c564b", "donate": "#17becf",
                   "pool": DONOR_COLORS["POOL"]}
STRATEGY_LABELS = {"need": "Order for need", "hoard": "Hoard",
                   "donate": "Donate surplus", "pool": "Pool surplus"}


def strategy_counts(strategies: pd.DataFrame, title: str) -> Figure | None:
    """Countries following each strategy, by date (median and 5–95% band over members);
    None when no country ever changes strategy (the plot would be flat lines).
    """
    changes = strategies.groupby(["member", "strategy"])["count"].nunique()
    if (changes <= 1).all():
        return None
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        for s in STRATEGIES:
            sub = strategies[strategies["strategy"] == s]
            band(ax, sub, "date", "count", STRATEGY_COLORS[s], STRATEGY_LABELS[s])
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Date")
        ax.set_ylabel("Countries (number)")
        ax.set_title(f"{title}: countries by strategy\n"
                     f"{band_note(strategies['member'].nunique())}")
        legend_outside(ax)
        date_ticks(fig)
        return fig
