"""No-vaccine twins run as an epidemic only beside the real batch give exactly what twins
run as extra members of the batch give, for scenarios where doses cannot differ; with
imitation at reviews (payoffs read each member's own deaths) the full twins are used."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from worlds import SCENARIOS

from sim.engine.build.params import build_params
from sim.engine.counterfactual import (
    doses_shared,
    simulate_members,
    split_members,
    twin_params,
)
from sim.engine.epi_model import vaccinated_statuses
from sim.engine.epidemic import start_epidemic, step_epidemic
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world

EPI = ("epi_groups", "epi_countries_end", "epi_bands")


def full_twins(world, scenario, seeds):
    """The reference: twins as extra members of one batch, split off afterwards."""
    traj, _ = simulate(world, twin_params(world, [scenario] * len(seeds), seeds),
                       country_members=len(seeds))
    return split_members(traj, len(seeds))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "covax_pooling", "bilateral_diplomacy"])
def test_epidemic_only_twins_equal_full_twins(name):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml",
                             ["days=120", "production.noise_sd=0.1"])
    world = build_world(scenario)
    seeds = replicate_seeds(5, 3)
    params = build_params(world, [scenario] * 3, seeds)
    assert doses_shared(params)
    real, twin = simulate_members(world, scenario, params, seeds, 7, 3)
    ref_real, ref_twin = full_twins(world, scenario, seeds)
    for f in dataclasses.fields(real):
        a, b = getattr(real, f.name), getattr(ref_real, f.name)
        assert (a is None and b is None) or np.array_equal(a, b), f.name
    for f in EPI:
        np.testing.assert_array_equal(getattr(twin, f), getattr(ref_twin, f), err_msg=f)
    # The twin's doses are its member's, by construction and in the reference alike.
    np.testing.assert_array_equal(twin.ledger, ref_twin.ledger)
    np.testing.assert_array_equal(twin.groups, ref_twin.groups)
    assert twin.countries.shape[0] == 0
    # Vaccines save lives in the real members: the twins differ from them.
    assert (twin.epi_groups[:, -1, 0, 2] > real.epi_groups[:, -1, 0, 2]).all()


def test_imitation_runs_full_twins():
    scenario = load_scenario(SCENARIOS / "adaptive.yaml", ["days=30"])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    assert not doses_shared(params)
    real, twin = simulate_members(world, scenario, params, [1], 7, 1)
    ref_real, ref_twin = full_twins(world, scenario, [1])
    np.testing.assert_array_equal(twin.epi_groups, ref_twin.epi_groups)
    np.testing.assert_array_equal(real.ledger, ref_real.ledger)


def test_no_twin_without_deaths_averted():
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["days=10",
                                                          "outputs.deaths_averted=false"])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    _, twin = simulate_members(world, scenario, params, [1], 7, 1)
    assert twin is None


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_doses_change_no_immunity_in_the_twin(monkeypatch, backend):
    """A no-vaccine twin's courses and boosters move nobody: its epidemic is the one with
    no doses at all (a dose must not refresh waned infection-acquired immunity either),
    and its vaccinated statuses stay empty. Coverage exits from suppression are off here,
    the one place where the twin still reads its doses.
    """
    monkeypatch.setenv("VAXSIM_BACKEND", backend)
    scenario = load_scenario(SCENARIOS / "baseline.yaml",
                             ["days=400", "epidemic.suppression.coverage={}"])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    sim = simulate(world, params)[1]
    assert sim.courses_band.sum() > 0 and sim.boosted_band.sum() > 0
    ep = dataclasses.replace(params.epidemic, vaccine_effect=np.zeros(1))
    twin = dataclasses.replace(params, epidemic=ep)
    dosed = SimpleNamespace(epi=start_epidemic(world, twin),
                            courses_band=np.zeros_like(sim.courses_band),
                            boosted_band=np.zeros_like(sim.boosted_band))
    bare = SimpleNamespace(epi=start_epidemic(world, twin), courses_band=np.zeros_like(
        sim.courses_band), boosted_band=np.zeros_like(sim.boosted_band))
    for t in range(world.days):
        # Doses arrive as the real run gave them, spread over the days
        dosed.courses_band[:] = sim.courses_band * (t + 1) / world.days
        dosed.boosted_band[:] = sim.boosted_band * (t + 1) / world.days
        step_epidemic(dosed, world, twin, t)
        step_epidemic(bare, world, twin, t)
    np.testing.assert_array_equal(dosed.epi.S, bare.epi.S)
    np.testing.assert_array_equal(dosed.epi.D, bare.epi.D)
    assert dosed.epi.S[..., vaccinated_statuses(ep.n_classes)].max() == 0.0
