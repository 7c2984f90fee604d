"""Calibration: fit dotted scenario parameters to observed targets.

A *target* is one observed number: the share of a group's population with at least one
dose (``coverage_first``) or the world's cumulative doses administered
(``doses_administered``) on a date (see ``sim/data/observed.csv``). A *parameter* is any
numeric scenario field named by its dotted key path, e.g. ``uptake.capacity.LIC.end`` or
``procurement.groups.HIC.multiple``; it is fitted between bounds.

Method
------
1. A Latin-hypercube design (``scipy.stats.qmc.LatinHypercube``) of the bounded parameter
   box, plus the scenario's own values, is evaluated as the members of **one** engine
   batch (members that share a :class:`~sim.engine.build.params.Structure` run together).
2. From the best design point(s), ``scipy.optimize.minimize`` — ``Powell`` (default) or
   ``Nelder-Mead``, both bounded and derivative-free — refines the fit, one run per
   evaluation. The best point run anywhere is kept: the loss is not smooth (weekly
   market clearing, whole days), so an optimizer's last point need not be its best.

Loss
----
Each target's error is scaled by the tolerance the fit is judged by, then squared::

    coverage:  z = (simulated − observed) × 100 / 5      (percentage points / 5 pp)
    doses:     z = (simulated − observed) / observed / 0.10   (relative error / 10 %)
    loss = Σ w z² / Σ w                                    (w: ``weight`` column, default 1)

so a loss below 1 means the targets are met on (quadratic) average, and one target off by
its whole tolerance costs as much as any other.

Examples
--------
>>> from sim.scenario import load_scenario
>>> from sim.calibrate.calibrate import calibrate, load_targets, parameters
>>> s = load_scenario("scenarios/baseline.yaml")                   # doctest: +SKIP
>>> fit = calibrate(s, load_targets(), parameters(s, ["uptake.hesitancy"]))  # doctest: +SKIP
>>> fit.table                                                            # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from sim.data import DATA_DIR
from sim.engine.build.params import Structure, build_params
from sim.engine.record import GROUP_FIELDS, GROUPS
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.scenario.paths import keys_at, set_key, suggest
from sim.scenario.schema import Scenario
from sim.world.world import World, build_world

#: The shipped 2021 targets.
OBSERVED = DATA_DIR / "observed.csv"
METRICS = ("coverage_first", "doses_administered")
METHODS = ("Powell", "Nelder-Mead")
#: Tolerances the loss is scaled by (and the fit is judged by).
TOLERANCE = {"coverage_first": 5.0, "doses_administered": 0.10}
ERROR_UNIT = {"coverage_first": "pp", "doses_administered": "rel"}
#: Top-level scenario keys that change the world or the run, not a parameter of it.
NOT_FITTABLE = ("name", "description", "extends", "start", "days", "seed", "replicates",
                "countries", "outputs")

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
)


class CalibrationError(ValueError):
    """Bad calibration input (parameter path, bounds, targets); the message is one line."""


# --------------------------------------------------------------------------- targets
def load_targets(path: str | Path = OBSERVED) -> pd.DataFrame:
    """Read a targets CSV: ``date, group, metric, value`` (+ optional ``source, weight``).

    Returns
    -------
    DataFrame with ``date`` as Timestamps and ``weight`` filled with 1 where absent.

    Raises
    ------
    CalibrationError
        Missing file or column, unknown group or metric, a share outside [0, 1], a
        non-positive dose count or weight.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise CalibrationError(f"{path}: no such targets file") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{path}: cannot read targets ({exc})") from None
    missing = [c for c in ("date", "group", "metric", "value") if c not in df.columns]
    if missing:
        raise CalibrationError(f"{path}: missing column(s) {', '.join(missing)}")
    if df.empty:
        raise CalibrationError(f"{path}: no targets")
    if "weight" not in df.columns:
        df["weight"] = 1.0
    for i, row in df.iterrows():
        where = f"{path}:{int(i) + 2}"
        if row["group"] not in GROUPS:
            raise CalibrationError(f"{where}: group: unknown group '{row['group']}'"
                                   + suggest(str(row["group"]), GROUPS))
        if row["metric"] not in METRICS:
            raise CalibrationError(f"{where}: metric: unknown metric '{row['metric']}'"
                                   + suggest(str(row["metric"]), METRICS))
        if row["metric"] == "doses_administered" and row["group"] != "World":
            raise CalibrationError(f"{where}: doses_administered is a World target")
        try:
            value, weight = float(row["value"]), float(row["weight"])
            date = pd.Timestamp(row["date"])
        except (TypeError, ValueError):
            raise CalibrationError(f"{where}: bad date, value or weight") from None
        if pd.isna(date) or not math.isfinite(value) or not weight > 0:
            raise CalibrationError(f"{where}: bad date, value or weight")
        if row["metric"] == "coverage_first" and not 0.0 <= value <= 1.0:
            raise CalibrationError(f"{where}: value: a coverage share must be in [0, 1]")
        if row["metric"] == "doses_administered" and value <= 0:
            raise CalibrationError(f"{where}: value: doses must be positive")
    df["date"] = pd.to_datetime(df["date"])
    df["value"] = df["value"].astype(float)
    df["weight"] = df["weight"].astype(float)
    return df.sort_values(["date", "group", "metric"]).reset_index(drop=True)


def target_labels(targets: pd.DataFrame) -> list[str]:
    """``'2021-10-24 LIC coverage_first'`` for each target."""
    return [f"{d:%Y-%m-%d} {g} {m}" for d, g, m in
            zip(targets["date"], targets["group"], targets["metric"], strict=True)]


# --------------------------------------------------------------------------- parameters
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


def _get(data: Mapping[str, Any], keys: Sequence[str]) -> Any:
    node: Any = data
    for k in keys:
        if not isinstance(node, Mapping) or k not in node:
            return None
        node = node[k]
    return node


def check_path(path: str) -> tuple[str, ...]:
    """Split a dotted path and check every key against the schema.

    Raises
    ------
    CalibrationError
        Empty part, a key the schema does not know (with a suggestion), or a key that
        changes the world or the run (start, days, countries …) rather than a parameter.
    """
    keys = tuple(path.split("."))
    if not path or any(not k for k in keys):
        raise CalibrationError(f"--params {path!r}: expected a dotted key such as "
                               "uptake.capacity.LIC.end")
    if keys[0] in NOT_FITTABLE:
        raise CalibrationError(f"--params {path}: '{keys[0]}' is not a parameter that can "
                               "be fitted (it changes the world or the run)")
    for i, key in enumerate(keys):
        valid = keys_at(Scenario, keys[:i])
        if valid and key not in valid:
            raise CalibrationError(f"--params {path}: unknown key '{key}'"
                                   + suggest(key, valid) + (f" under '{'.'.join(keys[:i])}'"
                                                            if i else ""))
        if not valid and i and not keys_at(Scenario, keys[:i - 1]):
            # Two free-keyed levels in a row is never a scenario field.
            raise CalibrationError(f"--params {path}: unknown key path")
    return keys


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


def with_values(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """``scenario`` with dotted fields set to ``values`` (validated by the schema).

    Raises
    ------
    CalibrationError
        A value the schema rejects (e.g. a share above 1), named with its path.
    """
    data = scenario.model_dump()
    for path, v in values.items():
        set_key(data, path.split("."), v)
    try:
        return Scenario.model_validate(data)
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
        current = _get(data, keys)
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
        integer = isinstance(_get(probe, keys), int) and not isinstance(_get(probe, keys), bool)
        if _get(probe, keys) is None:
            raise CalibrationError(f"--params {path}: unknown key path")
        out.append(Parameter(path, float(lo), float(hi), integer,
                             None if current is None else float(current)))
    return out


# --------------------------------------------------------------------------- evaluation
@dataclass
class Evaluator:
    """Runs candidate parameter sets as members of engine batches and scores them.

    Attributes
    ----------
    scenario : the base scenario, run only as far as the last target date
    world : its world
    targets : the targets table (see :func:`load_targets`)
    params : the fitted parameters
    seeds : (R,) member seeds per candidate (the scenario's replicates)
    calls : number of candidate runs so far
    """

    scenario: Scenario
    world: World
    targets: pd.DataFrame
    params: list[Parameter]
    seeds: np.ndarray
    progress: Callable[[int], None] | None = None
    calls: int = 0
    cache: dict[tuple[float, ...], float] = field(default_factory=dict)
    best: tuple[float, np.ndarray | None] = (math.inf, None)

    def __post_init__(self) -> None:
        t = self.targets
        self.day = ((t["date"] - pd.Timestamp(self.world.start)).dt.days).to_numpy()
        self.group = t["group"].map({g: i for i, g in enumerate(GROUPS)}).to_numpy()
        self.is_cov = (t["metric"] == "coverage_first").to_numpy()
        self.observed = t["value"].to_numpy(dtype=float)
        self.weight = t["weight"].to_numpy(dtype=float)
        pops = np.array([self.world.population[self.world.group_index == g].sum()
                         for g in range(len(GROUPS) - 1)])
        self.group_pop = np.concatenate([[pops.sum()], pops])

    def values(self, u: np.ndarray) -> np.ndarray:
        """(K, P) parameter values of unit-cube points ``u`` (K, P)."""
        u = np.atleast_2d(u)
        return np.array([[p.value(x) for p, x in zip(self.params, row, strict=True)]
                         for row in u])

    def scenarios(self, x: np.ndarray) -> list[Scenario]:
        """Candidate scenarios for parameter values ``x`` (K, P)."""
        return [with_values(self.scenario, {p.path: (int(v) if p.integer else float(v))
                                            for p, v in zip(self.params, row, strict=True)})
                for row in np.atleast_2d(x)]

    def simulated(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Run candidates ``x`` (K, P).

        Returns
        -------
        sims : (K, T) simulated value of each target, averaged over replicates
        groups : (K, D, G, F) group trajectories (mean over replicates)
        """
        cands = self.scenarios(x)
        K, R = len(cands), len(self.seeds)
        groups = np.zeros((K, self.world.days, len(GROUPS), len(GROUP_FIELDS)))
        # Members that share a structure run as one batch.
        by_structure: dict[Structure, list[int]] = {}
        for k, s in enumerate(cands):
            by_structure.setdefault(Structure.of(s), []).append(k)
        for ks in by_structure.values():
            members = [cands[k] for k in ks for _ in range(R)]
            seeds = np.tile(self.seeds, len(ks))
            traj, _ = simulate(self.world, build_params(self.world, members, seeds),
                               country_every=self.world.days)
            groups[ks] = traj.groups.reshape(len(ks), R, *traj.groups.shape[1:]).mean(axis=1)
        self.calls += K
        if self.progress is not None:
            self.progress(self.calls)
        g = groups[:, self.day, self.group]                       # (K, T, F)
        cov = g[..., GROUP_FIELDS.index("first_dose")] / self.group_pop[self.group]
        doses = g[..., GROUP_FIELDS.index("doses_administered")]
        return np.where(self.is_cov, cov, doses), groups

    def errors(self, sims: np.ndarray) -> np.ndarray:
        """(K, T) errors: percentage points for coverage, relative for doses."""
        diff = sims - self.observed
        rel = np.divide(diff, self.observed, out=np.zeros_like(diff),
                        where=~self.is_cov & (self.observed != 0))
        return np.where(self.is_cov, 100.0 * diff, rel)

    def losses(self, sims: np.ndarray) -> np.ndarray:
        """(K,) weighted mean of squared tolerance-scaled errors (see module docstring)."""
        tol = np.where(self.is_cov, TOLERANCE["coverage_first"],
                       TOLERANCE["doses_administered"])
        z = self.errors(sims) / tol
        return (self.weight * z**2).sum(axis=-1) / self.weight.sum()

    def batch(self, u: np.ndarray) -> np.ndarray:
        """(K,) losses of unit-cube points ``u`` (K, P), run as one batch."""
        x = self.values(u)
        sims, _ = self.simulated(x)
        out = self.losses(sims)
        for row, point, loss in zip(x, np.atleast_2d(u), out, strict=True):
            self._keep(tuple(row), point, float(loss))
        return out

    def _keep(self, key: tuple[float, ...], u: np.ndarray, loss: float) -> None:
        """Cache a loss and remember the best point seen (the objective is not smooth,
        so an optimizer's last point need not be its best).
        """
        self.cache[key] = loss
        if loss < self.best[0]:
            self.best = (loss, np.clip(np.asarray(u, dtype=float), 0.0, 1.0))

    def __call__(self, u: np.ndarray) -> float:
        """Loss of one unit-cube point (cached by parameter values)."""
        x = self.values(u)[0]
        key = tuple(x)
        if key not in self.cache:
            sims, _ = self.simulated(x[None])
            self._keep(key, u, float(self.losses(sims)[0]))
        return self.cache[key]


# --------------------------------------------------------------------------- fit
@dataclass
class Fit:
    """The result of :func:`calibrate`.

    Attributes
    ----------
    params : fitted parameters (with bounds and the scenario's own start values)
    initial : (P,) values the optimizer started from (best design point)
    values : (P,) fitted values
    loss : loss at the fitted values (see module docstring)
    initial_loss : loss at the scenario's own values (NaN if it sets none of them)
    table : per target: target, date, group, metric, observed, simulated, error,
        error_unit ('pp' or 'rel'), tolerance, within
    trajectories : simulated daily coverage_first by group and doses_administered (World)
        at the fitted values: date, group, coverage_first, doses_administered
    scenario : the fitted scenario
    runs : scenario runs spent
    """

    params: list[Parameter]
    initial: np.ndarray
    values: np.ndarray
    loss: float
    initial_loss: float
    table: pd.DataFrame
    trajectories: pd.DataFrame
    scenario: Scenario
    runs: int

    @property
    def fitted(self) -> dict[str, float | int]:
        """``{path: fitted value}`` (ints for integer fields)."""
        return {p.path: (int(v) if p.integer else float(v))
                for p, v in zip(self.params, self.values, strict=True)}


def fit_table(ev: Evaluator, sims: np.ndarray) -> pd.DataFrame:
    """The per-target table of one candidate's simulated values ``sims`` (T,)."""
    t = ev.targets
    err = ev.errors(sims[None])[0]
    tol = np.where(ev.is_cov, TOLERANCE["coverage_first"], TOLERANCE["doses_administered"])
    return pd.DataFrame({
        "target": target_labels(t), "date": t["date"].dt.date, "group": t["group"],
        "metric": t["metric"], "observed": ev.observed, "simulated": sims, "error": err,
        "error_unit": np.where(ev.is_cov, "pp", "rel"), "tolerance": tol,
        "within": np.abs(err) <= tol,
    })


def horizon(scenario: Scenario, targets: pd.DataFrame) -> Scenario:
    """``scenario`` shortened to end on the last target date.

    Raises
    ------
    CalibrationError
        A target before the start or after the end of the scenario.
    """
    start = pd.Timestamp(scenario.start)
    first, last = targets["date"].min(), targets["date"].max()
    if first < start or last > pd.Timestamp(scenario.end):
        raise CalibrationError(
            f"targets run from {first:%Y-%m-%d} to {last:%Y-%m-%d}, outside the scenario "
            f"({scenario.start} to {scenario.end})")
    return scenario.model_copy(update={"days": int((last - start).days) + 1})


def calibrate(scenario: Scenario, targets: pd.DataFrame, params: Sequence[Parameter], *,
              world: World | None = None, design: int | None = None, starts: int = 1,
              maxfev: int | None = None, seed: int = 0, method: str = "Powell",
              progress: Callable[[int], None] | None = None) -> Fit:
    """Fit ``params`` of ``scenario`` to ``targets``.

    Parameters
    ----------
    scenario : validated scenario (its replicates are averaged per candidate)
    targets : see :func:`load_targets`
    params : see :func:`parameters`
    world : the world to run in (default: built from the scenario, cut at the last target)
    design : Latin-hypercube points (default ``max(16, 8 P)``), run as one batch
    starts : optimizer runs, from the best ``starts`` design points
    maxfev : runs allowed per optimizer run (default ``200 P``)
    seed : seed of the Latin-hypercube design
    method : ``"Powell"`` or ``"Nelder-Mead"`` (both bounded and derivative-free)
    progress : called with the number of scenario runs done so far

    Returns
    -------
    Fit
    """
    from scipy.optimize import minimize
    from scipy.stats import qmc

    params = list(params)
    P = len(params)
    short = horizon(scenario, targets)
    if method not in METHODS:
        raise CalibrationError(f"--method {method}: expected one of {', '.join(METHODS)}")
    if world is None:
        world = build_world(short)
    elif world.days < short.days:
        raise CalibrationError(f"the world has {world.days} days, targets need {short.days}")
    ev = Evaluator(short, world, targets, params,
                   replicate_seeds(scenario.seed, scenario.replicates), progress)
    n = design if design is not None else max(16, 8 * P)
    u = qmc.LatinHypercube(d=P, seed=seed).random(n) if n > 0 else np.zeros((0, P))
    own = [p.start is not None for p in params]
    if all(own):
        u = np.vstack([[p.unit(p.start) for p in params], u])
    elif len(u) == 0:
        u = np.full((1, P), 0.5)
    losses = ev.batch(u)
    initial_loss = float(losses[0]) if all(own) else float("nan")
    order = np.argsort(losses, kind="stable")[:max(1, starts)]
    initial = ev.values(u[order[0]])[0]
    options = {"maxfev": maxfev if maxfev is not None else 200 * P}
    options.update({"xtol": 1e-4, "ftol": 1e-9} if method == "Powell"
                   else {"xatol": 1e-4, "fatol": 1e-9, "adaptive": P > 3})
    for i in order:
        minimize(ev, u[i], method=method, bounds=[(0.0, 1.0)] * P, options=options)
    best, best_u = ev.best
    values = ev.values(best_u)[0]
    sims, groups = ev.simulated(values[None])
    return Fit(params=params, initial=initial, values=values, loss=best,
               initial_loss=initial_loss, table=fit_table(ev, sims[0]),
               trajectories=trajectories(world, groups[0], ev.group_pop),
               scenario=with_values(scenario, {p.path: (int(v) if p.integer else float(v))
                                               for p, v in zip(params, values, strict=True)}),
               runs=ev.calls)


def trajectories(world: World, groups: np.ndarray, group_pop: np.ndarray) -> pd.DataFrame:
    """Long table of one member's group trajectories ``groups`` (D, G, F)."""
    D, G, _ = groups.shape
    return pd.DataFrame({
        "date": np.repeat(world.dates, G),
        "group": np.tile(list(GROUPS), D),
        "coverage_first": (groups[..., GROUP_FIELDS.index("first_dose")] / group_pop).ravel(),
        "doses_administered": groups[..., GROUP_FIELDS.index("doses_administered")].ravel(),
    })


# --------------------------------------------------------------------------- outputs
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
    ``uptake.capacity.LIC``) is written whole. Returns ``len(keys)`` when no such entry
    is on the path.
    """
    current: Any = Scenario
    for i, key in enumerate(keys):
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(key)
            if info is None:
                return len(keys)
            current = _concrete(info.annotation)
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
            fitted[".".join(keys[:cut])] = _get(dump, keys[:cut])
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
        else:
            obs, sim, err = _doses(r.observed), _doses(r.simulated), f"{100 * r.error:+.1f}%"
        flag = "" if r.within else "  (outside tolerance)"
        lines.append(f"{r.target:<34} {obs:>12} {sim:>12} {err:>10}{flag}")
    return lines
