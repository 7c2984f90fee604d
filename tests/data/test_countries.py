"""Checks on the shipped country table (sim/data/countries.csv, provenance in SOURCES.md)."""

from pathlib import Path

import pandas as pd
import pypopulation
import pytest
from build_scripts import load_build_script

from sim import data
from sim.scenario.schema import CONTINENTS, INCOME_GROUPS, WHO_REGIONS

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["iso3", "name", "who_region", "continent", "income_group", "population",
           "gdp_per_capita_usd", "pop_65plus_share"]
WORLD_2021 = 7_888_408_686  # World Bank WDI SP.POP.TOTL, WLD, 2021 (SOURCES.md, Countries)


@pytest.fixture(scope="module")
def countries():
    return data.countries()


def test_columns_codes_and_completeness(countries):
    assert list(countries.columns) == COLUMNS
    assert len(countries) >= 190
    assert countries["iso3"].is_unique
    assert countries["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert countries.notna().all().all()
    assert (countries["name"].str.len() > 0).all()
    assert set(countries["who_region"]) <= set(WHO_REGIONS)
    assert set(countries["continent"]) <= set(CONTINENTS)
    assert set(countries["income_group"]) == set(INCOME_GROUPS)


def test_values_are_in_range(countries):
    assert (countries["population"] > 0).all()
    assert countries["gdp_per_capita_usd"].between(100, 300_000).all()
    assert countries["pop_65plus_share"].between(0.0, 1.0).all()
    # Japan is the oldest country (about 29% aged 65+ in 2021); no country tops 30%.
    assert countries["pop_65plus_share"].max() < 0.30
    big = countries.set_index("iso3")
    assert big.loc["CHN", "income_group"] == "UMIC" and big.loc["IND", "income_group"] == "LMIC"
    assert big.loc["USA", "who_region"] == "AMR" and big.loc["BRA", "continent"] == "South America"


def test_covers_the_world(countries):
    assert countries["population"].sum() >= 0.98 * WORLD_2021
    assert countries["population"].sum() <= WORLD_2021


def test_income_group_populations(countries):
    """Totals near the World Bank FY2022 groups' 2021 populations."""
    pop = countries.groupby("income_group")["population"].sum() / 1e9
    assert 1.15 <= pop["HIC"] <= 1.25
    assert 2.45 <= pop["UMIC"] <= 2.65
    assert 3.25 <= pop["LMIC"] <= 3.50
    assert 0.65 <= pop["LIC"] <= 0.75


# WDI's later vintages adopted the UN World Population Prospects 2022 estimates, which revised
# some series by more than any growth allowance. For these countries the same-year (2019)
# figure moved between the vintage pypopulation ships and the 2023 vintage shipped here by the
# factor given (2019 value in API_SP.POP.TOTL_DS2_en_csv_v2_5358404 / pypopulation 2019 value);
# the check below divides it out, so the growth allowance still applies to them.
VINTAGE_REVISION_2019 = {
    "SYR": 20_098_251 / 17_070_135,   # +17.7%
    "GNQ": 1_553_031 / 1_355_986,     # +14.5%
    "CAF": 5_209_324 / 4_745_185,     # +9.8%
    "DJI": 1_073_994 / 973_560,       # +10.3%
    "PNG": 9_542_486 / 8_776_109,     # +8.7%
    "YEM": 31_546_691 / 29_161_922,   # +8.2%
    "LBN": 5_781_907 / 6_855_713,     # -15.7%
    "BHR": 1_494_188 / 1_641_172,     # -9.0%
    "OMN": 4_602_768 / 4_974_986,     # -7.5%
}
# Two years of change, 2019 -> 2021, from -1.5% to +3.5% a year: the World Bank's population
# growth rates (SP.POP.GROW) of 2020-2021 lie in this range for all but a handful of countries
# (Niger, about +3.7%, is the fastest-growing; war and emigration explain the falls).
GROWTH_LOW, GROWTH_HIGH = 0.985 ** 2, 1.035 ** 2


def test_population_matches_an_independent_source(countries):
    """Every population within 5% of the World Bank's 2019 figure shipped in pypopulation.

    pypopulation (2020.3) holds World Bank WDI populations for 2019 from an older vintage;
    countries.csv holds 2021 from the 2023 vintage. Two things separate them, and both are
    allowed for explicitly rather than by widening the 5%: two years of growth (the
    GROWTH_LOW..GROWTH_HIGH allowance) and, for the nine countries in
    VINTAGE_REVISION_2019, the documented revision of the same year's figure between the
    two vintages.
    """
    checked, bad = 0, []
    for iso, pop in zip(countries["iso3"], countries["population"], strict=True):
        ref = pypopulation.get_population_a3(iso)
        if not ref:
            continue
        checked += 1
        ratio = pop / (ref * VINTAGE_REVISION_2019.get(iso, 1.0))
        if not 0.95 * GROWTH_LOW <= ratio <= 1.05 * GROWTH_HIGH:
            bad.append((iso, round(ratio, 3)))
    assert checked >= 185
    assert not bad
    # The revisions themselves stay bounded: none moves a population by more than 20%.
    assert all(0.8 < f < 1.2 for f in VINTAGE_REVISION_2019.values())


def _raw(name: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "sim" / "data" / "build" / "raw" / name, keep_default_na=False)


def test_raw_extracts_add_up_to_the_world_bank_world_aggregates():
    """The transcribed 2021 values of all 217 economies reproduce the World Bank's own WLD row.

    Same files, same vintage: WLD population 7,888,408,686, WLD GDP per capita 12,282.00 US$,
    WLD share aged 65+ 9.539%. The World Bank's world aggregates include Taiwan, which it does
    not publish separately (about 23.5 M people, older and richer than the world average), so
    the sums over the published economies fall a little short; a mistyped large value would
    not.
    """
    pop = _raw("wdi_population_2021.csv").set_index("iso3")["population_2021"]
    gap = WORLD_2021 - pop.sum()
    assert 23.0e6 < gap < 24.0e6  # Taiwan's 2021 population, about 23.4-23.6 M

    gdp = _raw("wdi_gdp_per_capita.csv").query("year == 2021").set_index("iso3")
    w = pop.reindex(gdp.index)
    world_gdp_pc = (gdp["gdp_per_capita_usd"] * w).sum() / w.sum()
    assert world_gdp_pc == pytest.approx(12_282.00, rel=0.01)

    old = _raw("wdi_pop65_share.csv").query("year == 2021").set_index("iso3")
    w = pop.reindex(old.index)
    world_65 = (old["pop_65plus_pct"] * w).sum() / w.sum()
    assert world_65 == pytest.approx(9.539, rel=0.01)


def test_build_script_reproduces_the_shipped_file(countries):
    """The raw extracts plus build_countries.py give exactly the shipped countries.csv."""
    rows, left_out = load_build_script("build_countries").build()
    rebuilt = pd.DataFrame(rows, columns=COLUMNS)
    pd.testing.assert_frame_equal(rebuilt, countries, check_dtype=False)
    assert "TWN" in dict(left_out)  # documented in SOURCES.md
