"""The epidemic day on threads (:mod:`sim.engine.kernels.epidemic_driver`): the same
results to the last bit on one and on two threads, for one member (its countries cut
into chunks) and for three (members shared out among the threads).
"""

import numba
import pytest

from sim import load_scenario, run
from sim.engine.kernels import one_thread, set_threads, threads, threads_from_env
from tests.golden import dumps


@pytest.fixture
def restore_threads():
    yield
    set_threads(1)


def _summary(replicates: int) -> str:
    return dumps(run(load_scenario("baseline"), days=60, replicates=replicates).summary)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one core")
@pytest.mark.parametrize("replicates", [1, 3])
def test_runs_are_bit_identical_on_one_and_two_threads(replicates, restore_threads):
    set_threads(1)
    one = _summary(replicates)
    assert set_threads(2) == 2 and threads() == 2
    assert _summary(replicates) == one


def test_threads_come_from_the_environment_else_one(monkeypatch, restore_threads):
    monkeypatch.delenv("VAXSIM_THREADS", raising=False)
    assert threads_from_env() == 1
    monkeypatch.setenv("VAXSIM_THREADS", "2")
    assert threads_from_env() == 2
    assert set_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
    assert set_threads(10_000) == numba.config.NUMBA_NUM_THREADS


def test_sweep_workers_run_on_one_thread(restore_threads):
    set_threads(2)
    one_thread()
    assert threads() == 1
