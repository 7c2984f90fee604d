"""Sobol sensitivity indices (first-order and total) with bootstrap confidence intervals.

Computed with :func:`scipy.stats.sobol_indices` (scipy >= 1.11), fed the model outputs at
the Saltelli points the ``sobol`` sampler made (A, B and each AB_i; see
:mod:`sim.sweep.samplers`). Why scipy rather than SALib: scipy is already a core
dependency, its estimators are Saltelli (2010) for first-order and Jansen (1999) for total
indices, the standard pair SALib also defaults to — so sensitivity needs no new
dependency. Confidence intervals are percentile bootstraps over the base samples, drawn
from a generator seeded by the sweep seed (see :func:`_indices` for why not scipy's own).

A point's output is its metric averaged over replicates (so replicate noise shrinks as
replicates grow). Indices are clipped to nothing: small negative first-order estimates
are a sign of too few samples and are reported as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def saltelli_jansen(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices, as scipy computes them.

    Outputs should be centred first (scipy subtracts the mean of A and B: Sobol' and
    Levitan 1999), which the first-order estimator is sensitive to.

    Parameters
    ----------
    f_a, f_b : (..., s, n) outputs at A and B
    f_ab : (d, ..., s, n) outputs at each AB_i

    Returns
    -------
    (first, total) : (d, ..., s) each
    """
    var = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.mean(f_b * (f_ab - f_a), axis=-1) / var
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / var
    return first, total


def _indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, confidence: float,
             resamples: int, seed: int) -> dict[str, np.ndarray]:
    """Estimates from scipy, percentile-bootstrap CIs from a seeded generator.

    scipy's own ``bootstrap()`` of a Sobol result uses BCa intervals, which are undefined
    (NaN) when an index's bootstrap distribution is degenerate (a parameter with no
    effect), and draws from the global random state; resampling the rows here with the
    same estimators keeps the intervals defined and the same on every run.
    """
    from scipy.stats import sobol_indices

    n = f_a.shape[1]
    res = sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n)
    shape = (f_a.shape[0], f_ab.shape[0])  # scipy squeezes s = 1 away: restore (s, d)
    mean = np.mean([f_a, f_b], axis=(0, -1))[:, None]     # centre as scipy does
    f_a, f_b, f_ab = f_a - mean, f_b - mean, f_ab - mean
    rng = np.random.default_rng(seed)
    firsts, totals = [], []
    for start in range(0, resamples, 64):
        idx = rng.integers(0, n, size=(min(64, resamples - start), n))
        a, b = f_a[:, idx].swapaxes(0, 1), f_b[:, idx].swapaxes(0, 1)     # (r, s, n)
        ab = f_ab[:, :, idx].swapaxes(1, 2)                                # (d, r, s, n)
        first, total = saltelli_jansen(a, b, ab)                           # (d, r, s)
        firsts.append(first)
        totals.append(total)
    first_d, total_d = np.concatenate(firsts, axis=1), np.concatenate(totals, axis=1)
    tail = 100 * (1 - confidence) / 2

    def pct(x: np.ndarray, q: float) -> np.ndarray:
        return np.nanpercentile(x, q, axis=1).T                            # (s, d)

    return {
        "first_order": np.asarray(res.first_order, dtype=float).reshape(shape),
        "total_order": np.asarray(res.total_order, dtype=float).reshape(shape),
        "first_low": pct(first_d, tail), "first_high": pct(first_d, 100 - tail),
        "total_low": pct(total_d, tail), "total_high": pct(total_d, 100 - tail),
    }


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
    block = np.asarray(blocks)
    f_a = y[block == "A"].T                                        # (s, n)
    f_b = y[block == "B"].T
    f_ab = np.stack([y[block == f"AB:{p}"].T for p in paths])      # (d, s, n)
    return _indices(f_a, f_b, f_ab, confidence, resamples, seed)


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
        assert res is not None, "some metric varies, so the indices were computed"
        out["metrics"][name] = {
            p: {"S1": float(res["first_order"][k, i]),
                "S1_ci": [float(res["first_low"][k, i]), float(res["first_high"][k, i])],
                "ST": float(res["total_order"][k, i]),
                "ST_ci": [float(res["total_low"][k, i]), float(res["total_high"][k, i])]}
            for i, p in enumerate(paths)}
        k += 1
    return _finite(out)


def _finite(node: Any) -> Any:
    """NaN and infinities become None (JSON has no NaN)."""
    if isinstance(node, dict):
        return {k: _finite(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_finite(v) for v in node]
    if isinstance(node, float) and not np.isfinite(node):
        return None
    return node


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
