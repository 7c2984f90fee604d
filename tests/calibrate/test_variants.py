"""When a variant dominates: shares of current infections by strain, and the shipped
observations (``sim/data/variant_dominance.csv``)."""

import datetime as dt

import numpy as np
import pytest

from sim.calibrate.variants import dominance_dates, load_dominance, strain_shares
from sim.data import countries
from sim.scenario import load_scenario


def test_shares_by_hand():
    # Two countries, one band, three strains: 30 latent + 10 infectious with strain 2 of
    # 60 in all in country 0; nobody infected in country 1.
    Ex = np.zeros((1, 2, 1, 3))
    Ix = np.zeros((1, 2, 1, 3))
    Ex[0, 0, 0] = [5, 5, 30]
    Ix[0, 0, 0] = [5, 5, 10]
    shares = strain_shares(Ex, Ix)
    assert shares[0] == pytest.approx([10 / 60, 10 / 60, 40 / 60])
    assert np.all(shares[1] == 0.0)


def test_shares_sum_to_one_where_anyone_is_infected():
    rng = np.random.default_rng(0)
    Ex, Ix = rng.random((1, 4, 3, 5)), rng.random((1, 4, 3, 5))
    assert np.allclose(strain_shares(Ex, Ix).sum(axis=1), 1.0)


def test_observations_name_shipped_countries_and_a_source():
    obs = load_dominance()
    assert set(obs["scope"]) <= set(countries()["iso3"])
    assert obs["source"].str.len().gt(40).all()
    assert obs["date"].between("2021-11-01", "2022-02-28").all()


def test_unknown_variant_is_a_clear_error():
    scenario = load_scenario("baseline", ["days=10"])
    with pytest.raises(ValueError, match="no scheduled variant 'Omega'"):
        dominance_dates(scenario, "Omega", dt.date(2021, 1, 5))


def test_the_origin_is_dominant_first_in_a_short_run():
    """Alpha is seeded in Britain on day 0 of the baseline: Britain is the first country
    where it dominates, within weeks; far countries not by then."""
    scenario = load_scenario("baseline", ["replicates=1"])
    dates = dominance_dates(scenario, "Alpha", dt.date(2021, 3, 31))
    assert dates["GBR"] is not None
    firsts = [d for c, d in dates.items() if d is not None and c != "GBR"]
    assert all(dates["GBR"] <= d for d in firsts)
