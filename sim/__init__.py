"""vaxsim: an agent-based policy simulator of vaccine diplomacy.

>>> from sim import load_scenario, run          # doctest: +SKIP
>>> results = run(load_scenario("scenarios/baseline.yaml"))   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Results", "Scenario", "ScenarioError", "SweepResults", "load_scenario", "run",
           "sweep"]


def __getattr__(name: str) -> Any:
    # Lazy: `vaxsim --help` and `validate` should not pay for pandas and the engine.
    if name in ("load_scenario", "Scenario", "ScenarioError"):
        from sim import scenario

        return getattr(scenario, name)
    if name == "run":
        from sim.api import run

        return run
    if name in ("sweep", "SweepResults"):
        # sim.sweep is the package, and calling it runs a sweep (sim.sweep.runner.run_sweep).
        import sim.sweep

        return sim.sweep if name == "sweep" else sim.sweep.SweepResults
    if name == "Results":
        from sim.outcomes.results import Results

        return Results
    raise AttributeError(name)
