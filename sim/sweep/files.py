"""Sweep files: read, check and write them (the schema is :mod:`sim.sweep.spec`).

Sweep files are checked like scenario files: a bad one gives one line naming the file,
the line and the key path, with a "did you mean" for a mistyped key, parameter path or
metric; every corner of the parameter ranges must give a valid scenario.

Examples
--------
>>> from sim.sweep.files import load_sweep
>>> spec = load_sweep("scenarios/sweeps/hoarding_vs_pooling.yaml")   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.loader import (
    ScenarioError,
    _resolve,
    deep_merge,
    format_validation,
    read_yaml,
    validate_data,
)
from sim.scenario.paths import Path_, check_path, dotted, keys_at, suggest, where
from sim.scenario.schema import Scenario
from sim.scenario.shipped import find_file
from sim.sweep.samplers import corner_points
from sim.sweep.spec import Contrast, Parameter, SweepSpec, contrast_problem, point_scenario


def _known_keys(loc: Path_) -> list[str]:
    """Valid keys beside an unknown one: a parameter entry's fields, else the spec's."""
    if len(loc) >= 2 and loc[0] == "parameters":
        return list(Parameter.model_fields)
    if len(loc) >= 1 and loc[0] == "contrast":
        return list(Contrast.model_fields)
    return keys_at(SweepSpec, loc)


def parse_sweep(data: Mapping[str, Any], lines: Mapping[Path_, str] | None = None,
                source: str = "<sweep>") -> SweepSpec:
    """Validate sweep data (schema, parameter paths, metric names)."""
    lines = lines or {}
    try:
        spec = SweepSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(format_validation(exc, lines, source, SweepSpec, _known_keys)) from None
    for path in spec.parameters:
        problem = check_path(path, "swept")
        if problem:
            loc = ("parameters", path)
            raise ScenarioError(f"{where(lines, loc, source)}: parameters.{path}: {problem}")
    # Names are checked against the registry's patterns here; against the base
    # scenario (reporting dates, targets, regions of its world) when the sweep runs.
    from sim.outcomes.registry import describe, example_names  # lazy: pandas, engine

    for i, name in enumerate(spec.metrics):
        try:
            describe(name)
        except KeyError:
            raise ScenarioError(f"{where(lines, ('metrics', i), source)}: metrics[{i}]: "
                                "unknown metric "
                                f"'{name}'" + suggest(name, example_names())) from None
    wrong = contrast_problem(spec)
    if wrong is not None:
        raise ScenarioError(f"{where(lines, wrong[0], source)}: {dotted(wrong[0])}: "
                            f"{wrong[1]}")
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Load and check a sweep file; the base scenario is resolved and inlined.

    Parameters
    ----------
    path : a sweep YAML file, or the name of a shipped sweep (``"sensitivity"``)

    Returns
    -------
    SweepSpec
        With ``base`` replaced by the resolved base scenario, every default written
        out (``extends`` applied, ``overrides`` merged), so the spec is self-contained.

    Raises
    ------
    ScenarioError
        One line naming the file, line and key path.
    """
    try:
        path = find_file(path, "sweep")
    except FileNotFoundError as exc:
        raise ScenarioError(str(exc)) from None
    data, lines = read_yaml(path)
    data.setdefault("name", path.stem)
    spec = parse_sweep(data, lines, str(path))
    if isinstance(spec.base, str):
        base_path = path.parent / spec.base
        if not base_path.exists():
            raise ScenarioError(f"{where(lines, ('base',), str(path))}: base: no such file "
                                f"{base_path}")
        base, base_lines = _resolve(base_path)
        base.setdefault("name", base_path.stem)
    else:
        base, base_lines, base_path = dict(spec.base), {}, path
    base = deep_merge(base, spec.overrides)
    for key in spec.overrides:
        base_lines[(key,)] = where(lines, ("overrides", key), str(path))
    spec = spec.model_copy(update={"base": full_base(validate_data(base, base_lines,
                                                                   str(base_path))),
                                   "overrides": {}})
    check_points(spec, lines, str(path))
    return spec


def full_base(scenario: Scenario) -> dict[str, Any]:
    """A scenario as complete data (every default written out, no ``extends``), so a
    swept path such as ``uptake.capacity.LIC.end`` lands inside its full parent entry.
    """
    return scenario.model_dump(mode="json", exclude={"extends"})


def check_points(spec: SweepSpec, lines: Mapping[Path_, str] | None = None,
                 source: str = "<sweep>", check_codes: bool = True) -> None:
    """Validate the base scenario at the corners of every parameter's range.

    Each parameter takes its lowest and highest value (or every listed value) with the
    others at their first value; the resulting scenarios must be valid. With
    ``check_codes``, country, group and producer codes are checked against shipped data.
    """
    lines = lines or {}
    for values in corner_points(spec):
        try:
            point_scenario(spec.base_data, values, check_codes=check_codes)
        except ScenarioError as exc:
            raise ScenarioError(f"{where(lines, ('parameters',), source)}: parameters: "
                                f"a point is not a valid scenario: {exc}") from None


def dump_sweep(spec: SweepSpec) -> str:
    """The resolved sweep as YAML (base scenario inlined), re-runnable as it is."""
    return yaml.safe_dump(spec.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


__all__ = ["check_points", "dump_sweep", "full_base", "load_sweep", "parse_sweep"]
