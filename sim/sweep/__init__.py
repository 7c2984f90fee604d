"""Parameter sweeps: sweep files → sampled points → batches of members → executors → tables.

Modules: :mod:`~sim.sweep.spec` (sweep files), :mod:`~sim.sweep.samplers` (grid,
random, Latin hypercube, Sobol/Saltelli), :mod:`~sim.sweep.batches` (members and
batches), :mod:`~sim.sweep.executors` (serial, processes, Dask), :mod:`~sim.sweep.metrics`
(per-member metrics of a batch), :mod:`~sim.sweep.store` (per-batch files, resume),
:mod:`~sim.sweep.sensitivity` (Sobol indices), :mod:`~sim.sweep.plots` and
:mod:`~sim.sweep.report`, :mod:`~sim.sweep.runner` (all of it together).

The package itself is callable, so ``sim.sweep(spec)`` works even though ``sim.sweep`` is
this package: it is :func:`sim.sweep.runner.run_sweep`.

Examples
--------
>>> import sim
>>> res = sim.sweep("scenarios/sweeps/hoarding_vs_pooling.yaml")   # doctest: +SKIP
>>> res.metrics.head()                                            # doctest: +SKIP
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["SweepResults", "SweepSpec", "load_sweep", "run_sweep"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import sim.sweep.spec` does not pull in the engine and pandas.
    if name in ("run_sweep", "SweepResults"):
        from sim.sweep import runner

        return getattr(runner, name)
    if name == "SweepSpec":
        from sim.sweep.spec import SweepSpec

        return SweepSpec
    if name == "load_sweep":
        from sim.sweep.files import load_sweep

        return load_sweep
    raise AttributeError(name)


class _CallableModule(types.ModuleType):
    """The type of the sweep package: calling it runs a sweep."""

    def __call__(self, spec: Any, **kwargs: Any) -> Any:
        from sim.sweep.runner import run_sweep

        return run_sweep(spec, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
