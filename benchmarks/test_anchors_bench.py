"""vaxsim beside its anchors, in one session: the plain-Mesa per-agent toy and the bare
numpy floor (``benchmarks/anchors``), with the ratios printed at the end (``make bench``).

Targets (full model, epidemic on):

- ``sim.run(baseline)`` at E=1, 730 days: at least 16x faster than the toy; engine alone
  (``simulate``) about 30 ms;
- E=256 through ``sim.run``: at least 0.8x the numpy floor's country-days per second
  (20 M or more);
- members in one batch at least 20x faster than one by one (also shown: in the chunks
  ``sim.run`` and sweeps use);
- 10,000 regions x 730 days, build + run, within 3 s, cost exponent at most 1.1
  (``benchmarks/test_scale_bench.py``, synthetic worlds).

A third anchor, the memory ceiling (:mod:`benchmarks.anchors.ceiling`), sets the floor's
and vaxsim's country-days per second beside what streaming their compartments once a day
at this session's bandwidth would allow, so the two models' sizes do not hide in the
ratio.

The first call of each compiled kernel in a fresh checkout compiles it (seconds); every
benchmark here warms up first, so the figures are for a warm kernel cache.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.anchors import ceiling, mesa_toy, numpy_floor
from sim import load_scenario, run
from sim.engine.build.params import build_params
from sim.engine.ensemble import CACHE_BYTES, chunk_members, chunks
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.world.world import build_world

N_TOY, DAYS = 200, 730


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def test_mesa_toy(benchmark, record):
    benchmark.pedantic(mesa_toy.run, args=(N_TOY, DAYS), rounds=3, warmup_rounds=1)
    record("mesa_toy", benchmark, country_days=N_TOY * DAYS)


def test_numpy_floor(benchmark, record):
    benchmark.pedantic(numpy_floor.run, args=(256, N_TOY, DAYS), rounds=3, warmup_rounds=1)
    record("floor_e256", benchmark, country_days=256 * N_TOY * DAYS)


def test_memory_ceiling(benchmark, record, baseline):
    """One core streaming a cache-sized array (the size of an ensemble's chunk): the
    bandwidth that sets each implementation's memory ceiling (:mod:`benchmarks.anchors.ceiling`;
    the shares are printed with the ratios).
    """
    x = np.random.default_rng(0).random(CACHE_BYTES // 8)
    ceiling.stream(x)
    benchmark.pedantic(ceiling.stream, args=(x,), rounds=20, iterations=10, warmup_rounds=2)
    record("stream_cache", benchmark, bytes=2 * x.nbytes,
           floor_bytes=ceiling.floor_bytes_per_country_day(),
           vaxsim_bytes=ceiling.vaxsim_bytes_per_country_day(baseline, twins=False))


def test_run_e1(benchmark, record, baseline):
    """``sim.run``: world, parameters, members and their no-vaccine twins, lazy tables."""
    res = benchmark.pedantic(run, args=(baseline,), rounds=7, warmup_rounds=1)
    assert res.counterfactual is not None
    record("vaxsim_run_e1", benchmark)


def test_engine_e1(benchmark, record, baseline):
    world = build_world(baseline)
    params = build_params(world, [baseline], [baseline.seed])
    benchmark.pedantic(simulate, args=(world, params), rounds=10, warmup_rounds=1)
    record("vaxsim_engine_e1", benchmark, country_days=world.n_countries * world.days)


def test_engine_e256(benchmark, record, baseline):
    scenario = baseline.model_copy(update={"production": baseline.production.model_copy(
        update={"noise_sd": 0.1})})
    world = build_world(scenario)
    params = build_params(world, [scenario] * 256, replicate_seeds(1, 256))
    benchmark.pedantic(simulate, args=(world, params), rounds=3, warmup_rounds=1)
    record("vaxsim_engine_e256", benchmark, country_days=256 * world.n_countries * world.days)


@pytest.mark.parametrize(("twins", "workers"), [(True, 1), (False, 1), (True, 2)],
                         ids=["with-twins", "no-twins", "with-twins-2-workers"])
def test_run_e256(benchmark, record, baseline, twins, workers):
    """E=256 replicates through ``sim.run`` (country-days of the 256 real members), in
    this process or shared out among two worker processes (``workers=2``: the same
    results; the floor it is set beside runs on one core).
    """
    world = build_world(baseline)
    benchmark.pedantic(run, args=(baseline,), kwargs={"replicates": 256,
                                                      "deaths_averted": twins,
                                                      "workers": workers},
                       rounds=2, warmup_rounds=0)
    name = "vaxsim_run_e256" if twins else "vaxsim_run_e256_no_twins"
    record(name + ("_2_workers" if workers > 1 else ""), benchmark,
           country_days=256 * world.n_countries * world.days)


@pytest.mark.parametrize("how", ["one-by-one", "batched", "chunked"])
def test_members(benchmark, record, baseline, how):
    """64 members (365 days, engine only): one at a time, in one batch, and in the chunks
    ``sim.run`` and sweeps cut a batch into (:func:`sim.engine.ensemble.chunk_members`:
    a chunk's state stays in the cache).
    """
    scenario = baseline.model_copy(update={"days": 365})
    world = build_world(scenario)
    seeds = replicate_seeds(3, 64)
    size = {"one-by-one": 1, "batched": 64,
            "chunked": chunk_members(world, build_params(world, [scenario], seeds[:1]), 64)}[how]

    def go():
        for part in chunks(64, size):
            simulate(world, build_params(world, [scenario] * (part.stop - part.start),
                                         seeds[part]))

    benchmark.pedantic(go, rounds=2, warmup_rounds=1)
    benchmark.extra_info["members_per_batch"] = size
    record(f"members_{how.replace('-', '_')}", benchmark)
