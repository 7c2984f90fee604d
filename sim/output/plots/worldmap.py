"""World choropleth of coverage, drawn offline from Natural Earth 110m country outlines.

The outlines ship in ``sim/data/naturalearth/`` (public domain; provenance in
``sim/data/SOURCES.md``) and are read with ``pyshp``; matplotlib draws the polygons
in plain longitude/latitude (equirectangular). Nothing is downloaded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection

from sim.data import DATA_DIR
from sim.output.plots.style import STYLE, save

SHAPES = DATA_DIR / "naturalearth" / "ne_110m_admin_0_countries"
#: Natural Earth's own codes that differ from the ISO3 / World Bank codes the data uses.
ALIASES = {"KOS": "XKX"}


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
        for sr in reader.iterShapeRecords():
            pts = np.asarray(sr.shape.points, dtype=float)
            bounds = [*sr.shape.parts, len(pts)]
            rings = tuple(pts[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
            out.append((map_code(sr.record.as_dict()), rings))
    return tuple(out)


def coverage_map(coverage: pd.Series, path: Path, title: str, date: pd.Timestamp) -> Path:
    """Choropleth of ≥1-dose coverage by country.

    Parameters
    ----------
    coverage : share (0–1) indexed by ISO3; countries not in it are drawn grey (not in
        the simulated world)
    """
    cmap = plt.get_cmap("viridis")
    polys, colors, missing = [], [], []
    for code, rings in outlines():
        value = coverage.get(code, np.nan)
        for ring in rings:
            if np.isnan(value):
                missing.append(ring)
            else:
                polys.append(ring)
                colors.append(cmap(float(np.clip(value, 0, 1))))
    with plt.rc_context({**STYLE, "axes.grid": False}):
        fig, ax = plt.subplots(figsize=(11, 5.6))
        ax.add_collection(PolyCollection(missing, facecolors="#dddddd", edgecolors="white",
                                         linewidths=0.3))
        ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors="white",
                                         linewidths=0.3))
        ax.set_xlim(-180, 180)
        ax.set_ylim(-58, 84)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, 100))
        bar = fig.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02,
                           aspect=40)
        bar.set_label("Share of population with at least one dose (%); grey: not simulated")
        ax.set_title(f"{title}: vaccination coverage on {pd.Timestamp(date).date()}")
        return save(fig, path)
