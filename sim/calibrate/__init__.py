"""Calibration (``vaxsim calibrate``): fit dotted scenario parameters to observed targets.

Modules: :mod:`~sim.calibrate.targets` (observed targets, tolerances),
:mod:`~sim.calibrate.parameters` (fitted fields and bounds), :mod:`~sim.calibrate.fit`
(evaluation and optimizer), :mod:`~sim.calibrate.severity` (severity rescaled to death
targets), :mod:`~sim.calibrate.fitted` (the fitted scenario file).

A *target* is one observed number: the share of a group's population with at least one
dose (``coverage_first``), the world's cumulative doses administered
(``doses_administered``), or a group's deaths since the run's start (``deaths``, with the
source's 95% range in ``low`` / ``high``) on a date (see ``sim/data/observed.csv`` and
``sim/data/observed_deaths.csv``). A *parameter* is any numeric scenario field named by
its dotted key path, e.g. ``uptake.capacity.LIC.end``, ``procurement.groups.HIC.multiple``
or ``epidemic.contacts.groups.LIC.1.multiplier`` (a number is a list index); it is fitted
between bounds.

Method
------
1. A Latin-hypercube design (``scipy.stats.qmc.LatinHypercube``) of the bounded parameter
   box, plus the scenario's own values, is evaluated as the members of **one** engine
   batch (members that share a :class:`~sim.engine.build.params.Structure` run together).
2. From the best design point(s), ``scipy.optimize.minimize`` — ``Powell`` (default) or
   ``Nelder-Mead``, both bounded and derivative-free — refines the fit, one run per
   evaluation. Or ``search``: rounds of Latin-hypercube points in a box around the best
   point so far, the box halving each round, every round one engine batch (many
   parameters cost little more than few: a batch of a hundred members runs in a few
   times the time of one). The best point run anywhere is kept: the loss is not smooth
   (weekly market clearing, whole days), so an optimizer's last point need not be its
   best.
3. Optionally (:func:`~sim.calibrate.severity.rescale_severity`, ``--rescale-severity``), each
   income group's severity is then scaled so its deaths meet the central estimate of its
   last death target: deaths are proportional to the fatality ratio.

Loss
----
Each target's error is scaled by the tolerance the fit is judged by, then squared::

    coverage:  z = (simulated − observed) × 100 / 5      (percentage points / 5 pp)
    doses:     z = (simulated − observed) / observed / 0.10   (relative error / 10 %)
    deaths:    z = (simulated − observed) / (high − observed)  above the estimate,
               z = (simulated − observed) / (observed − low)   below it
               (the source's 95% range; ±15% where a row gives none)
    loss = Σ w z² / Σ w                                    (w: ``weight`` column, default 1)

so a loss below 1 means the targets are met on (quadratic) average, one target off by
its whole tolerance costs as much as any other, and a death target is met when the
simulated deaths fall inside the source's 95% range.

Examples
--------
>>> from sim.scenario import load_scenario
>>> from sim.calibrate import calibrate, load_targets, parameters
>>> s = load_scenario("scenarios/baseline.yaml")                   # doctest: +SKIP
>>> fit = calibrate(s, load_targets(), parameters(s, ["uptake.hesitancy"]))  # doctest: +SKIP
>>> fit.table                                                            # doctest: +SKIP
"""

from sim.calibrate.fit import (
    METHODS,
    Evaluator,
    Fit,
    calibrate,
    fit_table,
    horizon,
    search,
    trajectories,
)
from sim.calibrate.fitted import entry_prefix, fitted_yaml, format_fit, params_table
from sim.calibrate.parameters import (
    DEFAULT_BOUNDS,
    Parameter,
    check_path,
    default_bounds,
    parameters,
    parse_bounds,
    with_values,
)
from sim.calibrate.severity import fit_with_rescaled_severity, rescale_severity
from sim.calibrate.targets import (
    ERROR_UNIT,
    METRICS,
    OBSERVED,
    OBSERVED_DEATHS,
    TOLERANCE,
    CalibrationError,
    load_targets,
    target_labels,
    tolerances,
)

__all__ = ["DEFAULT_BOUNDS", "ERROR_UNIT", "METHODS", "METRICS", "OBSERVED",
           "OBSERVED_DEATHS", "TOLERANCE", "CalibrationError", "Evaluator", "Fit", "Parameter",
           "calibrate", "check_path", "default_bounds", "entry_prefix", "fit_table",
           "fit_with_rescaled_severity", "fitted_yaml", "format_fit", "horizon",
           "load_targets", "parameters", "params_table", "parse_bounds", "rescale_severity",
           "search", "target_labels", "tolerances", "trajectories", "with_values"]
