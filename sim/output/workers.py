"""Local worker processes for independent pieces of output work (plots, sweep batches).

On Linux, a process that runs no other thread forks its workers: they start in
milliseconds and inherit everything already imported and computed (tables, compiled
kernels, matplotlib's font cache), so nothing is pickled but the small results. Where
forking is not safe (other threads alive, macOS, Windows) callers fall back to their own
way: :func:`map_calls` runs the calls in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

_CALLS: Sequence[Callable[[], Any]] = ()


def can_fork() -> bool:
    """True where workers may be forked safely: Linux, and this process runs no Python
    thread besides the main one.
    """
    return (sys.platform.startswith("linux")
            and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def default_workers() -> int:
    """Worker processes to use by default: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def forking() -> Iterator[multiprocessing.context.BaseContext]:
    """The ``fork`` start method, with Python's warning about other OS threads silenced.

    Python warns whenever the process has more than one OS thread; the others here are
    idle native pools (OpenBLAS, Arrow) that re-initialise in the child through their own
    fork handlers. Use only when :func:`can_fork` is true (no other Python thread runs).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        yield multiprocessing.get_context("fork")


def _call(i: int) -> Any:
    return _CALLS[i]()


def map_calls(calls: Sequence[Callable[[], Any]], workers: int | None = None,
              on_done: Callable[[], None] | None = None) -> list[Any]:
    """``[c() for c in calls]``, spread over forked worker processes when possible.

    The calls need not be picklable (the workers inherit them); their results must be.
    The order of the results is the order of ``calls``; ``on_done()`` is called after
    each. With one worker, one call, or where forking is not safe (:func:`can_fork`),
    they run here, one after another.
    """
    with background_calls(calls, workers) as pending:
        return pending.results(on_done)


class Pending:
    """Calls started by :func:`background_calls`; :meth:`results` waits for them."""

    def __init__(self, calls: Sequence[Callable[[], Any]], iterator: Iterator[Any] | None):
        self.calls, self.iterator = calls, iterator

    def results(self, on_done: Callable[[], None] | None = None) -> list[Any]:
        """The calls' results in order (run here now if no worker runs them);
        ``on_done()`` after each.
        """
        done = on_done if on_done is not None else (lambda: None)
        out = []
        source = self.iterator if self.iterator is not None else (c() for c in self.calls)
        for result in source:
            out.append(result)
            done()
        return out


@contextlib.contextmanager
def background_calls(calls: Sequence[Callable[[], Any]],
                     workers: int | None = None) -> Iterator[Pending]:
    """Start ``calls`` in forked workers and yield at once, so this process can do other
    work meanwhile (write tables while plots are drawn); ``Pending.results()`` collects
    them. Where :func:`map_calls` would run the calls here, they run in ``results()``.

    The garbage collector's objects are frozen before forking, so a worker's collections
    do not touch (and copy) every page the parent's objects live on.
    """
    global _CALLS
    workers = min(len(calls), workers or default_workers())
    if workers <= 1 or not can_fork():
        yield Pending(calls, None)
        return
    _CALLS = calls
    gc.freeze()
    try:
        with forking() as ctx:
            with ctx.Pool(workers) as pool:
                gc.unfreeze()
                yield Pending(calls, pool.imap(_call, range(len(calls))))
    finally:
        gc.unfreeze()
        _CALLS = ()
