"""A large ensemble run in chunks of members equals the same members in one batch."""

import dataclasses
import json

import numpy as np
import pytest
from worlds import SCENARIOS

import sim.engine.ensemble as ensemble
from sim.api import run
from sim.engine.build.params import build_params
from sim.engine.ensemble import MIN_CACHE_CHUNK, MIN_CHUNK, chunk_members, chunks
from sim.engine.memory import WORKING_COPIES, member_bytes
from sim.scenario import load_scenario
from sim.world.world import build_world


def assert_same_results(a, b) -> None:
    """Every trajectory of the members and their twins, and the summary, equal bit for bit
    (flows too: the same totals in the same order).
    """
    for x, y in ((a.trajectories, b.trajectories), (a.counterfactual, b.counterfactual)):
        for f in dataclasses.fields(x):
            u, v = getattr(x, f.name), getattr(y, f.name)
            if u is None:
                assert v is None
                continue
            assert u.shape == v.shape and np.array_equal(u, v), f.name
    assert json.dumps(a.summary) == json.dumps(b.summary)


def test_chunks_cover_every_member_once():
    parts = chunks(40, 16)
    assert [(p.start, p.stop) for p in parts] == [(0, 16), (16, 32), (32, 40)]
    assert chunks(5, 16) == [slice(0, 5)]


def test_chunk_size_keeps_a_chunk_in_the_cache_and_in_memory(monkeypatch):
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    world = build_world(scenario)
    one = build_params(world, [scenario], [1])
    assert chunk_members(world, one, MIN_CACHE_CHUNK) == MIN_CACHE_CHUNK
    params_bytes, state_bytes, epi_bytes = member_bytes(world, one)
    with_twin = params_bytes + state_bytes + epi_bytes
    assert chunk_members(world, one, 100_000, twins=True) >= MIN_CACHE_CHUNK
    # as many members as fit in the cache's share
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 20 * with_twin + 1)
    assert chunk_members(world, one, 100_000, twins=True) == 20
    assert chunk_members(world, one, 100_000) > 20   # lighter without a twin's epidemic
    assert chunk_members(world, one, 12, twins=True) == 12
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 1)
    assert chunk_members(world, one, 100_000) == MIN_CACHE_CHUNK
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 2**40)     # memory alone decides
    by_memory = chunk_members(world, one, 100_000, twins=True)
    assert by_memory >= MIN_CHUNK
    assert by_memory * with_twin * WORKING_COPIES <= ensemble.CHUNK_BYTES
    monkeypatch.setattr(ensemble, "CHUNK_BYTES", 1)
    assert chunk_members(world, one, 100_000) == MIN_CHUNK


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "adaptive"])
def test_chunked_run_equals_one_batch(monkeypatch, name):
    # 40 members, 20 kept per country: chunks of 8 cut through the kept members.
    scenario = load_scenario(SCENARIOS / f"{name}.yaml",
                             ["outputs.country_members=20", "production.noise_sd=0.1"])
    sizes: list[list[int]] = []
    cut = ensemble.chunks
    monkeypatch.setattr(ensemble, "chunks", lambda members, size: sizes.append(
        [p.stop - p.start for p in cut(members, size)]) or cut(members, size))
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 2**40)  # one batch
    monkeypatch.setattr(ensemble, "CHUNK_BYTES", 2**40)
    whole = run(scenario, replicates=40, days=90)
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 1)      # chunks of MIN_CACHE_CHUNK members
    monkeypatch.setattr(ensemble, "CHUNK_BYTES", 1)
    parts = run(scenario, replicates=40, days=90)
    assert sizes == [[40], [MIN_CACHE_CHUNK] * 5]
    assert_same_results(whole, parts)
    assert parts.trajectories.countries.shape[0] == 20


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "adaptive"])
def test_run_on_worker_processes_equals_one_process(monkeypatch, name):
    """``run(..., workers=2)`` cuts the members into chunks run in two processes (spawned
    here, as off Linux: a test process runs other threads; adaptive's twins are full
    members of their batch) and gives the same results bit for bit, progress included.
    """
    import sim.output.processes as processes

    monkeypatch.setattr(processes, "can_fork", lambda: False)
    scenario = load_scenario(SCENARIOS / f"{name}.yaml",
                             ["outputs.country_members=5", "production.noise_sd=0.1"])
    one = run(scenario, replicates=12, days=45)
    sizes: list[list[int]] = []
    cut = ensemble.chunks
    monkeypatch.setattr(ensemble, "chunks", lambda members, size: sizes.append(
        [p.stop - p.start for p in cut(members, size)]) or cut(members, size))
    days: list[int] = []
    two = run(scenario, replicates=12, days=45, workers=2, progress=days.append)
    assert sizes == [[6, 6]]    # at least a chunk per worker (else one chunk of 8 and 4)
    assert days == [22, 45]                               # as each chunk finishes
    assert_same_results(one, two)
    assert two.trajectories.countries.shape[0] == 5


def test_run_refuses_fewer_than_one_worker():
    with pytest.raises(ValueError, match="workers must be at least 1"):
        run(load_scenario(SCENARIOS / "baseline.yaml"), days=5, workers=0)


FORKED_RUN = """
import dataclasses, json, numpy as np
from sim import load_scenario, run
from sim.output.processes import can_fork
s = load_scenario("scenarios/baseline.yaml", ["production.noise_sd=0.1"])
one, two = (run(s, replicates=12, days=45, workers=w) for w in (1, 2))
same = [f.name for f in dataclasses.fields(one.trajectories)
        if getattr(one.trajectories, f.name) is not None
        and not np.array_equal(getattr(one.trajectories, f.name),
                               getattr(two.trajectories, f.name))]
print(json.dumps([can_fork(), same, json.dumps(one.summary) == json.dumps(two.summary)]))
"""


@pytest.mark.slow
def test_run_on_forked_worker_processes_equals_one_process():
    """The same on forked workers, from a fresh process (one thread: can_fork() holds)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", FORKED_RUN], cwd=SCENARIOS.parent,
                         check=True, capture_output=True, text=True, timeout=600).stdout
    forked, differ, summary_same = json.loads(out.strip().splitlines()[-1])
    assert forked and differ == [] and summary_same
