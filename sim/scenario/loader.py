"""Load scenario YAML: safe parsing with line numbers, ``extends``, ``--set``, validation.

Every problem becomes one :class:`ScenarioError` whose message names the file, the line
and the key path, with a "did you mean" for a mistyped key or code. The CLI prints that
one line and exits with code 2.

Examples
--------
>>> from sim.scenario import load_scenario
>>> s = load_scenario("scenarios/nationalism.yaml", sets=["days=30"])
>>> s.days
30
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.paths import Path_, dotted, keys_at, set_key, suggest, where
from sim.scenario.references import reference_errors
from sim.scenario.schema import Scenario


class ScenarioError(ValueError):
    """A scenario file (or override) that cannot be used; the message is one line."""


# --------------------------------------------------------------------------- YAML with lines
def _construct(loader: yaml.SafeLoader, node: yaml.Node, where: str, path: Path_,
               lines: dict[Path_, str]) -> Any:
    """Turn a YAML node into Python data, recording ``file:line`` for every key path."""
    lines.setdefault(path, f"{where}:{node.start_mark.line + 1}")
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        # A tagged mapping or list (e.g. ``!!python/object``) is never plain data.
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {node.tag!r}",
            node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, bool | int | float):  # e.g. a bare `yes:` or `2021:` key
                key = str(key)
            sub = (*path, key)
            lines[sub] = f"{where}:{key_node.start_mark.line + 1}"
            out[key] = _construct(loader, value_node, where, sub, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, n, where, (*path, i), lines) for i, n in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError) as exc:  # e.g. 2021-13-45 is matched as a date, then fails
        kind = "date" if node.tag.endswith(":timestamp") else "value"
        raise ScenarioError(f"{where}:{node.start_mark.line + 1}: {dotted(path)}: invalid "
                            f"{kind} {node.value!r} ({exc})") from None


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Parse one YAML file safely; return its mapping and a key path → ``file:line`` map."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read ({exc})") from None
    loader = yaml.SafeLoader(text)
    lines: dict[Path_, str] = {}
    try:
        node = loader.get_single_node()
        data = {} if node is None else _construct(loader, node, str(path), (), lines)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        tag = (exc.problem or "").replace("could not determine a constructor for the tag ", "")
        raise ScenarioError(
            f"{path}:{line}: unsupported YAML tag {tag} (scenario files are plain data)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}:{line}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:1: a scenario file must be a mapping of keys to values")
    return data, lines


# --------------------------------------------------------------------------- merging
def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``over`` onto ``base``: mappings merge key by key, everything else is replaced."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Read ``path`` and, recursively, the files it ``extends``."""
    path = path.resolve() if not path.is_absolute() else path
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(f"{seen[-1]}: extends makes a cycle: {chain}")
    data, lines = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, lines
    if not isinstance(parent, str):
        raise ScenarioError(f"{lines[('extends',)]}: extends: expected a file name")
    parent_path = (path.parent / parent)
    if not parent_path.exists():
        raise ScenarioError(f"{lines[('extends',)]}: extends: no such file {parent_path}")
    base, base_lines = _resolve(parent_path, (*seen, path))
    return deep_merge(base, data), {**base_lines, **lines}


def apply_sets(data: dict[str, Any], sets: Iterable[str],
               lines: dict[Path_, str]) -> dict[str, Any]:
    """Apply ``dotted.key=value`` overrides; values are parsed as YAML scalars or lists."""
    out = copy.deepcopy(data)
    for item in sets:
        if "=" not in item:
            raise ScenarioError(f"--set {item}: expected dotted.key=value")
        key, raw = item.split("=", 1)
        keys = [k for k in key.strip().split(".") if k]
        if not keys:
            raise ScenarioError(f"--set {item}: empty key")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        set_key(out, keys, value)
        for i in range(1, len(keys) + 1):
            lines[tuple(keys[:i])] = f"--set {item}"
    return out


# --------------------------------------------------------------------------- error messages
def format_validation(exc: ValidationError, lines: Mapping[Path_, str], source: str,
                      model: type[BaseModel] = Scenario,
                      known: Callable[[Path_], list[str]] | None = None) -> str:
    """The one-line message of a pydantic error: ``file:line: key.path: what`` with a
    "did you mean" for an unknown key.

    known : the valid keys beside an unknown one at ``loc`` (default: ``model``'s fields
        there, :func:`keys_at`); sweep files pass their own for parameter entries.
    """
    err = exc.errors(include_url=False)[0]
    # Drop pydantic's tags for union members / function validators from the path.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or "-" in p
                                                                          and p.islower())))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        key = str(loc[-1])
        choices = known(loc[:-1]) if known else keys_at(model, loc[:-1])
        msg = f"unknown key '{key}'" + suggest(key, choices)
    elif err["type"] == "missing":
        msg = "required key is missing"
    elif "input" in err and not isinstance(err["input"], dict | list):
        msg += f" (got {err['input']!r})"
    more = len(exc.errors()) - 1
    tail = f" [+{more} more]" if more > 0 else ""
    return f"{where(lines, loc, source)}: {dotted(loc)}: {msg}{tail}"


# --------------------------------------------------------------------------- public API
def load_scenario(path: str | Path, sets: Iterable[str] = ()) -> Scenario:
    """Load, merge (``extends``), override (``--set``) and validate a scenario file.

    Parameters
    ----------
    path : file name of a scenario YAML file.
    sets : ``dotted.key=value`` overrides applied after ``extends`` is resolved.

    Returns
    -------
    Scenario
        The validated scenario; country, group and producer codes are checked against
        the shipped data.

    Raises
    ------
    ScenarioError
        One line naming the file, line and key path.
    """
    path = Path(path)
    data, lines = _resolve(path)
    data = apply_sets(data, sets, lines)
    data.setdefault("name", path.stem)
    return validate_data(data, lines, str(path))


def validate_data(data: Mapping[str, Any], lines: Mapping[Path_, str] | None = None,
                  source: str = "<scenario>") -> Scenario:
    """Validate already-merged scenario data (schema, then codes against shipped data)."""
    lines = lines or {}
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(format_validation(exc, lines, source)) from None
    problems = reference_errors(scenario)
    if problems:
        loc, msg = problems[0]
        tail = f" [+{len(problems) - 1} more]" if len(problems) > 1 else ""
        raise ScenarioError(f"{where(lines, loc, source)}: {dotted(loc)}: {msg}{tail}")
    return scenario


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML, re-runnable as it is (no ``extends``)."""
    data = scenario.model_dump(mode="json", exclude={"extends"})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
