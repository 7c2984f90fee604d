"""scenarios/historical_2021.yaml reproduces the observed 2021 targets (needs shipped data)."""

import numpy as np
import pytest
from worlds import SCENARIOS

from sim import calibrate as cal
from sim.engine.params import build_params
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world import build_world

HISTORICAL = SCENARIOS / "historical_2021.yaml"


@pytest.fixture(scope="module")
def fit_table():
    scen = load_scenario(HISTORICAL)
    targets = cal.load_targets()
    short = cal.horizon(scen, targets)
    world = build_world(short)
    ev = cal.Evaluator(short, world, targets, [],
                       replicate_seeds(scen.seed, scen.replicates))
    sims, _ = ev.simulated(np.zeros((1, 0)))
    return cal.fit_table(ev, sims[0])


def test_every_2021_target_is_met_within_tolerance(fit_table):
    cov = fit_table[fit_table["metric"] == "coverage_first"]
    doses = fit_table[fit_table["metric"] == "doses_administered"]
    bad_cov = cov[np.abs(cov["error"]) > 5.0]
    bad_doses = doses[np.abs(doses["error"]) > 0.10]
    assert bad_cov.empty, bad_cov[["target", "observed", "simulated", "error"]]
    assert bad_doses.empty, bad_doses[["target", "observed", "simulated", "error"]]
    assert len(fit_table) == len(cal.load_targets())


def test_historical_extends_baseline_with_the_indian_export_ban():
    scen = load_scenario(HISTORICAL)
    ban = scen.export.producers["IND"]
    assert ban.policy == "ban"
    assert str(ban.start).startswith("2021-0") and str(ban.end).startswith("2021-")
    assert scen.start.year == 2021


def test_evaluator_with_no_parameters_runs_the_scenario_as_it_is():
    # The same numbers as a plain engine run of the scenario, cut at the last target.
    scen = load_scenario(HISTORICAL, ["countries.include=[HIC]", "days=120"])
    world = build_world(scen)
    traj, _ = simulate(world, build_params(world, [scen], [scen.seed]))
    targets = cal.load_targets()
    targets = targets[targets["date"] <= "2021-04-30"]
    ev = cal.Evaluator(scen, world, targets, [], np.array([scen.seed]))
    sims, groups = ev.simulated(np.zeros((1, 0)))
    np.testing.assert_allclose(groups[0], traj.groups[0])
