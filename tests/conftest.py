"""Pytest fixtures and hooks shared by every test module.

No test may leave a Python thread running. ``vaxsim run``'s default path forks a results
server and a plot pool, and sweeps fork their process pool, only from a process running
no Python thread besides the main one (:func:`sim.output.forks.can_fork`); elsewhere they
fall back to saving in-process or spawning. One leaked thread (tqdm's monitor, started by
``mesa.batch_run``, did so until session 11) turned every later forking test into a skip or
a test of the fallback, silently: CI never ran the forked path. So
:func:`_no_thread_left_running` fails the test that leaves one, and the few tests that
cannot stop theirs (Dask's ``distributed`` keeps an offload thread for the process's life)
are marked ``leaves_threads`` and run after every other test of their process
(:func:`pytest_collection_modifyitems`). Under pytest-xdist (``make test``: ``-n auto``)
keep the default ``--dist load``: it hands tests out in collection order, so they come
last in each worker too (``worksteal`` would not: a worker may steal unmarked tests after
running marked ones).
"""

import os
import threading
import time

import pytest
from worlds import make_world

from sim.world.world import World

#: Seconds a test's threads get to end after it returns before they count as left running.
THREAD_GRACE = 2.0


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (``make test``): one pytest-xdist worker per core this process may run on
    (its CPU affinity, as :func:`sim.output.forks.default_workers` counts; xdist's own count
    is every core of the machine), none on one core. ``PYTEST_XDIST_AUTO_NUM_WORKERS``
    still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    from sim.output.forks import default_workers

    cores = default_workers()
    return cores if cores > 1 else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``leaves_threads`` last (a stable sort: the others keep their order)."""
    items.sort(key=lambda item: item.get_closest_marker("leaves_threads") is not None)


@pytest.fixture(autouse=True)
def _no_thread_left_running(request: pytest.FixtureRequest):
    """Fail a test (in teardown) that leaves a Python thread running, unless it is marked
    ``leaves_threads``."""
    before = set(threading.enumerate())
    yield
    if request.node.get_closest_marker("leaves_threads"):
        return
    new = [t for t in threading.enumerate() if t not in before]
    deadline = time.monotonic() + THREAD_GRACE
    for thread in new:
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t.name for t in new if t.is_alive()]
    if left:
        pytest.fail(f"left Python threads running: {left}; later tests could not fork "
                    "(sim.output.forks.can_fork). Stop them, or mark the test "
                    "leaves_threads if it cannot (see tests/conftest.py)", pytrace=False)


@pytest.fixture
def small_world() -> World:
    return make_world([1e6, 2e6, 3e6, 4e6], ["HIC", "UMIC", "LMIC", "LIC"],
                      home_of=[0, -1, -1, -1], production=[50_000.0], days=90)
