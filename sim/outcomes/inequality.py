"""Inequality measures as pure functions of arrays: Lorenz curve, Gini, concentration index.

Every function works on the last axis (countries, N) and broadcasts over any leading axes
(members E, dates W …), so ``values`` may be ``(N,)``, ``(E, N)`` or ``(E, W, N)``.
Weights (population) may be ``(N,)`` or the same shape as ``values``.

Two conventions for a Gini of vaccination coverage are in use and give very different
numbers (see FACTS.md, "Equity metric conventions"); this module offers both:

- **population-weighted** (``weights=population``): every person counts, with the
  coverage of their country; the Gini of the Lorenz curve of vaccinated people (or doses)
  against population (Tatar et al. 2022 report about 0.9 for mid-2021 doses).
- **unweighted** (``weights=None``): every country counts once, whatever its size
  (Suárez-Álvarez et al. 2022 report about 0.63 in May 2021).

Examples
--------
>>> import numpy as np
>>> float(gini(np.array([1.0, 0.0, 0.0, 0.0])))
0.75
>>> float(gini(np.array([0.5, 0.5])))
0.0
"""

from __future__ import annotations

import numpy as np


def _prepare(values: np.ndarray, weights: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.broadcast_to(
        np.asarray(weights, dtype=float), v.shape)
    return v, w


def lorenz_curve(values: np.ndarray, weights: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve of ``values`` (coverage per country) weighted by ``weights``.

    Countries are sorted by value, poorest covered first; the curve joins
    ``(X_k, Y_k)`` where ``X_k`` is the cumulative share of weight (population) and
    ``Y_k`` the cumulative share of ``weight × value`` (vaccinated people).

    Parameters
    ----------
    values : (..., N) coverage (any non-negative quantity per unit)
    weights : (N,) or (..., N) population; None counts every country once

    Returns
    -------
    x, y : (..., N + 1) cumulative shares, starting at 0 and ending at 1 (``y`` is NaN
        where all values are 0)

    References
    ----------
    Lorenz M.O. (1905), Methods of measuring the concentration of wealth, JASA 9:209-219.
    """
    v, w = _prepare(values, weights)
    order = np.argsort(v, axis=-1, kind="stable")
    if v.ndim == 1:  # the same values, without take_along_axis' index grids (~4x faster)
        vs, ws = v[order], w[order]
    else:
        vs = np.take_along_axis(v, order, axis=-1)
        ws = np.take_along_axis(w, order, axis=-1)
    cw = np.cumsum(ws, axis=-1)
    cv = np.cumsum(ws * vs, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = cw / cw[..., -1:]
        y = cv / cv[..., -1:]
    zero = np.zeros((*v.shape[:-1], 1))
    return np.concatenate([zero, x], axis=-1), np.concatenate([zero, y], axis=-1)


def gini(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Gini coefficient: one minus twice the area under the Lorenz curve.

    ``G = 1 - Σ_k (X_k - X_{k-1}) (Y_k + Y_{k-1})`` over the Lorenz points (trapezoids),
    which for grouped data equals the mean absolute difference
    ``Σ_i Σ_j w_i w_j |v_i - v_j| / (2 W² μ)`` with ``μ = Σ w_i v_i / W``.
    0 is perfect equality; with equal weights, one country holding everything gives
    ``1 - 1/N``.

    Parameters
    ----------
    values : (..., N) coverage per country (non-negative)
    weights : (N,) or (..., N) population (population-weighted Gini); None: every
        country counts once (unweighted Gini)

    Returns
    -------
    (...,) Gini in [0, 1]; NaN where every value is 0 (inequality undefined)

    References
    ----------
    Gini C. (1912), Variabilità e mutabilità. Population weighting as in Tatar M. et al.
    (2022), International COVID-19 vaccine inequality amid the pandemic, Int J Health
    Policy Manag; unweighted as in Suárez-Álvarez A. et al. (2022), J Glob Health.
    """
    if np.ndim(values) == 1 and (weights is None or np.ndim(weights) == 1):
        return np.clip(_gini_row(*_prepare(values, weights)), 0.0, 1.0)
    x, y = lorenz_curve(values, weights)
    area2 = np.sum(np.diff(x, axis=-1) * (y[..., 1:] + y[..., :-1]), axis=-1)
    return np.clip(1.0 - area2, 0.0, 1.0)


def _gini_row(v: np.ndarray, w: np.ndarray) -> np.float64:
    """``1 − 2 × area`` under the Lorenz curve of one (N,) row with (N,) weights, before
    :func:`gini` clips it: the same operations in the same order as the general version
    (so the same bits), without its broadcasting and concatenation (~2x faster; the Mesa
    view asks for one a day).
    """
    order = np.argsort(v, kind="stable")
    ws = w[order]
    n = len(v)
    x, y = np.zeros(n + 1), np.zeros(n + 1)
    cw, cv = np.cumsum(ws), np.cumsum(ws * v[order])
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(cw, cw[-1:], out=x[1:])
        np.divide(cv, cv[-1:], out=y[1:])
    area2 = ((x[1:] - x[:-1]) * (y[1:] + y[:-1])).sum()
    return 1.0 - area2


def fractional_rank(rank_by: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Weighted fractional rank in (0, 1): cumulative weight share before a unit plus half
    its own, units sorted by ``rank_by`` ascending (poorest first). Ties share a rank.

    Parameters
    ----------
    rank_by : (N,) e.g. GDP per capita
    weights : (N,) population; None: equal

    Returns
    -------
    (N,) ranks whose weighted mean is 0.5
    """
    x = np.asarray(rank_by, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    share = w / w.sum()
    order = np.argsort(x, kind="stable")
    xs, ss = x[order], share[order]
    # Ties: every unit of a tied block gets the block's midpoint.
    starts = np.r_[True, xs[1:] != xs[:-1]]
    block = np.cumsum(starts) - 1
    block_share = np.bincount(block, weights=ss)
    block_before = np.cumsum(block_share) - block_share
    ranks = np.empty_like(x)
    ranks[order] = block_before[block] + block_share[block] / 2
    return ranks


def concentration_index(values: np.ndarray, rank_by: np.ndarray,
                        weights: np.ndarray | None = None) -> np.ndarray:
    """Concentration index of ``values`` across units ranked by ``rank_by``.

    ``CI = 2 cov_w(v, r) / μ_w``, with ``r`` the weighted fractional rank by ``rank_by``
    (GDP per capita, poorest first) and covariance and mean weighted by population.
    Positive when coverage concentrates among the rich, negative among the poor, 0 when
    coverage does not depend on rank; in [-1, 1] for non-negative values.

    Parameters
    ----------
    values : (..., N) coverage per country
    rank_by : (N,) GDP per capita (the ranking is the same for every leading index)
    weights : (N,) population; None: every country counts once

    Returns
    -------
    (...,) concentration index; NaN where every value is 0

    References
    ----------
    Kakwani N., Wagstaff A., van Doorslaer E. (1997), Socioeconomic inequalities in health,
    J Econometrics 77:87-103; O'Donnell O. et al. (2008), Analyzing Health Equity Using
    Household Survey Data, World Bank, ch. 8 (the "convenient covariance" formula).
    """
    v = np.asarray(values, dtype=float)
    w = np.ones(v.shape[-1]) if weights is None else np.asarray(weights, dtype=float)
    share = w / w.sum()
    r = fractional_rank(rank_by, w)
    mean = np.sum(v * share, axis=-1)
    cov = np.sum(share * (v - mean[..., None]) * (r - np.sum(share * r)), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, 2 * cov / np.where(mean > 0, mean, 1.0), np.nan)
