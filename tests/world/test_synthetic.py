"""Synthetic worlds: countries split into equal regions, world and group totals kept."""

import numpy as np
import pytest

from sim import load_scenario
from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.world.synthetic import split_counts, synthetic
from sim.world.world import build_world


def test_split_counts_sum_to_the_regions_asked_for():
    assert split_counts(3, 7).tolist() == [3, 2, 2]
    with pytest.raises(ValueError, match="at least one region per country"):
        split_counts(5, 4)


def test_regions_keep_totals_groups_and_homes():
    scenario = load_scenario("baseline", ["days=60"])
    real, w = build_world(scenario), synthetic(scenario, 1000)
    assert w.n_countries == 1000 and len(set(w.iso3)) == 1000
    np.testing.assert_allclose(w.population.sum(), real.population.sum(), rtol=1e-12)
    for g in range(4):
        np.testing.assert_allclose(w.population[w.group_index == g].sum(),
                                   real.population[real.group_index == g].sum(), rtol=1e-12)
    assert (np.diff(w.group_index) >= 0).all()          # still ordered by income group
    usa = np.flatnonzero(np.char.startswith(w.iso3, "USA-"))
    assert len(usa) >= 4 and (w.home_of[usa] == real.home_of[real.iso3 == "USA"][0]).all()
    traj, _ = simulate(w, build_params(w, [scenario], [1]))
    coverage = traj.groups[0, -1, 0, 0] / w.population.sum()
    assert 0 < coverage < 1
