"""Plots of the diplomacy mechanisms: pool deliveries and other diplomatic flows over time,
and donor → recipient flows (top donors, by recipients' WHO region).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.engine.record import DIPLOMACY_FIELDS
from sim.output.plots.style import STYLE, band_arrays, band_note, save
from sim.scenario.schema import WHO_REGIONS

if TYPE_CHECKING:
    from sim.outcomes.results import Results

FLOW_STYLE = {
    "pool_bought_cum": ("Bought by the pool", "#9467bd", "--"),
    "pool_delivered_cum": ("Delivered by the pool", "#9467bd", "-"),
    "donated_bilateral_cum": ("Donated bilaterally", "#2ca02c", "-"),
    "licensed_output_cum": ("Filled under licence", "#ff7f0e", "-"),
}
REGION_COLORS = dict(zip(WHO_REGIONS, ["#8c564b", "#1f77b4", "#ff7f0e", "#2ca02c",
                                       "#d62728", "#9467bd"], strict=True))
REGION_LABELS = {"AFR": "Africa", "AMR": "Americas", "SEAR": "South-East Asia",
                 "EUR": "Europe", "EMR": "Eastern Mediterranean", "WPR": "Western Pacific"}


def diplomatic_flows(results: Results, path: Path, title: str) -> Path | None:
    """Cumulative doses bought and delivered by the pool, donated bilaterally and filled
    under licence (median over members, 5–95% band); None if the run has none.
    """
    flows = results.trajectories.diplomacy                   # (E, D, K)
    if not flows.size or not flows.any():
        return None
    dates = results.world.dates
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 5))
        for k, (label, color, style) in FLOW_STYLE.items():
            y = flows[:, :, DIPLOMACY_FIELDS.index(k)] / 1e6
            if not y.any():
                continue
            band_arrays(ax, dates, y, color, label, style)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Date")
        ax.set_ylabel("Doses (millions, cumulative)")
        ax.set_title(f"{title}: pool deliveries, donations and licensed output\n"
                     f"{band_note(flows.shape[0])}")
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
        return save(fig, path)


def donor_flows(donations: pd.DataFrame | None, regions: pd.Series, path: Path, title: str,
                top: int = 12) -> Path | None:
    """Doses each of the ``top`` bilateral donors gave, split by the recipients' WHO region
    (mean over members); None if nobody donated bilaterally.

    regions : WHO region by ISO3
    """
    if donations is None:
        return None
    bil = donations[donations["channel"] == "bilateral"]
    if bil.empty:
        return None
    members = max(donations["member"].nunique(), 1)
    table = (bil.assign(region=bil["recipient"].map(regions))
             .pivot_table(index="donor", columns="region", values="doses", aggfunc="sum")
             .reindex(columns=list(WHO_REGIONS)).fillna(0.0) / members / 1e6)
    table = table.loc[table.sum(axis=1).nlargest(top).index[::-1]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.35 * len(table) + 2.2))
        left = np.zeros(len(table))
        for r in WHO_REGIONS:
            ax.barh(table.index, table[r], left=left, color=REGION_COLORS[r],
                    label=REGION_LABELS[r])
            left += table[r].to_numpy()
        ax.set_xlabel("Doses donated bilaterally (millions, whole run)")
        ax.set_ylabel("Donor")
        ax.set_title(f"{title}: top bilateral donors by recipients' WHO region")
        ax.legend(loc="lower right", title="Recipients in")
        return save(fig, path)


def plot_diplomacy(results: Results, out: Path) -> list[Path | None]:
    """Every diplomacy plot of a run (None for those with nothing to show)."""
    name = results.scenario.name
    regions = pd.Series(results.world.who_region, index=results.world.iso3)
    return [diplomatic_flows(results, out / "diplomatic_flows.png", name),
            donor_flows(results.donations, regions, out / "donor_flows.png", name)]
