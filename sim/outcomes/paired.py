"""Paired differences between policy arms run with common random numbers.

Replicate ``r`` of every arm of a comparison (and of every point of a sweep) runs with the
same seed, so its random draws — production noise, willingness, shocks, emergent
variants — are the same in each arm: the difference between two arms, replicate by
replicate, is the policy's and not noise. Its mean over replicates, with a Student-t
interval, is what a user should quote as "what the policy changes"; the arms' own 5–95%
bands overlap far more than the paired interval says, because most of their spread is
shared.

:func:`summarize_differences` turns one array of paired differences into the numbers a
table shows (used by :func:`sim.sweep.contrast.paired_contrast` too);
:func:`paired_differences` does it for every metric of two runs' per-member tables.

Examples
--------
>>> import numpy as np
>>> s = summarize_differences(np.array([-3.0, -1.0, -2.0]))
>>> s["diff_mean"], round(s["diff_lo"], 2), round(s["diff_hi"], 2), s["share_lower"]
(-2.0, -4.48, 0.48, 1.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of :func:`summarize_differences`, in order.
SUMMARY_COLUMNS = ("replicates", "diff_mean", "diff_lo", "diff_hi", "diff_p2_5",
                   "diff_p97_5", "share_lower")
#: Columns of :func:`paired_differences`.
DIFFERENCE_COLUMNS = ("metric", "reference_mean", "scenario_mean", *SUMMARY_COLUMNS)


def summarize_differences(d: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Summary of paired differences ``d`` (R,), one per replicate pair (NaN pairs, where
    the metric is undefined in an arm, are left out).

    Parameters
    ----------
    d : (R,) treatment minus control, replicate by replicate
    level : confidence level of the interval on the mean difference

    Returns
    -------
    dict
        ``replicates`` (pairs with a value), ``diff_mean``, ``diff_lo`` / ``diff_hi``
        (Student-t interval of the mean at ``level``; NaN with fewer than two pairs, and
        exactly the mean when every pair differs by the same amount), ``diff_p2_5`` /
        ``diff_p97_5`` (spread of the pairs' differences) and ``share_lower`` (share of
        pairs where the treatment is lower). All NaN but ``replicates`` = 0 without pairs.
    """
    from scipy import stats

    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d)]
    n = len(d)
    if n == 0:
        return {"replicates": 0, **{c: float("nan") for c in SUMMARY_COLUMNS[1:]}}
    mean = float(d.mean())
    half = (float(stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n))
            if n > 1 else float("nan"))
    return {"replicates": n, "diff_mean": mean, "diff_lo": mean - half,
            "diff_hi": mean + half, "diff_p2_5": float(np.percentile(d, 2.5)),
            "diff_p97_5": float(np.percentile(d, 97.5)),
            "share_lower": float((d < 0).mean())}


def paired_differences(reference: pd.DataFrame, scenario: pd.DataFrame,
                       reference_seeds: np.ndarray, scenario_seeds: np.ndarray,
                       level: float = 0.95) -> pd.DataFrame:
    """``scenario`` minus ``reference``, replicate by replicate, for every metric both
    per-member tables hold (:attr:`sim.outcomes.results.Results.per_member`).

    Parameters
    ----------
    reference, scenario : per-member metric tables, one row per replicate (same count)
    reference_seeds, scenario_seeds : (R,) each replicate's seed; pairs must share theirs
    level : confidence level of the interval on the mean difference

    Returns
    -------
    DataFrame
        One row per metric (:data:`DIFFERENCE_COLUMNS`): its mean in each arm, then
        :func:`summarize_differences` of the paired differences.

    Raises
    ------
    ValueError
        The arms have different replicate counts or seeds (no common random numbers).
    """
    ref_seeds = np.asarray(reference_seeds)
    seeds = np.asarray(scenario_seeds)
    if len(reference) != len(scenario) or not np.array_equal(ref_seeds, seeds):
        raise ValueError("the arms' replicates do not share their seeds: not common random "
                         "numbers, so they cannot be paired")
    rows = []
    for metric in [c for c in reference.columns if c in scenario.columns]:
        a = reference[metric].to_numpy(dtype=float)
        b = scenario[metric].to_numpy(dtype=float)
        rows.append({"metric": metric, "reference_mean": _nanmean(a),
                     "scenario_mean": _nanmean(b),
                     **summarize_differences(b - a, level)})
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))


def _nanmean(x: np.ndarray) -> float:
    """Mean of the finite values, NaN when there is none (without numpy's warning)."""
    x = x[np.isfinite(x)]
    return float(x.mean()) if len(x) else float("nan")
