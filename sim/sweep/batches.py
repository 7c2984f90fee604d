"""Ensemble batching: points × replicates become members, members become batches.

Member ``m`` is point ``m // R``, replicate ``m % R`` (R replicates per point). Replicate
``r`` has the same seed at every point (``replicate_seeds(sweep seed, R)[r]``): common
random numbers, so differences between points are not noise between seeds.

Members whose scenarios share a :class:`~sim.engine.build.params.Structure` (ring sizes, shelf
life buckets, clearing period) and what the metrics read from one scenario (outcome
definitions, start date, epidemic on or off: :func:`sim.sweep.metrics.scenario_key`) are
cut, in member order, into batches of at most ``batch_size`` members. The batches depend
only on the sweep file — never on the executor or the number of workers — and a
member's result does not depend on its batch (the engine guarantees a member alone
equals the same member in a batch), so every executor writes identical tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import pandas as pd

from sim.engine.build.params import Params, build_params
from sim.engine.counterfactual import (
    EpidemicTwin,
    doses_shared,
    run_with_twin,
    split_members,
    twin_params,
)
from sim.engine.ensemble import chunk_members, chunks
from sim.engine.record import Recorder, Trajectories
from sim.engine.run import Simulation, simulate
from sim.engine.state import State
from sim.engine.streams import replicate_seeds
from sim.scenario.schema import Scenario
from sim.sweep.metrics import batch_metrics, needs_tables, needs_twins
from sim.sweep.spec import point_scenario
from sim.world.world import World


@dataclass(frozen=True)
class Batch:
    """One batch of members.

    Attributes
    ----------
    index : batch number (0 …), also its file name in the store
    point, replicate : (E,) int, each member's point and replicate
    seed : (E,) int, each member's seed
    """

    index: int
    point: np.ndarray
    replicate: np.ndarray
    seed: np.ndarray

    @property
    def size(self) -> int:
        """E."""
        return len(self.point)


@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs to run one batch (picklable, self-contained)."""

    batch: Batch
    base: dict[str, Any]
    values: dict[int, dict[str, Any]]   # point → {path: value} of the points in the batch
    metrics: tuple[str, ...]
    world: World


def members(n_points: int, replicates: int, seed: int) -> pd.DataFrame:
    """The member table: member, point, replicate, seed (point-major order)."""
    seeds = replicate_seeds(seed, replicates)
    return pd.DataFrame({
        "member": np.arange(n_points * replicates),
        "point": np.repeat(np.arange(n_points), replicates),
        "replicate": np.tile(np.arange(replicates), n_points),
        "seed": np.tile(seeds, n_points),
    })


def plan_batches(member_table: pd.DataFrame, groups: Sequence[Hashable],
                 batch_size: int) -> list[Batch]:
    """Cut members into batches: by group (first appearance order), then in chunks.

    Parameters
    ----------
    member_table : from :func:`members`
    groups : each point's group: its Structure, with what the metrics read from its
        scenario (:func:`sim.sweep.runner.point_groups`); a batch holds one group
    batch_size : most members in a batch
    """
    key = {s: i for i, s in enumerate(dict.fromkeys(groups))}
    group = np.array([key[groups[p]] for p in member_table["point"]], dtype=int)
    out: list[Batch] = []
    for g in range(len(key)):
        rows = member_table[group == g]
        for start in range(0, len(rows), batch_size):
            chunk = rows.iloc[start:start + batch_size]
            out.append(Batch(len(out), chunk["point"].to_numpy(), chunk["replicate"].to_numpy(),
                             chunk["seed"].to_numpy()))
    return out


class LastDayRecorder:
    """Records only the last day (the engine's own Recorder on a one-day world).

    Final-state metrics need nothing else, and skipping the daily copies and group sums
    roughly halves the cost of a large batch.
    """

    def __init__(self, world: World, params: Params) -> None:
        self.inner = Recorder(replace(world, days=1), params, 1)
        self.last = world.days - 1

    def record(self, state: State, t: int) -> None:
        """Store the state if ``t`` is the last day."""
        if t == self.last:
            self.inner.record(state, 0)

    @property
    def out(self) -> Trajectories:
        """(E, 1, …) trajectories of the last day."""
        return self.inner.out


def simulate_final(world: World, params: Params) -> Trajectories:
    """Run a batch to the end, recording only its last day."""
    sim = Simulation.start(world, params, world.days)
    # Same interface as the engine's Recorder (record(state, t), out).
    sim.recorder = cast(Recorder, LastDayRecorder(world, params))
    while not sim.done:
        sim.step()
    return sim.recorder.out


def warm_up(task: BatchTask) -> None:
    """Load what running ``task`` needs (modules, compiled kernels) into this process by
    simulating one day of its first member; workers forked afterwards inherit it all.
    """
    b = task.batch
    p = int(b.point[0])
    scenario = point_scenario(task.base, task.values[p])
    world = replace(task.world, days=1)
    Simulation.start(world, build_params(world, [scenario], b.seed[:1]), 1).step()


def run_batch(task: BatchTask) -> pd.DataFrame:
    """Run one batch; one row per member: batch, point, replicate, seed, metrics.

    The batch runs in chunks of members (:func:`sim.engine.ensemble.chunk_members`: a
    chunk's state stays in the processor's cache) with the same rows as one run: a
    member's results do not depend on the members run beside it.
    """
    b = task.batch
    scenarios = {p: point_scenario(task.base, task.values[p]) for p in np.unique(b.point)}
    members_ = [scenarios[p] for p in b.point]
    twins = needs_twins(task.metrics)
    one = build_params(task.world, members_[:1], b.seed[:1])
    parts = chunks(b.size, chunk_members(task.world, one, b.size, twins))
    values = pd.concat([_run_members(task, members_[part], b.seed[part], twins)
                        for part in parts], ignore_index=True)
    head = pd.DataFrame({"batch": np.full(b.size, b.index), "point": b.point,
                         "replicate": b.replicate, "seed": b.seed})
    return pd.concat([head, values], axis=1)


def _run_members(task: BatchTask, members_: list[Scenario], seeds: np.ndarray,
                 twins: bool) -> pd.DataFrame:
    """The metrics of ``members_`` (with ``seeds``) run as one (E, N) batch, a row each."""
    world = task.world
    params = build_params(world, members_, seeds)
    # Deaths averted: each member's no-vaccine twin, with the same seed: its epidemic only
    # beside the batch when its doses are the member's, else as extra members of the batch.
    tables = needs_tables(task.metrics)  # else only the last day is needed
    if twins and doses_shared(params):
        every = members_[0].outputs.country_every_days if tables else world.days
        sim = Simulation.start(world, params, every)
        if not tables:
            sim.recorder = cast(Recorder, LastDayRecorder(world, params))
        twin = EpidemicTwin(world, params, members_)
        run_with_twin(sim, twin)
        traj = sim.recorder.out
        counterfactual: Trajectories | None = twin.trajectories(traj)
    else:
        batch = twin_params(world, members_, list(seeds)) if twins else params
        if tables:
            traj, _ = simulate(world, batch, members_[0].outputs.country_every_days)
        else:
            traj = simulate_final(world, batch)
        counterfactual = None
        if twins:
            traj, counterfactual = split_members(traj, len(members_))
    return batch_metrics(traj, world, params, task.metrics, members_[0],
                         counterfactual=counterfactual)
