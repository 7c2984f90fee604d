"""The epidemic stage (:mod:`sim.engine.epidemic`) on extreme but valid scenarios: the
share of contacts with travellers stays a share, and no compartment goes negative."""

import numpy as np
import pytest

from sim import load_scenario
from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.world.world import build_world

#: Compartments and counters of the epidemic state that hold people.
PEOPLE = ("S", "Ex", "Ix", "shadow", "fresh", "D_band", "new_infections", "new_deaths",
          "infections_cum")


def _run(backend: str, monkeypatch, overrides: list[str]):
    monkeypatch.setenv("VAXSIM_BACKEND", backend)
    scen = load_scenario("baseline", overrides)
    world = build_world(scen)
    _, state = simulate(world, build_params(world, [scen], [scen.seed]))
    return state.epi


#: Found by the long fuzz (case 9100349, minimised): importation 0.45 × travel 20 made
#: the share of contacts with travellers 9, home prevalence weighed -8, and latent,
#: infectious and fresh infections -5e5.
TRAVEL_ABOVE_ONE = ["countries.include=[IRL, ROU]", "days=120",
                    "epidemic.latent_days=0.324", "epidemic.importation=0.45",
                    "epidemic.travel.default=[{start: 2021-02-08, multiplier: 20}]"]


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_travel_multiplier_cannot_push_travellers_share_above_one(backend, monkeypatch):
    epi = _run(backend, monkeypatch, TRAVEL_ABOVE_ONE)
    for name in PEOPLE:
        assert (getattr(epi, name) >= 0).all(), name
    assert epi.workspace.mix.max() == 1.0       # 0.45 × 20 capped at all contacts


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_travellers_share_below_one_is_importation_times_travel(backend, monkeypatch):
    epi = _run(backend, monkeypatch, [*TRAVEL_ABOVE_ONE[:-2], "epidemic.importation=0.04",
                                       "epidemic.travel.default=[{start: 2021-02-08, "
                                       "multiplier: 20}]"])
    np.testing.assert_array_equal(epi.workspace.mix, 0.04 * 20.0)
