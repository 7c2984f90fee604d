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

The plots' CPU (session 8, plots10; AVX2 machine, 2 cores, loaded by other sessions:
thread CPU of each of the 16 baseline plots drawn in one warm process, min over 3 rounds
of min-of-3, alternating with an untouched main checkout): 6.33 s -> 4.83 s in all
(history_check 1.33 -> 0.77, coverage_ranking 0.90 -> 0.55, doses_per_100 0.69 -> 0.56,
diplomacy_map 0.50 -> 0.46, deaths_over_time 0.55 -> 0.48). ``vaxsim run`` with plots,
5 runs alternating: CPU of the process tree (user+sys) 16.6/17.0 s -> 11.6/14.5 s
(min/median); wall 10.7/11.4 s -> 8.0/13.6 s under a load average of ~2 (not
comparable to the 5 s target, which needs an idle machine). Where the time went and
what changed (all PNGs pixel-identical unless said):

- matplotlib 3.11 draws text glyph by glyph in Python and sets the font size before
  each glyph, which reruns the font's hinting program: ~145 us a glyph instead of ~70.
  A renderer setting it once per text (-0.7 s over the 16 plots) was built and
  reverted: it overrides a private matplotlib method (docs/SPEED_FINDINGS.md);
- ``savefig(bbox_inches="tight")`` (and the tight box our ``save`` measured) is a full
  layout pass; :mod:`sim.output.plots.png` draws once on a canvas with a margin and
  crops by ink (crops differ from matplotlib's by a few pixels), and writes RGB at
  zlib level 1 (PNG encoding 0.65 -> 0.32 s over the 15 PNGs, files 5% smaller);
- an axis is asked for its ticks ~15 times per figure (autofmt_xdate, tight_layout,
  title placement, spines, draw); on date axes each ask builds an rrule and strftimes
  the labels: :mod:`sim.output.plots.dates` remembers them per view interval
  (history_check's 7 date panels: ~-0.8 s);
- automatic title placement measures each y axis once more per layout pass:
  ``axes.titley`` 1.0 in the style (-0.4 s; the same place in vaxsim's plots);
- the rankings' 40 value labels as texts, not annotations (an annotation tests whether
  its point is inside the axes at every draw).

Tried, did not pay: in-memory fonts (FT2Font reads the font file through Python
file-object callbacks, ~270 seeks and ~120 reads a text layout; a BytesIO font cut the
metrics 0.54 -> 0.38 s but left the drawing unchanged within noise: not kept, it needs
matplotlib's private font cache replicated); drawing plots in the main process while it
waits (two workers already use both cores; the main process's own tables and report
need the rest). Not tried: a cheaper tight_layout (history_check, rankings and
deaths_over_time spend 0.1-0.2 s each in it), text-heavy panels (tick labels of 20
country names per panel cost ~1.5 ms each to measure and draw).

Session 9 (plots12; same measure, sum over the 16 plots of each plot's min thread CPU
over 7 rounds, alternating with an untouched main checkout, load 2-4): 4.61/5.04 s ->
4.12/4.36 s (two A/B pairs); history_check 0.84 -> 0.78-0.81, coverage_ranking
0.59-0.63 -> 0.49-0.56, doses_per_100 0.55-0.68 -> 0.46-0.51, diplomacy_map 0.44-0.51
-> 0.34-0.38. What changed (PNGs pixel-identical unless said):

- one renderer per figure: matplotlib keeps text metrics per renderer, and a figure was
  measured on up to three (tight_layout's, the legend extents', the wider cropping
  canvas'); the CroppingCanvas is attached when the figure is made and its renderer has
  room for the margins, so 1,031 -> 469 text measurements (the hatch phase of the
  diplomacy map's bars moves; <= 13 antialiased pixels differ elsewhere);
- opaque PNGs written by our own RGB writer (no row filter, zlib 1): PIL's encoder tries
  every row filter on every row; 15 PNGs 0.31 -> 0.13 s, files +0.4%;
- the history check builds only its 7 panels' axes (not 2 hidden spares); the
  diplomacy map's ~80 arcs are a few LineCollections (same pixels, tested);
- DRAW_FIRST orders all 16 plots, longest first.

Where the rest goes (sampled): drawing text ~35% (matplotlib 3.11 renders glyph by glyph
in Python: ~150 us a glyph; measuring a label ~0.3-0.5 ms: FreeType reads the font
through Python file callbacks), tight_layout ~14%, axis ticks ~8% (each Tick is five
artists; a new tick deep-copies the first tick's marker), PNG encoding ~4%. Measured,
not kept: ``text.hinting: no_hinting`` in STYLE cuts the plots' CPU ~15% (4.49 -> 3.75 s
min of 5, in one process) but changes every glyph and widens labels by a pixel or two
(a look change for the lead to decide); drawing each text as one FreeType bitmap with
public FT2Font calls (``set_text`` + ``draw_glyphs_to_bitmap`` + ``draw_image``) is 3-5x
faster per text, but that FreeType call truncates glyph offsets, so glyphs land 1 px
apart from matplotlib's (uneven spacing): not used; GC frozen or off while drawing:
within noise (again). The <= 2.5 s goal needs the text path: a glyph-bitmap cache or
matplotlib setting the font size once per text (upstream).

Session 10 (plots13): the phase after the run (idle machine, main 74211b5: run ends at
2.03 s, process at 4.27 s) is CPU-bound on both cores but for ~0.3 s of serial work.
The server ``vaxsim run`` forks now uses the time between its warm-up and the run's end
(0.23 s on an idle machine; ~0 under load): map outlines, the 15 figures and axes made
ahead (~0.19 s CPU; :mod:`sim.output.plots.ahead`), then the plot pool forked so it
inherits them; jobs are streamed to the pool as their inputs are made; the report reads
its YAML with libyaml (0.095 -> 0.036 s) and files are flushed as written (publish ~25
-> ~1 ms). Same PNGs and folder. Wall A/B under load 1.5-5 could not resolve it (ratio
medians 0.96, 1.01, 0.97; CPU ratio 1.00); expected ~0.25-0.3 s on an idle machine
(docs/SPEED_FINDINGS.md, "After the run of vaxsim run").

Session 13 (run16): the whole command is CPU-bound on this 2-core machine. Process
tree, warm cache, one run sampled per process (/proc, load ~1.5): main process 3.5 s
of CPU (0.9 s imports, 2.0-2.3 s kernel load, build and run), server 2.7-2.9 s
(warm-up 1.35-1.6 s, plot preparation ~0.5 s, job inputs, tables and report ~0.55 s
after the run), two plot workers 2.0-2.3 s each: ~10.5 s of CPU, so ~5.2 s of wall
even with both cores busy all the time. The one idle stretch was the main process's
first ~1 s (imports) before the server was forked; run16 forked the server first
(it then imported numpy and the engine's modules itself), so its preparations and the
plot pool's fork ended before the run did. `farm-bench -n 7`
against ref (d2cfa1c), A/B wall ratio median 0.90 (5.70 vs 7.18 s median, load
1.2-1.6; CPU ratio 0.93) and 0.88 (at load 6-8, walls 10-26 s; CPU ratio 1.02).
Forking after the scenario's load instead (less duplicated importing): not faster
(wall ratio 1.05 and 1.06 against fork-first, CPU 0.98-0.99). After merging main
(ticks made ahead in the server), fork-first against main c2d12dc at load 4-5: wall
ratio 1.06, CPU 1.04 (one set, walls 19-27 s): to re-measure on a quieter machine
(docs/SPEED_FINDINGS.md, run16). Re-measured by the lead on a quieter machine (load
~1, 12 pairs): fork-first (A) against forking after the imports and the scenario's load
(B, with main's other changes), wall ratio median 0.99 (5.29 vs 5.24 s), CPU ratio
1.04: it moves work rather than saves it, so the fork went back after the imports (the
duplicated imports cost CPU when other work shares the cores). What is left to reach
5 s reliably is CPU: the plots (~4 s for 15 PNGs), the kernel load (~0.7-1 s), pandas
and matplotlib imports (~1.2 s).
"""

from __future__ import annotations

import json
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


FIRST_RUN = """
import json, time
t0 = time.perf_counter()
from sim import load_scenario, run
t1 = time.perf_counter()
scenario = load_scenario("scenarios/baseline.yaml")
t2 = time.perf_counter()
run(scenario)
t3 = time.perf_counter()
run(scenario)
t4 = time.perf_counter()
print(json.dumps([t1 - t0, t3 - t2, t4 - t3]))
"""


def test_fresh_process_first_run(benchmark):
    """A fresh process's fixed cost through the Python API: ``from sim import
    load_scenario, run``, then the first ``run(baseline)`` (numba, scipy and the cached
    kernels load there: ~1 s more than the second run, all of it kernel loading;
    docs/SPEED_FINDINGS.md, startup15). No target of its own: it is part of
    ``vaxsim run``'s 5 s.
    """
    parts: list[list[float]] = []

    def once() -> None:
        out = subprocess.run([sys.executable, "-c", FIRST_RUN], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        parts.append(json.loads(out.strip().splitlines()[-1]))

    benchmark.pedantic(once, rounds=5, warmup_rounds=1)
    imp, first, second = (sorted(p[i] for p in parts[1:]) for i in range(3))
    benchmark.extra_info.update(import_s=imp[len(imp) // 2], first_run_s=first[len(first) // 2],
                                second_run_s=second[len(second) // 2])
    print(f"\nfresh process: import {imp[0]:.2f}/{imp[len(imp) // 2]:.2f} s, first run "
          f"{first[0]:.2f}/{first[len(first) // 2]:.2f} s, second run "
          f"{second[0]:.2f}/{second[len(second) // 2]:.2f} s (min/median)")
    _report(benchmark, "import + load + two runs, fresh process", None)


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


#: The same sweep on a Dask cluster that is already running and has run it once (as on a
#: cluster kept for many sweeps): the batches' hand-out without the cluster's start, its
#: workers' imports and kernel loads, and its closing.
SWEEP_RUNNING = """
import time
from sim.sweep.executors import local_cluster
from sim.sweep.runner import run_sweep
with local_cluster({workers}) as cluster:
    run_sweep({path!r}, executor="dask", scheduler=cluster.scheduler_address)
    start = time.perf_counter()
    res = run_sweep({path!r}, executor="dask", scheduler=cluster.scheduler_address)
    print(len(res.metrics), time.perf_counter() - start)
"""


def _sweep_seconds(path: Path, executor: str, workers: int) -> float:
    code = SWEEP_RUNNING if executor == "dask-running" else SWEEP
    members, seconds = _python(code.format(path=str(path), executor=executor,
                                           workers=workers)).split()
    assert int(members) == 256
    return float(seconds)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
@pytest.mark.parametrize("executor", ["processes", "dask", "dask-running"])
def test_sweep_two_workers(benchmark, tmp_path, executor):
    """A 256-member sweep on two workers against one: ≥ 1.7× on an idle machine (the
    load average is printed beside the figure: other work on the cores lowers it).
    ``dask`` starts and closes a local cluster inside the timed sweep (~2.7 s whatever
    the workers); ``dask-running`` times a second sweep on a cluster started before.
    """
    if executor.startswith("dask"):
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
