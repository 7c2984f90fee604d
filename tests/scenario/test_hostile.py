"""Hostile scenario files (the corpus in ``hostile/``): each is refused by ``vaxsim
validate`` with exit 2 and one line naming the file, quickly, without a traceback."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from worlds import ROOT

from sim.cli.main import main

HOSTILE = Path(__file__).parent / "hostile"
CORPUS = sorted(p.name for p in HOSTILE.glob("*.yaml"))


@pytest.fixture(autouse=True, scope="module")
def _warm_imports():
    """Time the refusal, not the one-off import of the schema and engine modules."""
    import sim.api  # noqa: F401
    import sim.scenario  # noqa: F401


def refuse(args, capsys):
    """Exit code, stdout, stderr and CPU seconds of ``vaxsim *args`` (CPU time, so a busy
    machine does not make a quick refusal look slow)."""
    t0 = time.process_time()
    code = main(args)
    elapsed = time.process_time() - t0
    out, err = capsys.readouterr()
    return code, out, err, elapsed


def test_corpus_is_there():
    assert len(CORPUS) >= 45


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_file_refused_in_one_line(name, capsys):
    path = HOSTILE / name
    code, out, err, elapsed = refuse(["validate", str(path)], capsys)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("vaxsim: error: ") and "Traceback" not in err
    assert name in lines[0] or "extends_" in name, lines[0]  # names the file (or its parent)
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"


def test_large_file_refused_before_reading(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("name: big\n" + "# padding padding padding\n" * 400_000)  # ~10 MB
    code, _, err, elapsed = refuse(["validate", str(path)], capsys)
    assert code == 2 and "too large" in err and elapsed < 1.0


def test_too_many_values_refused_quickly(tmp_path, capsys):
    path = tmp_path / "wide.yaml"
    path.write_text("name: wide\nx: [" + ",".join(["1"] * 120_000) + "]\n")  # 240 kB
    code, _, err, elapsed = refuse(["validate", str(path)], capsys)
    assert code == 2 and "more than 50,000 values" in err and elapsed < 1.0


def test_largest_accepted_shape_is_still_quick(tmp_path, capsys):
    path = tmp_path / "wide.yaml"
    path.write_text("name: wide\nx: [" + ",".join(["1"] * 45_000) + "]\n")
    code, _, err, elapsed = refuse(["validate", str(path)], capsys)
    assert code == 2 and "unknown key 'x'" in err and elapsed < 3.0


def cli(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    (tmp_path / "child.yaml").write_text("name: c\nextends: pipe.yaml\n")
    for target in (fifo, tmp_path / "child.yaml"):
        r = cli("validate", str(target))
        assert r.returncode == 2 and "not a regular file" in r.stderr
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/stdin"])
def test_devices_refused(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    r = cli("validate", device)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr


def test_symlink_to_regular_file_is_followed(tmp_path, capsys):
    real = tmp_path / "real.yaml"
    real.write_text("name: real\ndays: 30\n")
    (tmp_path / "link.yaml").symlink_to(real)
    code, out, _, _ = refuse(["validate", str(tmp_path / "link.yaml")], capsys)
    assert code == 0 and "real" in out
