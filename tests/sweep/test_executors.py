"""Serial, processes and Dask (LocalCluster on 127.0.0.1, 2 workers) write identical tables."""

import pandas as pd
import pytest
from sweeps import grid_spec, sweep_world

from sim.sweep.executors import execute
from sim.sweep.runner import run_sweep


@pytest.mark.slow
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
def test_dask_connects_to_a_running_scheduler(tmp_path):
    distributed = pytest.importorskip("distributed")
    w, spec = sweep_world(), grid_spec(batch_size=6, replicates=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        res = run_sweep(spec, executor="dask", scheduler=cluster.scheduler_address, world=w)
        assert cluster.scheduler.workers  # our run left the cluster running
    pd.testing.assert_frame_equal(res.metrics, run_sweep(spec, world=w).metrics)
