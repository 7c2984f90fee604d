"""Forking worker processes safely: when it is safe, how, and how they end.

The base of :mod:`sim.output.workers` and :mod:`sim.output.pool`: :func:`can_fork`
(Linux, no other Python thread), :func:`default_workers` and :func:`ensemble_workers`
(how many), :func:`forking` (the fork context without Python's multi-threading
warning), :func:`die_with_parent` (the kernel kills a worker whose parent dies) and
:class:`Pending` (calls started elsewhere, collected in order).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sim.engine.cores import usable_cores


def can_fork() -> bool:
    """True where workers may be forked safely: Linux, and this process runs no Python
    thread besides the main one.
    """
    return (sys.platform.startswith("linux")
            and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def default_workers() -> int:
    """Worker processes to use by default: the cores this process may run on
    (:func:`sim.engine.cores.usable_cores`).
    """
    return usable_cores()


def ensemble_workers(members: int, cores: int | None = None) -> int:
    """Worker processes for an ensemble of ``members`` replicates when none are named
    (``--workers auto``): one a core (:func:`default_workers`, or ``cores``) while each
    gets at least a cache-sized chunk (:data:`sim.engine.ensemble.MIN_CACHE_CHUNK`, 8
    members), else 1: smaller shares lose more to the per-day work a chunk's members
    share than a second core gives back.

    Examples
    --------
    >>> ensemble_workers(1, cores=4), ensemble_workers(16, cores=4), ensemble_workers(256, cores=4)
    (1, 2, 4)
    """
    from sim.engine.ensemble import MIN_CACHE_CHUNK

    cores = default_workers() if cores is None else cores
    return max(1, min(cores, members // MIN_CACHE_CHUNK))


@contextlib.contextmanager
def forking() -> Iterator[multiprocessing.context.ForkContext]:
    """The ``fork`` start method, with Python's warning about other OS threads silenced.

    Python warns whenever the process has more than one OS thread; the others here are
    idle native pools (OpenBLAS, Arrow) that re-initialise in the child through their own
    fork handlers. Use only when :func:`can_fork` is true (no other Python thread runs).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        yield multiprocessing.get_context("fork")


class Pending:
    """Calls started by :meth:`sim.output.workers.Server.submit` or
    :func:`sim.output.pool.streamed_calls`;
    :meth:`results` waits for them.

    ``iterator`` yields ``(index, result)`` pairs in the order the calls finish (None:
    nothing was started, the calls run here in :meth:`results`).
    """

    def __init__(self, calls: Sequence[Callable[[], Any]],
                 iterator: Iterator[tuple[int, Any]] | None):
        self.calls, self.iterator = calls, iterator

    def results(self, on_done: Callable[[], None] | None = None) -> list[Any]:
        """The calls' results in the calls' order (run here now if no worker runs them);
        ``on_done()`` as each finishes.
        """
        done = on_done if on_done is not None else (lambda: None)
        out: dict[int, Any] = {}
        source = (self.iterator if self.iterator is not None
                  else ((i, c()) for i, c in enumerate(self.calls)))
        for i, result in source:
            out[i] = result
            done()
        return [out[i] for i in range(len(self.calls))]


def die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this (forked) process when its parent dies
    (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, through the C library), so that a killed
    ``vaxsim run`` leaves no server or worker writing into its staging folder; exit at
    once if ``parent`` is already gone. Elsewhere, or if the call fails, nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:  # 1: PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)
