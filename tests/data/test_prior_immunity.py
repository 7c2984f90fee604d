"""Checks on sim/data/prior_immunity.csv (infected share before 2021) and the copy of The
Economist's excess deaths it is derived from.
"""

import numpy as np
import pandas as pd
import pytest
from build_scripts import load_build_script

from sim import data


def _build_module():
    return load_build_script("build_prior_immunity")


@pytest.fixture(scope="module")
def prior() -> pd.DataFrame:
    return data.prior_immunity().merge(data.countries(), on="iso3", validate="1:1")


def test_excess_file_sums_to_the_published_2021_totals():
    """2021 excess deaths by income group, as quoted from the same file in the project's
    issue: World 12.5 M, HIC 1.21 M, UMIC 3.25 M, LMIC 7.08 M, LIC 0.95 M."""
    ex = data.excess_deaths().merge(data.countries()[["iso3", "income_group"]], on="iso3")
    wide = ex.pivot_table(index="income_group", columns="date", values="excess_cum",
                          aggfunc="sum")
    year = (wide["2022-01-03"] - wide["2021-01-04"]) / 1e6
    assert year.sum() == pytest.approx(12.48, abs=0.01)
    for group, millions in {"HIC": 1.21, "UMIC": 3.25, "LMIC": 7.08, "LIC": 0.95}.items():
        assert year[group] == pytest.approx(millions, abs=0.01)
    assert (ex["excess_cum_lo95"] <= ex["excess_cum"] + 1e-6).all()
    assert (ex["excess_cum"] <= ex["excess_cum_hi95"] + 1e-6).all()


def test_shares_are_capped_fractions_with_ordered_bounds(prior):
    build = _build_module()
    share = prior["infected_share_2020"]
    assert share.between(0.0, build.CAP).all()
    assert (prior["infected_share_low"] <= share + 1e-9).all()
    assert (share <= prior["infected_share_high"] + 1e-9).all()
    capped = prior["basis"] == "capped"
    assert (share[capped] == build.CAP).all()
    assert (prior.loc[capped, "infected_share_uncapped"] > build.CAP).all()
    assert (share[prior["basis"] == "negative_excess"] == 0).all()
    assert set(prior.loc[prior["basis"] == "no_estimate", "iso3"]) == {"CHI", "PRK"}


def test_share_is_excess_over_population_ifr(prior):
    est = prior[prior["basis"] == "estimate"]
    bands = data.age_bands().set_index("iso3").loc[est["iso3"]]
    ifr = sum(bands[f"pop_{b}"] * bands[f"ifr_{b}"] for b in ("0_19", "20_64", "65plus"))
    ifr = ifr.to_numpy() / est["population"].to_numpy()
    np.testing.assert_allclose(est["ifr_population"], ifr, rtol=1e-5)
    np.testing.assert_allclose(est["infected_share_2020"],
                               est["excess_2020"] / (est["population"] * ifr), atol=1e-4)


def test_india_against_its_national_serosurvey(prior):
    """ICMR's third national serosurvey (17 Dec 2020 - 8 Jan 2021; Murhekar et al., Indian J
    Med Res 2021): 24.1% seropositive. Ours must be within a factor of two (serology misses
    waned infections; the Economist's 2020 excess for India is wide)."""
    india = prior.set_index("iso3").loc["IND"]
    assert 0.241 / 2 < india["infected_share_2020"] < 0.241 * 2
    assert india["infected_share_low"] < 0.241 < india["infected_share_high"]


def test_build_script_reproduces_the_shipped_file():
    build = _build_module()
    rebuilt = pd.DataFrame(build.build())
    shipped = data.prior_immunity()
    for col in ["infected_share_2020", "infected_share_low", "infected_share_high",
                "ifr_population"]:
        np.testing.assert_allclose(rebuilt[col].astype(float), shipped[col], rtol=1e-6)
    assert (rebuilt["basis"] == shipped["basis"]).all()


def test_death_targets_rebuild_from_the_excess_file():
    rebuilt = pd.DataFrame(load_build_script("build_death_targets").build())
    shipped = pd.read_csv(data.DATA_DIR / "observed_deaths.csv")
    pd.testing.assert_frame_equal(rebuilt, shipped, check_dtype=False)
    assert (shipped["date"] <= "2021-12-31").all()
