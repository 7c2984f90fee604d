"""Scale: a synthetic world of 1,000 / 3,000 / 10,000 regions (``sim.world.synthetic``,
every country of the baseline split into equal regions), built and run for 730 days.

Target (full model, epidemic on): 10,000 regions build + run within 3 s, cost exponent
at most 1.1 between 3,000 and 10,000 regions (``cost_exponent`` = log(t10k / t3k) /
log(10 / 3), medians). The same sizes with the epidemic switched off show what the rest
of the model costs on its own (the epidemic stage is benchmarked in
``test_epidemic_bench.py``). Each figure also carries ``peak_rss_gb``: the benchmark
process's peak resident memory so far (a 10,000-region run is the largest, so its figure
is its own peak unless an earlier benchmark of the session used more).

Kernels are compiled on a 200-region world first, so the figures are for a warm cache;
10,000 regions run once (about 10 s each on the shared 2-core machine). Beside the wall
times, ``cpu_min`` / ``cpu_median`` give the rounds' thread CPU seconds and
``cost_exponent_cpu`` the exponent from those (on shared cores wall time also counts
other processes' turns, the CPU time only this run's work); ``build_cpu_median`` the part
spent building the world and the parameters.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pytest

from sim import load_scenario
from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.world.synthetic import synthetic

VARIANTS = {"full": [], "no_epidemic": ["epidemic.enabled=false"]}
MEDIANS: dict[tuple[str, int], float] = {}
CPU_MEDIANS: dict[tuple[str, int], float] = {}


@pytest.fixture(scope="module")
def scenarios():
    out = {name: load_scenario("baseline", sets) for name, sets in VARIANTS.items()}
    for s in out.values():  # compile every kernel the runs call
        w = synthetic(s, 200)
        simulate(w, build_params(w, [s], [s.seed]))
    return out


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("regions", [1_000, 3_000, 10_000])
def test_scale(benchmark, record, scenarios, variant, regions):
    """Build (world, parameters) and run a synthetic world of ``regions`` for 730 days."""
    scenario = scenarios[variant]

    cpu: list[float] = []
    build: list[float] = []

    def go():
        start = time.thread_time()
        world = synthetic(scenario, regions)
        params = build_params(world, [scenario], [scenario.seed])
        build.append(time.thread_time() - start)
        simulate(world, params)
        cpu.append(time.thread_time() - start)

    benchmark.pedantic(go, rounds=1 if regions >= 10_000 else 2, warmup_rounds=0)
    MEDIANS[variant, regions] = benchmark.stats.stats.median
    CPU_MEDIANS[variant, regions] = float(np.median(cpu))
    extra = {"peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
             "cpu_min": min(cpu), "cpu_median": float(np.median(cpu)),
             "build_cpu_median": float(np.median(build))}
    if regions == 10_000 and (variant, 3_000) in MEDIANS:
        extra["cost_exponent"] = _exponent(MEDIANS, variant)
        extra["cost_exponent_cpu"] = _exponent(CPU_MEDIANS, variant)
    suffix = "" if variant == "full" else f"_{variant}"
    record(f"scale_{regions}_regions{suffix}", benchmark, **extra)


def _exponent(medians: dict[tuple[str, int], float], variant: str) -> float:
    """log(t10k / t3k) / log(10 / 3) of ``variant``'s medians."""
    return float(np.log(medians[variant, 10_000] / medians[variant, 3_000]) / np.log(10 / 3))
