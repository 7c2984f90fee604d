"""A policy contrast carried across sampled parameters: how the policy's effect varies over
plausible worlds, and which parameters move it.

In a sampled sweep (``method: random`` or ``lhs``) with a ``contrast:``, every sampled
point of the other parameters — a *world* — runs in both arms with the same replicate
seeds (:func:`sim.sweep.samplers.sample_points` crosses the arm parameter with the
sample). :func:`sim.sweep.contrast.paired_contrast` gives the paired difference world by
world (the mean over its replicates); this module summarises it over the worlds, as a
probabilistic sensitivity analysis does:

- :func:`contrast_over_worlds`: per metric, the mean difference over the worlds with a
  Student-t interval (how precisely the sample pins down the average effect: it narrows as
  worlds are added), the 2.5–97.5% range of the worlds' differences (how much the effect
  depends on the parameters: it does not narrow) and the share of worlds where the
  treatment is lower (the probability, over the sampled ranges, that the policy lowers the
  metric);
- :func:`partial_rank_correlations` and :func:`contrast_drivers`: each sampled
  parameter's partial rank correlation coefficient (PRCC) with the worlds' differences
  and its p-value (Marino et al., J Theor Biol 2008; Blower & Dowlatabadi, Int Stat Rev
  1994): the parameters that move the effect, and in which direction, each with the
  others' (monotone) effects removed.

The worlds share their replicate seeds (common random numbers across the whole sweep), so
their differences are independent draws of the parameters but not of the noise; with few
replicates per world the noise adds to the spread and weakens the correlations.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> x = pd.DataFrame({"a": rng.random(50), "b": rng.random(50)})
>>> t = partial_rank_correlations(x, np.exp(3 * x["a"]) - x["b"])  # up in a, down in b
>>> t["parameter"].tolist(), np.sign(t["prcc"]).tolist(), bool((t["p_value"] < 1e-6).all())
(['a', 'b'], [1.0, -1.0], True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.outcomes.paired import summarize_differences

if TYPE_CHECKING:
    from sim.sweep.spec import SweepSpec

#: Columns of :func:`contrast_over_worlds`.
WORLD_COLUMNS = ("metric", "worlds", "diff_mean", "diff_lo", "diff_hi", "diff_p2_5",
                 "diff_p97_5", "share_worlds_lower")
#: Columns of :func:`partial_rank_correlations` (:func:`contrast_drivers` adds ``metric``
#: first and ``p_holm`` after ``p_value``).
DRIVER_COLUMNS = ("parameter", "prcc", "p_value", "worlds")


def sampled_parameters(spec: SweepSpec) -> list[str]:
    """The parameters a sampled contrast draws (every swept parameter but the arm's)."""
    return [p for p in spec.parameters if p != spec.crossed]


def contrast_over_worlds(table: pd.DataFrame, spec: SweepSpec) -> pd.DataFrame:
    """The contrast summarised over the sampled worlds, one row per metric.

    Parameters
    ----------
    table : the sweep's contrast (:func:`sim.sweep.contrast.sweep_contrasts`): one row per
        metric and world, ``diff_mean`` the world's mean paired difference
    spec : the sweep (its contrast's ``level`` sets the interval)

    Returns
    -------
    DataFrame
        :data:`WORLD_COLUMNS`: ``worlds`` (worlds where the metric is defined in both
        arms), ``diff_mean`` (mean over worlds of treatment minus control), ``diff_lo`` /
        ``diff_hi`` (Student-t interval of that mean at the contrast's level),
        ``diff_p2_5`` / ``diff_p97_5`` (2.5 and 97.5 percentiles of the worlds'
        differences) and ``share_worlds_lower``.
    """
    assert spec.contrast is not None
    rows = []
    for metric in spec.contrast_metrics:
        d = table.loc[table["metric"] == metric, "diff_mean"].to_numpy(dtype=float)
        s = summarize_differences(d, spec.contrast.level)
        rows.append({"metric": metric, "worlds": s["replicates"],
                     **{k: s[k] for k in WORLD_COLUMNS[2:-1]},
                     "share_worlds_lower": s["share_lower"]})
    return pd.DataFrame(rows, columns=list(WORLD_COLUMNS))


def partial_rank_correlations(x: pd.DataFrame, y: np.ndarray | pd.Series) -> pd.DataFrame:
    """Partial rank correlation of each column of ``x`` with ``y``.

    Every column and ``y`` are replaced by their ranks (ties averaged); for each column,
    its ranks and those of ``y`` are regressed on the other columns' ranks (with an
    intercept), and the PRCC is the Pearson correlation of the two residuals. Its p-value
    is Student's t test of a zero partial correlation with ``n - 2 - (k - 1)`` degrees of
    freedom (``n`` rows, ``k`` columns).

    Parameters
    ----------
    x : (n, k) sampled parameter values; columns that are not numbers, or constant, get NaN
    y : (n,) the output, e.g. each world's paired difference; NaN rows are left out

    Returns
    -------
    DataFrame
        :data:`DRIVER_COLUMNS`, one row per column of ``x`` in order; ``prcc`` and
        ``p_value`` NaN where they are undefined (too few rows: ``n <= k + 1``; an output
        constant to a part in a billion, whose ranks would be rounding noise; a column that
        is not a number or is constant).
    """
    from scipy import stats

    y = np.asarray(y, dtype=float)
    keep = np.isfinite(y)
    usable = [c for c in x.columns if _numeric(x[c]) and x[c][keep].nunique() > 1]
    n, k = int(keep.sum()), len(usable)
    out = {c: (float("nan"), float("nan")) for c in x.columns}
    df = n - 2 - (k - 1)
    # Ranks would turn rounding noise into order: an output that varies by less than a
    # part in a billion of its size is constant.
    spread = np.ptp(y[keep]) if n else 0.0
    if k and df >= 1 and spread > 1e-9 * np.abs(y[keep]).max():
        ranks = np.column_stack([stats.rankdata(x[c].to_numpy(dtype=float)[keep])
                                 for c in usable])
        ry = stats.rankdata(y[keep])
        for i, c in enumerate(usable):
            z = np.column_stack([np.ones(n), np.delete(ranks, i, axis=1)])
            ex = ranks[:, i] - z @ np.linalg.lstsq(z, ranks[:, i], rcond=None)[0]
            ey = ry - z @ np.linalg.lstsq(z, ry, rcond=None)[0]
            scale = np.sqrt((ex @ ex) * (ey @ ey))
            if scale <= 1e-12 * n * n:
                continue  # a column (or y) fully explained by the others
            r = float(np.clip((ex @ ey) / scale, -1.0, 1.0))
            t = r * np.sqrt(df / max(1.0 - r * r, 1e-300))
            out[c] = (r, float(2.0 * stats.t.sf(abs(t), df)))
    return pd.DataFrame([(c, *out[c], n) for c in x.columns], columns=list(DRIVER_COLUMNS))


def _numeric(col: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col))


def holm(p: np.ndarray | pd.Series) -> np.ndarray:
    """Holm's step-down adjustment of the p-values ``p`` (NaN left out and kept NaN): the
    family-wise error rate over the tests, so a parameter is not called a driver only
    because several were tested (Holm, Scand J Stat 1979).

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03, np.nan])).round(3).tolist()
    [0.03, 0.06, 0.06, nan]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def contrast_drivers(table: pd.DataFrame, spec: SweepSpec) -> pd.DataFrame:
    """:func:`partial_rank_correlations` of the sampled parameters with the worlds'
    paired differences, for each metric of the contrast: ``metric`` then
    :data:`DRIVER_COLUMNS` with ``p_holm`` (:func:`holm` over the metric's parameters)
    after ``p_value``; parameters by decreasing ``|prcc|`` within a metric.
    """
    parts = []
    params = sampled_parameters(spec)
    for metric in spec.contrast_metrics:
        sub = table[table["metric"] == metric]
        t = partial_rank_correlations(sub[params].reset_index(drop=True),
                                      sub["diff_mean"].to_numpy(dtype=float))
        t.insert(3, "p_holm", holm(t["p_value"]))
        t = t.iloc[np.argsort(-np.nan_to_num(np.abs(t["prcc"].to_numpy()), nan=-1.0),
                              kind="stable")]
        t.insert(0, "metric", metric)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def worlds_range_words(row: pd.Series, unit: str) -> str:
    """The worlds' 2.5–97.5% range of a :func:`contrast_over_worlds` row: ``+0.37 pp to
    +0.91 pp``.
    """
    from sim.outcomes import formatting

    lo, hi = (formatting.signed(row[k], unit) for k in ("diff_p2_5", "diff_p97_5"))
    return f"{lo} to {hi}"


def over_worlds_words(row: pd.Series, unit: str) -> str:
    """A :func:`contrast_over_worlds` row in words: ``+0.81 pp [+0.71 to +0.92]; worlds
    from +0.37 to +0.91 pp; lower in 0% of 16 worlds``.
    """
    from sim.outcomes import formatting

    text = formatting.difference(row["diff_mean"], row["diff_lo"], row["diff_hi"], unit)
    if int(row["worlds"]) > 1:
        spread = worlds_range_words(row, unit)
        lo, _, hi = spread.partition(" to ")
        text += "; the same in every world" if lo == hi else f"; worlds from {spread}"
    return f"{text}; lower in {row['share_worlds_lower']:.0%} of {int(row['worlds'])} worlds"


def driver_words(row: pd.Series) -> str:
    """A :func:`contrast_drivers` row's PRCC in words: ``PRCC −0.62, p = 0.014;
    Holm-adjusted 0.042``.
    """
    if not np.isfinite(row["prcc"]):
        return "PRCC undefined"
    p = float(row["p_value"])
    text = f"PRCC {row['prcc']:+.2f}".replace("-", "−")
    text += ", p < 0.001" if p < 0.001 else f", p = {p:.2g}"
    adjusted = float(row.get("p_holm", np.nan))
    if np.isfinite(adjusted) and adjusted >= 0.001 and f"{adjusted:.2g}" != f"{p:.2g}":
        text += f"; Holm-adjusted {adjusted:.2g}"
    return text
