"""Exit codes (0 ok, 1 runtime failure, 2 bad input, 130 interrupted) are in --help, every
failure is one line without a traceback, and --debug shows the traceback."""

import subprocess
import sys

import pytest
from worlds import ROOT, SCENARIOS

from sim.cli.main import main


def test_help_lists_exit_codes(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for code, word in (("0", "success"), ("1", "runtime failure"), ("2", "bad input"),
                       ("130", "interrupted")):
        assert any(line.split()[:1] == [code] and word in line for line in out.splitlines())
    assert "--debug" in out


def _boom(*args, **kwargs):
    raise RuntimeError("disk on fire\nsecond line")


def test_runtime_failure_is_one_line_exit_1(monkeypatch, capsys):
    monkeypatch.setattr("sim.api.run", _boom)
    code = main(["run", str(SCENARIOS / "baseline.yaml")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "disk on fire" in err
    assert "Traceback" not in err and "--debug" in err


@pytest.mark.parametrize("where", ["first", "last"])
def test_debug_shows_the_traceback(monkeypatch, where):
    monkeypatch.setattr("sim.api.run", _boom)
    args = ["run", str(SCENARIOS / "baseline.yaml")]
    with pytest.raises(RuntimeError, match="disk on fire"):
        main(["--debug", *args] if where == "first" else [*args, "--debug"])


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_interrupt_is_exit_130(monkeypatch, capsys):
    monkeypatch.setattr("sim.api.run", _interrupt)
    assert main(["run", str(SCENARIOS / "baseline.yaml")]) == 130
    assert capsys.readouterr().err == "vaxsim: interrupted\n"


def test_memory_error_is_one_line(monkeypatch, capsys):
    def oom(*a, **k):
        raise MemoryError

    monkeypatch.setattr("sim.api.run", oom)
    assert main(["run", str(SCENARIOS / "baseline.yaml")]) == 1
    assert "out of memory" in capsys.readouterr().err


def test_unreachable_scheduler_is_bad_input_and_writes_nothing(tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "sweep"
    r = subprocess.run([sys.executable, "-m", "sim", "sweep",
                        str(SCENARIOS / "sweeps" / "sensitivity.yaml"), "--executor", "dask",
                        "--scheduler", "tcp://127.0.0.1:9", "-o", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "cannot connect" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_sweep_o_into_a_foreign_folder_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code = main(["sweep", str(SCENARIOS / "sweeps" / "sensitivity.yaml"), "-o", str(tmp_path)])
    assert code == 2 and "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_command_freezes_the_collector_before_the_process_ends(monkeypatch):
    """``vaxsim`` and ``python -m sim`` run :func:`entry`: main's exit code, then the
    collector's objects frozen so shutdown does not walk them again (tests call main)."""
    import gc
    import tomllib
    from pathlib import Path

    from sim.cli import main as cli

    root = Path(__file__).resolve().parents[2]
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["vaxsim"] == "sim.cli.main:entry"
    assert "entry()" in (root / "sim" / "__main__.py").read_text()
    monkeypatch.setattr(cli, "main", lambda: 7)
    gc.unfreeze()
    try:
        assert cli.entry() == 7
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
