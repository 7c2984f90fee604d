"""The offline world map: Natural Earth outlines keyed by ISO3, a choropleth PNG."""

import pandas as pd
from figure_checks import check_figure

from sim import data
from sim.output.plots.worldmap import anchors, coverage_map, map_code, outlines


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


def test_coverage_map_fills_simulated_countries(tmp_path):
    cov = pd.Series({"FRA": 0.8, "NGA": 0.05, "IND": 0.4})
    fig = coverage_map(cov, "test", pd.Timestamp("2021-12-31"))
    check_figure(fig, tmp_path)
    colors = fig.axes[0].collections[0].get_facecolors()
    grey = (colors[:, :3] == colors[0, :3]).all(axis=1)
    assert 0 < (~grey).sum() < len(colors)       # three countries coloured, the rest grey


def test_anchors_sit_inside_their_country():
    at = anchors()
    lon, lat = at["FRA"]                         # mainland France, not French Guiana
    assert -5 < lon < 8 and 42 < lat < 51
    lon, lat = at["USA"]
    assert -125 < lon < -65 and 25 < lat < 50
