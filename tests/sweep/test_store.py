"""Resume: a sweep killed with SIGKILL and resumed gives the uninterrupted table."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from sweeps import grid_spec, sweep_world
from worlds import ROOT

from sim.sweep.files import dump_sweep
from sim.sweep.runner import run_sweep
from sim.sweep.store import ResumeMismatch, SweepStore

SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
from sweeps import sweep_world
from sim.sweep.runner import run_sweep
from sim.sweep.spec import SweepSpec
spec = SweepSpec.model_validate(json.loads({spec!r}))
run_sweep(spec, world=sweep_world(days=200), out_dir={out!r}, plots=False)
"""


def killable_spec():
    return grid_spec(days=200, batch_size=2, replicates=2, parameters={
        "procurement.groups.HIC.multiple": {"low": 1, "high": 5, "steps": 20},
        "uptake.hesitancy": {"values": [0.1, 0.3, 0.5]}})


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_table(tmp_path):
    spec, out = killable_spec(), tmp_path / "run"
    code = SCRIPT.format(tests=str(ROOT / "tests"), spec=json.dumps(spec.model_dump(mode="json")),
                         out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", code])
    batches = out / "batches"
    deadline = time.monotonic() + 120
    try:
        while len(list(batches.glob("batch-*.parquet"))) < 3 if batches.exists() else True:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "metrics.parquet").exists()
    before = {p.name: p.stat().st_ino for p in batches.glob("batch-*.parquet")}
    n_batches = 60
    assert 3 <= len(before) < n_batches

    resumed = run_sweep(spec, world=sweep_world(days=200), out_dir=out, resume=True,
                        plots=False)
    after = {p.name: p.stat().st_ino for p in batches.glob("batch-*.parquet")}
    assert len(after) == n_batches
    assert all(after[name] == ino for name, ino in before.items())   # not redone
    assert not list(batches.glob(".batch-*"))

    whole = run_sweep(spec, world=sweep_world(days=200)).metrics
    table = pd.read_parquet(out / "metrics.parquet")
    pd.testing.assert_frame_equal(table, whole)
    pd.testing.assert_frame_equal(resumed.metrics, whole)
    assert not table.duplicated(["point", "replicate"]).any()
    assert len(table) == 60 * 2


def test_resume_refuses_a_different_sweep(tmp_path):
    spec = grid_spec()
    store = SweepStore(tmp_path)
    points = pd.DataFrame({"point": [0]})
    store.start(dump_sweep(spec), points)
    with pytest.raises(ResumeMismatch, match="already holds a sweep"):
        store.start(dump_sweep(spec), points)
    other = grid_spec(replicates=3)
    with pytest.raises(ResumeMismatch, match="different sweep"):
        store.start(dump_sweep(other), points, resume=True)
    with pytest.raises(ResumeMismatch, match="nothing to resume"):
        SweepStore(tmp_path / "empty").start(dump_sweep(spec), points, resume=True)


def test_in_memory_and_on_disk_runs_agree(tmp_path):
    w, spec = sweep_world(), grid_spec()
    res = run_sweep(spec, world=w, out_dir=tmp_path / "o")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "o" / "metrics.parquet"),
                                  run_sweep(spec, world=w).metrics)
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {"sweep.yaml", "points.parquet", "metrics.parquet", "report.html", "plots"} <= names
    html = (tmp_path / "o" / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(res.files) >= 1


def test_files_get_ordinary_modes(tmp_path):
    from sim.sweep.store import write_text

    mask = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
