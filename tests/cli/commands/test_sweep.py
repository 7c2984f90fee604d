"""``vaxsim sweep``: bad input is one line and exit 2; a small sweep writes its folder."""

import pandas as pd
import pytest
from worlds import SCENARIOS

from sim.cli.main import main
from sim.data import DATA_DIR

needs_data = pytest.mark.skipif(not (DATA_DIR / "countries.csv").exists(),
                                reason="needs the shipped country data")

SMALL = f"""\
name: small
base: {SCENARIOS / 'baseline.yaml'}
overrides: {{days: 45}}
parameters:
  procurement.groups.HIC.multiple: {{values: [1.0, 3.0]}}
  procurement.groups.HIC.priority: {{values: [0, 3]}}
replicates: 2
batch_size: 3
metrics: [coverage_final.LIC, doses_administered]
"""


def test_bad_sweep_file_exits_2_with_one_line(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text("name: x\nbase: b.yaml\nparameters: {uptake.hesitancy: {low: 0.1}}\n")
    assert main(["sweep", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.yaml:3" in err and "parameters.uptake.hesitancy" in err


def test_scheduler_needs_dask(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(SMALL)
    assert main(["sweep", str(f), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err


def test_resume_of_a_folder_without_a_sweep_exits_2(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(SMALL)
    assert main(["sweep", str(f), "--resume", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err


@needs_data
def test_small_sweep_writes_its_folder_and_resumes(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(SMALL)
    out = tmp_path / "out"
    assert main(["sweep", str(f), "-o", str(out)]) == 0
    assert "results:" in capsys.readouterr().out
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert len(metrics) == 8 and list(metrics.columns[:3]) == ["point", "replicate", "seed"]
    assert (out / "plots" / "heatmap_coverage_final_LIC.png").exists()
    # losing a batch and resuming recomputes it and gives the same table
    (out / "batches" / "batch-00001.parquet").unlink()
    (out / "metrics.parquet").unlink()
    assert main(["sweep", str(f), "--resume", str(out), "--no-plots"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "metrics.parquet"), metrics)
    assert main(["sweep", str(f), "-o", str(out)]) == 2     # the folder already holds it


@needs_data
def test_resolved_sweep_yaml_reruns_to_the_same_sweep(tmp_path):
    from sim.sweep.files import dump_sweep, load_sweep

    f = tmp_path / "s.yaml"
    f.write_text(SMALL)
    spec = load_sweep(f)
    (tmp_path / "resolved.yaml").write_text(dump_sweep(spec))
    again = load_sweep(tmp_path / "resolved.yaml")
    assert dump_sweep(again) == dump_sweep(spec)
    assert again.base["uptake"]["capacity"]["LIC"]["end"] > 0   # defaults written out


@needs_data
def test_sweep_json_counts_only_members_run_now(tmp_path, capsys):
    import json

    f = tmp_path / "s.yaml"
    f.write_text(SMALL)
    out = tmp_path / "out"
    assert main(["sweep", str(f), "-o", str(out), "--json", "--no-plots"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["members_simulated"] == 8 and first["members_resumed"] == 0
    assert len(first["points"]) == 4
    (out / "batches" / "batch-00001.parquet").unlink()
    (out / "metrics.parquet").unlink()
    assert main(["sweep", str(f), "--resume", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    (out / "batches" / "batch-00000.parquet").unlink()
    assert main(["sweep", str(f), "--resume", str(out), "--json", "--no-plots"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["members_simulated"] == 3 and again["members_resumed"] == 5
