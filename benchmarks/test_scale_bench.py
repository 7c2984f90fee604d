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

Where it stands (session 7, 2-core AVX2 machine ~2x slower than session 6's, shared and
loaded; thread CPU): 1,000 regions 0.76/0.82 s, 3,000 1.6-2.3 s, 10,000 6-7.5 s
(session 6, AVX-512: 10,000 3.2 s). The exponent swings 0.9-1.25 between runs because the
3,000-region figure is the noisy one. Split at 10,000 regions (min of 3, ns per
region-day): dose day kernel 3.3 s (~450; uptake ~150, products ~260, the same per
region at 1,000: arithmetic per region, not growth), epidemic stage 1.7-1.9 s (~250;
alone 0.86 s, its exponent alone 1.4 from 3,000: its ~4.5 KB a region leaves the L3
cache, and inside the run the dose day evicts it between days), record 0.5-0.6 s, pool
and donation 0.4 s, build (world + parameters) 0.1 s (exponent 0.7-0.8). Nothing in the
run is O(N log N), O(N x ties), a sparse conversion or a Python loop over countries.
Page faults (first touch of the run's arrays, mostly the recorder's per-country weeks)
cost 0.25-0.3 s of system time at 10,000 regions; removing them (glibc keeping freed
memory) did not change the total beyond noise. Seven shelf-life buckets instead of
25 (``uptake.shelf_bucket_days=60``, a proxy, not a fix) cut 10,000 regions by 17%
(7.45-7.68 -> 6.24-6.35 s) and 3,000 by 11%: the bucket axis is the biggest lever.
Session 9 (same machine, shared, load 3-4; thread CPU min/median, ref = main 51a2350
in the same minutes): 10,000 regions ref 4.8-5.9 s (wall 5.2-7.4 s: the 2 cores were
shared, so wall is ~1.1-1.5x the CPU), 3,000 1.2-1.7 s. Split at 10,000 regions (ms,
min of 2-3): dose day 2,050-2,420 (track_day 1,300-1,470, uptake_day 720-930),
epidemic in the run 1,650-1,900 (alone 1,000 without doses, 1,190-1,300 with a run's
doses: the in-run penalty is ~1/3 doses, ~2/3 eviction), record 500-600, pool 230,
donation 165, product protection 165, build 100. Done: ``age_day`` no longer rewrites
the products on their way on days nothing arrived, ``close_day`` no longer rewrites
rows with no outflow (track_day -0 to -15%, at the edge of this load's noise). Largest
lever found, not mine to commit: the epidemic day's scratch, allocated and zeroed every
day (~4.3 MB at 10,000 regions): made with ``np.empty`` in a throw-away copy, the stage
alone took 0.49-0.54 s against 0.72-1.09 s (goldens same). Did not pay: the
administration of ``uptake_day`` as one walk per country (stock read once:
0.72-0.93 -> 0.99-1.13 s, slower: strided and scalar) or in blocks of 128 countries
kept in L1 (within noise of ref); 2 threads
(``VAXSIM_THREADS=2``) on this shared machine: the epidemic stage alone at 10,000
regions 0.66-1.37 s on 1 thread, 4.7-5.5 s wall on 2 (each parallel region waits a
time slice for the other thread), so the dose day was not threaded.
Session 10 (main 74211b5, load 1.5-3, thread CPU min/median of 3): 10,000 regions
3.85/4.38 s at load 1.5 (dose day 1.67 s: track_day 1.04, uptake_day 0.61; epidemic
1.09; record 0.40; pool 0.18; donation 0.13; product protection refresh 0.12; build
0.09). Done, bit-identical: the protection refresh compiled (0.13 -> 0.03 s),
record_day's stock sum over the buckets in use (-30 to -70 ms), age_day's boundary
days plane by plane (8.6 -> 3.1 ms each); whole run -12% against main in alternating
pairs (3.59 vs 4.13 s, 4.13 vs 4.69 s), still above 3 s. Largest levers left: track_day
as one walk per country (~7 MB of (N, Q) passes a day), the epidemic, the pool's
gift-ring sum.
Session 11 (main 8b14e21, load 2-5, thread CPU min/median of 3, four processes of main
within ten minutes): 10,000 regions 3.45-4.90 s (the machine's speed moved ~40%): dose day
1.47-2.11 s (track_day 0.85-1.21, uptake_day 0.60-0.88), epidemic 1.04-1.52, record
0.36-0.51, pool 0.17-0.24, donation 0.13-0.18. Done, bit-identical: the pool's on-hand
sums skip the gift ring's planes the dose day marks empty, and its contributions leave
stock plane by plane: allocate_pool 187/197 -> 119/124 and 167/185 -> 114/117 ms in
alternating pairs (-35 to -40%); the whole run's change is inside the noise. Not tried:
track_day as one walk per country (its passes mostly stream different arrays, so a walk
saves only the re-reads of ``holding``/``mix`` on arrival days; see the findings).
Session 13 (scale16): the pool's and the donation's stock sums read only the buckets the
dose day marks in use (bit-identical; ~-17 us a call, -20%, a few ms a run: inside the
noise, less than the ~20 ms sized). Details and proposals: ``docs/SPEED_FINDINGS.md``.
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
