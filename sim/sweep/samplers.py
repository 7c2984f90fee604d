"""Samplers: the points of a sweep, from its parameters and method.

Number of points by method (``d`` parameters):

- ``grid``: the product of each parameter's levels (``len(values)``, or ``steps`` for a
  range; a range without ``steps`` is an error for a grid);
- ``random``: ``samples`` independent uniform draws;
- ``lhs``: ``samples`` points of a scrambled Latin hypercube (``scipy.stats.qmc``);
- ``sobol``: ``samples * (d + 2)`` points in Saltelli's scheme: matrices A and B
  (``samples`` rows each, the two halves of one scrambled Sobol' sequence in 2d
  dimensions) and, for each parameter i, AB_i (A with column i taken from B).
  ``samples`` must be a power of 2.

A random or lhs sweep with a ``contrast:`` does not sample the contrast's arm parameter:
it draws ``samples`` points of the other parameters (*worlds*) and runs each in every one
of the arm parameter's values (``samples * len(values)`` points, a world's arms next to
each other), so the arms can be paired world by world (:mod:`sim.sweep.uncertainty`).

Every method first draws points in the unit cube ``[0, 1)^d`` and maps each column onto
its parameter: a range linearly (or in log space with ``log: true``; whole-number fields
uniformly over the integers from low to high), a ``values`` list by picking the element
whose equal-width slice of ``[0, 1)`` holds the draw. Draws come from streams named by
the sweep seed, so the same sweep file always gives the same points.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.streams import member_rng
from sim.scenario.paths import is_integer
from sim.sweep.spec import Parameter, SweepSpec


def levels(param: Parameter, integer: bool = False) -> list[Any]:
    """A parameter's grid levels."""
    if not param.is_range:
        return param.choices
    if param.steps is None:
        raise ValueError("a range in a grid needs steps (the number of levels)")
    space = np.geomspace if param.log else np.linspace
    out = space(*param.bounds, param.steps)
    return [int(round(v)) for v in out] if integer else [float(v) for v in out]


def point_count(spec: SweepSpec) -> int:
    """Points the sweep's method gives (see the module docstring)."""
    d = len(spec.parameters)
    if spec.method == "grid":
        # math.prod: Python ints, so a huge grid is counted, not wrapped around int64
        return math.prod(len(levels(p, is_integer(k))) for k, p in spec.parameters.items())
    if spec.method == "sobol":
        return spec.samples * (d + 2)
    crossed = spec.crossed
    return spec.samples * (len(spec.parameters[crossed].choices) if crossed else 1)


def from_unit(param: Parameter, u: np.ndarray, integer: bool = False) -> np.ndarray:
    """Map unit draws ``u`` (n,) in [0, 1) onto the parameter's values (n,)."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, np.nextafter(1.0, 0.0))
    if not param.is_range:
        choices = param.choices
        idx = np.minimum((u * len(choices)).astype(int), len(choices) - 1)
        return np.asarray(choices, dtype=object)[idx]
    low, high = param.bounds
    if integer:
        lo, hi = int(np.ceil(low)), int(np.floor(high))
        return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi).astype(int)
    if param.log:
        a, b = np.log(low), np.log(high)
        return np.exp(a + u * (b - a))
    return low + u * (high - low)


def unit_sample(spec: SweepSpec, d: int | None = None) -> tuple[np.ndarray, list[str]]:
    """(n, d) draws in the unit cube and a block label per point (sobol: A, B, AB:<path>);
    ``d`` defaults to the number of parameters.
    """
    from scipy.stats import qmc

    d, n = len(spec.parameters) if d is None else d, spec.samples
    rng = member_rng(spec.seed, f"sweep-{spec.method}")
    if spec.method == "random":
        return rng.random((n, d)), [""] * n
    if spec.method == "lhs":
        return qmc.LatinHypercube(d=d, rng=rng).random(n), [""] * n
    if spec.method == "sobol":
        return saltelli(list(spec.parameters), n, rng)
    raise ValueError(f"no unit sample for method {spec.method}")


def saltelli(paths: list[str], n: int, rng: np.random.Generator
             ) -> tuple[np.ndarray, list[str]]:
    """Saltelli's scheme in the unit cube: (n * (d + 2), d) draws and their block labels.

    Rows are A (n), B (n), then AB_i (n each) for each of the d ``paths``; A and B are
    the two halves of a scrambled Sobol' sequence in 2d dimensions (n a power of 2).
    """
    from scipy.stats import qmc

    d = len(paths)
    x = qmc.Sobol(d=2 * d, scramble=True, rng=rng).random_base2(int(np.log2(n)))
    a, b = x[:, :d], x[:, d:]
    blocks, labels = [a, b], ["A"] * n + ["B"] * n
    for i, path in enumerate(paths):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
        labels += [f"AB:{path}"] * n
    return np.concatenate(blocks), labels


def sample_points(spec: SweepSpec) -> pd.DataFrame:
    """The sweep's points: ``point`` (0..n-1), one column per parameter path, and
    ``block`` (sobol only: which Saltelli matrix the point belongs to).
    """
    paths = list(spec.parameters)
    cols: dict[str, Any]
    if spec.method == "grid":
        grids = [levels(spec.parameters[p], is_integer(p)) for p in paths]
        rows = list(itertools.product(*grids))
        cols = {p: [r[i] for r in rows] for i, p in enumerate(paths)}
        out = pd.DataFrame({"point": np.arange(len(rows)), **cols})
    elif spec.crossed is not None:
        out = _crossed_points(spec, paths)
    else:
        u, blocks = unit_sample(spec)
        cols = {p: from_unit(spec.parameters[p], u[:, i], is_integer(p))
                for i, p in enumerate(paths)}
        out = pd.DataFrame({"point": np.arange(len(u)), **cols})
        if spec.method == "sobol":
            out["block"] = blocks
    for p in paths:  # object columns of numbers become numeric for parquet
        if out[p].dtype == object:
            try:
                out[p] = pd.to_numeric(out[p])
            except (TypeError, ValueError):
                out[p] = out[p].astype(str)
    return out


def _crossed_points(spec: SweepSpec, paths: list[str]) -> pd.DataFrame:
    """Points of a sampled sweep whose contrast arm is crossed with the sample: world ``w``
    (a draw of the other parameters) in the arm parameter's ``k``-th value is point
    ``w * K + k``.
    """
    arm = spec.crossed
    assert arm is not None
    values = spec.parameters[arm].choices
    sampled = [p for p in paths if p != arm]
    u, _ = unit_sample(spec, len(sampled))
    K, n = len(values), len(u)
    cols: dict[str, Any] = {p: np.repeat(from_unit(spec.parameters[p], u[:, i], is_integer(p)), K)
                            for i, p in enumerate(sampled)}
    cols[arm] = np.tile(np.asarray(values, dtype=object), n)
    return pd.DataFrame({"point": np.arange(n * K), **{p: cols[p] for p in paths}})


def corner_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """A few points that together reach every parameter's extremes and listed values."""
    firsts = {}
    options = {}
    for path, p in spec.parameters.items():
        if p.is_range:
            integer = is_integer(path)
            vals = [from_unit(p, np.array([0.0]), integer)[0],
                    from_unit(p, np.array([1.0]), integer)[0]]
        else:
            vals = p.choices
        firsts[path] = vals[0]
        options[path] = vals
    points = [dict(firsts)]
    for path, vals in options.items():
        for v in vals[1:]:
            points.append({**firsts, path: v})
    return points


def point_values(points: pd.DataFrame, paths: list[str]) -> list[dict[str, Any]]:
    """One ``{path: value}`` dict per row of ``points`` (plain Python scalars)."""
    cols = [points[p].tolist() for p in paths]
    return [dict(zip(paths, row, strict=True)) for row in zip(*cols, strict=True)]
