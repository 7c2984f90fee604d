"""Immunity classes: strains with the same memory share their statuses, and merging them
changes no number of the model (only the order of some sums)."""

from dataclasses import replace

import numpy as np
import pytest

from sim.engine.build.epi_params import own_classes
from sim.engine.build.epi_status import (
    class_names,
    class_strains,
    first_statuses,
    immunity_classes,
    status_names,
    vaccinated_statuses,
)
from sim.engine.build.params import build_params
from sim.engine.counterfactual import without_vaccine
from sim.engine.epidemic import _Workspace, start_epidemic
from sim.engine.run import simulate
from sim.scenario import load_scenario
from sim.world.world import build_world


def table(escapes):
    """(E, V, 4) strain table with the given (E, V, 2) escapes."""
    escapes = np.asarray(escapes, dtype=float)
    out = np.ones(escapes.shape[:2] + (4,))
    out[..., 1:3] = escapes
    return out


def test_strains_with_the_same_escapes_share_a_class_in_slot_order():
    t = table([[[0, 0], [0.5, 0.1], [0, 0], [0.1, 0], [0.5, 0.1], [0, 0]]])
    np.testing.assert_array_equal(immunity_classes(t, 5), [0, 1, 0, 2, 1, 3])
    np.testing.assert_array_equal(immunity_classes(t, 5, merge=False), np.arange(6))
    cls = immunity_classes(t, 5)
    np.testing.assert_array_equal(class_strains(cls), [0, 1, 3, 5])
    np.testing.assert_array_equal(first_statuses(cls), [3, 7, 3, 11, 7, 15])
    assert class_names("a b c d e f".split(), cls) == ("a+c", "b+e", "d", "f")


def test_emergent_slots_and_escape_death_keep_their_own_class():
    """An emergent slot (from n_scheduled) is its own class even with the escapes of
    another strain (it takes its escape when it emerges); so is a strain differing only
    in escape_death, or in one member only."""
    t = table([[[0, 0], [0, 0.1], [0, 0], [0, 0]], [[0, 0], [0, 0.1], [0.2, 0], [0, 0]]])
    np.testing.assert_array_equal(immunity_classes(t, 3), [0, 1, 2, 3])
    np.testing.assert_array_equal(immunity_classes(t[:1], 3), [0, 1, 0, 2])


def test_baseline_has_three_classes_and_fifteen_statuses():
    scenario = load_scenario("baseline", [])
    world = build_world(scenario)
    ep = build_params(world, [scenario], [scenario.seed]).epidemic
    np.testing.assert_array_equal(ep.strain_class, [0, 0, 1, 2])
    assert ep.n_statuses == 15 and own_classes(ep).n_statuses == 19
    names = status_names(class_names(ep.strain_names, ep.strain_class))
    assert names[3] == "infection:ancestral+Alpha" and names[-1] == "hybrid_waned:Omicron BA.1"
    assert len(names) == len(vaccinated_statuses(ep.n_classes)) == 15


def test_a_run_whose_strains_leave_their_class_is_refused():
    """Tables from classes whose strains no longer share their escapes would be wrong."""
    scenario = load_scenario("baseline", [])
    world = build_world(scenario)
    params = build_params(world, [scenario], [scenario.seed])
    epi = start_epidemic(world, params)
    _Workspace(params.epidemic, epi).tables(epi)
    epi.strains[0, 1, 1] = 0.2            # Alpha escaping, in the ancestral class
    epi.changed()
    with pytest.raises(ValueError, match="immunity class"):
        _Workspace(params.epidemic, epi).tables(epi)


@pytest.fixture(scope="module")
def baseline_both_ways():
    """The 730-day baseline and its no-vaccine twin with merged classes and with every
    strain its own class."""
    scenario = load_scenario("baseline", [])
    world = build_world(scenario)
    params = build_params(world, [scenario, without_vaccine(scenario)], [scenario.seed] * 2)
    merged = simulate(world, params)[1].epi
    own = simulate(world, replace(params, epidemic=own_classes(params.epidemic)))[1].epi
    return merged, own


def test_merged_classes_give_the_per_strain_model(baseline_both_ways):
    """Deaths and infections of the merged build equal the per-strain model's to the
    order of sums (1e-9 relative), by country, band and member (run and twin)."""
    merged, own = baseline_both_ways
    assert merged.S.shape[3] == 15 and own.S.shape[3] == 19
    assert merged.D.sum() > 1e6 and merged.D[1].sum() > merged.D[0].sum()
    np.testing.assert_allclose(merged.D_band, own.D_band, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(merged.infections_cum, own.infections_cum, rtol=1e-9,
                               atol=1e-6)
    np.testing.assert_allclose(merged.Ix, own.Ix, rtol=1e-9, atol=1e-6)
    # The merged statuses hold the sums of the per-strain ones.
    S = own.S.copy()
    folded = np.concatenate([S[..., :3], S[..., 3:7] + S[..., 7:11], S[..., 11:]], axis=3)
    np.testing.assert_allclose(merged.S, folded, rtol=1e-9, atol=1e-3)
