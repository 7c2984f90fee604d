"""What a user meets around the engine: ``vaxsim run`` with plots and report, a large
ensemble's peak memory, and a sweep's speed-up with two workers (``make bench``).

Targets:

- ``vaxsim run scenarios/baseline.yaml`` (plots and report, compiled kernels cached)
  in ≤ 5 s wall (``--no-plots`` beside it, to show what the plots cost);
- ``vaxsim validate scenarios/baseline.yaml`` in ≤ 0.5 s (it needs neither pandas nor
  the engine);
- ``run(baseline, replicates=1024)`` and its summary within 2 GB peak memory (resident
  set of the process, as the kernel counts it);
- a 256-member sweep with the ``processes`` executor at ≥ 1.7× the speed of one worker
  on two workers (only where the machine gives this process two cores).

Each case runs in a fresh Python process, as a user runs it; times are wall seconds of
the whole process, memory is its peak resident set (``getrusage``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Peak memory allowed for the 1,024-member run with its summary.
MEMORY_TARGET_MB = 2048


def _python(code: str, cwd: Path = ROOT) -> str:
    """Run ``code`` in a fresh interpreter; return what it prints."""
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True,
                         capture_output=True, text=True)
    return out.stdout


def _vaxsim(*args: str, cwd: Path) -> float:
    """Wall seconds of ``vaxsim ARGS`` in a fresh process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, check=True,
                   capture_output=True)
    return time.perf_counter() - start


@pytest.mark.parametrize("plots", [True, False], ids=["with-plots", "no-plots"])
def test_vaxsim_run_baseline(benchmark, tmp_path, plots):
    """``vaxsim run`` of the shipped baseline, plots and report, in ≤ 5 s (warm cache)."""
    out = tmp_path / "run"
    args = ("run", str(ROOT / "scenarios" / "baseline.yaml"), "-o", str(out), "--force",
            "--quiet", *(() if plots else ("--no-plots",)))
    _vaxsim(*args, cwd=tmp_path)  # fills the compiled-kernel cache if it is cold
    benchmark.pedantic(_vaxsim, args=args, kwargs={"cwd": tmp_path}, rounds=5,
                       warmup_rounds=0)
    assert (out / "report.html").is_file()
    assert any((out / "plots").glob("*.png")) == plots
    _report(benchmark, f"vaxsim run baseline ({'with' if plots else 'without'} plots)",
            5.0 if plots else None)


def test_vaxsim_validate(benchmark, tmp_path):
    """``vaxsim validate`` of the shipped baseline in ≤ 0.5 s."""
    args = ("validate", str(ROOT / "scenarios" / "baseline.yaml"))
    benchmark.pedantic(_vaxsim, args=args, kwargs={"cwd": tmp_path}, rounds=5,
                       warmup_rounds=1)
    _report(benchmark, "vaxsim validate baseline", 0.5)


def _report(benchmark, what: str, target: float | None) -> None:
    """Print min/median wall seconds with the load average beside them; keep them in
    the saved JSON.
    """
    stats = benchmark.stats.stats
    load = os.getloadavg()[0]
    benchmark.extra_info.update(load=load, **({"target_s": target} if target else {}))
    print(f"\n{what}: {stats.min:.2f}/{stats.median:.2f} s wall min/median"
          + (f" (target {target:g} s)" if target else "") + f"; load {load:.1f}")


MEMORY_RUN = """
import resource
from sim import load_scenario, run
res = run(load_scenario("scenarios/baseline.yaml"), replicates={replicates})
summary = res.summary
assert summary["replicates"] == {replicates}
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.parametrize("replicates", [1024])
def test_ensemble_peak_memory(benchmark, replicates):
    """``run(baseline, replicates=1024)`` and its summary within 2 GB peak memory."""
    peaks: list[int] = []

    def once() -> None:
        peaks.append(int(_python(MEMORY_RUN.format(replicates=replicates)).split()[-1]))

    benchmark.pedantic(once, rounds=1, warmup_rounds=0)
    benchmark.extra_info["peak_mb"] = max(peaks)
    benchmark.extra_info["target_mb"] = MEMORY_TARGET_MB
    print(f"\nrun(baseline, replicates={replicates}) + summary: peak {max(peaks)} MiB")
    assert max(peaks) <= MEMORY_TARGET_MB


#: A 256-member sweep (8 × 8 points × 4 replicates, one year) with the default batching.
SWEEP_FILE = """
name: two_workers
base: {base}
overrides: {{days: 365, production: {{noise_sd: 0.1}}}}
parameters:
  procurement.groups.HIC.multiple: {{values: [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0]}}
  pool.tier_share: {{values: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]}}
method: grid
replicates: 4
"""

SWEEP = """
import time
from sim.sweep.runner import run_sweep
start = time.perf_counter()
res = run_sweep({path!r}, executor={executor!r}, workers={workers})
print(len(res.metrics), time.perf_counter() - start)
"""


def _sweep_seconds(path: Path, executor: str, workers: int) -> float:
    members, seconds = _python(SWEEP.format(path=str(path), executor=executor,
                                            workers=workers)).split()
    assert int(members) == 256
    return float(seconds)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_sweep_two_workers(benchmark, tmp_path, executor):
    """A 256-member sweep on two workers against one: ≥ 1.7× on an idle machine (the
    load average is printed beside the figure: other work on the cores lowers it).
    """
    if executor == "dask":
        pytest.importorskip("distributed")
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP_FILE.format(base=ROOT / "scenarios" / "covax_pooling.yaml"),
                    encoding="utf-8")
    one = [_sweep_seconds(path, executor, 1) for _ in range(2)]
    two: list[float] = []
    benchmark.pedantic(lambda: two.append(_sweep_seconds(path, executor, 2)), rounds=2,
                       warmup_rounds=0)
    speedup = min(one) / min(two)
    load = os.getloadavg()[0]
    benchmark.extra_info.update(one_worker_s=min(one), two_workers_s=min(two),
                                speedup=speedup, load=load)
    print(f"\n256-member sweep, {executor}: 1 worker {min(one):.1f} s, 2 workers "
          f"{min(two):.1f} s, speed-up {speedup:.2f}x (target 1.7x; load {load:.1f})")
