"""The Python API: ``run(load_scenario(path)) -> Results`` and ``compare(scenarios, out)``.

Examples
--------
>>> from sim import load_scenario, run
>>> res = run(load_scenario("scenarios/baseline.yaml"), days=60)   # doctest: +SKIP
>>> res.summary["metrics"]["coverage_final"]["World"]              # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.engine.build.params import Params, build_params
from sim.engine.counterfactual import simulate_with_counterfactual
from sim.engine.streams import replicate_seeds
from sim.outcomes.results import Results
from sim.scenario.loader import revalidate
from sim.scenario.schema import Scenario
from sim.world.world import build_world

if TYPE_CHECKING:  # sim.output.compare needs pandas: imported by compare() only
    from sim.output.compare import Comparison
    from sim.output.progress import Progress


def check_runnable(scenario: Scenario) -> None:
    """Everything :func:`run` checks before running, without running: the world can be
    built and the run fits in memory (``vaxsim validate`` calls it).
    """
    check_run_fits(build_world(scenario), scenario)


def check_run_fits(world, scenario: Scenario, one: Params | None = None) -> None:
    """Refuse (exit 2) a run whose estimated memory exceeds what the machine can give it
    (:mod:`sim.engine.memory`); its no-vaccine twins count as members.

    one : the parameters of the scenario's first member, when the caller has built them
        already (else built here)
    """
    from sim.engine.memory import check_fits, estimate_bytes

    twins = (scenario.epidemic.enabled and scenario.epidemic.vaccine_effect
             and scenario.outputs.deaths_averted)
    members = scenario.replicates * (2 if twins else 1)
    if one is None:
        one = build_params(world, [scenario], [scenario.seed])
    estimate = estimate_bytes(world, one, members, scenario.outputs.country_every_days)
    check_fits(estimate, f"{scenario.name}: {scenario.replicates} replicate(s) of "
               f"{world.n_countries} countries over {scenario.days} days")


def randomness(scenario: Scenario) -> list[str]:
    """What makes ``scenario``'s replicates differ (empty: they are all the same run).

    Sources: production noise (``production.noise_sd``), a stochastic epidemic, uncertain
    willingness (``uptake.willingness_spread``) and countries that imitate others at
    policy reviews (random partners).
    """
    sources = []
    if scenario.production.noise_sd > 0:
        sources.append(f"production noise (sigma {scenario.production.noise_sd:g})")
    epi = getattr(scenario, "epidemic", None)
    if epi is not None and getattr(epi, "enabled", False) \
            and getattr(epi, "mode", "deterministic") != "deterministic":
        sources.append("stochastic epidemic")
    if scenario.uptake.willingness_spread > 0:
        sources.append(f"willingness (±{scenario.uptake.willingness_spread:g})")
    if "imitate" in str(scenario.adaptation.model_dump()):
        sources.append("imitation at policy reviews")
    return sources


def deterministic_note(scenario: Scenario, replicates: int) -> str | None:
    """A one-line note when ``replicates`` > 1 of a scenario without randomness would all
    be the same run (so its bands have zero width); None otherwise.
    """
    if replicates <= 1 or randomness(scenario):
        return None
    return (f"note: {scenario.name} is deterministic (no production noise, fixed "
            "willingness, deterministic epidemic, no imitation): its "
            f"{replicates} replicates are identical, so its bands have zero width; set "
            "production.noise_sd or uptake.willingness_spread for uncertainty")


def run(scenario: Scenario, *, seed: int | None = None, replicates: int | None = None,
        days: int | None = None, deaths_averted: bool | None = None,
        progress: Callable[[int], None] | None = None, workers: int = 1) -> Results:
    """Run ``scenario``'s replicates as one batch (with their no-vaccine twins when the
    epidemic is on and deaths averted are asked for: :mod:`sim.engine.counterfactual`).

    Parameters
    ----------
    scenario : a validated scenario (``load_scenario``)
    seed, replicates, days : override the scenario's values (validated like the file's)
    deaths_averted : override ``outputs.deaths_averted`` (False: no twins, half the work)
    progress : called with the number of days done
    workers : processes to run the replicates in (default 1: this process). With more,
        the replicates are cut into chunks run on that many local processes
        (:mod:`sim.output.processes`); the results are the same bit for bit.

    Returns
    -------
    Results

    Raises
    ------
    ScenarioError
        An override out of bounds, or a run that would not fit in memory.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    scenario = revalidate(scenario, seed=seed, replicates=replicates, days=days)
    if deaths_averted is not None:
        outputs = scenario.outputs.model_copy(update={"deaths_averted": deaths_averted})
        scenario = scenario.model_copy(update={"outputs": outputs})
    world = build_world(scenario)
    seeds = replicate_seeds(scenario.seed, scenario.replicates)
    # The first member's parameters size the run, its chunks and (one member) are the run's.
    one = build_params(world, [scenario], seeds[:1])
    check_run_fits(world, scenario, one)
    run_chunks = None
    if workers > 1:
        from sim.output.processes import runner

        run_chunks = runner(workers)
    params, traj, counterfactual = simulate_with_counterfactual(
        world, scenario, seeds, scenario.outputs.country_every_days, progress, one=one,
        workers=workers, run_chunks=run_chunks)
    return Results(scenario, world, params, traj, counterfactual)


def compare(scenarios: Sequence[Scenario], out: str | Path, *, seed: int | None = None,
            replicates: int | None = None, progress: Progress | None = None,
            replace: bool = False, workers: int = 1) -> Comparison:
    """Run ``scenarios`` with one seed and replicate count and write the comparison
    (:mod:`sim.output.compare`): one results folder per scenario, ``comparison.csv``,
    ``differences.csv`` (each scenario after the first minus the first, paired replicate
    by replicate: they share their seeds), plots and ``report.html``.

    Parameters
    ----------
    scenarios : validated scenarios (at least one)
    out : output folder (written atomically)
    seed : default the first scenario's seed
    replicates : default the largest replicate count among the scenarios
    progress : advanced through :func:`sim.output.compare.compare_steps`' phases (days
        simulated over all scenarios, then tables, plots and reports)
    replace : replace the finished results already in ``out`` (else ``out`` must be new
        or empty)
    workers : processes to run each scenario's replicates in (:func:`run`)

    Returns
    -------
    Comparison
    """
    from sim.output.compare import Comparison, unique_names, write_comparison
    from sim.output.folder import check_target, publish, save_results, staging_dir
    from sim.output.names import unique_slugs

    seed = scenarios[0].seed if seed is None else seed
    replicates = max(s.replicates for s in scenarios) if replicates is None else replicates
    names = unique_names(scenarios)
    notes = [n for n in (deterministic_note(s, replicates) for s in scenarios) if n]
    for n in notes:  # once per scenario, before the runs
        print(n, file=sys.stderr)
    folders = unique_slugs(names)
    out = Path(out)
    check_target(out, replace)
    tmp = staging_dir(out)
    try:
        results, done = [], 0
        for s, folder in zip(scenarios, folders, strict=True):
            def step(d: int, base: int = done) -> None:
                if progress is not None:
                    progress.set("simulate", base + d)

            r = run(s, seed=seed, replicates=replicates, progress=step, workers=workers)
            save_results(r, tmp / folder, progress=progress)
            results.append(r)
            done += s.days
        table, differences = write_comparison(tmp, names, scenarios, results, seed,
                                              replicates, progress)
        publish(tmp, out, "compare", replace)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Comparison(names, results, table, out, differences)
