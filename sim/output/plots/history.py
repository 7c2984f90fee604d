"""The history check plot: a run's supply series against the observed 2021 figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outcomes.history import SERIES, supply_series
from sim.output.plots.dates import date_ticks
from sim.output.plots.style import STYLE, band_arrays, band_note, panel_figure

if TYPE_CHECKING:
    from sim.outcomes.results import Results

#: One panel's inputs: series key, group, model values (E, D) doses, observations.
Panel = tuple[str, str, np.ndarray, pd.DataFrame]


def history_check(results: Results, title: str) -> Figure | None:
    """One panel per supply series of the history check (COVAX deliveries, India's and
    China's exports, China's donations, licensees' output, Vietnam's receipts): the
    model's median and 5–95% band (millions of doses, cumulative) and the observed
    figures (filled markers; open ones are estimates derived in SOURCES.md). None when
    the run covers none of them.
    """
    return supply_check(supply_series(results), results.world.dates, title)


def supply_check(panels: Sequence[Panel], dates: Sequence[Any], title: str) -> Figure | None:
    """:func:`history_check` from its inputs: ``panels`` from
    :func:`sim.outcomes.history.supply_series` (series, group, model values (E, D) doses,
    observations) and the run's ``dates`` (D,). Small and picklable, so a worker
    process draws it without the run's results.
    """
    start, end = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])

    def within(obs: pd.DataFrame) -> pd.DataFrame:
        when = pd.to_datetime(obs["date"])
        return obs[(when >= start) & (when <= end)]

    panels = [p for p in panels if len(within(p[3]))]
    if not panels:
        return None
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    with plt.rc_context(STYLE):
        fig, axes = panel_figure((5 * cols, 3.6 * rows), rows, cols, len(panels))
        for ax, (series, group, values, obs) in zip(axes, panels, strict=True):
            band_arrays(ax, dates, values / 1e6, "#1f77b4", "model")
            inside = within(obs)
            for est in (0, 1):
                o = inside[inside["estimate"] == est]
                if len(o):
                    ax.plot(pd.to_datetime(o["date"]), o["observed"] / 1e6, "o",
                            color="black", ms=6, mfc="white" if est else "black",
                            label="observed (estimate)" if est else "observed")
            ax.set_title(f"{group}: {SERIES[series].split(',')[0]}", fontsize=10)
            ax.set_ylabel("million doses")
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=7, loc="upper left")
        fig.suptitle(f"{title}: history check ({band_note(int(np.shape(panels[0][2])[0]))})")
        date_ticks(fig)
        fig.tight_layout()
        return fig
