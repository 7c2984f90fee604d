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
from sim.results import Results
from sim.scenario.loader import revalidate
from sim.scenario.schema import Scenario
from sim.world import build_world


def check_runnable(scenario: Scenario) -> None:
    """Everything :func:`run` checks before running, without running: the world can be
    built and the run fits in memory (``vaxsim validate`` calls it).
    """
    check_run_fits(build_world(scenario), scenario)


def check_run_fits(world, scenario: Scenario) -> None:
    """Refuse (exit 2) a run whose estimated memory exceeds what the machine can give it
    (:mod:`sim.engine.memory`); its no-vaccine twins count as members.
    """
    from sim.engine.memory import check_fits, estimate_bytes
    from sim.engine.params import build_params

    twins = scenario.epidemic.enabled and scenario.epidemic.vaccine_effect
    members = scenario.replicates * (2 if twins else 1)
    one = build_params(world, [scenario], [scenario.seed])
    estimate = estimate_bytes(world, one, members, scenario.outputs.country_every_days)
    check_fits(estimate, f"{scenario.name}: {scenario.replicates} replicate(s) of "
               f"{world.n_countries} countries over {scenario.days} days")


def run(scenario: Scenario, *, seed: int | None = None, replicates: int | None = None,
        days: int | None = None,
        progress: Callable[[int], None] | None = None) -> Results:
    """Run ``scenario``'s replicates as one batch (with their no-vaccine twins when the
    epidemic is on: :mod:`sim.engine.counterfactual`).

    Parameters
    ----------
    scenario : a validated scenario (``load_scenario``)
    seed, replicates, days : override the scenario's values (validated like the file's)
    progress : called with the number of days done

    Returns
    -------
    Results

    Raises
    ------
    ScenarioError
        An override out of bounds, or a run that would not fit in memory.
    """
    scenario = revalidate(scenario, seed=seed, replicates=replicates, days=days)
    world = build_world(scenario)
    check_run_fits(world, scenario)
    seeds = replicate_seeds(scenario.seed, scenario.replicates)
    params, traj, counterfactual = simulate_with_counterfactual(
        world, scenario, seeds, scenario.outputs.country_every_days, progress)
    return Results(scenario, world, params, traj, counterfactual)
