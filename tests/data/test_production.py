"""Checks on the shipped manufacturing data (producers, production, products)."""

import re
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "sim" / "data"
PLATFORMS = {"mRNA", "viral_vector", "inactivated", "protein_subunit"}

# WTO-IMF tracker, total supply by producing economy at 2021-12-31 (doses)
TRACKER_2021 = {"EU": 2.68e9, "USA": 1.12e9, "RUS": 0.25e9, "KOR": 0.19e9}
APPROX_2021 = {"CHN": 5.0e9, "IND": 1.7e9}


@pytest.fixture(scope="module")
def producers():
    return pd.read_csv(DATA / "producers.csv", dtype=str)


@pytest.fixture(scope="module")
def production():
    return pd.read_csv(DATA / "production.csv", dtype={"producer": str, "month": str})


@pytest.fixture(scope="module")
def products():
    return pd.read_csv(DATA / "products.csv")


def _split(s):
    return [x for x in s.split(";") if x]


def test_headers(producers, production, products):
    assert list(producers.columns) == ["producer", "name", "home", "products", "platforms"]
    assert list(production.columns) == ["producer", "month", "doses"]
    assert list(products.columns) == [
        "product", "platform", "doses_per_course", "efficacy_infection",
        "efficacy_death", "price_usd", "shelf_life_days", "infection_delta",
        "infection_omicron", "death_delta", "death_omicron",
    ]


def test_producers_unique_and_known(producers, production):
    assert producers["producer"].is_unique
    assert set(production["producer"]) <= set(producers["producer"])
    assert set(producers["producer"]) <= set(production["producer"])


def test_months_complete(production):
    expected = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
    assert not production.duplicated(["producer", "month"]).any()
    for prod, g in production.groupby("producer"):
        assert sorted(g["month"]) == expected, prod


def test_doses_nonnegative(production):
    assert production["doses"].notna().all()
    assert (production["doses"] >= 0).all()


def _totals(production, year):
    p = production[production["month"].str.startswith(str(year))]
    return p.groupby("producer")["doses"].sum()


def test_world_2021_total(production):
    assert 10.0e9 <= _totals(production, 2021).sum() <= 12.0e9


@pytest.mark.parametrize("code,target", sorted(TRACKER_2021.items()))
def test_tracker_totals_2021(production, code, target):
    assert _totals(production, 2021)[code] == pytest.approx(target, rel=0.03)


@pytest.mark.parametrize("code,target", sorted(APPROX_2021.items()))
def test_approx_totals_2021(production, code, target):
    assert _totals(production, 2021)[code] == pytest.approx(target, rel=0.10)


def test_december_2021_world_output(production):
    dec = production.loc[production["month"] == "2021-12", "doses"].sum()
    assert 1.0e9 <= dec <= 1.8e9


def test_output_falls_in_2022(production):
    assert _totals(production, 2022).sum() < _totals(production, 2021).sum()


def test_products_cover_producers(producers, products):
    listed = {p for s in producers["products"] for p in _split(s)}
    assert listed <= set(products["product"])
    assert products["product"].is_unique


def test_product_values(products):
    assert products["efficacy_infection"].between(0, 1, inclusive="right").all()
    assert products["efficacy_death"].between(0, 1, inclusive="right").all()
    assert set(products["doses_per_course"]) <= {1, 2}
    assert set(products["platform"]) <= PLATFORMS
    assert (products["price_usd"] > 0).all()
    assert (products["shelf_life_days"] > 0).all()


def test_producer_platforms(producers, products):
    plat = dict(zip(products["product"], products["platform"], strict=True))
    for _, row in producers.iterrows():
        platforms = set(_split(row["platforms"]))
        assert platforms <= PLATFORMS, row["producer"]
        assert platforms == {plat[p] for p in _split(row["products"])}, row["producer"]


def test_home_lists(producers):
    iso3 = re.compile(r"^[A-Z]{3}$")
    for _, row in producers.iterrows():
        home = _split(row["home"])
        assert home and len(home) == len(set(home)), row["producer"]
        assert all(iso3.match(c) for c in home), row["producer"]
        if row["producer"] != "EU":
            assert iso3.match(row["producer"])
            assert home == [row["producer"]]
    eu = producers.loc[producers["producer"] == "EU", "home"].iloc[0]
    assert len(_split(eu)) == 27
    assert {"DEU", "FRA", "BEL", "NLD", "ITA", "ESP"} <= set(_split(eu))
