"""Most specific per-country values equal a country-by-country reading of the levels."""

import numpy as np
import pytest
from worlds import SCENARIOS

from sim.engine.build.resolve import resolve
from sim.scenario import load_scenario
from sim.world.lookup import key_index, most_specific, named
from sim.world.synthetic import synthetic
from sim.world.world import build_world


@pytest.fixture(scope="module")
def worlds():
    s = load_scenario(SCENARIOS / "baseline.yaml")
    return [build_world(s), synthetic(s, 500)]


def _levels(w, n):
    return (w.continent[n], w.who_region[n], w.income_group[n], w.iso3[n])


def test_most_specific_matches_a_loop(worlds):
    rng = np.random.default_rng(3)
    for w in worlds:
        codes = sorted({*w.continent, *w.who_region, *w.income_group}) + list(w.iso3[::17])
        keys = list(rng.choice(codes, size=12, replace=False)) + ["nowhere"]
        values = {k: float(i) for i, k in enumerate(keys)}
        want = np.full(w.n_countries, -1.0)
        for n in range(w.n_countries):
            for key in _levels(w, n):
                want[n] = values.get(str(key), want[n])
        assert np.array_equal(most_specific(w, values, -1.0), want)
        assert np.array_equal(key_index(w, keys), np.where(want >= 0, want, -1).astype(int))
        picked = named(w, keys)
        assert picked.tolist() == [bool(set(map(str, _levels(w, n))) & set(keys))
                                   for n in range(w.n_countries)]


def test_resolve_merges_general_to_specific(worlds):
    w = worlds[0]
    rows = resolve(w, {"a": 0, "b": 0, "c": 0}, {"Europe": {"a": 1}, "EUR": {"b": 2},
                                                  "HIC": {"a": 3}},
                   {"FRA": {"c": 4}, "XXX": {"c": 5}})
    fra, deu, ita = (rows[i] for i in w.index(["FRA", "DEU", "RUS"]))
    assert fra == {"a": 3, "b": 2, "c": 4}
    assert deu == {"a": 3, "b": 2, "c": 0}
    assert ita["b"] == 2 and ita["c"] == 0
