"""Sobol sensitivity indices (first-order and total) with bootstrap confidence intervals.

Computed with :func:`scipy.stats.sobol_indices` (scipy >= 1.11), fed the model outputs at
the Saltelli points the ``sobol`` sampler made (A, B and each AB_i; see
:mod:`sim.sweep.samplers`). Why scipy rather than SALib: scipy is already a core
dependency, its estimators are Saltelli (2010) for first-order and Jansen (1999) for total
indices, the standard pair SALib also defaults to, and it bootstraps confidence intervals
itself — so sensitivity needs no new dependency.

A point's output is its metric averaged over replicates (so replicate noise shrinks as
replicates grow). Indices are clipped to nothing: small negative first-order estimates
are a sign of too few samples and are reported as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def _scipy_indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, n: int,
                   confidence: float, resamples: int, seed: int) -> dict[str, np.ndarray]:
    from scipy.stats import sobol_indices

    func = {"f_A": f_a, "f_B": f_b, "f_AB": f_ab}
    rng = np.random.default_rng(seed)
    try:
        res = sobol_indices(func=func, n=n, rng=rng)
    except TypeError:  # scipy < 1.15 names it random_state
        res = sobol_indices(func=func, n=n, random_state=rng)
    boot = res.bootstrap(confidence_level=confidence, n_resamples=resamples)
    shape = (f_a.shape[0], f_ab.shape[0])  # scipy squeezes s = 1 away: restore (s, d)
    out = {
        "first_order": res.first_order, "total_order": res.total_order,
        "first_low": boot.first_order.confidence_interval.low,
        "first_high": boot.first_order.confidence_interval.high,
        "total_low": boot.total_order.confidence_interval.low,
        "total_high": boot.total_order.confidence_interval.high,
    }
    return {k: np.asarray(v, dtype=float).reshape(shape) for k, v in out.items()}


def sobol_from_blocks(y: np.ndarray, blocks: Sequence[str], paths: Sequence[str],
                      confidence: float = 0.95, resamples: int = 999, seed: int = 0
                      ) -> dict[str, np.ndarray]:
    """Sobol indices from outputs at Saltelli points.

    Parameters
    ----------
    y : (n_points, s) outputs, rows in the order of the points
    blocks : (n_points,) the Saltelli block of each point: "A", "B" or "AB:<path>"
    paths : (d,) parameter paths, in the order of the AB blocks

    Returns
    -------
    dict of (s, d) arrays: first_order, total_order, and their CI bounds
    (first_low, first_high, total_low, total_high)
    """
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    blocks = np.asarray(blocks)
    f_a = y[blocks == "A"].T                                        # (s, n)
    f_b = y[blocks == "B"].T
    f_ab = np.stack([y[blocks == f"AB:{p}"].T for p in paths])      # (d, s, n)
    return _scipy_indices(f_a, f_b, f_ab, f_a.shape[1], confidence, resamples, seed)


def sweep_sensitivity(points: pd.DataFrame, metrics: pd.DataFrame, paths: Sequence[str],
                      names: Sequence[str], seed: int = 0, confidence: float = 0.95
                      ) -> dict[str, Any]:
    """The content of ``sensitivity.json``: per metric and parameter, S1 and ST with CIs.

    Metrics constant over the sweep (zero variance) get no indices (``null``).
    """
    mean = metrics.groupby("point")[list(names)].mean().reindex(points["point"])
    out: dict[str, Any] = {"method": "scipy.stats.sobol_indices (Saltelli 2010, Jansen "
                           "1999) with bootstrap CIs", "confidence_level": confidence,
                           "base_samples": int((points["block"] == "A").sum()),
                           "parameters": list(paths), "metrics": {}}
    y = mean.to_numpy()
    ok = np.isfinite(y).all(axis=0) & (np.nanvar(y, axis=0) > 0)
    res = sobol_from_blocks(y[:, ok], points["block"].to_list(), paths, confidence, seed=seed) \
        if ok.any() else None
    k = 0
    for j, name in enumerate(names):
        if not ok[j]:
            out["metrics"][name] = None
            continue
        out["metrics"][name] = {
            p: {"S1": float(res["first_order"][k, i]),
                "S1_ci": [float(res["first_low"][k, i]), float(res["first_high"][k, i])],
                "ST": float(res["total_order"][k, i]),
                "ST_ci": [float(res["total_low"][k, i]), float(res["total_high"][k, i])]}
            for i, p in enumerate(paths)}
        k += 1
    return out


def sensitivity_table(sens: dict[str, Any]) -> pd.DataFrame:
    """``sensitivity.json`` as a long table: metric, parameter, S1, S1_low, S1_high, ST, …"""
    rows = []
    for metric, by_param in sens["metrics"].items():
        for param, v in (by_param or {}).items():
            rows.append({"metric": metric, "parameter": param,
                         "S1": v["S1"], "S1_low": v["S1_ci"][0], "S1_high": v["S1_ci"][1],
                         "ST": v["ST"], "ST_low": v["ST_ci"][0], "ST_high": v["ST_ci"][1]})
    return pd.DataFrame(rows, columns=["metric", "parameter", "S1", "S1_low", "S1_high",
                                       "ST", "ST_low", "ST_high"])
