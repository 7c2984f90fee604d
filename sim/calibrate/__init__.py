"""Calibration (``vaxsim calibrate``): fit dotted scenario parameters to observed targets.

Modules: :mod:`~sim.calibrate.targets` (observed targets, tolerances),
:mod:`~sim.calibrate.parameters` (fitted fields and bounds), :mod:`~sim.calibrate.fit`
(evaluation and optimizer), :mod:`~sim.calibrate.fitted` (the fitted scenario file).

A *target* is one observed number: the share of a group's population with at least one
dose (``coverage_first``) or the world's cumulative doses administered
(``doses_administered``) on a date (see ``sim/data/observed.csv``). A *parameter* is any
numeric scenario field named by its dotted key path, e.g. ``uptake.capacity.LIC.end`` or
``procurement.groups.HIC.multiple``; it is fitted between bounds.

Method
------
1. A Latin-hypercube design (``scipy.stats.qmc.LatinHypercube``) of the bounded parameter
   box, plus the scenario's own values, is evaluated as the members of **one** engine
   batch (members that share a :class:`~sim.engine.build.params.Structure` run together).
2. From the best design point(s), ``scipy.optimize.minimize`` — ``Powell`` (default) or
   ``Nelder-Mead``, both bounded and derivative-free — refines the fit, one run per
   evaluation. The best point run anywhere is kept: the loss is not smooth (weekly
   market clearing, whole days), so an optimizer's last point need not be its best.

Loss
----
Each target's error is scaled by the tolerance the fit is judged by, then squared::

    coverage:  z = (simulated − observed) × 100 / 5      (percentage points / 5 pp)
    doses:     z = (simulated − observed) / observed / 0.10   (relative error / 10 %)
    loss = Σ w z² / Σ w                                    (w: ``weight`` column, default 1)

so a loss below 1 means the targets are met on (quadratic) average, and one target off by
its whole tolerance costs as much as any other.

Examples
--------
>>> from sim.scenario import load_scenario
>>> from sim.calibrate import calibrate, load_targets, parameters
>>> s = load_scenario("scenarios/baseline.yaml")                   # doctest: +SKIP
>>> fit = calibrate(s, load_targets(), parameters(s, ["uptake.hesitancy"]))  # doctest: +SKIP
>>> fit.table                                                            # doctest: +SKIP
"""

from sim.calibrate.fit import METHODS, Evaluator, Fit, calibrate, fit_table, horizon, trajectories
from sim.calibrate.fitted import fitted_yaml, format_fit, params_table
from sim.calibrate.parameters import (
    DEFAULT_BOUNDS,
    Parameter,
    check_path,
    default_bounds,
    parameters,
    parse_bounds,
    with_values,
)
from sim.calibrate.targets import (
    ERROR_UNIT,
    METRICS,
    OBSERVED,
    TOLERANCE,
    CalibrationError,
    load_targets,
    target_labels,
)

__all__ = ["DEFAULT_BOUNDS", "ERROR_UNIT", "METHODS", "METRICS", "OBSERVED", "TOLERANCE",
           "CalibrationError", "Evaluator", "Fit", "Parameter", "calibrate", "check_path",
           "default_bounds", "fit_table", "fitted_yaml", "format_fit", "horizon",
           "load_targets", "parameters", "params_table", "parse_bounds", "target_labels",
           "trajectories", "with_values"]
