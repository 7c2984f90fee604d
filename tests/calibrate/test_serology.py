"""The model's seropositive shares from its immunity statuses, and the shipped serosurveys."""

import numpy as np
import pandas as pd
import pytest

from sim.calibrate.serology import MEASURES, load_serosurveys, serostatus
from sim.data import countries
from sim.engine.build.epi_params import infection_status, n_statuses


def test_shares_from_statuses_by_hand():
    # One country, one band, two strains: 40 naive, 20 vaccinated only, 10 infected
    # (strain 0), 5 infected and waned (strain 1), 15 hybrid (strain 0); 10 infected now.
    V = 2
    S = np.zeros((1, 1, 1, n_statuses(V)))
    S[0, 0, 0, 0] = 40
    S[0, 0, 0, 1] = 20
    S[0, 0, 0, infection_status(0)] = 10
    S[0, 0, 0, infection_status(1) + 1] = 5
    S[0, 0, 0, infection_status(0) + 2] = 15
    Ex = np.zeros((1, 1, 1, V))
    Ix = np.zeros((1, 1, 1, V))
    Ex[0, 0, 0, 0] = 4
    Ix[0, 0, 0, 1] = 6
    s = serostatus(S, Ex, Ix)
    assert s.population[0] == pytest.approx(100)
    assert s.any[0] == pytest.approx(0.60)                 # all but the 40 naive
    assert s.unvaccinated[0] == pytest.approx(15 / 55)     # infection only / (naive + it)
    assert s.anti_n[0] == pytest.approx(0.40)              # 10 + 5 + 15 + 10 now
    assert s.world("any") == pytest.approx(0.60)
    with pytest.raises(ValueError):
        s.world("unvaccinated")


def test_shipped_serosurveys_are_2021_and_well_formed():
    t = load_serosurveys()
    assert set(t["measure"]) <= set(MEASURES)
    assert (t["end"] <= pd.Timestamp("2021-12-31")).all()       # never 2022
    assert (t["start"] <= t["end"]).all()
    known = set(countries()["iso3"]) | {"World"}
    assert set(t["scope"]) <= known
    assert t["value"].between(0, 1).all()
    ranged = t.dropna(subset=["low", "high"])
    assert ((ranged["low"] <= ranged["value"]) & (ranged["value"] <= ranged["high"])).all()
    assert t["source"].str.len().gt(10).all()
