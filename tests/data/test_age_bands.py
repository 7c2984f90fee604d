"""Checks on sim/data/age_bands.csv: population and infection fatality ratio by age band.

Cross-checks against independent sources: the World Bank's 2021 share aged 65+ (in
countries.csv), the previous UN revision (WPP 2019, 2020 estimates), and Brazeau et al.'s
population IFR for typical high- and low-income countries (Imperial College report 34, 2020).
"""

import numpy as np
import pandas as pd
import pytest
from build_scripts import load_build_script

from sim import data

BANDS = ("0_19", "20_64", "65plus")


def _build_module():
    return load_build_script("build_age_bands")


@pytest.fixture(scope="module")
def bands() -> pd.DataFrame:
    return data.age_bands().merge(data.countries(), on="iso3", validate="1:1")


def test_one_row_per_country_and_bands_add_up_to_population(bands):
    assert len(bands) == len(data.countries())
    total = bands[[f"pop_{b}" for b in BANDS]].sum(axis=1)
    assert (total == bands["population"]).all()
    assert (bands[[f"pop_{b}" for b in BANDS]] > 0).all().all()
    assert set(bands["age_source"]) == {"wpp2024", "wpp2019"}


def test_ifr_is_a_fraction_rising_with_age(bands):
    young, adult, old = (bands[f"ifr_{b}"] for b in BANDS)
    assert young.between(1e-6, 1e-3).all()
    assert (young < adult).all() and (adult < old).all()
    # O'Driscoll's 65-69 and 80+ values bound the 65+ band's weighted mean.
    assert old.between(0.01075, 0.08292).all()


def test_65plus_share_matches_the_world_bank(bands):
    """WPP's 65+ share (interpolated to 2021) against WDI SP.POP.65UP.TO.ZS, 2021."""
    share = bands["pop_65plus"] / bands["population"]
    diff = (share - bands["pop_65plus_share"]).abs()
    assert diff.median() < 0.005
    assert diff.max() < 0.035
    world = bands["pop_65plus"].sum() / bands["population"].sum()
    wb_world = np.average(bands["pop_65plus_share"], weights=bands["population"])
    assert world == pytest.approx(wb_world, abs=0.002)


def test_bands_agree_with_the_previous_un_revision(bands):
    """WPP 2024 (2021) against WPP 2019's own 2020 estimates, country by country."""
    build = _build_module()
    wpp2019, ifr = build.wpp2019_2020(), build.odriscoll_ifr()
    rows = bands[bands["iso3"].isin(wpp2019)]
    assert len(rows) == len(bands)  # WPP 2019 covers every country here
    other = pd.DataFrame([{b: build.band_table(wpp2019[iso], ifr)[b][0] for b in BANDS}
                          for iso in rows["iso3"]])
    for b in BANDS:
        diff = (other[b].to_numpy() - (rows[f"pop_{b}"] / rows["population"]).to_numpy())
        assert np.median(np.abs(diff)) < 0.01, b
        assert np.quantile(np.abs(diff), 0.95) < 0.04, b
        assert np.abs(diff).max() < 0.08, b  # Moldova, Syria, Lebanon: revised migration


def test_population_ifr_by_income_group_against_brazeau(bands):
    """Brazeau et al. 2020: IFR 1.15% in a typical high-income, 0.23% in a typical
    low-income country. O'Driscoll's curve excludes care-home deaths, so ours sits lower;
    the gradient between the groups is the check.
    """
    deaths = sum(bands[f"pop_{b}"] * bands[f"ifr_{b}"] for b in BANDS)
    by_group = deaths.groupby(bands["income_group"]).sum() / bands.groupby(
        "income_group")["population"].sum()
    assert 1.15e-2 / 2 < by_group["HIC"] < 1.15e-2 * 2
    assert 0.23e-2 / 2 < by_group["LIC"] < 0.23e-2 * 2
    assert 3 < by_group["HIC"] / by_group["LIC"] < 10
    assert by_group["HIC"] > by_group["UMIC"] > by_group["LMIC"] > by_group["LIC"]


def test_build_script_reproduces_the_shipped_file():
    build = _build_module()
    shipped = data.age_bands()
    rebuilt = pd.DataFrame(build.build()).astype({f"ifr_{b}": float for b in BANDS})
    pd.testing.assert_frame_equal(rebuilt, shipped, check_dtype=False)
