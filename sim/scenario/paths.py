"""Dotted scenario paths: the one home for reading, setting and checking keys such as
``uptake.capacity.LIC.end`` (``--set``, sweeps and calibration use it), and for the
did-you-mean suggestions of error messages.

A path is a tuple of keys and list indices, ``("outcomes", "targets", 0)``, written
dotted as ``outcomes.targets[0]``.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

#: A key path inside scenario data: mapping keys and list indices.
Path_ = tuple[str | int, ...]


def set_key(data: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    """Set ``data[k0][k1]…[kn] = value``, creating (or replacing non-mapping) levels."""
    node = data
    for k in keys[:-1]:
        child = node.get(k)
        if not isinstance(child, dict):
            child = node[k] = {}
        node = child
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
