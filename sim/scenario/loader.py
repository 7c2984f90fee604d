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
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.paths import Path_, dotted, keys_at, set_key, suggest, where
from sim.scenario.references import reference_errors
from sim.scenario.schema import Scenario
from sim.scenario.shipped import find_file


class ScenarioError(ValueError):
    """A scenario file (or override) that cannot be used; the message is one line."""


# --------------------------------------------------------------------------- limits
#: Largest scenario or sweep file read (bytes): 30 times the largest shipped file (8 kB).
MAX_FILE_BYTES = 256_000
#: Deepest nesting of mappings and lists (the schema itself is 5 levels deep).
MAX_DEPTH = 40
#: Most values a file may hold, before and after its aliases are expanded ("billion
#: laughs" guard); a scenario of 200 countries with a dozen overrides each has ~5,000.
MAX_NODES = 50_000
#: Longest chain of ``extends``.
MAX_EXTENDS = 16
#: C0 controls other than tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_text(path: Path) -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES`, UTF-8, without control
    characters; anything else is a :class:`ScenarioError`.

    The file is opened non-blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO, a device (``/dev/zero``) or a folder is refused without reading from it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(f"{path}: is a folder, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(f"{path}: not a regular file (a pipe, device or socket "
                                "cannot be a scenario file)")
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{path}: file too large ({info.st_size:,} bytes; the limit "
                                f"is {MAX_FILE_BYTES:,})")
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: file too large (more than {MAX_FILE_BYTES:,} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})"
                            ) from None
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ScenarioError(f"{path}:{line}: control character U+{ord(bad.group()):04X} "
                            "(scenario files are plain text)")
    return text


def _check_shape(text: str, path: Path) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` and more than :data:`MAX_NODES`
    values before anything recursive (or slow) sees them.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise ScenarioError(f"{path}:{line}: more than {MAX_NODES:,} values")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise ScenarioError(f"{path}:{line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _expanded_size(root: yaml.Node, path: Path) -> int:
    """Nodes in ``root`` with every alias expanded; refuses recursive aliases and more than
    :data:`MAX_NODES` (counted on the shared node graph, so the count itself is cheap).
    """
    size: dict[int, int] = {}
    open_: set[int] = set()

    def count(node: yaml.Node) -> int:
        key = id(node)
        if key in size:
            return size[key]
        if key in open_:
            raise ScenarioError(f"{path}:{node.start_mark.line + 1}: an alias refers to "
                                "itself (recursive YAML)")
        open_.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        total = 1 + sum(count(c) for c in children)
        open_.discard(key)
        if total > MAX_NODES:
            raise ScenarioError(f"{path}:{node.start_mark.line + 1}: aliases expand to more "
                                f"than {MAX_NODES:,} values")
        size[key] = total
        return total

    return count(root)


# --------------------------------------------------------------------------- YAML with lines
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(f"{where}:{key_node.start_mark.line + 1}: {dotted(path)}: "
                                    "a key must be a plain name, not a list or mapping")
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, bool | int | float):  # e.g. a bare `yes:` or `2021:` key
                key = str(key)
            sub = (*path, key)
            if key in out:
                first = lines[sub].rsplit(":", 1)[-1]
                raise ScenarioError(f"{where}:{key_node.start_mark.line + 1}: {dotted(sub)}: "
                                    f"duplicate key (first given on line {first})")
            lines[sub] = f"{where}:{key_node.start_mark.line + 1}"
            out[key] = _construct(loader, value_node, where, sub, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, n, where, (*path, i), lines) for i, n in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. 2021-13-45 matched as a date
        kind = "date" if node.tag.endswith(":timestamp") else "value"
        raise ScenarioError(f"{where}:{node.start_mark.line + 1}: {dotted(path)}: invalid "
                            f"{kind} {str(node.value)[:40]!r} ({exc})") from None


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Parse one YAML file safely; return its mapping and a key path → ``file:line`` map.

    Refused, each with one line naming the file and line: anything but a regular UTF-8
    file of at most :data:`MAX_FILE_BYTES`, control characters, nesting deeper than
    :data:`MAX_DEPTH`, aliases expanding past :data:`MAX_NODES` values or into themselves,
    duplicate keys, tags other than plain data, an empty file and a top level that is not
    a mapping.
    """
    text = read_text(path)
    lines: dict[Path_, str] = {}
    loader = None
    try:
        _check_shape(text, path)
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(f"{path}:1: empty scenario file (expected a mapping of keys "
                                "to values)")
        _expanded_size(node, path)
        data = _construct(loader, node, str(path), (), lines)
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
        if loader is not None:
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
    """Read ``path`` and, recursively, the files it ``extends`` (paths normalised, so a
    cycle is found however it is spelt; at most :data:`MAX_EXTENDS` files deep).
    """
    path = Path(os.path.realpath(path))
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(f"{seen[-1]}: extends makes a cycle: {chain}")
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(f"{seen[-1]}: extends chain longer than {MAX_EXTENDS} files")
    data, lines = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, lines
    if not isinstance(parent, str) or not parent.strip() or "\x00" in parent:
        raise ScenarioError(f"{lines[('extends',)]}: extends: expected a file name")
    parent_path = path.parent / parent
    try:
        is_file = stat.S_ISREG(os.stat(parent_path).st_mode)
    except FileNotFoundError:
        raise ScenarioError(f"{lines[('extends',)]}: extends: no such file {parent_path}"
                            ) from None
    except OSError as exc:
        raise ScenarioError(f"{lines[('extends',)]}: extends: cannot read {parent_path} "
                            f"({exc.strerror or exc})") from None
    if not is_file:
        raise ScenarioError(f"{lines[('extends',)]}: extends: {parent_path} is not a regular "
                            "file")
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
        got = repr(err["input"])
        msg += f" (got {got if len(got) <= 60 else got[:57] + '...'})"
    more = len(exc.errors()) - 1
    tail = f" [+{more} more]" if more > 0 else ""
    return f"{where(lines, loc, source)}: {dotted(loc)}: {msg}{tail}"


# --------------------------------------------------------------------------- public API
def load_scenario(path: str | Path, sets: Iterable[str] = ()) -> Scenario:
    """Load, merge (``extends``), override (``--set``) and validate a scenario file.

    Parameters
    ----------
    path : file name of a scenario YAML file, or the name of a shipped scenario
        (``"baseline"``: :mod:`sim.scenario.shipped`).
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
    try:
        path = find_file(path, "scenario")
    except FileNotFoundError as exc:
        raise ScenarioError(str(exc)) from None
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


def revalidate(scenario: Scenario, source: str = "arguments", **updates: Any) -> Scenario:
    """``scenario`` with ``updates`` (None values ignored), validated again from scratch.

    Every value that reaches a run passes here or through :func:`validate_data`: command
    line flags, API keyword arguments and copies made with ``model_copy`` (which pydantic
    does not validate).
    """
    data = scenario.model_dump(mode="python", exclude={"extends"})
    data.update({k: v for k, v in updates.items() if v is not None})
    lines: dict[Path_, str] = {(k,): source for k, v in updates.items() if v is not None}
    return validate_data(data, lines, source)


#: The safe YAML writer: libyaml's when PyYAML was built with it (~12x faster on a
#: resolved scenario: ~11 against ~136 ms, on the critical path of every ``vaxsim run``;
#: the same text), else PyYAML's own.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML, re-runnable as it is (no ``extends``)."""
    data = scenario.model_dump(mode="json", exclude={"extends"})
    return yaml.dump(data, Dumper=SAFE_DUMPER, sort_keys=False, allow_unicode=True)
