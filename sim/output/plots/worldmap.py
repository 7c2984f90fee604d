"""The offline world map: Natural Earth 110m country outlines, a coverage choropleth, and
the drawing helpers the diplomacy maps share (country fills, anchor points, the frame).

The outlines ship in ``sim/data/naturalearth/`` (public domain; provenance in
``sim/data/SOURCES.md``) and are read with ``pyshp``; matplotlib draws the polygons
in plain longitude/latitude (equirectangular). Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from sim.data import DATA_DIR
from sim.output.plots.style import MAP_STYLE, figure, unit_axis

SHAPES = DATA_DIR / "naturalearth" / "ne_110m_admin_0_countries"
#: Natural Earth's own codes that differ from the ISO3 / World Bank codes the data uses.
ALIASES = {"KOS": "XKX"}
#: Fill of countries outside the simulated world, and of those with no value.
NOT_SIMULATED = "#dddddd"
#: Latitudes shown (Antarctica is cut).
LAT_RANGE = (-58.0, 84.0)


def map_code(record: dict) -> str:
    """ISO3 of a Natural Earth record: ISO_A3_EH, else ADM0_A3 (France, Norway and Kosovo
    have ISO_A3 "-99").
    """
    code = record["ISO_A3_EH"] if record["ISO_A3_EH"] != "-99" else record["ADM0_A3"]
    return ALIASES.get(code, code)


@cache
def outlines() -> tuple[tuple[str, tuple[np.ndarray, ...]], ...]:
    """((iso3, (rings as (k, 2) lon/lat arrays …)), …) for every Natural Earth country."""
    import shapefile

    out = []
    with shapefile.Reader(str(SHAPES)) as reader:
        # only the two code fields: decoding all 94 of them was ~70% of the read (73 -> 20 ms)
        for sr in reader.iterShapeRecords(fields=["ISO_A3_EH", "ADM0_A3"]):
            pts = np.asarray(sr.shape.points, dtype=float)
            bounds = [*sr.shape.parts, len(pts)]
            rings = tuple(pts[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
            out.append((map_code(sr.record.as_dict()), rings))
    return tuple(out)


def _ring_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """(area, lon, lat) of a polygon ring (shoelace formula, in degrees²)."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
    return abs(area), float(cx), float(cy)


@cache
def anchors() -> dict[str, tuple[float, float]]:
    """(lon, lat) anchor of every country on the map: the centroid of its largest ring
    (mainland France, not French Guiana), where flow arcs start and end.
    """
    out = {}
    for code, rings in outlines():
        _, lon, lat = max((_ring_centroid(r) for r in rings), key=lambda t: t[0])
        out[code] = (lon, lat)
    return out


def draw_countries(ax: plt.Axes, fills: Mapping[str, object], default: object = NOT_SIMULATED,
                   edge: str = "white") -> None:
    """Every country on ``ax``, filled with ``fills[iso3]`` (a colour), else ``default``."""
    polys, colors = [], []
    for code, rings in outlines():
        color = fills.get(code, default)
        for ring in rings:
            polys.append(ring)
            colors.append(color)
    ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors=edge,
                                     linewidths=0.3))


def map_frame(ax: plt.Axes) -> None:
    """Whole-world limits, equal aspect, no ticks, grid or spines (a map, not a chart).

    The map's axes carry no tick labels; they are still labelled (longitude, latitude)
    so that every axis of every vaxsim figure says what it holds.
    """
    ax.set_xlim(-180, 180)
    ax.set_ylim(*LAT_RANGE)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_xlabel("longitude (°)", fontsize=7, color="#999999")
    ax.set_ylabel("latitude (°)", fontsize=7, color="#999999")
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)


def coverage_map(coverage: pd.Series, title: str, date: pd.Timestamp) -> Figure:
    """Choropleth of ≥1-dose coverage by country.

    Parameters
    ----------
    coverage : share (0–1) indexed by ISO3; countries not in it are drawn grey (not in
        the simulated world)
    """
    cmap = matplotlib.colormaps["viridis"]
    fills = {code: cmap(float(np.clip(v, 0, 1))) for code, v in coverage.items()
             if np.isfinite(v)}
    with plt.rc_context(MAP_STYLE):
        fig, ax = figure((11, 5.6))
        draw_countries(ax, fills)
        map_frame(ax)
        sm = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
        bar = fig.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.05, pad=0.04,
                           aspect=40)
        unit_axis(bar.ax, "share", "x")
        bar.set_label("Share of population with at least one dose (%); grey: not simulated")
        ax.set_title(f"{title}: vaccination coverage on {pd.Timestamp(date).date()}")
        return fig
