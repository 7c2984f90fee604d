"""Results folders: slugs under the results root, unique and never reused, -o refusing
folders that are not ours, --force replacing whole, killed runs leaving nothing that looks
finished, HTML links that cannot carry a scheme."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from worlds import ROOT, SCENARIOS, small_results

from sim.cli.main import main
from sim.output.folder import (
    MARKER,
    OutputError,
    check_target,
    clean_stale_staging,
    is_results_folder,
    new_results_dir,
    save_results,
)
from sim.output.names import slug, unique_slugs

HOSTILE_NAMES = ["../../escape", "/tmp/abs", "javascript:alert(1)", "..", ".", "a/b\\c",
                 "x" * 100, "名前", "-rf", "CON", "<script>"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_results_folder_stays_under_the_root(tmp_path, name):
    root = tmp_path / "results"
    out = new_results_dir(name, root)
    assert out.resolve().is_relative_to(root.resolve())
    assert out.parent.parent == root and out.parent.name == slug(name)
    assert ":" not in out.parent.name and not out.parent.name.startswith((".", "-"))


def test_unique_slugs_differ():
    assert unique_slugs(["a b", "a-b", "a/b"]) == ["a-b", "a-b-2", "a-b-3"]


def _reserve(args):
    root, _ = args
    return str(new_results_dir("same", Path(root)))


def test_runs_started_at_the_same_instant_get_different_folders(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        folders = pool.map(_reserve, [(str(tmp_path), i) for i in range(24)])
    assert len(set(folders)) == 24


def test_save_publishes_whole_with_a_marker(tmp_path):
    out = save_results(small_results(days=30), new_results_dir("s", tmp_path), plots=False)
    assert is_results_folder(out) and (out / MARKER).exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_target_checks(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        check_target(tmp_path / "file")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a vaxsim results folder"):
        check_target(other, force=True)
    check_target(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_target(tmp_path / "empty")


def test_finished_run_replaced_only_with_force_and_never_mixed(tmp_path):
    out = tmp_path / "run"
    save_results(small_results(days=30), out, plots=False)
    (out / "donations.parquet").write_text("stale table of an older run")
    with pytest.raises(OutputError, match="--force"):
        save_results(small_results(days=30), out, plots=False)
    save_results(small_results(days=30), out, plots=False, replace=True)
    assert not (out / "donations.parquet").exists()  # the old folder went away whole
    assert is_results_folder(out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_refuses_o_into_a_foreign_folder_and_writes_nothing(tmp_path, capsys):
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--set", "days=5", "-o", str(foreign)])
    err = capsys.readouterr().err
    assert code == 2 and "not a vaxsim results folder" in err
    assert sorted(p.name for p in foreign.iterdir()) == ["thesis.tex"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_o_at_a_file_is_bad_input(tmp_path, capsys):
    f = tmp_path / "f.txt"
    f.write_text("x")
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--set", "days=5", "-o", str(f)])
    assert code == 2 and "not a folder" in capsys.readouterr().err


def test_stale_staging_of_a_dead_process_is_cleaned(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".run.staging-{dead}-abc"
    stale.mkdir()
    (stale / "summary.json").write_text("{}")
    live = tmp_path / f".run.staging-{os.getpid()}-def"
    live.mkdir()
    assert clean_stale_staging(tmp_path) == [stale]
    assert live.exists() and not stale.exists()


@pytest.mark.slow
def test_killed_run_leaves_nothing_that_looks_finished(tmp_path):
    results = tmp_path / "results"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run",
                             str(SCENARIOS / "baseline.yaml"), "--replicates", "3"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            staging = list(results.glob("*/.*staging*")) if results.exists() else []
            if staging:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    finished = [p for p in results.rglob("*") if p.is_dir() and is_results_folder(p)]
    if proc.returncode == -signal.SIGKILL:
        assert finished == []
    # The next run removes the killed run's staging folder.
    new_results_dir("baseline", results)
    assert not list(results.glob("*/.*staging*"))


def test_compare_report_links_are_relative_slugs(tmp_path):
    from sim.api import compare
    from sim.scenario import load_scenario

    a = load_scenario(SCENARIOS / "baseline.yaml", ["days=10", "name=javascript:alert(1)"])
    b = load_scenario(SCENARIOS / "baseline.yaml", ["days=10", "name=../../escape"])
    out = tmp_path / "cmp"
    compare([a, b], out)
    html = (out / "report.html").read_text()
    assert 'href="./javascript-alert-1/report.html"' in html
    assert 'href="javascript:' not in html
    assert (out / "escape" / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp"]


def test_results_saved_through_a_server_equal_results_saved_here(tmp_path):
    """`vaxsim run`'s path (:func:`save_results_in`): the same files, byte for byte, and
    the summary the server computed."""
    from sim.output.folder import save_results_in, warm_up
    from sim.output.workers import server_ahead

    res = small_results()
    here = save_results(small_results(), tmp_path / "here", plots=False)
    with server_ahead(lambda: warm_up(False)) as server:
        if server is None:
            pytest.skip("forking is not safe here")
        there = save_results_in(server, res, tmp_path / "there", plots=False)
    assert "summary" in res.__dict__  # filled by the server, not computed here
    names = sorted(p.name for p in here.iterdir())
    assert names == sorted(p.name for p in there.iterdir()) and "summary.json" in names
    for name in names:
        if name != "report.html":  # it carries the time it was written
            assert (here / name).read_bytes() == (there / name).read_bytes(), name
    assert json.loads((there / "summary.json").read_text()) == json.loads(
        json.dumps(res.summary))


def _warm_up_with_plots_ahead():
    """The server's warm-up with plots, its idle work done at once (figures made ahead,
    the plot pool forked ahead), as on a run long enough for all of it."""
    from sim.output.folder import warm_up

    for _ in warm_up(True):
        pass


def test_plots_saved_through_a_server_with_work_done_ahead_equal_plots_saved_here(tmp_path):
    from sim.output.folder import save_results_in
    from sim.output.workers import server_ahead

    here = save_results(small_results(), tmp_path / "here", plots=True)
    with server_ahead(_warm_up_with_plots_ahead) as server:
        if server is None:
            pytest.skip("forking is not safe here")
        there = save_results_in(server, small_results(), tmp_path / "there", plots=True)
    names = sorted(p.name for p in (here / "plots").iterdir())
    assert len(names) >= 8 and names == sorted(p.name for p in (there / "plots").iterdir())
    for name in names:
        assert (here / "plots" / name).read_bytes() == (there / "plots" / name).read_bytes()
    for name in ("summary.json", "countries.parquet", "history.csv"):
        assert (here / name).read_bytes() == (there / name).read_bytes(), name


def _broken_warm_up():
    raise ImportError("no pandas in the server")


def test_results_are_saved_here_when_the_server_is_gone(tmp_path):
    from sim.output.folder import save_results_in
    from sim.output.workers import server_ahead

    res = small_results()
    with server_ahead(_broken_warm_up) as server:
        if server is None:
            pytest.skip("forking is not safe here")
        server.process.join(timeout=30)  # its warm-up failed: it is gone
        out = save_results_in(server, res, tmp_path / "out", plots=False)
    assert (out / "summary.json").is_file() and is_results_folder(out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
