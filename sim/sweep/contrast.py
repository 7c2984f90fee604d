"""Paired contrasts between two policy arms of a sweep, with intervals.

A sweep gives replicate ``r`` the same seed at every point (common random numbers), so
two points that differ only in one "arm" parameter — e.g. whether high-income countries
keep or share their doses — are paired replicate by replicate: their difference is the
policy's, not noise. :func:`paired_contrast` takes that difference for every combination
of the other parameters and summarises it over replicates.

A sweep file can declare its arms (``contrast:``, :class:`sim.sweep.spec.Contrast`):
:func:`sweep_contrasts` then compares them for each of its metrics, and the sweep writes
``contrasts.csv``, ``plots/contrast.png`` and a report section.

Examples
--------
>>> res = sim.sweep("scenarios/sweeps/donor_regimes.yaml")          # doctest: +SKIP
>>> paired_contrast(res.points, res.metrics, "donation.groups.HIC.share", 0.0, 1.0,
...                 "deaths_by_group.HIC")                          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.outcomes.paired import summarize_differences

if TYPE_CHECKING:
    from sim.sweep.spec import SweepSpec

#: Columns of :func:`paired_contrast` after the other parameters.
CONTRAST_COLUMNS = ("replicates", "control_mean", "treatment_mean", "diff_mean", "diff_lo",
                    "diff_hi", "diff_p2_5", "diff_p97_5", "share_treatment_lower")


def paired_contrast(points: pd.DataFrame, metrics: pd.DataFrame, arm: str, control: Any,
                    treatment: Any, metric: str, level: float = 0.95) -> pd.DataFrame:
    """Treatment minus control, replicate by replicate, for each setting of the other
    parameters.

    Parameters
    ----------
    points : a sweep's points (``point`` and one column per parameter)
    metrics : its per-member metrics (``point``, ``replicate``, ``seed``, metrics)
    arm : the parameter that defines the two arms
    control, treatment : its values in the two arms
    metric : the metric compared
    level : confidence level of the interval on the mean difference

    Returns
    -------
    DataFrame
        One row per setting of the other parameters: those parameters, then
        ``replicates`` (pairs where the metric is defined in both arms),
        ``control_mean`` and ``treatment_mean`` (the metric's mean in each arm),
        ``diff_mean`` (mean paired difference), ``diff_lo`` / ``diff_hi`` (Student-t
        interval of the mean difference at ``level``), ``diff_p2_5`` / ``diff_p97_5``
        (spread of the paired differences over replicates) and
        ``share_treatment_lower`` (share of pairs where the treatment's value is lower).

    Raises
    ------
    ValueError
        ``arm`` is not a parameter, an arm has no points, or replicates of a pair do not
        share their seed (no common random numbers).
    """
    if arm not in points.columns:
        raise ValueError(f"{arm!r} is not a parameter of the sweep")
    others = [c for c in points.columns if c not in ("point", arm)]
    merged = metrics.merge(points, on="point")
    arms = {}
    for name, value in (("control", control), ("treatment", treatment)):
        rows = merged[merged[arm] == value]
        if rows.empty:
            raise ValueError(f"no point has {arm} = {value!r}")
        arms[name] = rows[[*others, "replicate", "seed", metric]].rename(
            columns={metric: name, "seed": f"seed_{name}"})
    pairs = arms["control"].merge(arms["treatment"], on=[*others, "replicate"])
    if (pairs["seed_control"] != pairs["seed_treatment"]).any():
        raise ValueError("paired replicates have different seeds: not common random numbers")
    pairs["diff"] = pairs["treatment"] - pairs["control"]
    rows = []
    groups = pairs.groupby(others, sort=True, dropna=False) if others else [((), pairs)]
    for key, g in groups:
        summary = summarize_differences(g["diff"].to_numpy(dtype=float), level)
        summary["share_treatment_lower"] = summary.pop("share_lower")
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(others, key, strict=True)),
                     "control_mean": float(g["control"].mean()),
                     "treatment_mean": float(g["treatment"].mean()), **summary})
    return pd.DataFrame(rows, columns=[*others, *CONTRAST_COLUMNS])


def contrast_settings(table: pd.DataFrame) -> list[str]:
    """The other parameters of a contrast table (:func:`paired_contrast` or
    :func:`sweep_contrasts`): the columns that say at which setting a row was taken.
    """
    return [c for c in table.columns if c not in ("metric", *CONTRAST_COLUMNS)]


def sweep_contrasts(spec: SweepSpec, points: pd.DataFrame, metrics: pd.DataFrame
                    ) -> pd.DataFrame | None:
    """The sweep file's ``contrast`` (:class:`sim.sweep.spec.Contrast`) for each of its
    metrics: :func:`paired_contrast` tables stacked, a ``metric`` column first; None
    when the sweep declares no contrast.
    """
    c = spec.contrast
    if c is None:
        return None
    parts = []
    for metric in spec.contrast_metrics:
        table = paired_contrast(points, metrics, c.parameter, c.control, c.treatment, metric,
                                c.level)
        table.insert(0, "metric", metric)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)
