"""Calls run in worker processes come back in the calls' order, errors included."""

import functools
import os
import time

import pytest

import sim.output.processes as processes
from sim.output.processes import in_order, runner


def _slow_square(x: int) -> tuple[int, int]:
    time.sleep(0.05 * (3 - x))  # the first call finishes last
    return x * x, os.getpid()


def _fail(x: int) -> int:
    raise ValueError(f"call {x} failed")


@pytest.mark.parametrize("fork", [True, False])
def test_results_come_back_in_call_order_from_other_processes(monkeypatch, fork):
    monkeypatch.setattr(processes, "can_fork", lambda: fork)
    out = list(in_order([functools.partial(_slow_square, x) for x in range(4)], 2))
    assert [r for r, _ in out] == [0, 1, 4, 9]
    assert os.getpid() not in {pid for _, pid in out}


def test_more_workers_than_calls_and_the_runner_form():
    assert [r for r, _ in runner(8)([functools.partial(_slow_square, 2)])] == [4]


def test_a_failed_call_raises_in_its_turn():
    results = in_order([functools.partial(_slow_square, 1), functools.partial(_fail, 7)], 2)
    assert next(results)[0] == 1
    with pytest.raises(ValueError, match="call 7 failed"):
        next(results)
