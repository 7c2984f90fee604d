"""The vectorized engine: state arrays of shape (E members, N countries) and day stages."""

from sim.engine.build.params import Params, build_params
from sim.engine.run import Simulation, simulate

__all__ = ["Params", "Simulation", "build_params", "simulate"]
