"""Checks on the shipped product data (products.csv, product_mix.csv) against the sources
quoted in sim/data/SOURCES.md, "Products"."""

from pathlib import Path

import pytest

from sim import data

SOURCED = {  # product: (column, value, source key in SOURCES.md)
    "Pfizer-BioNTech Comirnaty": [("infection_delta", 0.88), ("infection_omicron", 0.655),
                                  ("efficacy_death", 0.967), ("death_omicron", 0.907)],
    "Oxford-AstraZeneca ChAdOx1 (Vaxzevria/Covishield)": [("infection_delta", 0.67),
                                                          ("infection_omicron", 0.489),
                                                          ("death_delta", 0.92)],
    "Sinovac CoronaVac": [("efficacy_infection", 0.659), ("efficacy_death", 0.863),
                          ("death_omicron", 0.748)],
    "Bharat Covaxin": [("efficacy_infection", 0.778), ("infection_delta", 0.652)],
    "Moderna Spikevax": [("infection_omicron", 0.751)],
}


@pytest.fixture(scope="module")
def products():
    return data.products().set_index("product")


@pytest.mark.parametrize("product", sorted(SOURCED))
def test_sourced_values_are_the_published_ones(products, product):
    for column, value in SOURCED[product]:
        assert products.loc[product, column] == pytest.approx(value), column


def test_protection_is_a_share_and_death_at_least_infection(products):
    for g in ("", "_delta", "_omicron"):
        inf = products["efficacy_infection" if not g else "infection" + g]
        death = products["efficacy_death" if not g else "death" + g]
        assert inf.between(0, 1).all() and death.between(0, 1).all()
        assert (death >= inf - 1e-9).all()


def test_variants_escape_every_product(products):
    # Omicron evades more than Delta, against infection, for every product.
    assert (products["infection_omicron"] < products["infection_delta"]).all()
    assert (products["infection_delta"] <= products["efficacy_infection"]).all()


def test_inactivated_vaccines_protect_less_than_mrna(products):
    inact = products[products["platform"] == "inactivated"]
    mrna = products[products["platform"] == "mRNA"]
    for col in ("efficacy_infection", "infection_omicron", "death_omicron"):
        assert inact[col].max() < mrna[col].min(), col


def test_product_mix_covers_every_producer_and_sums_to_one():
    mix = data.product_mix()
    producers = data.producers()
    assert set(mix["producer"]) == set(producers["producer"])
    assert set(mix["product"]) <= set(data.products()["product"])
    sums = mix.groupby("producer")["share"].sum()
    assert (sums.sub(1.0).abs() < 1e-9).all(), sums
    # Each producer makes only what producers.csv lists for it.
    listed = {r.producer: set(r.products.split(";")) for r in producers.itertuples()}
    for r in mix.itertuples():
        assert r.product in listed[r.producer], (r.producer, r.product)


def test_india_mix_is_the_cowin_share():
    # 100.31 of 113.55 crore doses given in India by 16 Nov 2021 were Covishield.
    mix = data.product_mix()
    ind = mix[mix["producer"] == "IND"].set_index("product")["share"]
    assert ind.max() == pytest.approx(100.31 / 113.55, abs=1e-3)


def test_every_mix_row_says_how_it_was_made():
    mix = data.product_mix()
    assert set(mix["basis"]) <= {"sourced", "single", "estimate"}
    assert mix["source"].str.len().gt(0).all()
    # The Western plants' splits are estimates, and say so.
    for producer in ("EU", "USA", "KOR"):
        assert (mix[mix["producer"] == producer]["basis"] == "estimate").all(), producer
    single = mix[mix["basis"] == "single"]
    assert (single["share"] == 1.0).all()
    sources = (Path(data.__file__).parent / "SOURCES.md").read_text()
    for key in ("MODERNA-2021", "AXIOS-2110", "UNICEF22", "FE1117"):
        assert f"**{key}**" in sources, key


def _made_2021(product: str) -> float:
    """Doses of ``product`` in production.csv's 2021 totals by product_mix.csv (counted
    as production.csv counts them)."""
    prod = data.production()
    year = prod[prod["month"].str.startswith("2021")].groupby("producer")["doses"].sum()
    mix = data.product_mix()
    rows = mix[mix["product"] == product]
    return float((rows["share"] * rows["producer"].map(year)).sum())


def test_estimated_mixes_match_the_companies_2021_totals():
    # Independent of the mix: company totals (SOURCES.md, product_mix.csv).
    assert 2.0e9 <= _made_2021("Pfizer-BioNTech Comirnaty") <= 2.6e9   # UNICEF22, BioNTech
    assert 0.7e9 <= _made_2021("Moderna Spikevax") <= 0.95e9            # MODERNA-2021
    # Janssen counted twice in production.csv: physical doses about J&J's $2.5 bn / $10.
    janssen = _made_2021("Janssen Ad26.COV2.S") / 2
    assert 0.15e9 <= janssen <= 0.3e9
    chadox1_not_india = _made_2021("Oxford-AstraZeneca ChAdOx1 (Vaxzevria/Covishield)") \
        - 0.883 * 1713.5e6
    assert chadox1_not_india <= 0.9e9                                    # UNICEF22
