"""The Python API: ``run(load_scenario(path)) -> Results``.

Examples
--------
>>> from sim import load_scenario, run
>>> res = run(load_scenario("scenarios/baseline.yaml"), days=60)   # doctest: +SKIP
>>> res.summary["metrics"]["coverage_final"]["World"]              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

from sim.engine.counterfactual import simulate_with_counterfactual
from sim.engine.streams import replicate_seeds
from sim.outcomes.results import Results
from sim.scenario.schema import Scenario
from sim.world.world import build_world


def run(scenario: Scenario, *, seed: int | None = None, replicates: int | None = None,
        days: int | None = None,
        progress: Callable[[int], None] | None = None) -> Results:
    """Run ``scenario``'s replicates as one batch (with their no-vaccine twins when the
    epidemic is on: :mod:`sim.engine.counterfactual`).

    Parameters
    ----------
    scenario : a validated scenario (``load_scenario``)
    seed, replicates, days : override the scenario's values
    progress : called with the number of days done

    Returns
    -------
    Results
    """
    updates = {k: v for k, v in (("seed", seed), ("replicates", replicates), ("days", days))
               if v is not None}
    if updates:
        scenario = scenario.model_copy(update=updates)
    world = build_world(scenario)
    seeds = replicate_seeds(scenario.seed, scenario.replicates)
    params, traj, counterfactual = simulate_with_counterfactual(
        world, scenario, seeds, scenario.outputs.country_every_days, progress)
    return Results(scenario, world, params, traj, counterfactual)
