"""Calibration: fit dotted scenario parameters to observed targets.

A *target* is one observed number: the share of a group's population with at least one
dose (``coverage_first``), the world's cumulative doses administered
(``doses_administered``), or a group's deaths since the run's start (``deaths``, with the
source's 95% range in ``low`` / ``high``) on a date (see ``sim/data/observed.csv`` and
``sim/data/observed_deaths.csv``). A *parameter* is any numeric scenario field named by
its dotted key path, e.g. ``uptake.capacity.LIC.end``, ``procurement.groups.HIC.multiple``
or ``epidemic.contacts.groups.LIC.1.multiplier`` (a number is a list index); it is fitted
between bounds.

Method
------
1. A Latin-hypercube design (``scipy.stats.qmc.LatinHypercube``) of the bounded parameter
   box, plus the scenario's own values, is evaluated as the members of **one** engine
   batch (members that share a :class:`~sim.engine.build.params.Structure` run together).
2. From the best design point(s), ``scipy.optimize.minimize`` — ``Powell`` (default) or
   ``Nelder-Mead``, both bounded and derivative-free — refines the fit, one run per
   evaluation. Or ``search``: rounds of Latin-hypercube points in a box around the best
   point so far, the box halving each round, every round one engine batch (many
   parameters cost little more than few: a batch of a hundred members runs in a few
   times the time of one). The best point run anywhere is kept: the loss is not smooth
   (weekly market clearing, whole days), so an optimizer's last point need not be its
   best.

Loss
----
Each target's error is scaled by the tolerance the fit is judged by, then squared::

    coverage:  z = (simulated − observed) × 100 / 5      (percentage points / 5 pp)
    doses:     z = (simulated − observed) / observed / 0.10   (relative error / 10 %)
    deaths:    z = (simulated − observed) / (high − observed)  above the estimate,
               z = (simulated − observed) / (observed − low)   below it
               (the source's 95% range; ±15% where a row gives none)
    loss = Σ w z² / Σ w                                    (w: ``weight`` column, default 1)

so a loss below 1 means the targets are met on (quadratic) average, one target off by
its whole tolerance costs as much as any other, and a death target is met when the
simulated deaths fall inside the source's 95% range.

Examples
--------
>>> from sim.scenario import load_scenario
>>> from sim.calibrate.calibrate import calibrate, load_targets, parameters
>>> s = load_scenario("scenarios/historical_2021.yaml")                   # doctest: +SKIP
>>> fit = calibrate(s, load_targets(), parameters(s, ["uptake.hesitancy"]))  # doctest: +SKIP
>>> fit.table                                                            # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
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

#: The shipped 2021 targets: coverage and doses, and deaths (2021 excess deaths by group).
OBSERVED = DATA_DIR / "observed.csv"
OBSERVED_DEATHS = DATA_DIR / "observed_deaths.csv"
METRICS = ("coverage_first", "doses_administered", "deaths")
METHODS = ("Powell", "Nelder-Mead", "search")
#: Tolerances the loss is scaled by (and the fit is judged by); deaths use each row's
#: 95% range (``low``, ``high``) and this relative one only where a row gives none.
TOLERANCE = {"coverage_first": 5.0, "doses_administered": 0.10, "deaths": 0.15}
ERROR_UNIT = {"coverage_first": "pp", "doses_administered": "rel", "deaths": "rel"}
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
    ("epidemic.ifr_multiplier", 0.2, 5.0),
    ("epidemic.ifr_multiplier_groups.*", 0.2, 5.0),
    ("epidemic.prior_immunity_scale", 0.0, 2.0),
    ("epidemic.initial_prevalence", 1e-5, 0.01),
    ("epidemic.contacts.*.multiplier", 0.1, 1.5),
    ("epidemic.travel.*.multiplier", 0.0, 1.0),
    ("epidemic.variants.*.transmissibility", 1.0, 4.0),
    ("epidemic.variants.*.escape", 0.0, 0.9),
    ("epidemic.variants.*.severity", 0.1, 3.0),
    ("epidemic.variants.*.seed_share", 1e-6, 1e-2),
)


class CalibrationError(ValueError):
    """Bad calibration input (parameter path, bounds, targets); the message is one line."""


# --------------------------------------------------------------------------- targets
def load_targets(path: str | Path | Sequence[str | Path] = OBSERVED) -> pd.DataFrame:
    """Read targets CSV file(s): ``date, group, metric, value`` (+ optional ``source,
    weight``, and ``low, high`` — the 95% range of a death target).

    Parameters
    ----------
    path : one file, or several whose targets are fitted together (e.g.
        ``[OBSERVED, OBSERVED_DEATHS]``)

    Returns
    -------
    DataFrame with ``date`` as Timestamps, ``weight`` filled with 1 and ``low`` / ``high``
    with NaN where absent.

    Raises
    ------
    CalibrationError
        Missing file or column, unknown group or metric, a share outside [0, 1], a
        non-positive dose count, death count or weight, a range that does not hold the
        value.
    """
    if not isinstance(path, str | Path):
        frames = [load_targets(p) for p in path]
        if not frames:
            raise CalibrationError("--targets: name at least one file")
        return (pd.concat(frames, ignore_index=True)
                .sort_values(["date", "group", "metric"]).reset_index(drop=True))
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
    for column in ("low", "high"):
        if column not in df.columns:
            df[column] = np.nan
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
        if row["metric"] in ("doses_administered", "deaths") and value <= 0:
            raise CalibrationError(f"{where}: value: {row['metric']} must be positive")
        low, high = (float(row[c]) if pd.notna(row[c]) else math.nan for c in ("low", "high"))
        if (math.isnan(low) != math.isnan(high)
                or (not math.isnan(low) and not low <= value <= high)):
            raise CalibrationError(f"{where}: low, high: give both, with low <= value <= high")
    df["date"] = pd.to_datetime(df["date"])
    for column in ("value", "weight", "low", "high"):
        df[column] = df[column].astype(float)
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
        if isinstance(node, list) and k.isdigit() and int(k) < len(node):
            node = node[int(k)]
        elif isinstance(node, Mapping) and k in node:
            node = node[k]
        else:
            return None
    return node


def _set(data: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    """``set_key`` that also steps into existing list items (a key made of digits)."""
    for i in range(len(keys) - 1):
        node = _get(data, keys[:i + 1])
        if isinstance(node, list):
            index = keys[i + 1]
            if not index.isdigit() or int(index) >= len(node):
                raise CalibrationError(f"--params {'.'.join(keys)}: "
                                       f"'{'.'.join(keys[:i + 1])}' has {len(node)} item(s); "
                                       f"no item {index}")
            rest = keys[i + 2:]
            if not rest:
                node[int(index)] = value
            else:
                _set(node[int(index)], rest, value)
            return
    set_key(data, keys, value)


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
        if key.isdigit():  # an item of a list (checked against the scenario later)
            continue
        valid = keys_at(Scenario, keys[:i])
        if valid and key not in valid:
            raise CalibrationError(f"--params {path}: unknown key '{key}'"
                                   + suggest(key, valid) + (f" under '{'.'.join(keys[:i])}'"
                                                            if i else ""))
        if not valid and i and not keys[i - 1].isdigit() and not keys_at(Scenario,
                                                                           keys[:i - 1]):
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
        _set(data, path.split("."), v)
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
def tolerances(targets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(below, above): how far under / over each target's value the simulation may fall
    and still meet it, in the target's own units (shares, doses, deaths).

    Coverage: 5 percentage points either side; doses: 10% either side; deaths: down to
    ``low`` and up to ``high`` (the source's 95% range), else 15% either side.
    """
    value = targets["value"].to_numpy(dtype=float)
    metric = targets["metric"].to_numpy()
    rel = np.array([TOLERANCE[m] for m in metric]) * value
    cov = np.full(len(value), TOLERANCE["coverage_first"] / 100.0)
    below = np.where(metric == "coverage_first", cov, rel)
    above = below.copy()
    low = targets.get("low", pd.Series(np.nan, index=targets.index)).to_numpy(dtype=float)
    high = targets.get("high", pd.Series(np.nan, index=targets.index)).to_numpy(dtype=float)
    ranged = (metric == "deaths") & ~np.isnan(low)
    below[ranged] = (value - low)[ranged]
    above[ranged] = (high - value)[ranged]
    # A degenerate range (low == value) still needs a finite scale: 1% of the value.
    floor = 0.01 * np.abs(value)
    return np.maximum(below, floor), np.maximum(above, floor)


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
        self.is_deaths = (t["metric"] == "deaths").to_numpy()
        self.observed = t["value"].to_numpy(dtype=float)
        self.weight = t["weight"].to_numpy(dtype=float)
        self.below, self.above = tolerances(t)
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
        sims, groups, _ = self.simulated_with_deaths(x)
        return sims, groups

    def simulated_with_deaths(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                             np.ndarray]:
        """:meth:`simulated`, plus ``deaths`` (K, D, G): cumulative deaths by group since
        the start, mean over replicates (NaN without an epidemic).
        """
        cands = self.scenarios(x)
        K, R = len(cands), len(self.seeds)
        groups = np.full((K, self.world.days, len(GROUPS), len(GROUP_FIELDS) + 1), np.nan)
        # Members that share a structure run as one batch.
        by_structure: dict[Structure, list[int]] = {}
        for k, s in enumerate(cands):
            by_structure.setdefault(Structure.of(s), []).append(k)
        for ks in by_structure.values():
            members = [cands[k] for k in ks for _ in range(R)]
            seeds = np.tile(self.seeds, len(ks))
            traj, _ = simulate(self.world, build_params(self.world, members, seeds),
                               country_every=self.world.days)
            shape = (len(ks), R, *traj.groups.shape[1:3])
            groups[ks, ..., :-1] = traj.groups.reshape(*shape, -1).mean(axis=1)
            if traj.epi_groups is not None:
                groups[ks, ..., -1] = traj.epi_groups[..., 2].reshape(shape).mean(axis=1)
        self.calls += K
        if self.progress is not None:
            self.progress(self.calls)
        g = groups[:, self.day, self.group]                       # (K, T, F + 1)
        cov = g[..., GROUP_FIELDS.index("first_dose")] / self.group_pop[self.group]
        doses = g[..., GROUP_FIELDS.index("doses_administered")]
        sims = np.where(self.is_cov, cov, np.where(self.is_deaths, g[..., -1], doses))
        return sims, groups[..., :-1], groups[..., -1]

    def errors(self, sims: np.ndarray) -> np.ndarray:
        """(K, T) errors: percentage points for coverage, relative for doses."""
        diff = sims - self.observed
        rel = np.divide(diff, self.observed, out=np.zeros_like(diff),
                        where=~self.is_cov & (self.observed != 0))
        return np.where(self.is_cov, 100.0 * diff, rel)

    def scaled(self, sims: np.ndarray) -> np.ndarray:
        """(K, T) errors in units of each target's tolerance on its side (|z| <= 1: met)."""
        diff = sims - self.observed
        return diff / np.where(diff > 0, self.above, self.below)

    def losses(self, sims: np.ndarray) -> np.ndarray:
        """(K,) weighted mean of squared tolerance-scaled errors (see module docstring)."""
        z = self.scaled(sims)
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
    z = ev.scaled(sims[None])[0]
    low, high = ev.observed - ev.below, ev.observed + ev.above
    death_tol = np.divide(ev.above, ev.observed, out=np.zeros_like(ev.above),
                          where=ev.is_deaths & (ev.observed != 0))
    tol = np.where(ev.is_cov, TOLERANCE["coverage_first"],
                   np.where(ev.is_deaths, death_tol, TOLERANCE["doses_administered"]))
    return pd.DataFrame({
        "target": target_labels(t), "date": t["date"].dt.date, "group": t["group"],
        "metric": t["metric"], "observed": ev.observed, "simulated": sims, "error": err,
        "error_unit": np.where(ev.is_cov, "pp", "rel"), "tolerance": tol,
        "low": low, "high": high, "within": np.abs(z) <= 1.0,
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
    maxfev : runs allowed per optimizer run (default ``200 P``); for ``search``, the runs
        of all its rounds together
    seed : seed of the Latin-hypercube design (and of the search's rounds)
    method : ``"Powell"`` or ``"Nelder-Mead"`` (both bounded and derivative-free), or
        ``"search"`` (batched shrinking-box search, see the module docstring)
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
    if (targets["metric"] == "deaths").any() and not scenario.epidemic.enabled:
        raise CalibrationError("death targets need the epidemic (epidemic.enabled: true)")
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
    budget = maxfev if maxfev is not None else 200 * P
    if method == "search":
        search(ev, budget, seed)
    else:
        options = {"maxfev": budget}
        options.update({"xtol": 1e-4, "ftol": 1e-9} if method == "Powell"
                       else {"xatol": 1e-4, "fatol": 1e-9, "adaptive": P > 3})
        for i in order:
            minimize(ev, u[i], method=method, bounds=[(0.0, 1.0)] * P, options=options)
    best, best_u = ev.best
    values = ev.values(best_u)[0]
    sims, groups, deaths = ev.simulated_with_deaths(values[None])
    return Fit(params=params, initial=initial, values=values, loss=best,
               initial_loss=initial_loss, table=fit_table(ev, sims[0]),
               trajectories=trajectories(world, groups[0], ev.group_pop, deaths[0]),
               scenario=with_values(scenario, {p.path: (int(v) if p.integer else float(v))
                                               for p, v in zip(params, values, strict=True)}),
               runs=ev.calls)


def search(ev: Evaluator, budget: int, seed: int = 0, rounds: int = 8) -> None:
    """Batched shrinking-box search from ``ev``'s best point: ``rounds`` rounds of
    ``budget // rounds`` Latin-hypercube points (at least 4) in a box of half-width 0.25,
    0.125, … (in units of each parameter's bounds) centred on the best point so far, each
    round run as one batch. Updates ``ev.best``.
    """
    from scipy.stats import qmc

    P = len(ev.params)
    size = max(4, budget // rounds)
    sampler = qmc.LatinHypercube(d=P, seed=seed + 1)
    half = 0.25
    for _ in range(rounds):
        centre = ev.best[1]
        u = np.clip(centre + (2.0 * sampler.random(size) - 1.0) * half, 0.0, 1.0)
        ev.batch(u)
        half /= 2.0


def rescale_severity(scenario: Scenario, targets: pd.DataFrame, *,
                     world: World | None = None, rounds: int = 2) -> tuple[Scenario, Fit]:
    """Scale each income group's severity so its deaths meet the central estimate.

    Deaths are proportional to the fatality ratio (a fitted contact level sets the
    infections; severity only decides how many of them die), so for each group with a
    death target, ``ifr_multiplier_groups.<g>`` is multiplied by observed / simulated on
    the group's last death-target date. ``rounds`` passes absorb the small feedback
    through policies that react to deaths.

    Returns
    -------
    (scenario with the rescaled factors, a :class:`Fit` of it with no parameters)

    Raises
    ------
    CalibrationError
        No death targets by income group, or the epidemic is off.
    """
    deaths = targets[(targets["metric"] == "deaths") & (targets["group"] != "World")]
    if deaths.empty or not scenario.epidemic.enabled:
        raise CalibrationError("rescaling severity needs death targets by income group "
                               "and the epidemic")
    last = deaths.sort_values("date").groupby("group").tail(1).set_index("group")
    short = horizon(scenario, targets)
    world = world if world is not None else build_world(short)
    for _ in range(rounds):
        ev = Evaluator(horizon(scenario, targets), world, targets, [],
                       replicate_seeds(scenario.seed, scenario.replicates))
        sims, _, curves = ev.simulated_with_deaths(np.zeros((1, 0)))
        factors = dict(scenario.epidemic.ifr_multiplier_groups)
        for group, row in last.iterrows():
            day = (row["date"] - pd.Timestamp(world.start)).days
            simulated = curves[0, day, GROUPS.index(group)]
            if simulated > 0:
                factors[group] = (factors.get(group, 1.0) * row["value"] / simulated)
        scenario = with_values(scenario, {"epidemic.ifr_multiplier_groups": factors})
    ev = Evaluator(horizon(scenario, targets), world, targets, [],
                   replicate_seeds(scenario.seed, scenario.replicates))
    sims, groups, curves = ev.simulated_with_deaths(np.zeros((1, 0)))
    loss = float(ev.losses(sims)[0])
    fit = Fit(params=[], initial=np.zeros(0), values=np.zeros(0), loss=loss,
              initial_loss=loss, table=fit_table(ev, sims[0]),
              trajectories=trajectories(world, groups[0], ev.group_pop, curves[0]),
              scenario=scenario, runs=ev.calls)
    return scenario, fit


def fit_with_rescaled_severity(fit: Fit, targets: pd.DataFrame, *,
                               world: World | None = None) -> tuple[Fit, dict[str, float]]:
    """``fit`` followed by :func:`rescale_severity`: the fit of the rescaled scenario
    (fitted severity parameters take their rescaled values; the loss and table are the
    rescaled scenario's) and the dotted overrides ``epidemic.ifr_multiplier_groups.<g>``
    to write with it.
    """
    scenario, refit = rescale_severity(fit.scenario, targets, world=world)
    factors = scenario.epidemic.ifr_multiplier_groups
    values = fit.values.copy()
    for i, p in enumerate(fit.params):
        head, _, group = p.path.rpartition(".")
        if head == "epidemic.ifr_multiplier_groups" and group in factors:
            values[i] = factors[group]
    out = dataclasses.replace(fit, values=values, scenario=scenario, loss=refit.loss,
                              table=refit.table, trajectories=refit.trajectories,
                              runs=fit.runs + refit.runs)
    return out, {f"epidemic.ifr_multiplier_groups.{g}": float(v) for g, v in factors.items()}


def trajectories(world: World, groups: np.ndarray, group_pop: np.ndarray,
                 deaths: np.ndarray) -> pd.DataFrame:
    """Long table of one member's group trajectories ``groups`` (D, G, F) and cumulative
    ``deaths`` (D, G): date, group, coverage_first, doses_administered, deaths.
    """
    D, G, _ = groups.shape
    return pd.DataFrame({
        "date": np.repeat(world.dates, G),
        "group": np.tile(list(GROUPS), D),
        "coverage_first": (groups[..., GROUP_FIELDS.index("first_dose")] / group_pop).ravel(),
        "doses_administered": groups[..., GROUP_FIELDS.index("doses_administered")].ravel(),
        "deaths": deaths.ravel(),
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
        elif r.metric == "deaths":
            obs, sim, err = _doses(r.observed), _doses(r.simulated), f"{100 * r.error:+.1f}%"
            obs = f"{obs} [{_doses(r.low)}-{_doses(r.high)}]"
        else:
            obs, sim, err = _doses(r.observed), _doses(r.simulated), f"{100 * r.error:+.1f}%"
        flag = "" if r.within else "  (outside tolerance)"
        lines.append(f"{r.target:<34} {obs:>12} {sim:>12} {err:>10}{flag}")
    return lines
