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
from sim.scenario.schema import Scenario
from sim.world import build_world


def randomness(scenario: Scenario) -> list[str]:
    """What makes ``scenario``'s replicates differ (empty: they are all the same run).

    Sources: production noise (``production.noise_sd``), a stochastic epidemic and
    countries that imitate others at policy reviews (random partners).
    """
    sources = []
    if scenario.production.noise_sd > 0:
        sources.append(f"production noise (sigma {scenario.production.noise_sd:g})")
    epi = getattr(scenario, "epidemic", None)
    if epi is not None and getattr(epi, "enabled", False) \
            and getattr(epi, "mode", "deterministic") != "deterministic":
        sources.append("stochastic epidemic")
    if "imitate" in str(scenario.adaptation.model_dump()):
        sources.append("imitation at policy reviews")
    return sources


def deterministic_note(scenario: Scenario, replicates: int) -> str | None:
    """A one-line note when ``replicates`` > 1 of a scenario without randomness would all
    be the same run (so its bands have zero width); None otherwise.
    """
    if replicates <= 1 or randomness(scenario):
        return None
    return (f"note: {scenario.name} is deterministic (no production noise, deterministic "
            f"epidemic, no imitation): its {replicates} replicates are identical, so its "
            "bands have zero width; set production.noise_sd for output uncertainty")


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
