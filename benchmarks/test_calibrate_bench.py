"""Calibration throughput: candidate runs per second, design batch against one by one.

Each round scores 32 Latin-hypercube candidates of two uptake parameters of
``scenarios/baseline.yaml`` against the shipped 2021 targets (horizon cut at the
last target), either as one engine batch (the design step of ``vaxsim calibrate``) or
one run per candidate (what each optimizer step costs). Target: the batch at least 3×
the one-by-one throughput.

Run: ``make bench`` or ``.venv/bin/python -m pytest benchmarks/test_calibrate_bench.py
--benchmark-only``.
"""

from pathlib import Path

import numpy as np
import pytest

from sim import calibrate as cal
from sim.scenario import load_scenario
from sim.world.world import build_world

HISTORICAL = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
K = 32


@pytest.fixture(scope="module")
def evaluator():
    scenario = load_scenario(HISTORICAL)
    targets = cal.load_targets()
    short = cal.horizon(scenario, targets)
    params = cal.parameters(scenario, ["uptake.capacity.LIC.end", "uptake.hesitancy"])
    return cal.Evaluator(short, build_world(short), targets, params, np.array([1]))


@pytest.mark.parametrize("batched", [True, False], ids=["one-batch", "one-by-one"])
def test_design_throughput(benchmark, evaluator, batched):
    u = np.random.default_rng(0).random((K, 2))

    def score():
        if batched:
            return evaluator.batch(u)
        return np.array([evaluator.batch(row[None])[0] for row in u])

    losses = benchmark.pedantic(score, rounds=3, iterations=1)
    benchmark.extra_info["candidates_per_second"] = K / benchmark.stats.stats.median
    assert losses.shape == (K,) and np.isfinite(losses).all()
