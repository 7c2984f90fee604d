"""Fitting: candidate parameter sets run as members of engine batches, scored against the
targets (loss: :mod:`sim.calibrate`), refined by a bounded derivative-free optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.parameters import Parameter, with_values
from sim.calibrate.targets import TOLERANCE, CalibrationError, target_labels, tolerances
from sim.engine.build.batching import batch_group
from sim.engine.build.params import build_params
from sim.engine.record import GROUP_FIELDS, GROUPS
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.outcomes.registry import SERIES_FIELD
from sim.scenario.schema import Scenario
from sim.world.world import World, build_world

METHODS = ("Powell", "Nelder-Mead", "search")
#: Positions in ``GROUP_FIELDS`` of the fields behind the registry's target series.
COVERAGE_FIELD = GROUP_FIELDS.index(SERIES_FIELD["coverage_first"])
DOSES_FIELD = GROUP_FIELDS.index(SERIES_FIELD["doses_administered"])


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
    workers : processes a round's members are shared out among (1: this process)
    pool : the :class:`sim.output.processes.Workers` they run on (started when first
        needed; the caller closes it)
    calls : number of candidate runs so far
    """

    scenario: Scenario
    world: World
    targets: pd.DataFrame
    params: list[Parameter]
    seeds: np.ndarray
    progress: Callable[[int], None] | None = None
    workers: int = 1
    pool: Any = None
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
        # Members that share a batch group (Structure, immunity classes) run as one batch.
        by_group: dict[Hashable, list[int]] = {}
        for k, s in enumerate(cands):
            by_group.setdefault(batch_group(s), []).append(k)
        for ks in by_group.values():
            members = [cands[k] for k in ks for _ in range(R)]
            records, deaths = self._run(members, np.tile(self.seeds, len(ks)))
            shape = (len(ks), R, *records.shape[1:3])
            groups[ks, ..., :-1] = records.reshape(*shape, -1).mean(axis=1)
            if deaths is not None:
                groups[ks, ..., -1] = deaths.reshape(shape).mean(axis=1)
        self.calls += K
        if self.progress is not None:
            self.progress(self.calls)
        g = groups[:, self.day, self.group]                       # (K, T, F + 1)
        cov = g[..., COVERAGE_FIELD] / self.group_pop[self.group]
        doses = g[..., DOSES_FIELD]
        sims = np.where(self.is_cov, cov, np.where(self.is_deaths, g[..., -1], doses))
        return sims, groups[..., :-1], groups[..., -1]

    def _run(self, members: list[Scenario], seeds: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray | None]:
        """Run ``members`` (one batch group) in chunks that fit the cache
        (:func:`sim.engine.ensemble.chunk_members`), on :attr:`workers` processes when
        more than one: :func:`group_records` of them all, in order. A member's results do
        not depend on its chunk, so neither does the fit.
        """
        from sim.engine.ensemble import chunk_members, chunks

        M = len(members)
        one = build_params(self.world, members[:1], seeds[:1])
        calls = [partial(group_records, self.world, members[part], seeds[part])
                 for part in chunks(M, chunk_members(self.world, one, M,
                                                     workers=self.workers))]
        if self.workers > 1 and len(calls) > 1:
            from sim.output.processes import Workers

            if self.pool is None:
                self.pool = Workers(self.workers)
            done = list(self.pool.in_order(calls))
        else:
            done = [call() for call in calls]
        records = np.concatenate([r for r, _ in done])
        deaths = None if done[0][1] is None else np.concatenate([d for _, d in done])
        return records, deaths

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

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


def group_records(world: World, members: list[Scenario], seeds: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Run ``members`` (one batch group) as one batch: their group records (M, D, G, F)
    and cumulative deaths by group (M, D, G), None without an epidemic. Picklable with its
    arguments, so a chunk of candidates can run in another process.
    """
    traj, _ = simulate(world, build_params(world, members, seeds), country_every=world.days)
    deaths = None if traj.epi_groups is None else traj.epi_groups[..., 2]
    return traj.groups, deaths


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
              progress: Callable[[int], None] | None = None, workers: int = 1) -> Fit:
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
        ``"search"`` (batched shrinking-box search, see the package docstring)
    progress : called with the number of scenario runs done so far
    workers : processes to share out each batch of candidates among (the design and the
        search's rounds; Powell and Nelder-Mead run one candidate at a time): the same fit

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
                   replicate_seeds(scenario.seed, scenario.replicates), progress,
                   workers=workers)
    n = design if design is not None else max(16, 8 * P)
    u = qmc.LatinHypercube(d=P, seed=seed).random(n) if n > 0 else np.zeros((0, P))
    own = [p.start is not None for p in params]
    if all(own):
        u = np.vstack([[p.unit(p.start) for p in params if p.start is not None], u])
    elif len(u) == 0:
        u = np.full((1, P), 0.5)
    try:
        losses = ev.batch(u)
        initial_loss = float(losses[0]) if all(own) else float("nan")
        order = np.argsort(losses, kind="stable")[:max(1, starts)]
        initial = ev.values(u[order[0]])[0]
        budget = maxfev if maxfev is not None else 200 * P
        if method == "search":
            search(ev, budget, seed)
        else:
            options: dict[str, Any] = {"maxfev": budget}
            options.update({"xtol": 1e-4, "ftol": 1e-9} if method == "Powell"
                           else {"xatol": 1e-4, "fatol": 1e-9, "adaptive": P > 3})
            for i in order:
                minimize(ev, u[i], method=method, bounds=[(0.0, 1.0)] * P, options=options)
        best, best_u = ev.best
        assert best_u is not None, "the design always runs at least one candidate"
        values = ev.values(best_u)[0]
        sims, groups, deaths = ev.simulated_with_deaths(values[None])
    finally:
        ev.close()
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


def trajectories(world: World, groups: np.ndarray, group_pop: np.ndarray,
                 deaths: np.ndarray) -> pd.DataFrame:
    """Long table of one member's group trajectories ``groups`` (D, G, F) and cumulative
    ``deaths`` (D, G): date, group, coverage_first, doses_administered, deaths.
    """
    D, G, _ = groups.shape
    return pd.DataFrame({
        "date": np.repeat(world.dates, G),
        "group": np.tile(list(GROUPS), D),
        "coverage_first": (groups[..., COVERAGE_FIELD] / group_pop).ravel(),
        "doses_administered": groups[..., DOSES_FIELD].ravel(),
        "deaths": deaths.ravel(),
    })
