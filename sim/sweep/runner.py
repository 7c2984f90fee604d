"""Run a sweep: points → members → batches → executor → tables (→ folder).

Examples
--------
>>> import sim
>>> res = sim.sweep("scenarios/sweeps/hoarding_vs_pooling.yaml")   # doctest: +SKIP
>>> res.summary().head()                                          # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.build.batching import batch_group
from sim.scenario.loader import ScenarioError, deep_merge
from sim.scenario.paths import dotted
from sim.scenario.schema import Scenario
from sim.sweep.batches import Batch, BatchTask, members, plan_batches
from sim.sweep.executors import execute
from sim.sweep.files import dump_sweep, load_sweep
from sim.sweep.metrics import check_metrics, scenario_key
from sim.sweep.samplers import point_values, sample_points
from sim.sweep.spec import SweepSpec, contrast_problem, point_scenario
from sim.sweep.store import SweepStore, write_parquet, write_text
from sim.world.world import World, build_world

Progress = Callable[[int, int], None]


@dataclass
class SweepResults:
    """A finished sweep.

    Attributes
    ----------
    spec : the resolved sweep (base scenario inlined)
    points : point, one column per parameter (sobol: block)
    metrics : point, replicate, seed, one column per metric (one row per member)
    sensitivity : the content of sensitivity.json (sobol sweeps), else None
    out_dir : where it was written, if anywhere
    """

    spec: SweepSpec
    points: pd.DataFrame
    metrics: pd.DataFrame
    sensitivity: dict[str, Any] | None = None
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def parameters(self) -> list[str]:
        """Parameter paths, in sweep order."""
        return list(self.spec.parameters)

    def summary(self) -> pd.DataFrame:
        """One row per point: its parameter values and each metric's mean over replicates."""
        names = list(self.spec.metrics)
        mean = self.metrics.groupby("point")[names].mean().reset_index()
        return self.points.merge(mean, on="point")

    def contrast_table(self) -> pd.DataFrame | None:
        """The sweep file's contrast, treatment minus control paired by replicate, for each
        of its metrics and each setting of the other parameters
        (:func:`sim.sweep.contrast.sweep_contrasts`); None without a contrast.
        """
        from sim.sweep.contrast import sweep_contrasts

        return sweep_contrasts(self.spec, self.points, self.metrics)

    def contrast_summary(self) -> pd.DataFrame | None:
        """A sampled sweep's contrast over its worlds, one row per metric: mean difference
        with its interval, the worlds' 2.5–97.5% range, the share of worlds where the
        treatment is lower (:func:`sim.sweep.uncertainty.contrast_over_worlds`); None
        unless the contrast is crossed with a sample (random, lhs).
        """
        from sim.sweep.uncertainty import contrast_over_worlds

        table = self.contrast_table() if self.spec.crossed else None
        return None if table is None else contrast_over_worlds(table, self.spec)

    def contrast_drivers(self) -> pd.DataFrame | None:
        """What moves a sampled sweep's contrast: each sampled parameter's partial rank
        correlation with the worlds' differences, per metric
        (:func:`sim.sweep.uncertainty.contrast_drivers`); None as :meth:`contrast_summary`.
        """
        from sim.sweep.uncertainty import contrast_drivers

        table = self.contrast_table() if self.spec.crossed else None
        return None if table is None else contrast_drivers(table, self.spec)

    def sensitivity_table(self) -> pd.DataFrame:
        """Sobol indices as a long table (empty if this is not a sobol sweep)."""
        from sim.sweep.sensitivity import sensitivity_table

        if self.sensitivity is None:
            return sensitivity_table({"metrics": {}})
        return sensitivity_table(self.sensitivity)

    def save(self, out_dir: str | Path, plots: bool = True,
             on_output: Callable[[str], None] | None = None) -> Path:
        """Write metrics.parquet, sensitivity.json (sobol), contrasts.csv (a contrast; a
        sampled one also contrast_summary.csv and contrast_drivers.csv), plots and
        report.html (atomically, file by file) into ``out_dir`` (which also gets sweep.yaml
        and points.parquet if missing). ``on_output(phase)`` is called after each plot
        (``"plots"``) and after the report (``"report"``).
        """
        out = Path(out_dir)
        if not (out / "sweep.yaml").exists():
            write_text(out / "sweep.yaml", dump_sweep(self.spec))
            write_parquet(out / "points.parquet", self.points)
        write_parquet(out / "metrics.parquet", self.metrics)
        if self.sensitivity is not None:
            write_text(out / "sensitivity.json", json.dumps(self.sensitivity, indent=2) + "\n")
        contrasts = self.contrast_table()
        if contrasts is not None:
            write_text(out / "contrasts.csv", contrasts.to_csv(index=False))
        for name, table in (("contrast_summary", self.contrast_summary()),
                            ("contrast_drivers", self.contrast_drivers())):
            if table is not None:
                write_text(out / f"{name}.csv", table.to_csv(index=False))
        if plots:
            from sim.sweep.plots import plot_sweep
            from sim.sweep.report import write_report

            self.files = plot_sweep(self, out / "plots",
                                    None if on_output is None else lambda: on_output("plots"))
            write_report(self, out / "report.html")
            if on_output is not None:
                on_output("report")
        self.out_dir = out
        return out


def resolve(spec: SweepSpec | str | Path) -> SweepSpec:
    """A sweep file loaded, or a spec with its overrides merged into an inline base (and
    its contrast checked, as :func:`sim.sweep.files.parse_sweep` checks a file's).
    """
    if isinstance(spec, str | Path):
        return load_sweep(spec)
    problem = contrast_problem(spec)
    if problem is not None:
        raise ScenarioError(f"sweep {spec.name}: {dotted(problem[0])}: {problem[1]}")
    if isinstance(spec.base, str):
        raise ScenarioError("a SweepSpec given in Python needs base as scenario data "
                            "(or load it from a file with load_sweep)")
    from sim.sweep.files import full_base

    base = deep_merge(spec.base, spec.overrides)
    try:
        scenario = Scenario.model_validate(base)
    except ValueError as exc:
        raise ScenarioError(f"sweep {spec.name}: base: {str(exc).splitlines()[0]}") from None
    return spec.model_copy(update={"base": full_base(scenario), "overrides": {}})


def point_groups(spec: SweepSpec, values: list[dict[str, Any]]
                 ) -> list[tuple[Hashable, ...]]:
    """Each point's batch group (validating every point's scenario on the way): what
    members run in one (E, N) batch share so that each gives its results alone bit for bit
    (:func:`sim.engine.build.batching.batch_group`), and what the batch's metrics read from
    one scenario (:func:`sim.sweep.metrics.scenario_key`).
    """
    out = []
    for p, v in enumerate(values):
        try:
            scenario = point_scenario(spec.base_data, v)
        except ScenarioError as exc:
            raise ScenarioError(f"sweep {spec.name}: point {p} {v}: {exc}") from None
        out.append((*batch_group(scenario), scenario_key(scenario)))
    return out


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep will run: its points, each point's values and the batches."""

    points: pd.DataFrame
    values: list[dict[str, Any]]
    batches: list[Batch]

    @property
    def n_members(self) -> int:
        """Members over all batches."""
        return sum(b.size for b in self.batches)


#: Most members (points × replicates) a sweep may have: beyond it the plan alone (points,
#: members and metric tables) would take gigabytes, and the runs days of CPU.
MAX_MEMBERS = 2_000_000


def check_size(spec: SweepSpec) -> None:
    """Refuse (exit 2), before sampling anything, a sweep with more than
    :data:`MAX_MEMBERS` members or whose tables would not fit in memory.
    """
    from sim.engine.memory import check_fits
    from sim.scenario.loader import ScenarioError
    from sim.sweep.samplers import point_count

    points = point_count(spec)
    members = points * spec.replicates
    if members > MAX_MEMBERS:
        raise ScenarioError(f"{spec.name}: {points:,} points x {spec.replicates} replicate(s) = "
                            f"{members:,} members, more than the {MAX_MEMBERS:,} a sweep may "
                            "have; use fewer levels, samples or replicates")
    # points, members and metrics tables (8-byte cells), each built and copied once
    cells = points * (len(spec.parameters) + 2) + members * (len(spec.metrics) + 5)
    check_fits(cells * 8 * 4, f"{spec.name}: {members:,} members")


def plan_sweep(spec: SweepSpec) -> SweepPlan:
    """Sample the points, validate each point's scenario and cut members into batches."""
    check_size(spec)
    points = sample_points(spec)
    values = point_values(points, list(spec.parameters))
    groups = point_groups(spec, values)
    table = members(len(points), spec.replicates, spec.seed)
    return SweepPlan(points, values, plan_batches(table, groups, spec.batch_for(len(table))))


def run_sweep(spec: SweepSpec | str | Path, *, executor: str = "serial",
              workers: int | None = None, scheduler: str | None = None,
              out_dir: str | Path | None = None, resume: bool = False,
              world: World | None = None, progress: Progress | None = None,
              plots: bool = True, plan: SweepPlan | None = None,
              on_output: Callable[[str], None] | None = None) -> SweepResults:
    """Run a sweep.

    Parameters
    ----------
    spec : a sweep file name or a :class:`SweepSpec` (with an inline base scenario)
    executor : ``serial``, ``processes`` or ``dask``
    workers : processes / Dask workers (default: cores / 2)
    scheduler : ``tcp://HOST:PORT`` of a running Dask scheduler
    out_dir : write the folder here (per batch, then final tables, plots, report);
        None keeps everything in memory
    resume : ``out_dir`` holds an interrupted run of the same sweep: run only the
        batches it lacks
    world : the world to run on (default: built from the base scenario and shipped data)
    progress : called as ``progress(batches_done, members_done)`` after each batch
    plots : write plots and report.html into ``out_dir``
    on_output : called with ``"plots"`` after each plot, ``"report"`` after the report
    plan : the sweep's plan if already made (:func:`plan_sweep`)

    Returns
    -------
    SweepResults
    """
    spec = resolve(spec)
    paths = list(spec.parameters)
    plan = plan or plan_sweep(spec)
    points, values, batches = plan.points, plan.values, plan.batches
    base = Scenario.model_validate(spec.base)
    if world is None:
        world = build_world(base)
    try:
        check_metrics(spec.metrics, base, world)
    except ValueError as exc:
        raise ScenarioError(f"sweep {spec.name}: {exc}") from None

    store = SweepStore(out_dir) if out_dir is not None else None
    done_tables: dict[int, pd.DataFrame] = {}
    finished: set[int] = set()
    if store is not None:
        store.start(dump_sweep(spec), points, resume=resume)
        finished = store.finished() if resume else set()
    todo = [b for b in batches if b.index not in finished]
    counts = {"batches": len(finished),
              "members": sum(b.size for b in batches if b.index in finished)}
    if progress is not None:
        progress(counts["batches"], counts["members"])

    def on_done(task: BatchTask, result: pd.DataFrame) -> None:
        if store is not None:
            store.write_batch(task.batch.index, result)
        else:
            done_tables[task.batch.index] = result
        counts["batches"] += 1
        counts["members"] += task.batch.size
        if progress is not None:
            progress(counts["batches"], counts["members"])

    tasks = [BatchTask(b, spec.base_data, {int(p): values[p] for p in set(b.point.tolist())},
                       tuple(spec.metrics), world) for b in todo]
    execute(tasks, on_done, executor, workers, scheduler)

    def table(index: int) -> pd.DataFrame:
        if index in done_tables:
            return done_tables[index]
        assert store is not None, "batches not run here come from the store"
        return store.read_batch(index)

    parts = [table(b.index) for b in batches]
    metrics = (pd.concat(parts, ignore_index=True).drop(columns="batch")
               .sort_values(["point", "replicate"], kind="stable").reset_index(drop=True))
    sens = None
    if spec.method == "sobol":
        from sim.sweep.sensitivity import sweep_sensitivity

        sens = sweep_sensitivity(points, metrics, paths, spec.metrics, seed=spec.seed)
    res = SweepResults(spec, points, metrics, sens)
    if out_dir is not None:
        res.save(out_dir, plots=plots, on_output=on_output)
    return res


def load_sweep_results(folder: str | Path) -> SweepResults:
    """A sweep folder read back (sweep.yaml, points, metrics, sensitivity.json)."""
    folder = Path(folder)
    sens = folder / "sensitivity.json"
    return SweepResults(
        spec=load_sweep(folder / "sweep.yaml"),
        points=pd.read_parquet(folder / "points.parquet"),
        metrics=pd.read_parquet(folder / "metrics.parquet"),
        sensitivity=json.loads(sens.read_text(encoding="utf-8")) if sens.exists() else None,
        out_dir=folder)
