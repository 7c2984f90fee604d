"""Tests of sim/engine/kernels/warm.py (``make warm``, ``vaxsim compile``): the split
balances, the stamp makes the warm path touch nothing, a worker compiles into the cache
folder numba is told to use, the signature list covers what runs call, and the command
line and Makefile use it. No test compiles the whole set into an empty cache (minutes):
one small kernel goes into a temporary ``NUMBA_CACHE_DIR``; the coverage test uses the
existing cache (warmed first, in parallel, if it is not).
"""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sim.engine.kernels import warm
from sim.engine.kernels.warm_signatures import SIGNATURES

ROOT = Path(warm.__file__).resolve().parents[3]
SMALL = ["market.export_share", "epidemic_lanes.coverage_near"]  # < 1 s each to compile


def test_split_balances_and_keeps_every_kernel_once():
    kernels = list(warm.signatures())
    groups = warm.split(kernels, 2)
    assert sorted(k for g in groups for k in g) == sorted(kernels)
    totals = [sum(warm.COST.get(k, warm.SMALL) for k in g) for g in groups]
    assert max(totals) - min(totals) <= max(warm.COST.values()) * 0.1
    assert warm.split(kernels, 1) == [sorted(kernels, key=lambda k: (
        -warm.COST.get(k, warm.SMALL), k))]
    assert len(warm.split(["a", "b"], 8)) == 2       # no empty group
    assert warm.split(["a", "b", "c"], 2, {"a": 4, "b": 3, "c": 2}) == [["a"], ["b", "c"]]


def test_every_listed_signature_parses_back_to_itself_and_names_a_kernel():
    from numba.extending import is_jitted

    assert SIGNATURES, "the list is empty: python scripts/kernel_signatures.py"
    for name, text in SIGNATURES:
        assert str(warm.parse_signature(text)) == text, name
        assert is_jitted(warm.kernel(name)), name
    assert set(warm.COST) <= set(warm.signatures()), "COST names a kernel not listed"


def test_parse_signature_builds_numba_types_and_evaluates_nothing_else():
    from numba import types

    assert warm.parse_signature("(int64, Array(float64, 2, 'A', True, aligned=True))") == (
        types.int64, types.Array(types.float64, 2, "A", readonly=True))
    with pytest.raises(ValueError, match="not a numba type"):
        warm.parse_signature("(__import__('os').getcwd(),)")
    with pytest.raises(ValueError, match="not a numba type"):
        warm.parse_signature("(int64.__class__,)")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty ``NUMBA_CACHE_DIR`` for this test (and the workers it starts)."""
    d = tmp_path / "numba-cache"
    d.mkdir()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(d))
    return d


def _no_workers(*args, **kwargs):
    raise AssertionError("a worker process was started")


def test_warm_path_checks_the_stamp_and_touches_nothing(cache_dir, monkeypatch):
    index = cache_dir / "k.f-1.py313.nbi"
    index.write_bytes(b"index")
    warm._write_stamp({"key": warm.stamp_key(), "files": [str(index)]})
    before = {p: p.stat().st_mtime_ns for p in cache_dir.iterdir()}
    with monkeypatch.context() as m:
        m.setattr(warm.subprocess, "Popen", _no_workers)
        report = warm.warm()
    assert report.already and report.kernels == {} and "already" in report.line()
    assert {p: p.stat().st_mtime_ns for p in cache_dir.iterdir()} == before
    code = ("import sys; from sim.engine.kernels.warm import is_warm; "
            "print(is_warm(), 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.split() == ["True", "False"]        # the check never imports numba


def test_stamp_goes_stale_with_settings_files_and_sources(cache_dir, monkeypatch, tmp_path):
    index = cache_dir / "k.f-1.py313.nbi"
    index.write_bytes(b"index")
    warm._write_stamp({"key": warm.stamp_key(), "files": [str(index)]})
    assert warm.is_warm()
    monkeypatch.setenv("NUMBA_OPT", "0")             # other code: numba's cache differs
    assert not warm.is_warm()
    monkeypatch.delenv("NUMBA_OPT")
    assert warm.is_warm()
    index.unlink()                                   # a cache file removed
    assert not warm.is_warm()
    src = tmp_path / "k.py"
    src.write_text("x = 1\n")
    key = warm.stamp_key((src,))
    os.utime(src, ns=(1, 1))                         # numba's index checks mtimes
    assert warm.stamp_key((src,)) != key
    assert not warm.is_warm(tmp_path / "no-stamp.json")


def test_workers_compile_into_the_given_cache_then_load_and_leave_no_thread(cache_dir):
    lines: list[str] = []
    threads = threading.enumerate()
    first = warm.warm(jobs=2, progress=lines.append, kernels=SMALL)
    assert first.jobs == 2 and sorted(first.compiled) == sorted(SMALL)
    assert len(lines) == 2 and all("compiled" in line for line in lines)
    assert list(cache_dir.rglob("*.nbi")), "nothing written into NUMBA_CACHE_DIR"
    assert not (cache_dir / warm.STAMP).exists()     # a partial warm-up stamps nothing
    again = warm.warm(jobs=1, kernels=SMALL)
    assert again.compiled == [] and sorted(again.kernels) == sorted(SMALL)
    assert threading.enumerate() == threads          # none started: `vaxsim run` forks next


def test_a_failing_worker_is_an_error_naming_its_stderr(cache_dir):
    with pytest.raises(warm.WarmError, match="nosuchmodule"):
        warm.warm(jobs=1, kernels=["nosuchmodule.kernel"])


def test_runs_call_only_listed_signatures():
    """Short runs (the signatures depend on dtypes, ranks and layouts, not sizes or days)
    of the scenarios that reach every listed kernel, in a fresh process after warming.
    """
    code = ("import json, sys; sys.path.insert(0, 'scripts');"
            "from sim.engine.kernels.warm import warm; warm();"
            "from kernel_signatures import record;"
            "print(json.dumps(record(['baseline', 'adaptive'], days=90)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    seen = {tuple(p) for p in json.loads(out.strip().splitlines()[-1])["signatures"]}
    missing = sorted(seen - set(SIGNATURES))
    assert not missing, (
        f"runs call {len(missing)} kernel signature(s) that make warm does not compile "
        f"(first: {missing[0][0]} {missing[0][1][:200]}...): regenerate the list with "
        "`python scripts/kernel_signatures.py` and commit sim/engine/kernels/warm_signatures.py")
    assert {k for k, _ in seen} == set(warm.signatures())   # short runs reach every kernel


def test_compile_first_warms_a_cold_cache_once_and_says_so(monkeypatch, capsys):
    from sim.cli.commands import compile_first

    calls: list[int | None] = []
    monkeypatch.setattr(warm, "default_jobs", lambda: 2)
    monkeypatch.setattr(warm, "is_warm", lambda: bool(calls))
    monkeypatch.setattr(warm, "warm", lambda jobs=None, **kw: calls.append(jobs) or
                        warm.WarmReport(1.0, jobs=jobs or 1))
    monkeypatch.delenv("VAXSIM_BACKEND", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    compile_first()
    compile_first()                                  # warm now: nothing
    assert calls == [2]
    assert "first run only" in capsys.readouterr().err
    calls.clear()
    monkeypatch.setattr(warm, "is_warm", lambda: False)
    monkeypatch.setattr(warm, "default_jobs", lambda: 1)
    compile_first()                                  # one core: the run compiles as fast
    monkeypatch.setattr(warm, "default_jobs", lambda: 2)
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")    # no kernels needed
    compile_first()
    assert calls == []


def test_compile_first_failure_is_only_a_warning(monkeypatch, capsys):
    from sim.cli.commands import compile_first

    def broken(*args, **kwargs):
        raise warm.WarmError("worker 0 exited with code 1")

    monkeypatch.setattr(warm, "default_jobs", lambda: 2)
    monkeypatch.setattr(warm, "is_warm", lambda: False)
    monkeypatch.setattr(warm, "warm", broken)
    monkeypatch.delenv("VAXSIM_BACKEND", raising=False)
    compile_first(quiet=True)
    assert "warning" in capsys.readouterr().err      # even quiet: the run will be slow


def test_vaxsim_run_compiles_first_when_the_cache_is_cold(monkeypatch, tmp_path):
    from sim.cli.main import main

    calls: list[int | None] = []
    monkeypatch.setattr(warm, "default_jobs", lambda: 2)
    monkeypatch.setattr(warm, "is_warm", lambda: False)
    monkeypatch.setattr(warm, "warm", lambda jobs=None, **kw: calls.append(jobs) or
                        warm.WarmReport(1.0, jobs=jobs or 1))
    monkeypatch.delenv("VAXSIM_BACKEND", raising=False)
    argv = ["run", "baseline", "--set", "days=5", "-q", "--no-plots", "-o", str(tmp_path / "o")]
    assert main(argv) == 0
    assert calls == [2]


def test_vaxsim_compile_command(monkeypatch, capsys):
    from sim.cli.main import main

    monkeypatch.setattr(warm, "warm", lambda jobs=None, progress=None, force=False:
                        warm.WarmReport(0.01, already=True))
    assert main(["compile"]) == 0
    assert "already compiled" in capsys.readouterr().out
    assert main(["compile", "--jobs", "0"]) == 2


@pytest.mark.skipif(shutil.which("make") is None, reason="no make here")
def test_make_run_warms_before_running():
    venv = Path(sys.executable).resolve().parent.parent
    out = subprocess.run(["make", "-n", "run", f"VENV={venv}"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    lines = out.splitlines()
    at = [i for i, line in enumerate(lines) if "-m sim.engine.kernels.warm" in line]
    run = [i for i, line in enumerate(lines) if "vaxsim run" in line]
    assert at and run and at[0] < run[0], out
