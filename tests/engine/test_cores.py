"""The one count of usable cores behind every default number of worker processes."""

from __future__ import annotations

import os

import pytest

from sim.engine import cores
from sim.engine.kernels import warm
from sim.output import forks


def test_counts_the_cores_this_process_may_run_on():
    assert cores.usable_cores() == len(os.sched_getaffinity(0))


def test_falls_back_to_the_machine_count_without_affinity(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert cores.usable_cores() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert cores.usable_cores() == 1


@pytest.mark.parametrize("default", [warm.default_jobs, forks.default_workers])
def test_every_default_worker_count_is_the_same_count(monkeypatch, default):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 5, 7})
    assert default() == 5
