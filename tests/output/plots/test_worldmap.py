"""The offline world map: Natural Earth outlines keyed by ISO3, a choropleth PNG."""

import pandas as pd

from sim import data
from sim.output.plots.worldmap import coverage_map, map_code, outlines


def test_codes_resolve_the_minus_99_countries():
    codes = {code for code, _ in outlines()}
    assert {"FRA", "NOR", "XKX", "USA", "CHN", "IND", "BRA", "NGA"} <= codes
    assert "-99" not in codes or sum(c == "-99" for c in codes) <= 2  # N. Cyprus, Somaliland
    assert map_code({"ISO_A3_EH": "-99", "ADM0_A3": "NOR"}) == "NOR"


def test_shipped_countries_are_on_the_map():
    shipped = set(data.countries()["iso3"])
    on_map = {code for code, _ in outlines()}
    # 110m outlines leave out small island states; every larger country must be drawn.
    assert len(shipped & on_map) >= 150


def test_coverage_map_writes_a_png(tmp_path):
    cov = pd.Series({"FRA": 0.8, "NGA": 0.05, "IND": 0.4})
    path = coverage_map(cov, tmp_path / "map.png", "test", pd.Timestamp("2021-12-31"))
    assert path.stat().st_size > 10_000
