"""tests/conftest.py's guard for forking tests: a test that leaves a Python thread running
fails, one marked ``leaves_threads`` does not and runs after every other test."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CASES = '''
import threading, time
import pytest

def _sleeper():
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()

@pytest.mark.leaves_threads
def test_marked_leaves_one():
    _sleeper()

def test_leaves_one():
    _sleeper()

def test_a_thread_that_ends_in_time():
    threading.Thread(target=time.sleep, args=(0.2,)).start()

def test_clean():
    pass
'''


def test_a_leaked_thread_fails_its_test_and_marked_tests_run_last(tmp_path):
    (tmp_path / "test_cases.py").write_text(CASES)
    (tmp_path / "none.ini").write_text("")  # no settings: not the project's pyproject.toml
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "conftest", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-o", "markers=leaves_threads", "--rootdir", str(tmp_path),
         "-c", str(tmp_path / "none.ini"), str(tmp_path / "test_cases.py")],
        cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": f"{HERE}:{HERE.parent}", "PATH": ""})  # conftest: tests/
    out = done.stdout
    order = [line.split("::")[1].split()[0] for line in out.splitlines()
             if line.startswith("test_cases.py::") and line.split()[1] == "PASSED"]
    assert order[-1] == "test_marked_leaves_one", out
    assert "ERROR at teardown of test_leaves_one" in out, out
    assert "left Python threads running" in out
    assert "1 error" in out and "4 passed" in out, out
