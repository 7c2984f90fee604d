"""Parameter sweeps: sweep files → sampled points → batches of members → executors → tables.

Modules: :mod:`~sim.sweep.spec` (the sweep schema), :mod:`~sim.sweep.files` (reading
and checking sweep files), :mod:`~sim.sweep.samplers` (grid,
random, Latin hypercube, Sobol/Saltelli), :mod:`~sim.sweep.batches` (members and
batches), :mod:`~sim.sweep.executors` (serial, processes, Dask), :mod:`~sim.sweep.metrics`
(per-member metrics of a batch), :mod:`~sim.sweep.store` (per-batch files, resume),
:mod:`~sim.sweep.sensitivity` (Sobol indices), :mod:`~sim.sweep.contrast` (paired arms)
and :mod:`~sim.sweep.uncertainty` (a contrast over sampled worlds, and what moves it),
:mod:`~sim.sweep.labels`, :mod:`~sim.sweep.plots`, :mod:`~sim.sweep.contrast_plots` and
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

import importlib
import sys
import types
from typing import Any

#: Public name -> module defining it (imported on first use, so ``import sim.sweep.spec``
#: does not pull in the engine and pandas).
_LAZY = {"run_sweep": "sim.sweep.runner", "SweepResults": "sim.sweep.runner",
         "SweepSpec": "sim.sweep.spec", "load_sweep": "sim.sweep.files"}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sim.sweep' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__() -> list[str]:
    return sorted({n for n in globals() if n.startswith("__")} | set(_LAZY))


class _CallableModule(types.ModuleType):
    """The type of the sweep package: calling it runs a sweep."""

    def __call__(self, spec: Any, **kwargs: Any) -> Any:
        from sim.sweep.runner import run_sweep

        return run_sweep(spec, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
