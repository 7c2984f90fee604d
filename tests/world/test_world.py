"""The static world built from shipped data and a scenario."""

import numpy as np
from worlds import SCENARIOS

from sim.scenario import load_scenario
from sim.world.world import build_world


def test_world_from_baseline():
    w = build_world(load_scenario(SCENARIOS / "baseline.yaml"))
    assert w.n_countries >= 190
    assert w.production.shape == (w.n_producers, 730)
    # Countries are ordered by income group, then ISO3.
    assert np.all(np.diff(w.group_index) >= 0)
    eu = w.producer_index("EU")
    assert (w.home_of == eu).sum() == 27
    assert w.home_of[w.index(["CHN"])[0]] == w.producer_index("CHN")


def test_selection_and_overrides():
    s = load_scenario(SCENARIOS / "baseline.yaml", [
        "countries.include=[LIC, FRA]", "countries.exclude=[AFG]",
        "countries.overrides={FRA: {population: 1000000}}"])
    w = build_world(s)
    assert "AFG" not in w.iso3 and "FRA" in w.iso3
    assert set(w.income_group) == {"HIC", "LIC"}
    assert w.population[w.index(["FRA"])[0]] == 1e6


def test_daily_schedule_spreads_months():
    w = build_world(load_scenario(SCENARIOS / "baseline.yaml", ["days=59"]))
    from sim import data

    prod = data.production()
    jan = prod[prod["month"] == "2021-01"].set_index("producer")["doses"]
    for p, code in enumerate(w.producers):
        assert np.isclose(w.production[p, :31].sum(), jan.get(code, 0.0))
