"""Calibration parameters: numeric scenario fields named by dotted path, with bounds
(given, or defaults for known keys).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from sim.calibrate.targets import CalibrationError
from sim.scenario.paths import check_path as path_problem
from sim.scenario.paths import get_key, suggest
from sim.scenario.paths import with_values as data_with_values
from sim.scenario.schema import Scenario

#: Default bounds for known keys (``fnmatch`` patterns; first match wins).
DEFAULT_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("production.multiplier", 0.5, 1.5),
    ("production.producers.*", 0.2, 2.0),
    ("production.noise_sd", 0.0, 0.5),
    ("export.*.coverage_target", 0.1, 0.95),
    ("procurement.*.multiple", 1.0, 8.0),
    ("procurement.*.budget_share", 0.001, 0.05),
    ("procurement.*.price_usd", 2.0, 40.0),
    ("uptake.hesitancy", 0.0, 0.6),
    ("uptake.hesitancy_groups.*", 0.0, 0.8),
    ("uptake.hesitancy_countries.*", 0.0, 0.9),
    ("uptake.capacity*.start", 0.0, 0.005),
    ("uptake.capacity*.end", 0.0001, 0.02),
    ("uptake.capacity*.ramp_days", 14, 540),
    ("uptake.delivery_lag_days", 3, 60),
    ("epidemic.ifr_multiplier", 0.2, 5.0),
    ("epidemic.ifr_multiplier_groups.*", 0.2, 5.0),
    ("epidemic.prior_immunity_scale", 0.0, 2.0),
    ("epidemic.initial_prevalence", 1e-5, 0.01),
    ("epidemic.initial_prevalence_groups.*", 0.05, 5.0),
    ("epidemic.contacts.*.multiplier", 0.1, 1.5),
    ("epidemic.travel.*.multiplier", 0.0, 1.0),
    ("epidemic.variants.*.transmissibility", 1.0, 4.0),
    ("epidemic.variants.*.escape", 0.0, 0.9),
    ("epidemic.variants.*.severity", 0.1, 3.0),
    ("epidemic.variants.*.seed_share", 1e-6, 1e-2),
)


@dataclass(frozen=True)
class Parameter:
    """One fitted scenario field.

    Attributes
    ----------
    path : dotted key path, e.g. ``uptake.capacity.LIC.end``
    lo, hi : bounds (lo < hi)
    integer : True for integer fields (values are rounded)
    start : the scenario's own value, or None if it does not set one
    """

    path: str
    lo: float
    hi: float
    integer: bool = False
    start: float | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The path split at dots."""
        return tuple(self.path.split("."))

    def value(self, u: float) -> float:
        """The parameter's value at ``u`` in [0, 1] of its bounds."""
        x = self.lo + float(np.clip(u, 0.0, 1.0)) * (self.hi - self.lo)
        return float(round(x)) if self.integer else x

    def unit(self, x: float) -> float:
        """Inverse of :meth:`value`: ``x`` as a position in [0, 1] of the bounds."""
        return float(np.clip((x - self.lo) / (self.hi - self.lo), 0.0, 1.0))


def check_path(path: str) -> tuple[str, ...]:
    """Split a dotted path and check it against the schema (``sim.scenario.paths``).

    Raises
    ------
    CalibrationError
        Empty part, a key the schema does not know (with a suggestion), a key that
        changes the world or the run (start, days, countries …), or not a number.
    """
    problem = path_problem(path, "fitted", choices=False)
    if problem:
        raise CalibrationError(f"--params {path}: {problem}")
    return tuple(path.split("."))


def default_bounds(path: str) -> tuple[float, float] | None:
    """Bounds for ``path`` from :data:`DEFAULT_BOUNDS`, or None."""
    for pattern, lo, hi in DEFAULT_BOUNDS:
        if fnmatch.fnmatchcase(path, pattern):
            return float(lo), float(hi)
    return None


def parse_bounds(items: str | Sequence[str] | None) -> dict[str, tuple[float, float]]:
    """``'p1=lo:hi,p2=lo:hi'`` (or a list of such items) → ``{p1: (lo, hi), …}``.

    Raises
    ------
    CalibrationError
        Syntax, non-numbers, or ``lo >= hi``.
    """
    if not items:
        return {}
    if isinstance(items, str):
        items = [items]
    out: dict[str, tuple[float, float]] = {}
    for chunk in items:
        for item in filter(None, (s.strip() for s in chunk.split(","))):
            key, sep, rng = item.partition("=")
            lo_s, sep2, hi_s = rng.partition(":")
            if not sep or not sep2 or not key.strip():
                raise CalibrationError(f"--bounds {item}: expected key=lo:hi")
            try:
                lo, hi = float(lo_s), float(hi_s)
            except ValueError:
                raise CalibrationError(f"--bounds {item}: lo and hi must be numbers") from None
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
                raise CalibrationError(f"--bounds {item}: need lo < hi")
            out[key.strip()] = (lo, hi)
    return out


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``scenario`` with dotted fields set to ``values`` (validated by the schema).

    Raises
    ------
    CalibrationError
        A value the schema rejects (e.g. a share above 1), named with its path.
    """
    try:
        return Scenario.model_validate(data_with_values(scenario.model_dump(), values))
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise CalibrationError(f"{loc}: {err['msg']}") from None


def parameters(scenario: Scenario, paths: Sequence[str],
               bounds: Mapping[str, tuple[float, float]] | None = None) -> list[Parameter]:
    """Check ``paths`` and attach bounds (given, else :data:`DEFAULT_BOUNDS`).

    Raises
    ------
    CalibrationError
        Unknown path (did-you-mean), duplicate, non-numeric field, no bounds known,
        bounds for a path not fitted, or bounds the schema rejects.
    """
    bounds = dict(bounds or {})
    if not paths:
        raise CalibrationError("--params: name at least one parameter")
    extra = sorted(set(bounds) - set(paths))
    if extra:
        raise CalibrationError(f"--bounds {extra[0]}: not one of the --params"
                               + suggest(extra[0], paths))
    if len(set(paths)) != len(paths):
        raise CalibrationError("--params: a parameter is named twice")
    data = scenario.model_dump()
    out = []
    for path in paths:
        keys = check_path(path)
        for j, key in enumerate(keys):  # a list item must exist (a number in the path)
            items = get_key(data, keys[:j])
            if key.isdigit() and isinstance(items, list) and int(key) >= len(items):
                raise CalibrationError(f"--params {path}: '{'.'.join(keys[:j])}' has "
                                       f"{len(items)} item(s); no item {key}")
        current = get_key(data, keys)
        if current is not None and (isinstance(current, bool)
                                    or not isinstance(current, int | float)):
            raise CalibrationError(f"--params {path}: not a number (it is {current!r})")
        lo_hi = bounds.get(path) or default_bounds(path)
        if lo_hi is None:
            raise CalibrationError(f"--params {path}: no default bounds for this key; "
                                   f"give them with --bounds {path}=lo:hi")
        lo, hi = lo_hi
        # Probe both ends: the schema must accept them, and tells us int vs float.
        probe = with_values(scenario, {path: lo}).model_dump()
        with_values(scenario, {path: hi})
        probed = get_key(probe, keys)
        integer = isinstance(probed, int) and not isinstance(probed, bool)
        if probed is None:
            raise CalibrationError(f"--params {path}: unknown key path")
        out.append(Parameter(path, float(lo), float(hi), integer,
                             None if current is None else float(current)))
    return out
