"""A large ensemble run in chunks of members equals the same members in one batch."""

import dataclasses
import json

import numpy as np
import pytest
from worlds import SCENARIOS

import sim.engine.ensemble as ensemble
from sim.api import run
from sim.engine.build.params import build_params
from sim.engine.ensemble import MIN_CHUNK, chunk_members, chunks
from sim.scenario import load_scenario
from sim.world.world import build_world


def test_chunks_cover_every_member_once():
    parts = chunks(40, 16)
    assert [(p.start, p.stop) for p in parts] == [(0, 16), (16, 32), (32, 40)]
    assert chunks(5, 16) == [slice(0, 5)]


def test_chunk_size_is_bounded_by_memory_and_members():
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    world = build_world(scenario)
    one = build_params(world, [scenario], [1])
    assert chunk_members(world, one, 3) == 3
    size = chunk_members(world, one, 100_000, twins=True)
    assert MIN_CHUNK <= size < 100_000


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "adaptive"])
def test_chunked_run_equals_one_batch(monkeypatch, name):
    # 40 members, 20 kept per country: chunks of 16 cut through the kept members.
    scenario = load_scenario(SCENARIOS / f"{name}.yaml",
                             ["outputs.country_members=20", "production.noise_sd=0.1"])
    whole = run(scenario, replicates=40, days=90)
    monkeypatch.setattr(ensemble, "CHUNK_BYTES", 1)  # chunks of MIN_CHUNK members
    parts = run(scenario, replicates=40, days=90)
    for a, b in ((whole.trajectories, parts.trajectories),
                 (whole.counterfactual, parts.counterfactual)):
        for f in dataclasses.fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if x is None:
                assert y is None
                continue
            # flows too: the same totals in the same order
            assert x.shape == y.shape and np.array_equal(x, y), f.name
    assert parts.trajectories.countries.shape[0] == 20
    assert json.dumps(whole.summary) == json.dumps(parts.summary)
