"""What a fit gives back: the fitted scenario as YAML (extending the input), the
parameter table and printable lines.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel

from sim.calibrate.fit import Fit
from sim.scenario.paths import get_key, set_key
from sim.scenario.schema import Scenario


def nested(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{'a.b': 1, 'a.c': 2}`` → ``{'a': {'b': 1, 'c': 2}}``."""
    out: dict[str, Any] = {}
    for path, v in values.items():
        set_key(out, path.split("."), v)
    return out


def entry_prefix(keys: Sequence[str]) -> int:
    """Length of the prefix of ``keys`` naming a whole entry that must be written in full.

    A key inside an entry of a mapping of models with required fields (e.g.
    ``uptake.capacity.LIC.end``: a ``Capacity`` needs ``start`` and ``end``) cannot be
    overridden alone when the input does not list that entry; the entry (here
    ``uptake.capacity.LIC``) is written whole. Likewise a key inside a list item
    (``epidemic.contacts.groups.LIC.1.multiplier``) writes the whole list
    (``epidemic.contacts.groups.LIC``), since an override replaces a list. Returns
    ``len(keys)`` when no such entry is on the path.
    """
    current: Any = Scenario
    for i, key in enumerate(keys):
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(key)
            if info is None:
                return len(keys)
            current = _concrete(info.annotation)
        elif typing.get_origin(current) is list:
            return i  # an item of a list: the whole list is written
        elif typing.get_origin(current) is dict:
            value = _concrete(typing.get_args(current)[1])
            if isinstance(value, type) and issubclass(value, BaseModel) and any(
                    f.is_required() for f in value.model_fields.values()):
                return i + 1
            current = value
        else:
            return len(keys)
    return len(keys)


def _concrete(annotation: Any) -> Any:
    """The first non-None type inside Optional / Annotated / Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _concrete(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _concrete(args[0]) if args else annotation
    return annotation


def fitted_yaml(fit: Fit, extends: str, name: str, note: str = "",
                extra: Mapping[str, Any] | None = None) -> str:
    """The fitted scenario as YAML: ``extends`` the input, sets only the fitted keys.

    A fitted key inside an entry that needs all its required fields (see
    :func:`entry_prefix`) is written with its whole entry, taken from the fitted
    scenario. ``extra`` holds further dotted overrides to keep (e.g. the ``--set``
    values the fit was run with).
    """
    import yaml

    fitted: dict[str, Any] = {}
    dump = fit.scenario.model_dump(mode="json", exclude_none=True)
    for path, value in fit.fitted.items():
        keys = path.split(".")
        cut = entry_prefix(keys)
        if cut < len(keys):
            fitted[".".join(keys[:cut])] = get_key(dump, keys[:cut])
        else:
            fitted[path] = value
    body = nested({**(extra or {}), **fitted})
    head = (f"# Fitted by `vaxsim calibrate` on {dt.date.today()}: loss {fit.loss:.4g} "
            f"(from {fit.initial_loss:.4g}), {fit.runs} runs.\n")
    if note:
        head += "".join(f"# {line}\n" for line in note.splitlines())
    doc = {"extends": extends, "name": name, **body}
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def params_table(fit: Fit) -> pd.DataFrame:
    """Per parameter: parameter, lo, hi, scenario value, design start, fitted."""
    return pd.DataFrame({
        "parameter": [p.path for p in fit.params],
        "lo": [p.lo for p in fit.params], "hi": [p.hi for p in fit.params],
        "scenario": [p.start for p in fit.params],
        "start": fit.initial, "fitted": fit.values,
    })


def _doses(x: float) -> str:
    return f"{x / 1e9:.2f} bn" if x >= 1e8 else f"{x / 1e6:.2f} M"


def format_fit(fit: Fit) -> list[str]:
    """Printable lines: parameters, loss, and the fit table."""
    lines = [f"{'parameter':<34} {'bounds':>19} {'scenario':>10} {'fitted':>10}"]
    for p, v in zip(fit.params, fit.values, strict=True):
        own = "—" if p.start is None else f"{p.start:.4g}"
        lines.append(f"{p.path:<34} {f'[{p.lo:.4g}, {p.hi:.4g}]':>19} {own:>10} {v:>10.4g}")
    lines.append(f"loss {fit.loss:.4g} (scenario's own values: {fit.initial_loss:.4g}); "
                 f"{fit.runs} runs")
    lines.append(f"{'target':<34} {'observed':>12} {'simulated':>12} {'error':>10}")
    for r in fit.table.itertuples():
        if r.metric == "coverage_first":
            obs, sim, err = f"{100 * r.observed:.1f}%", f"{100 * r.simulated:.1f}%", \
                f"{r.error:+.1f} pp"
        elif r.metric == "deaths":
            obs, sim, err = _doses(r.observed), _doses(r.simulated), f"{100 * r.error:+.1f}%"
            obs = f"{obs} [{_doses(r.low)}-{_doses(r.high)}]"
        else:
            obs, sim, err = _doses(r.observed), _doses(r.simulated), f"{100 * r.error:+.1f}%"
        flag = "" if r.within else "  (outside tolerance)"
        lines.append(f"{r.target:<34} {obs:>12} {sim:>12} {err:>10}{flag}")
    return lines
