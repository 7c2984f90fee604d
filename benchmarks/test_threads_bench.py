"""The epidemic day on threads (run with `make bench`, never by `make test`).

Measures the deterministic epidemic stage alone (E=1, 730 days, no doses) and
``sim.run(baseline)`` on 1 and 2 threads (:func:`sim.engine.kernels.set_threads`; at one
member its 193 countries are cut into two chunks, one a thread). Results are
bit-identical either way (``tests/engine/test_threads.py``).

Measured (session 7, 2-core AMD EPYC, AVX2, shared with six other busy processes, load
average 7-9): epidemic stage alone, 1 thread wall 249/267 ms min/median, process CPU
84/85 ms; 2 threads wall 6,426/10,220 ms, process CPU 1,880/3,168 ms (25-40x slower:
libgomp's threads spin at each sub-step's barrier while the other thread waits to be
scheduled). Hence ``VAXSIM_THREADS`` defaults to 1. Not yet measured on an idle machine
(expected from a 2-chunk micro-benchmark: ~1.6x on the kernel's ~84 µs day, less the
~4-8 µs of a parallel region's launch, one a sub-step). Also to try there:
``OMP_WAIT_POLICY=PASSIVE`` (no spinning, slower wake-up).
"""

import time

import numba
import pytest

from benchmarks.test_epidemic_bench import _baseline, _epidemic_only
from sim import load_scenario, run
from sim.engine.kernels import set_threads

THREADS = [1, 2]


@pytest.fixture
def threads(request):
    if request.param > numba.config.NUMBA_NUM_THREADS:
        pytest.skip("fewer cores")
    set_threads(request.param)
    yield request.param
    set_threads(1)


def _record(benchmark, count):
    benchmark.extra_info["threads"] = count
    benchmark.extra_info["process_cpu_s"] = time.process_time()


@pytest.mark.parametrize("threads", THREADS, indirect=True)
def test_epidemic_stage_on_threads(benchmark, threads):
    _, world, params = _baseline()
    _epidemic_only(world, params)  # compile
    benchmark.pedantic(_epidemic_only, args=(world, params), rounds=7, warmup_rounds=1)
    _record(benchmark, threads)


@pytest.mark.parametrize("threads", THREADS, indirect=True)
def test_baseline_run_on_threads(benchmark, threads):
    scenario = load_scenario("baseline")
    run(scenario)  # compile
    benchmark.pedantic(run, args=(scenario,), rounds=7, warmup_rounds=1)
    _record(benchmark, threads)
