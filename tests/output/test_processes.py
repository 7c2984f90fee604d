"""Calls run in worker processes come back in the calls' order, errors included."""

import functools
import json
import os
import subprocess
import sys
import time

import pytest

import sim.output.processes as processes
from sim.output.processes import in_order, runner


def _slow_square(x: int) -> tuple[int, int]:
    time.sleep(0.05 * (3 - x))  # the first call finishes last
    return x * x, os.getpid()


def _fail(x: int) -> int:
    raise ValueError(f"call {x} failed")


def test_results_come_back_in_call_order_from_spawned_processes(monkeypatch):
    # Spawned here: a test process runs other threads (pytest-xdist's, pyarrow's), and
    # forking a threaded process is what can_fork() refuses; the fork path is tested in a
    # fresh process below.
    monkeypatch.setattr(processes, "can_fork", lambda: False)
    out = list(in_order([functools.partial(_slow_square, x) for x in range(4)], 2))
    assert [r for r, _ in out] == [0, 1, 4, 9]
    assert os.getpid() not in {pid for _, pid in out}


FORKED = """
import functools, json, operator, os
from sim.output.processes import can_fork, in_order
calls = [functools.partial(operator.mul, 6, k) for k in (1, 2, 7)]
print(json.dumps([can_fork(), list(in_order(calls, 2)),
                  len(set(in_order([functools.partial(os.getpid)] * 4, 2)) - {os.getpid()})]))
"""


def test_results_come_back_in_call_order_from_forked_processes():
    out = subprocess.run([sys.executable, "-c", FORKED], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    forked, results, pids = json.loads(out.strip().splitlines()[-1])
    assert forked and results == [6, 12, 42] and pids >= 1


def test_more_workers_than_calls_and_the_runner_form():
    assert [r for r, _ in runner(8)([functools.partial(_slow_square, 2)])] == [4]


def test_a_failed_call_raises_in_its_turn():
    results = in_order([functools.partial(_slow_square, 1), functools.partial(_fail, 7)], 2)
    assert next(results)[0] == 1
    with pytest.raises(ValueError, match="call 7 failed"):
        next(results)
