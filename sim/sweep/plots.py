"""PNG plots of a sweep: Sobol indices, 2-parameter heatmaps, metric-vs-parameter scatter.

- ``sobol_<metric>.png`` (sobol sweeps): first-order and total indices per parameter,
  with their confidence intervals as error bars;
- ``heatmap_<metric>.png`` (grids over exactly two parameters): the metric's mean over
  replicates in every cell, written in the cell;
- ``scatter_<metric>.png`` (every other sweep): the metric at each point against each
  parameter (one panel per parameter), the mean over replicates as dots.

At most :data:`MAX_METRICS` metrics get plots (the first ones of the sweep's list that
have a finite value somewhere).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

if TYPE_CHECKING:
    from sim.sweep.runner import SweepResults

MAX_METRICS = 6
STYLE = {"figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False, "font.size": 10, "axes.titlesize": 12,
         "legend.frameon": False}


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def metric_label(name: str) -> tuple[str, float]:
    """Axis label with units, and the factor to multiply values by."""
    if name.startswith("coverage"):
        kind, _, group = name.partition(".")
        what = "≥1 dose" if kind == "coverage_final" else "full course" \
            if kind == "coverage_completed_final" else kind.replace("_", " ")
        return f"coverage {what}, {group} at the end (% of population)", 100.0
    if name.startswith("gini"):
        return f"{name.replace('_', ' ')} across countries (0 equal, 1 unequal)", 1.0
    if name.startswith("doses"):
        return f"{name.replace('_', ' ')} (billion doses)", 1e-9
    return name.replace("_", " "), 1.0


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")


def sobol_bars(sens: dict, metric: str, path: Path) -> Path | None:
    """Horizontal bars of S1 and ST per parameter, with confidence intervals."""
    by_param = sens["metrics"].get(metric)
    if not by_param:
        return None
    params = list(by_param)
    y = np.arange(len(params))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.55 * len(params)))
        for key, label, color, off in (("S1", "first-order (S1)", "#1f77b4", -0.2),
                                       ("ST", "total (ST)", "#d62728", 0.2)):
            vals = np.array([by_param[p][key] for p in params])
            ci = np.array([by_param[p][f"{key}_ci"] for p in params])
            err = np.abs(np.vstack([vals - ci[:, 0], ci[:, 1] - vals]))
            ax.barh(y + off, vals, height=0.38, color=color, label=label, xerr=err,
                    capsize=3, error_kw={"lw": 1})
        ax.set_yticks(y, params)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel("Sobol index (share of output variance)")
        level = int(round(100 * sens.get("confidence_level", 0.95)))
        ax.set_title(f"Sensitivity of {metric_label(metric)[0].split(' (')[0]}\n"
                     f"(bars: estimates; whiskers: {level}% bootstrap CI, "
                     f"N = {sens.get('base_samples')})")
        ax.legend(loc="lower right")
        return _save(fig, path)


def heatmap(summary: pd.DataFrame, x: str, y: str, metric: str, path: Path) -> Path:
    """The metric's mean over replicates on a 2-parameter grid."""
    label, factor = metric_label(metric)
    table = summary.pivot_table(index=y, columns=x, values=metric, aggfunc="mean") * factor
    with plt.rc_context({**STYLE, "axes.grid": False}):
        fig, ax = plt.subplots(figsize=(1.6 + 1.1 * table.shape[1], 1.4 + 0.7 * table.shape[0]))
        im = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
        ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        finite = table.to_numpy()[np.isfinite(table.to_numpy())]
        vmin, vmax = finite.min(), finite.max()
        mid = (vmin + vmax) / 2
        top = max(abs(vmin), abs(vmax), 1e-300)
        decimals = int(max(0, 2 - np.floor(np.log10(top))))  # 3 significant digits at most
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                v = table.iat[i, j]
                text = f"{v:.{decimals}f}".replace("-0.0", "0.0") if np.isfinite(v) else "–"
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="black" if v > mid else "white")
        fig.colorbar(im, ax=ax, label=label.replace(" (", "\n("))
        ax.set_title(f"{metric}: mean over replicates")
        return _save(fig, path)


def scatter(summary: pd.DataFrame, params: list[str], metric: str, path: Path) -> Path:
    """The metric at each point against each parameter."""
    label, factor = metric_label(metric)
    n = len(params)
    cols = min(n, 3)
    rows = -(-n // cols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False,
                                 sharey=True)
        for ax, p in zip(axes.ravel(), params, strict=False):
            ax.scatter(summary[p], summary[metric] * factor, s=10, alpha=0.6, color="#1f77b4")
            ax.set_xlabel(p)
        for ax in axes[:, 0]:
            ax.set_ylabel(label.replace(" (", "\n("))
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        fig.suptitle(f"{metric} at each sweep point (mean over replicates)")
        fig.tight_layout()
        return _save(fig, path)


def plot_sweep(res: SweepResults, folder: Path) -> list[Path]:
    """Every plot of a sweep into ``folder``; returns the files written."""
    folder = Path(folder)
    summary = res.summary()
    params = res.parameters
    out: list[Path] = []
    finite = [m for m in res.spec.metrics
              if np.isfinite(summary[m].to_numpy(dtype=float)).any()]  # all-NaN: nothing to draw
    for metric in finite[:MAX_METRICS]:
        slug = _slug(metric)
        if res.sensitivity is not None:
            f = sobol_bars(res.sensitivity, metric, folder / f"sobol_{slug}.png")
            if f:
                out.append(f)
        if res.spec.method == "grid" and len(params) == 2:
            out.append(heatmap(summary, params[0], params[1], metric,
                               folder / f"heatmap_{slug}.png"))
        else:
            out.append(scatter(summary, params, metric, folder / f"scatter_{slug}.png"))
    return out
