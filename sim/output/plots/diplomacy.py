"""Plots of the diplomacy mechanisms: flows over time, top donors by recipients' region,
the diplomacy map (donor → recipient and pool flows on the world map, with doses by
channel and donor bloc) and the influence choropleth.

Donors are grouped into blocs for colour and totals: the EU's member states give as one
bloc ("EU", as Team Europe did), every other donor is its own bloc. Colours come from
:func:`sim.output.plots.style.donor_color`, names from the run's world: no ISO3 code reaches a
label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.engine.fields import DIPLOMACY_FIELDS
from sim.outcomes import formatting
from sim.output.plots.dates import date_ticks
from sim.output.plots.style import (
    DONOR_COLORS,
    MAP_STYLE,
    POOL_LABEL,
    STYLE,
    band_arrays,
    band_note,
    donor_color,
    figure,
    legend_outside,
    unit_axis,
)
from sim.output.plots.worldmap import anchors, draw_countries, map_frame
from sim.scenario.schema import WHO_REGIONS

POOL = "POOL"
#: Cumulative flows over time, in legend order: (label, colour, line style).
FLOW_STYLE = {
    "pool_contributed_cum": ("Given to the pool by donors", DONOR_COLORS["POOL"], ":"),
    "pool_bought_cum": ("Bought by the pool", DONOR_COLORS["POOL"], "--"),
    "pool_delivered_cum": ("Delivered by the pool", DONOR_COLORS["POOL"], "-"),
    "donated_bilateral_cum": ("Donated bilaterally", "#17becf", "-"),
    "licensed_output_cum": ("Filled under licence", "#bcbd22", "-"),
}
#: WHO regions in pastels, so no region reads as an income group.
REGION_COLORS = dict(zip(WHO_REGIONS, ["#fc8d62", "#8da0cb", "#e78ac3", "#a6d854",
                                       "#ffd92f", "#66c2a5"], strict=True))
REGION_LABELS = {"AFR": "Africa", "AMR": "Americas", "SEAR": "South-East Asia",
                 "EUR": "Europe", "EMR": "Eastern Mediterranean", "WPR": "Western Pacific"}
#: Where the pool sits on the map: a schematic hub in the South Atlantic (not a country).
POOL_ANCHOR = (-25.0, -38.0)
#: Blocs shown by name; the rest are "Other donors".
TOP_BLOCS = 7
#: Bars of the diplomacy map: doses given bilaterally or to the pool by each donor bloc,
#: and delivered by the pool (its own row): (label, hatch).
BAR_CHANNELS = {"bilateral": ("Bilateral gifts", None), "to_pool": ("Gifts to the pool", "///"),
                "from_pool": ("Delivered by the pool", "..")}
CHANNELS = ("bilateral", "pool")


def diplomatic_flows(flows: np.ndarray, dates: pd.DatetimeIndex, title: str) -> Figure | None:
    """Cumulative doses given to, bought and delivered by the pool, donated bilaterally and
    filled under licence (median over members, 5–95% band); None if the run has none.

    flows : (E, D, K) cumulative doses, K in ``DIPLOMACY_FIELDS`` order
    """
    if not flows.size or not flows.any():
        return None
    present = [k for k in FLOW_STYLE if flows[:, :, DIPLOMACY_FIELDS.index(k)].any()]
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 5))
        for k in present:
            label, color, style = FLOW_STYLE[k]
            band_arrays(ax, dates, flows[:, :, DIPLOMACY_FIELDS.index(k)], color, label, style)
        ax.set_ylim(bottom=0)
        unit_axis(ax, "count")
        ax.set_xlabel("Date")
        ax.set_ylabel("Doses (cumulative)")
        what = []
        if any(k.startswith("pool") for k in present):
            what.append("the pool")
        if "donated_bilateral_cum" in present:
            what.append("bilateral donations")
        if "licensed_output_cum" in present:
            what.append("licensed output")
        ax.set_title(f"{title}: doses through "
                     f"{', '.join(what[:-1]) + ' and ' if len(what) > 1 else ''}{what[-1]}"
                     f" (cumulative)\n{band_note(flows.shape[0])}")
        legend_outside(ax)
        date_ticks(fig)
        return fig


def donor_flows(donations: pd.DataFrame | None, countries: pd.DataFrame, title: str,
                top: int = 12) -> Figure | None:
    """Doses each of the ``top`` bilateral donors gave, split by the recipients' WHO region
    (mean over members); None if nobody donated bilaterally.

    countries : one row per country indexed by ISO3 with ``name`` and ``who_region``
    """
    if donations is None:
        return None
    from sim.outcomes.diplomacy_metrics import recipient_attribute

    bil = donations[(donations["channel"] == "bilateral") & real_doses(donations)]
    if bil.empty:
        return None
    members = max(donations["member"].nunique(), 1)
    table = (bil.assign(region=recipient_attribute(bil["recipient"], countries["who_region"],
                                                   "who_region"))
             .pivot_table(index="donor", columns="region", values="doses", aggfunc="sum")
             .reindex(columns=list(WHO_REGIONS)).fillna(0.0) / members)
    table = table.loc[table.sum(axis=1).nlargest(top).index[::-1]]
    names = [countries["name"].get(c, c) for c in table.index]
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 0.35 * len(table) + 2.2))
        left = np.zeros(len(table))
        for r in WHO_REGIONS:
            if table[r].any():
                ax.barh(names, table[r], left=left, color=REGION_COLORS[r],
                        label=REGION_LABELS[r])
            left += table[r].to_numpy()
        unit_axis(ax, "count", "x")
        ax.set_xlabel("Doses donated bilaterally (whole run"
                      + (", mean over replicates)" if members > 1 else ")"))
        ax.set_ylabel("Donor")
        ax.set_title(f"{title}: top bilateral donors by recipients' WHO region")
        legend_outside(ax, title="Recipients in")
        return fig


def real_doses(table: pd.DataFrame) -> np.ndarray:
    """Mask of rows whose ``doses`` are not floating-point dust (1e-9 doses is not a
    gift): at least the count resolution of :mod:`sim.outcomes.formatting`.
    """
    return formatting.snap(table["doses"].to_numpy(dtype=float), "count") > 0


# ------------------------------------------------------------------ the diplomacy map
def donor_bloc(codes: pd.Series, eu: frozenset[str]) -> pd.Series:
    """The donor bloc of each code: ``EU`` for EU member states, the pool stays ``POOL``,
    every other donor is its own bloc.
    """
    return codes.where(~codes.isin(eu), "EU")


def bloc_name(code: str, names: Mapping[str, str]) -> str:
    """Display name of a bloc code."""
    return {"EU": "EU members", POOL: POOL_LABEL, "OTHER": "Other donors"}.get(
        code, names.get(code, code))


def flow_pairs(donations: pd.DataFrame, eu: frozenset[str]) -> pd.DataFrame:
    """Doses per (donor, recipient, channel) over the whole run, mean over members, with
    the donor's bloc; the largest first.
    """
    members = max(donations["member"].nunique(), 1)
    pairs = (donations.groupby(["donor", "recipient", "channel"], as_index=False)["doses"]
             .sum())
    pairs["doses"] /= members
    pairs = pairs[real_doses(pairs)]
    pairs["bloc"] = donor_bloc(pairs["donor"], eu)
    return pairs.sort_values("doses", ascending=False, ignore_index=True)


def _arc(a: tuple[float, float], b: tuple[float, float], bend: float = 0.25) -> np.ndarray:
    """(k, 2) points of a quadratic Bézier arc from ``a`` to ``b``, bowed to the left."""
    (x0, y0), (x1, y1) = a, b
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cx, cy = mx - bend * (y1 - y0), my + bend * (x1 - x0)
    t = np.linspace(0, 1, 40)[:, None]
    return ((1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * np.array([cx, cy])
            + t ** 2 * np.array([x1, y1]))


class Arc(NamedTuple):
    """One flow on the map: (k, 2) lon/lat points, colour, line width (points), and
    whether it is dashed (a gift to the pool).
    """

    points: np.ndarray
    color: str
    width: float
    dashed: bool


#: Dash pattern (on, off; in line widths) of the arcs of gifts to the pool.
POOL_DASHES = (0, (3, 1.5))


def draw_arcs(ax: plt.Axes, arcs: Sequence[Arc]) -> list[LineCollection]:
    """Draw ``arcs`` in order (the last on top), 75% opaque, solid ones with round caps:
    one :class:`LineCollection` per run of arcs of the same style instead of one
    ``Line2D`` each (an artist costs ~0.5 ms to make and draw; the map has ~80 arcs).
    """
    out = []
    for dashed, run in groupby(arcs, key=lambda a: a.dashed):
        group = list(run)
        lines = LineCollection([a.points for a in group], colors=[a.color for a in group],
                               linewidths=[a.width for a in group], alpha=0.75,
                               linestyles=POOL_DASHES if dashed else "solid",
                               capstyle="butt" if dashed else "round")
        ax.add_collection(lines, autolim=False)
        out.append(lines)
    return out


def _widths(doses: np.ndarray, top: float) -> np.ndarray:
    return 0.4 + 4.6 * np.sqrt(doses / top)


def bloc_channel_table(pairs: pd.DataFrame, top: int = TOP_BLOCS) -> pd.DataFrame:
    """Doses by donor bloc (rows: the ``top`` largest givers, then ``OTHER``, then the
    pool) and channel (columns of :data:`BAR_CHANNELS`: given bilaterally, given to the
    pool, delivered by the pool, which only the pool's row has).
    """
    kind = np.where(pairs["donor"] == POOL, "from_pool",
                    np.where(pairs["recipient"] == POOL, "to_pool", "bilateral"))
    table = (pairs.assign(kind=kind)
             .pivot_table(index="bloc", columns="kind", values="doses", aggfunc="sum")
             .reindex(columns=list(BAR_CHANNELS)).fillna(0.0))
    givers = table.drop(index=POOL, errors="ignore")
    order = givers.sum(axis=1).sort_values(ascending=False)
    out = givers.loc[list(order.index[:top])]
    if len(order) > top:
        out.loc["OTHER"] = givers.loc[order.index[top:]].sum()
    if POOL in table.index:
        out.loc[POOL] = table.loc[POOL]
    return out


def diplomacy_map(donations: pd.DataFrame | None, countries: pd.DataFrame,
                  eu: frozenset[str], title: str, top: int = 40) -> Figure | None:
    """Who gave what to whom: donor → recipient arcs (colour: donor bloc; width: doses)
    and pool flows (donors → pool hub → recipients) over the world map, and beside it the
    doses each donor bloc gave by channel. None when no dose was given.

    Parameters
    ----------
    donations : the ``donations`` table (member, date, donor, recipient, doses, channel)
    countries : one row per simulated country indexed by ISO3, with ``name``
    eu : ISO3 codes of EU member states (shown as one bloc)
    top : arcs drawn per channel (the largest flows); the bars count every flow
    """
    if donations is None:
        return None
    pairs = flow_pairs(donations, eu)
    if pairs.empty:
        return None
    names = countries["name"].to_dict()
    at = anchors()
    bars = bloc_channel_table(pairs)
    blocs_shown = set(bars.index)
    arcs = pairs[pairs["donor"].isin(at.keys()) | (pairs["donor"] == POOL)]
    arcs = arcs[arcs["recipient"].isin(at.keys()) | (arcs["recipient"] == POOL)]
    drawn = pd.concat([arcs[arcs["channel"] == c].head(top) for c in CHANNELS])
    biggest = float(drawn["doses"].max())
    members = donations["member"].nunique()
    with plt.rc_context(MAP_STYLE):
        fig, (ax, bx) = figure((15, 6.2), 1, 2, gridspec_kw={"width_ratios": [2.6, 1]})
        draw_countries(ax, {c: "#eeeeee" for c in countries.index})
        flows = []
        for row in drawn.iloc[::-1].itertuples():
            a = POOL_ANCHOR if row.donor == POOL else at[row.donor]
            b = POOL_ANCHOR if row.recipient == POOL else at[row.recipient]
            bloc = row.bloc if row.bloc in blocs_shown or row.bloc == POOL else "OTHER"
            flows.append(Arc(_arc(a, b), donor_color(bloc),
                             float(_widths(np.array([row.doses]), biggest)[0]),
                             row.recipient == POOL))
        draw_arcs(ax, flows)
        recipients = drawn.loc[drawn["recipient"] != POOL, "recipient"].unique()
        xy = np.array([at[r] for r in recipients]).reshape(-1, 2)
        ax.scatter(xy[:, 0], xy[:, 1], s=9, color="#333333", zorder=4)
        if (pairs["channel"] == "pool").any():
            ax.scatter(*POOL_ANCHOR, s=140, marker="H", color=donor_color(POOL), zorder=5)
            ax.annotate(f"{POOL_LABEL}\n(hub, not a place)", POOL_ANCHOR, xytext=(0, -16),
                        textcoords="offset points", ha="center", va="top", fontsize=8)
        map_frame(ax)
        ax.set_title(f"Largest {top} flows per channel; width ∝ √doses; dashed: gifts to "
                     "the pool", fontsize=10)
        width_keys = [biggest, biggest / 10, biggest / 100]
        handles = [Line2D([], [], color="#555555", lw=float(_widths(np.array([w]), biggest)[0]))
                   for w in width_keys]
        ax.legend(handles, [f"{formatting.count(w)} doses" for w in width_keys],
                  loc="lower left", fontsize=8, title="Arc width", title_fontsize=8)
        left = np.zeros(len(bars))
        labels = [bloc_name(b, names) for b in bars.index][::-1]
        for ch, (label, hatch) in BAR_CHANNELS.items():
            vals = bars[ch].to_numpy()[::-1]
            bx.barh(labels, vals, left=left,
                    color=[donor_color(b) for b in bars.index][::-1],
                    hatch=hatch, edgecolor="white", label=label)
            left = left + vals
        unit_axis(bx, "count", "x")
        bx.set_xlabel("Doses (whole run" + (", mean over replicates)" if members > 1 else ")"))
        bx.set_ylabel("Donor bloc")
        bx.set_title("Doses by donor bloc and channel", fontsize=10)
        present = [ch for ch in BAR_CHANNELS if bars[ch].any()]
        bx.legend(handles=[Patch(facecolor="#bbbbbb", hatch=BAR_CHANNELS[ch][1],
                                 edgecolor="white", label=BAR_CHANNELS[ch][0])
                           for ch in present], loc="lower right", fontsize=8)
        bx.grid(axis="x", alpha=0.3)
        fig.suptitle(f"{title}: who gave vaccine doses to whom")
        fig.tight_layout()
        return fig


def influence_table(donations: pd.DataFrame, eu: frozenset[str]) -> pd.DataFrame:
    """Per recipient: the donor bloc with the most influence on the last day (doses given
    bilaterally, each weighted by 0.5 ** (age / half-life), mean over members), that
    bloc's share of all influence on the recipient, and the total.
    """
    from sim.outcomes.diplomacy_metrics import influence

    inf = influence(donations[real_doses(donations)])
    if inf.empty:
        return pd.DataFrame(columns=["recipient", "bloc", "share", "influence"])
    members = max(donations["member"].nunique(), 1)
    inf = inf.assign(bloc=donor_bloc(inf["donor"], eu))
    per = inf.groupby(["recipient", "bloc"], as_index=False)["influence"].sum()
    per["influence"] /= members
    total = per.groupby("recipient")["influence"].transform("sum")
    per["share"] = per["influence"] / total
    return (per.sort_values(["recipient", "influence"], ascending=[True, False])
            .groupby("recipient", as_index=False).first())


#: Influence per inhabitant shaded from :data:`INFLUENCE_RANGE`'s low end (palest) to its
#: high end (full colour), on a log scale; below the low end a recipient is not coloured.
INFLUENCE_RANGE = (1e-4, 5e-2)


def _shade(color: str, per_person: float) -> tuple[float, ...]:
    """``color`` blended with white by where ``per_person`` falls in the range."""
    lo, hi = INFLUENCE_RANGE
    t = float(np.clip(np.log(per_person / lo) / np.log(hi / lo), 0.0, 1.0))
    rgba = np.array(to_rgba(color))
    rgba[:3] = 1 - (0.2 + 0.8 * t) * (1 - rgba[:3])
    return tuple(rgba)


def influence_map(donations: pd.DataFrame | None, countries: pd.DataFrame,
                  eu: frozenset[str], end: pd.Timestamp, half_life_days: float,
                  title: str) -> Figure | None:
    """Where influence went: each recipient filled with the colour of the donor bloc
    holding the most influence over it at the end, darker the more influence per
    inhabitant (see :data:`INFLUENCE_RANGE`); None when nobody gave bilaterally.

    countries : indexed by ISO3, with ``name`` and ``population``
    end, half_life_days : the day influence is taken on and the half-life it was taken
        with (the ``donations`` table's ``influence``), for the title
    """
    if donations is None:
        return None
    top = influence_table(donations, eu)
    top = top.assign(per_person=top["influence"].to_numpy(dtype=float)
                     / countries["population"].reindex(top["recipient"]).to_numpy(dtype=float))
    top = top[top["per_person"] >= INFLUENCE_RANGE[0]]
    if top.empty:
        return None
    ranked = top.groupby("bloc")["influence"].sum().sort_values(ascending=False)
    shown = list(ranked.index[:TOP_BLOCS])
    top["bloc"] = top["bloc"].where(top["bloc"].isin(shown), "OTHER")
    fills = {row.recipient: _shade(donor_color(row.bloc), row.per_person)
             for row in top.itertuples()}
    names = countries["name"].to_dict()
    with plt.rc_context(MAP_STYLE):
        fig, ax = figure((12, 6))
        draw_countries(ax, {**{c: "#f4f4f4" for c in countries.index}, **fills})
        map_frame(ax)
        counts = top["bloc"].value_counts()
        order = [b for b in [*shown, "OTHER"] if b in counts]
        ax.legend([Patch(color=donor_color(b)) for b in order],
                  [f"{bloc_name(b, names)} ({counts[b]} countries)" for b in order],
                  loc="lower left", fontsize=8, title="Largest influence", title_fontsize=8)
        lo, hi = INFLUENCE_RANGE
        ax.set_title(f"{title}: where influence went on {pd.Timestamp(end).date()}\n"
                     "each recipient in the colour of the donor bloc with the most influence "
                     f"(doses given bilaterally, half-life {half_life_days:g} days);\n"
                     f"darker: more per inhabitant ({lo * 100:g}–{hi * 100:g} doses per 100 "
                     f"people); grey: under {lo * 1e4:g} per 10,000 people or none",
                     fontsize=10)
        return fig
