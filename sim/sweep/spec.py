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

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.scenario.loader import (
    ScenarioError,
    format_validation,
)
from sim.scenario.paths import Path_, dotted, with_values
from sim.scenario.schema import Scenario, Strict
from sim.scenario.types import MAX_SEED, count

#: Default batching (:func:`auto_batch_size`): about this many batches per sweep, ...
AUTO_BATCHES = 8
#: ... of at least this many members ...
MIN_AUTO_BATCH = 16
#: ... and at most this many.
MAX_AUTO_BATCH = 256

Scalar = float | int | bool | str
#: Metrics a sweep collects when its file names none.
DEFAULT_METRICS: tuple[str, ...] = (
    "coverage_final.World", "coverage_final.HIC", "coverage_final.LIC", "doses_administered",
    "doses_expired")


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

    @property
    def choices(self) -> list[Scalar]:
        """The listed values (empty for a range)."""
        return list(self.values or [])

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)`` of a range (the validator guarantees both for a range)."""
        if self.low is None or self.high is None:
            raise ValueError("not a range parameter")
        return self.low, self.high


class Contrast(Strict):
    """Two arms of a sweep compared replicate by replicate: the points that differ only in
    ``parameter`` (``control`` against ``treatment``) are paired, and so are their
    replicates, which share their seeds (:func:`sim.sweep.contrast.paired_contrast`).

    In a grid the arms are compared at every setting of the other parameters. In a sampled
    sweep (``random`` or ``lhs``) the arm parameter is not sampled but crossed with the
    sample: every sampled point of the other parameters (a *world*) runs in each of its
    values, and the contrast is also summarised over the worlds
    (:mod:`sim.sweep.uncertainty`: how the effect varies over plausible parameters, and
    which of them move it).
    """

    parameter: str = Field(description="the swept parameter whose two values are the arms, "
                           "e.g. donation.groups.HIC.share")
    control: Scalar = Field(description="its value in the reference arm (one of its values)")
    treatment: Scalar = Field(description="its value in the arm compared with the reference")
    metrics: list[str] | None = Field(
        None, description="metrics to compare (default: every metric of the sweep)")
    level: Annotated[float, Field(gt=0.5, lt=1.0)] = Field(
        0.95, description="confidence level of the interval on the mean paired difference")


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
    seed: count(0, MAX_SEED) = Field(
        20210101, description="seeds the sampler and the replicates' member seeds")
    batch_size: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None, description="members run together in one (E, N) batch; also the unit of "
        "parallel work and of resuming. Default: the sweep's members in about "
        f"{AUTO_BATCHES} batches of {MIN_AUTO_BATCH} to {MAX_AUTO_BATCH} members, so "
        "workers share the work evenly")
    metrics: list[str] = Field(
        default_factory=lambda: list(DEFAULT_METRICS),
        description="per-member metrics to collect, named as in summary.json flattened "
        "with dots, e.g. coverage_final.LIC")
    contrast: Contrast | None = Field(
        None, description="two arms to compare replicate by replicate: contrasts.csv, "
        "contrast.png and a report section give treatment minus control for every setting "
        "of the other parameters (grid) or every sampled world (random, lhs: the arm "
        "parameter is crossed with the sample, and the effect is summarised over the "
        "worlds with the parameters that move it), with intervals")

    @property
    def contrast_metrics(self) -> list[str]:
        """Metrics the contrast compares (none without a contrast)."""
        if self.contrast is None:
            return []
        return list(self.contrast.metrics or self.metrics)

    @property
    def crossed(self) -> str | None:
        """The contrast's arm parameter when it is crossed with a sample (a random or lhs
        sweep with a contrast on a listed parameter), else None.
        """
        c = self.contrast
        if c is None or self.method not in ("random", "lhs"):
            return None
        p = self.parameters.get(c.parameter)
        return c.parameter if p is not None and not p.is_range else None

    def batch_for(self, members: int) -> int:
        """Members per batch for a sweep of ``members``: ``batch_size`` if given, else
        :func:`auto_batch_size` (fixed by the sweep file, never by the executor).
        """
        return self.batch_size if self.batch_size is not None else auto_batch_size(members)

    @property
    def base_data(self) -> dict[str, Any]:
        """The base scenario as data (:func:`sim.sweep.files.load_sweep` inlines it)."""
        if isinstance(self.base, str):
            raise ValueError(f"base {self.base!r} is a file name: load the sweep with "
                             "load_sweep to resolve it")
        return self.base

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




def contrast_problem(spec: SweepSpec) -> tuple[Path_, str] | None:
    """(key path, what is wrong) with ``spec.contrast``, or None: it needs a grid or a
    sampled method (random, lhs; with another parameter to sample), one of the swept
    parameters with listed values, two different values among them as arms, and metrics
    the sweep collects.
    """
    from sim.scenario.paths import suggest

    c = spec.contrast
    if c is None:
        return None
    if spec.method == "sobol":
        return (("contrast",), "a contrast pairs points that differ only in its parameter, "
                "and Saltelli's matrices vary every parameter: use method: grid, or lhs "
                "or random to carry the contrast across sampled parameters")
    if c.parameter not in spec.parameters:
        return (("contrast", "parameter"), f"'{c.parameter}' is not a swept parameter"
                + suggest(c.parameter, list(spec.parameters)))
    if spec.method != "grid" and len(spec.parameters) == 1:
        return (("contrast", "parameter"), f"'{c.parameter}' is the only parameter: a "
                f"{spec.method} sweep with a contrast samples the other parameters (add "
                "one, or use method: grid)")
    values = spec.parameters[c.parameter].choices
    if not values:
        return (("contrast", "parameter"), f"'{c.parameter}' is a range: a contrast's "
                "parameter needs listed values")
    for key in ("control", "treatment"):
        v = getattr(c, key)
        if not any(type(v) is type(x) and v == x or _same_number(v, x) for x in values):
            return (("contrast", key), f"{v!r} is not one of {c.parameter}'s values "
                    f"{values}")
    if c.control == c.treatment:
        return (("contrast", "treatment"), "the two arms are the same value")
    for i, m in enumerate(c.metrics or []):
        if m not in spec.metrics:
            return (("contrast", "metrics", i), f"'{m}' is not a metric of the sweep"
                    + suggest(m, list(spec.metrics)))
    return None


def _same_number(a: object, b: object) -> bool:
    """Equal numbers, an int and a float alike (0 and 0.0), but never a bool."""
    numbers = (int, float)
    return (isinstance(a, numbers) and isinstance(b, numbers)
            and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


# --------------------------------------------------------------------------- loading
def auto_batch_size(members: int) -> int:
    """Members per batch when a sweep does not say: about :data:`AUTO_BATCHES` batches,
    each of :data:`MIN_AUTO_BATCH` to :data:`MAX_AUTO_BATCH` members.

    A batch of a few dozen members already runs at nearly the per-member speed of a large
    one (``benchmarks/test_sweep_bench.py``), and eight or more batches keep two to
    eight workers evenly busy (a 256-member sweep in one batch of 256 left one of two
    workers idle).

    Examples
    --------
    >>> auto_batch_size(256), auto_batch_size(20), auto_batch_size(100_000)
    (32, 16, 256)
    """
    return min(MAX_AUTO_BATCH, max(MIN_AUTO_BATCH, -(-members // AUTO_BATCHES)))


def point_scenario(base: Mapping[str, Any], values: Mapping[str, Any],
                   check_codes: bool = False) -> Scenario:
    """The scenario of one sweep point: ``base`` with each dotted path set to its value."""
    from sim.scenario.references import reference_errors

    data = with_values(base, values)
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


__all__ = ["DEFAULT_METRICS", "Parameter", "SweepSpec", "point_scenario"]
