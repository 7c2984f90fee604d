"""Engine speed on the shipped world (run with `make bench`, never by `make test`).

Targets: one baseline run (about 200 countries × 730 days, E=1) in ≤ 30 ms of
engine time (as ``benchmarks/test_anchors_bench.py``); an ensemble of E=256 at ≥ 20
million country-days per second on one core.

The dose engine alone (the baseline with its epidemic switched off: production, market,
pool, donation, licences, delivery and uptake, the product ledger, records) is measured
separately at E=1 and E=256: its goal is 15 ms a run at E=1, half the engine's 30 ms.
"""

from pathlib import Path

import pytest

from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def _batch(members: int, *sets: str):
    scenario = load_scenario(BASELINE, ["production.noise_sd=0.1", *sets])
    world = build_world(scenario)
    params = build_params(world, [scenario] * members, replicate_seeds(1, members))
    return world, params


def test_baseline_single_run(benchmark):
    world, params = _batch(1)
    benchmark.pedantic(simulate, args=(world, params), rounds=10, warmup_rounds=1)
    benchmark.extra_info["country_days"] = world.n_countries * world.days


@pytest.mark.parametrize("members", [256])
def test_ensemble(benchmark, members):
    world, params = _batch(members)
    benchmark.pedantic(simulate, args=(world, params), rounds=3, warmup_rounds=1)
    cd = members * world.n_countries * world.days
    benchmark.extra_info["country_days_per_second"] = cd / benchmark.stats.stats.median


@pytest.mark.parametrize("members", [1, 256])
def test_dose_engine(benchmark, record, members):
    """Every stage but the epidemic, 730 days (the epidemic has its own benchmarks)."""
    world, params = _batch(members, "epidemic.enabled=false")
    rounds = 10 if members == 1 else 2
    benchmark.pedantic(simulate, args=(world, params), rounds=rounds, warmup_rounds=1)
    record(f"dose_engine_e{members}", benchmark,
           country_days=members * world.n_countries * world.days)
