"""Sweep throughput: members per second by batch size on the shipped baseline world.

Each round runs what a sweep worker does for its members — build the member parameters,
simulate (recording the last day), compute the metrics — in batches of the given size
(batch size 1 = members one by one). The horizon is shortened to 365 days to keep the
suite within minutes. Target: a batch of about 1,000 members at ≥ 20× the
throughput of running members one by one.

Run: ``make bench`` or ``.venv/bin/python -m pytest benchmarks/test_sweep_bench.py
--benchmark-only``; members per second are in the ``extra_info`` column of the JSON
output and printed at the end.
"""

from pathlib import Path

import pytest

from sim.engine.build.params import build_params
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.sweep.batches import simulate_final
from sim.sweep.metrics import batch_metrics
from sim.sweep.spec import DEFAULT_METRICS
from sim.world.world import build_world

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
DAYS = 365
RATES: dict[int, float] = {}


@pytest.fixture(scope="module")
def setup():
    scenario = load_scenario(BASELINE, ["production.noise_sd=0.1", f"days={DAYS}"])
    return scenario, build_world(scenario)


def run_members(scenario, world, seeds, batch_size):
    for start in range(0, len(seeds), batch_size):
        chunk = seeds[start:start + batch_size]
        params = build_params(world, [scenario] * len(chunk), chunk)
        traj = simulate_final(world, params)
        batch_metrics(traj, world, params, DEFAULT_METRICS)


@pytest.mark.parametrize("batch_size", [1, 16, 256, 1024])
def test_members_per_second(benchmark, setup, batch_size):
    scenario, world = setup
    n = max(batch_size, 32)
    seeds = replicate_seeds(7, n)
    benchmark.pedantic(run_members, args=(scenario, world, seeds, batch_size),
                       rounds=2 if batch_size >= 256 else 3, warmup_rounds=0)
    rate = n / benchmark.stats.stats.median
    benchmark.extra_info["members_per_second"] = rate
    RATES[batch_size] = rate
    if 1 in RATES:
        benchmark.extra_info["speedup_vs_one_by_one"] = rate / RATES[1]
    print(f"\nbatch {batch_size}: {rate:.1f} members/s"
          + (f" ({rate / RATES[1]:.1f}x one by one)" if 1 in RATES else ""))
