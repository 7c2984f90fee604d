"""The compiled immunity tables equal the numpy reference bit for bit, in the
deterministic kernel's country-last layout (the fatality as a band-free ratio and a band
factor, both at most 1, whose product is the reference's table), and the statuses the
kernel reads as country-free are."""

from dataclasses import replace

import numpy as np
import pytest

from sim.engine.build.epi_params import own_classes
from sim.engine.build.epi_status import vaccinated_statuses
from sim.engine.build.params import build_params
from sim.engine.epi_model import immunity_tables
from sim.engine.epidemic import _tables_last, start_epidemic
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world


@pytest.fixture(scope="module")
def batch():
    scenario = load_scenario("baseline", [])
    world = build_world(scenario)
    params = build_params(world, [scenario] * 3, replicate_seeds(1, 3))
    return world, params


@pytest.mark.parametrize("trial", range(4))
def test_compiled_tables_equal_the_reference(batch, trial):
    """Random strains, so every strain its own immunity class (random escapes break the
    merged classes), and the baseline's merged classes with its own escapes (trial 3)."""
    world, params = batch
    ep, epi = params.epidemic, start_epidemic(*batch)
    if trial < 3:
        ep = own_classes(ep)
        epi = start_epidemic(world, replace(params, epidemic=ep))
    rng = np.random.default_rng(trial)
    if trial < 3:
        epi.strains[:, :, 1:3] = rng.random(epi.strains[:, :, 1:3].shape)
    if trial == 1:
        epi.strains[:, 1, 1:3] = 1.0          # a strain escaping all protection
    if trial == 2:
        epi.strains[:, :, 1:3] = 0.0          # no escape: cross-protection 1
    epi.strains[:, :, 3] = rng.random(epi.strains.shape[:2]) * 3
    epi.ve_course[:] = rng.random(epi.ve_course.shape) * (1.5 if trial == 3 else 1.0)
    ep.vaccine_effect[:] = [1.0, 0.0, 1.0]    # a no-vaccine twin among members
    sus, fatal = immunity_tables(ep, epi)
    assert sus.shape[2] == (19 if trial < 3 else 15)
    sus_last, fatal_last = _tables_last(ep, epi)
    assert sus_last.tobytes() == np.ascontiguousarray(sus.transpose(0, 2, 3, 1)).tobytes()
    K = sus.shape[2]
    ratio, band = fatal_last[:, :K], fatal_last[:, K:]        # (E, K, V, N), (E, A, V, N)
    assert band.shape[1] == fatal.shape[2]
    assert ratio.max() <= 1.0 and band.max() <= 1.0
    assert (band[:, :, None] * ratio[:, None]).tobytes() == np.ascontiguousarray(
        fatal.transpose(0, 2, 3, 4, 1)).tobytes()
    # The day kernel reads the statuses not vaccinated as one number a strain (their
    # first country's): their rows must not depend on the country; a course's do.
    free = ~vaccinated_statuses(ep.n_classes)
    for table in (sus_last, ratio):
        assert (table[:, free] == table[:, free, :, :1]).all()
        assert not (table[:, ~free] == table[:, ~free, :, :1]).all()
