"""The vectorized engine: state arrays of shape (E members, N countries) and day stages.

The package's names are loaded when first used, so that a module needing only a light
part of the engine (``sim.engine.fields``: record field names, for plots drawn in
worker processes) does not import the whole engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.engine.build.params import Params, build_params
    from sim.engine.run import Simulation, simulate

__all__ = ["Params", "Simulation", "build_params", "simulate"]
_HOMES = {"Params": "sim.engine.build.params", "build_params": "sim.engine.build.params",
          "Simulation": "sim.engine.run", "simulate": "sim.engine.run"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'sim.engine' has no attribute {name!r}")
