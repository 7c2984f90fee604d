"""vaxsim: an agent-based policy simulator of vaccine diplomacy.

>>> from sim import load_scenario, run                    # doctest: +SKIP
>>> results = run(load_scenario("baseline"))              # doctest: +SKIP
>>> save_results(results, "results/baseline")             # doctest: +SKIP

The names below are imported on first use (``vaxsim --help`` and ``validate`` should not
pay for pandas and the engine); ``dir(sim)`` and editors see them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> (module, attribute); attribute None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "Scenario": ("sim.scenario.schema", "Scenario"),
    "ScenarioError": ("sim.scenario.loader", "ScenarioError"),
    "load_scenario": ("sim.scenario.loader", "load_scenario"),
    "run": ("sim.api", "run"),
    "compare": ("sim.api", "compare"),
    "Results": ("sim.outcomes.results", "Results"),
    "save_results": ("sim.output.folder", "save_results"),
    "load_tables": ("sim.output.folder", "load_tables"),
    "SweepResults": ("sim.sweep.runner", "SweepResults"),
    # sim.sweep is the package, and calling it runs a sweep (sim.sweep.runner.run_sweep).
    "sweep": ("sim.sweep", None),
}
__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from sim import sweep as sweep
    from sim.api import compare as compare
    from sim.api import run as run
    from sim.outcomes.results import Results as Results
    from sim.output.folder import load_tables as load_tables
    from sim.output.folder import save_results as save_results
    from sim.scenario.loader import ScenarioError as ScenarioError
    from sim.scenario.loader import load_scenario as load_scenario
    from sim.scenario.schema import Scenario as Scenario
    from sim.sweep.runner import SweepResults as SweepResults


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'sim' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    return mod if attr is None else getattr(mod, attr)


def __dir__() -> list[str]:
    return sorted({n for n in globals() if n.startswith("__")} | set(_LAZY))
