"""Serial, processes and Dask (LocalCluster on 127.0.0.1, 2 workers) write identical tables."""

import sys

import pandas as pd
import pytest
from sweeps import grid_spec, sweep_world

from sim.sweep.executors import execute
from sim.sweep.runner import run_sweep


@pytest.mark.slow
@pytest.mark.leaves_threads  # Dask's offload thread (distributed keeps it for the process's life)
def test_every_executor_writes_the_same_metrics(tmp_path):
    pytest.importorskip("distributed")
    w, spec = sweep_world(), grid_spec(batch_size=4)
    tables = {}
    for name in ("serial", "processes", "dask"):
        run_sweep(spec, executor=name, workers=2, world=w, out_dir=tmp_path / name, plots=False)
        tables[name] = (tmp_path / name / "metrics.parquet").read_bytes()
    assert tables["serial"] == tables["processes"] == tables["dask"]
    df = pd.read_parquet(tmp_path / "serial" / "metrics.parquet")
    assert len(df) == 24 and df["coverage_final.HIC"].nunique() > 1


def test_unknown_executor_is_an_error():
    with pytest.raises(ValueError, match="unknown executor"):
        execute([], lambda t, r: None, "threads")


@pytest.mark.slow
@pytest.mark.leaves_threads  # as above
def test_dask_connects_to_a_running_scheduler(tmp_path):
    distributed = pytest.importorskip("distributed")
    w, spec = sweep_world(), grid_spec(batch_size=6, replicates=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        res = run_sweep(spec, executor="dask", scheduler=cluster.scheduler_address, world=w)
        assert cluster.scheduler.workers  # our run left the cluster running
    pd.testing.assert_frame_equal(res.metrics, run_sweep(spec, world=w).metrics)


PARENT = """
import multiprocessing, sys, time
from sim.sweep.executors import die_with_parent

def child(ready):
    die_with_parent()
    open(ready, "w").close()
    time.sleep(120)

if __name__ == "__main__":
    p = multiprocessing.get_context("spawn").Process(target=child, args=(sys.argv[1],))
    p.start()
    print(p.pid, flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_workers_die_with_their_parent(tmp_path):
    import os
    import signal
    import subprocess
    import time

    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    ready = tmp_path / "ready"
    parent = subprocess.Popen([sys.executable, str(script), str(ready)], stdout=subprocess.PIPE,
                              text=True)
    child = int(parent.stdout.readline())
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:  # initializer has run
        time.sleep(0.05)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    status = f"/proc/{child}/status"
    while time.monotonic() < deadline:
        try:
            with open(status) as f:
                if "State:\tZ" in f.read():  # dead, waiting to be reaped by init
                    return
        except FileNotFoundError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the pool worker outlived its parent")


@pytest.mark.slow
@pytest.mark.leaves_threads  # as above
def test_local_cluster_workers_run_without_the_statistical_profiler():
    distributed = pytest.importorskip("distributed")
    from sim.sweep.executors import local_cluster

    def profiling() -> bool:
        import dask

        return bool(dask.config.get("distributed.worker.profile.enabled"))

    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        assert list(client.run(profiling).values()) == [False, False]
    import dask

    assert dask.config.get("distributed.worker.profile.enabled")  # this process: unchanged
