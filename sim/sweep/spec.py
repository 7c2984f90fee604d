"""Sweep specs: the pydantic schema of a sweep, its parameter paths and its points'
scenarios (reading and checking files: :mod:`sim.sweep.files`).

A sweep names a base scenario, the parameters to vary (dotted paths into the scenario,
each with a list of ``values`` or a range ``{low, high, log}``), how to sample them
(``grid``, ``random``, ``lhs`` or ``sobol``), how many replicates each point gets, the
seed, the batch size and the metrics to collect. Sweep files are checked like scenario
files: a bad one gives one line naming the file, the line and the key path, with a
"did you mean" for a mistyped key, parameter path or metric.

Examples
--------
>>> from sim.sweep.files import load_sweep
>>> spec = load_sweep("scenarios/sweeps/hoarding_vs_pooling.yaml")   # doctest: +SKIP
>>> spec.method, len(spec.parameters)                               # doctest: +SKIP
('grid', 2)
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from sim.scenario.loader import (
    ScenarioError,
    deep_merge,
    format_validation,
)
from sim.scenario.paths import dotted, keys_at, suggest, unwrap
from sim.scenario.schema import Scenario, Strict

#: Top-level scenario keys a sweep may not vary: they define the shared world, the
#: member seeds or the outputs, not a policy or an uncertainty.
FIXED_KEYS = ("name", "description", "extends", "start", "days", "seed", "replicates",
              "countries", "outputs")

Scalar = float | int | bool | str


class Parameter(Strict):
    """One swept parameter: a list of values or a range."""

    values: list[Scalar] | None = Field(
        None, description="the values to try (grid) or to draw from (other methods)")
    low: float | None = Field(None, description="lower end of a range")
    high: float | None = Field(None, description="upper end of a range")
    log: bool = Field(False, description="sample the range uniformly in log space")
    steps: Annotated[int, Field(ge=2, le=1000)] | None = Field(
        None, description="grid method: number of evenly spaced levels of a range "
        "(log-spaced if log is true)")

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if self.values is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either values or low/high, not both")
            if not self.values:
                raise ValueError("values is empty")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give values, or both low and high")
        if not self.low < self.high:
            raise ValueError("low must be below high")
        if self.log and self.low <= 0:
            raise ValueError("a log range needs low > 0")
        return self

    @property
    def is_range(self) -> bool:
        """True for ``{low, high}``, False for ``values``."""
        return self.values is None


class SweepSpec(Strict):
    """A parameter sweep over a base scenario."""

    name: str = Field(description="short name, used for the results folder")
    description: str = ""
    base: str | dict[str, Any] = Field(
        description="the base scenario: a file name relative to the sweep file, or (in a "
        "resolved sweep.yaml) the scenario itself")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="scenario keys deep-merged onto the base before "
        "sweeping, e.g. {days: 365} for a shorter horizon")
    parameters: dict[str, Parameter] = Field(
        description="dotted scenario paths to vary, e.g. procurement.groups.HIC.multiple")
    method: Literal["grid", "random", "lhs", "sobol"] = Field(
        "grid", description="grid: every combination; random: independent uniform draws; "
        "lhs: Latin hypercube; sobol: Saltelli's scheme for Sobol indices")
    samples: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        64, description="random and lhs: number of points; sobol: base sample size N (a "
        "power of 2), giving N * (parameters + 2) points; ignored by grid")
    replicates: Annotated[int, Field(ge=1, le=10_000)] = Field(
        1, description="members per point, each with its own seed (replicate r has the "
        "same seed at every point: common random numbers)")
    seed: Annotated[int, Field(ge=0)] = Field(
        20210101, description="seeds the sampler and the replicates' member seeds")
    batch_size: Annotated[int, Field(ge=1, le=100_000)] = Field(
        256, description="members run together in one (E, N) batch; also the unit of "
        "parallel work and of resuming")
    metrics: list[str] = Field(
        default_factory=lambda: list(DEFAULT_METRICS),
        description="per-member metrics to collect, named as in summary.json flattened "
        "with dots, e.g. coverage_final.LIC")

    @model_validator(mode="after")
    def _checks(self) -> SweepSpec:
        if not self.parameters:
            raise ValueError("parameters is empty")
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol needs samples to be a power of 2 (got {self.samples})")
        if self.method == "grid":
            for path, p in self.parameters.items():
                if p.is_range and p.steps is None:
                    raise ValueError(f"parameter {path}: a range in a grid needs steps "
                                     "(the number of levels)")
        return self


DEFAULT_METRICS = ("coverage_final.World", "coverage_final.HIC", "coverage_final.LIC",
                   "doses_administered", "doses_expired")


# --------------------------------------------------------------------------- paths
def leaf_types(path: tuple[str, ...]) -> tuple[list[Any], str | None]:
    """Types of the scenario field at ``path``, or ``(types, error message)``."""
    current: list[Any] = [Scenario]
    for i, part in enumerate(path):
        nxt: list[Any] = []
        for t in current:
            origin = typing.get_origin(t)
            if isinstance(t, type) and issubclass(t, BaseModel):
                if part in t.model_fields:
                    nxt += unwrap(t.model_fields[part].annotation)
            elif origin is dict:
                key_t, val_t = typing.get_args(t)
                keys = typing.get_args(key_t) if typing.get_origin(key_t) is Literal else None
                if keys is None or part in keys:
                    nxt += unwrap(val_t)
        if not nxt:
            known = keys_at(Scenario, path[:i])
            hint = suggest(part, known) if known else ""
            return [], f"no scenario field '{part}' at {'.'.join(path[:i]) or 'top level'}" \
                + hint
        current = nxt
    return current, None


def check_path(path: str) -> str | None:
    """Why ``path`` cannot be swept, or None if it can."""
    parts = tuple(path.split("."))
    if not all(parts):
        return "empty part in the dotted path"
    if parts[0] in FIXED_KEYS:
        return f"'{parts[0]}' cannot be swept (it fixes the shared world, seeds or outputs)"
    types, err = leaf_types(parts)
    if err:
        return err
    scalar = [t for t in types if t in (int, float, bool)
              or typing.get_origin(t) is Literal]
    if not scalar:
        return "not a number or choice (sweep a leaf field such as ...multiple)"
    return None


def is_integer(path: str) -> bool:
    """True if the field at ``path`` holds whole numbers (range samples are rounded)."""
    types, _ = leaf_types(tuple(path.split(".")))
    return int in types and float not in types


# --------------------------------------------------------------------------- loading
def point_scenario(base: Mapping[str, Any], values: Mapping[str, Any],
                   check_codes: bool = False) -> Scenario:
    """The scenario of one sweep point: ``base`` with each dotted path set to its value."""
    from sim.scenario.references import reference_errors

    data = apply_values(base, values)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation(exc, {}, "<point>")) from None
    if check_codes:
        problems = reference_errors(scenario)
        if problems:
            loc, msg = problems[0]
            raise ScenarioError(f"{dotted(loc)}: {msg}")
    return scenario


def apply_values(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` (scenario data) with each dotted path in ``values`` set."""
    out = deep_merge(base, {})
    for path, value in values.items():
        node = out
        *parents, leaf = path.split(".")
        for k in parents:
            child = node.get(k)
            node[k] = dict(child) if isinstance(child, Mapping) else {}
            node = node[k]
        node[leaf] = value.item() if hasattr(value, "item") else value
    return out


__all__ = ["DEFAULT_METRICS", "Parameter", "SweepSpec", "apply_values", "check_path",
           "point_scenario"]
