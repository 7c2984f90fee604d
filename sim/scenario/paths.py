"""Dotted scenario paths: the one home for reading, setting and checking keys such as
``uptake.capacity.LIC.end`` (``--set``, sweeps and calibration use it), and for the
did-you-mean suggestions of error messages.

- :func:`get_key`, :func:`set_key`, :func:`with_values`: read and write scenario data;
- :func:`check_path`: why a path cannot be varied between runs (unknown key with a
  suggestion, a key that fixes the world or the run, not a leaf number), or None;
- :func:`field_types`, :func:`is_integer`: what the schema holds at a path.

A path is a tuple of keys and list indices, ``("outcomes", "targets", 0)``, written
dotted as ``outcomes.targets[0]``.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from sim.scenario.schema import Scenario

#: A key path inside scenario data: mapping keys and list indices.
Path_ = tuple[str | int, ...]

#: Top-level keys that fix the world, the seeds or the outputs of a run: they cannot vary
#: between the members of a batch (sweeps) nor be fitted (calibration).
FIXED_KEYS = ("name", "description", "extends", "start", "days", "seed", "replicates",
              "countries", "outputs")


def set_key(data: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    """Set ``data[k0][k1]…[kn] = value``, creating (or replacing non-mapping) levels; a
    key made of digits steps into an existing list item (IndexError if there is none).
    """
    node: Any = data
    for k, nxt in zip(keys[:-1], keys[1:], strict=True):
        if isinstance(node, list):
            node = node[int(k)]
            continue
        child = node.get(k)
        if not (isinstance(child, dict) or (isinstance(child, list) and nxt.isdigit())):
            child = node[k] = {}
        node = child
    if isinstance(node, list):
        node[int(keys[-1])] = value
    else:
        node[keys[-1]] = value


def unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional / Union / Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in unwrap(a)]
    return [annotation]


def keys_at(model: type[BaseModel], loc: Path_) -> list[str]:
    """The valid keys of the mapping at ``loc`` inside ``model`` (for suggestions)."""
    current: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for t in current:
            origin = typing.get_origin(t)
            if isinstance(t, type) and issubclass(t, BaseModel) and part in t.model_fields:
                nxt += unwrap(t.model_fields[str(part)].annotation)
            elif origin in (dict, list):
                nxt += unwrap(typing.get_args(t)[-1])
        current = nxt
    names: list[str] = []
    for t in current:
        if isinstance(t, type) and issubclass(t, BaseModel):
            names += list(t.model_fields)
        elif typing.get_origin(t) is dict:
            key_t = typing.get_args(t)[0]
            if typing.get_origin(key_t) is typing.Literal:
                names += [str(a) for a in typing.get_args(key_t)]
    return names


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix, or an empty string."""
    choices = list(dict.fromkeys(choices))
    best = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not best:
        lower = {c.lower(): c for c in choices}
        best = [lower[word.lower()]] if word.lower() in lower else []
    return f" (did you mean '{best[0]}'?)" if best else ""


def where(lines: Mapping[Path_, str], loc: Path_, default: str) -> str:
    """``file:line`` of the closest recorded ancestor of ``loc``."""
    for i in range(len(loc), -1, -1):
        if tuple(loc[:i]) in lines:
            return lines[tuple(loc[:i])]
    return default


def dotted(loc: Path_) -> str:
    """``('a', 'b', 0)`` → ``'a.b[0]'``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def get_key(data: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """``data[k0][k1]…[kn]`` (a key made of digits indexes a list), or None where a
    level is missing.
    """
    node: Any = data
    for k in keys:
        if isinstance(node, list) and k.isdigit() and int(k) < len(node):
            node = node[int(k)]
        elif isinstance(node, Mapping) and k in node:
            node = node[k]
        else:
            return None
    return node


def with_values(data: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of scenario ``data`` with each dotted path in ``values`` set (numpy scalars
    become Python numbers); ``data`` is left as it is.
    """
    out = copy.deepcopy(dict(data))
    for path, value in values.items():
        set_key(out, path.split("."), value.item() if hasattr(value, "item") else value)
    return out


def field_types(path: Sequence[str], model: type[BaseModel] | None = None
                ) -> tuple[list[Any], str | None]:
    """Types the schema allows at ``path``, or ``([], why not)`` for an unknown key."""
    model = Scenario if model is None else model
    current: list[Any] = [model]
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
            elif origin is list and part.isdigit():  # an item of a list
                nxt += unwrap(typing.get_args(t)[0])
        if not nxt:
            known = keys_at(model, tuple(path[:i]))
            hint = suggest(part, known) if known else ""
            return [], (f"no scenario field '{part}' at {'.'.join(path[:i]) or 'top level'}"
                        + hint)
        current = nxt
    return current, None


def check_path(path: str, verb: str = "varied", choices: bool = True) -> str | None:
    """Why ``path`` cannot be ``verb`` (swept, fitted) between runs, or None if it can.

    A path must name a leaf number of the schema (``choices``: or a fixed choice such as
    an export policy) and must not start at one of :data:`FIXED_KEYS`.
    """
    parts = tuple(path.split("."))
    if not path or not all(parts):
        return ("empty part in the dotted path (expected a dotted key such as "
                "uptake.capacity.LIC.end)")
    if parts[0] in FIXED_KEYS:
        return (f"'{parts[0]}' cannot be {verb}: not a parameter that can be {verb} (it "
                "fixes the world, seeds or outputs)")
    types_, err = field_types(parts)
    if err:
        return err
    numbers = [t for t in types_ if t in (int, float)]
    picks = [t for t in types_ if t is bool or typing.get_origin(t) is Literal]
    if not numbers and not (choices and picks):
        return ("not a number or choice (use a leaf field such as ...multiple)" if choices
                else "not a number (use a leaf field such as ...multiple)")
    return None


def is_integer(path: str) -> bool:
    """True if the field at ``path`` holds whole numbers."""
    types_, _ = field_types(tuple(path.split(".")))
    return int in types_ and float not in types_
