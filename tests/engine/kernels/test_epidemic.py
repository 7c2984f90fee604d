"""The compiled epidemic day (:mod:`sim.engine.kernels.epidemic`) under forces so large
that a status's chance of infection rounds to 1."""

import numpy as np

from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.scenario.loader import validate_data
from sim.world.world import build_world


def test_huge_force_infects_at_most_everyone_of_a_status():
    """Contacts 9.3 times normal from late 2021 (found by the long fuzz, case 9100300,
    minimised): new infections ``s p x`` rounded above ``s`` and left -6e-323 people in a
    status. They are now at most ``s``, so no status goes below zero.
    """
    scen = validate_data({"name": "huge_force", "epidemic": {"contacts": {"default": [
        {"start": "2021-10-25", "multiplier": 9.310038349911252}]}}}, source="test")
    world = build_world(scen)
    _, state = simulate(world, build_params(world, [scen], [0]))
    epi = state.epi
    for name in ("S", "Ex", "Ix", "shadow", "fresh", "D_band"):
        a = getattr(epi, name)
        assert np.isfinite(a).all() and (a >= 0).all(), name
    people = epi.S.sum(axis=(2, 3)) + epi.Ex.sum(axis=(2, 3)) + epi.Ix.sum(axis=(2, 3)) \
        + epi.D_band.sum(axis=2)
    np.testing.assert_allclose(people, world.population[None], rtol=1e-9)
