"""A pool of worker processes forked ahead, and calls streamed to it as they are made.

:func:`pool_ahead` forks the pool while a process has nothing else to do (the server
``vaxsim run`` forks before simulating, once it has prepared the plots:
:func:`sim.output.folder.warm_up`), so its workers inherit what is prepared and no fork
is left for later. :func:`streamed_calls` sends picklable calls to it (or to a pool
forked then) one by one as they are made: the first runs while the next is prepared.
Where forking is not safe (:func:`sim.output.forks.can_fork`) the calls run in this
process. Workers die with their parent (:func:`sim.output.forks.die_with_parent`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import queue
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import Pool
from typing import Any

from sim.output.forks import Pending, can_fork, default_workers, die_with_parent, forking

#: The pool :func:`pool_ahead` forked and its size, until :func:`streamed_calls` takes it.
_AHEAD: tuple[Pool, int] | None = None


def pool_ahead(workers: int | None = None) -> bool:
    """Fork a pool of ``workers`` (default one per core) now, while this process has
    nothing else to do, for the next :func:`streamed_calls` here; True if there is one.
    The workers inherit what this process holds now (imports, prepared figures). Not
    where forking is not safe (:func:`can_fork`: and the pool's threads make it unsafe
    from then on), nor with one worker.
    """
    global _AHEAD
    if _AHEAD is None:
        size = workers or default_workers()
        pool = _fork_pool(size)
        _AHEAD = None if pool is None else (pool, size)
    return _AHEAD is not None


def _fork_pool(workers: int) -> Pool | None:
    """A pool of ``workers`` forked now (None where forking is not safe or workers < 2);
    the garbage collector's objects frozen first, so a worker's collections do not
    touch (and copy) every page the parent's objects live on.
    """
    if workers <= 1 or not can_fork():
        return None
    gc.freeze()
    try:
        with forking() as ctx:
            return ctx.Pool(workers, die_with_parent, (os.getpid(),))
    finally:
        gc.unfreeze()


def _take_pool(workers: int | None) -> Pool | None:
    """The pool forked ahead (if it has ``workers`` workers, or any when None), else a pool
    forked now, else None.
    """
    global _AHEAD
    ahead, _AHEAD = _AHEAD, None
    size = workers or default_workers()
    if ahead is not None:
        pool, ahead_size = ahead
        if workers is None or ahead_size == size:
            return pool
        pool.terminate()
    return _fork_pool(size)


@contextlib.contextmanager
def streamed_calls(calls: Iterable[Callable[[], Any]],
                   workers: int | None = None) -> Iterator[Pending]:
    """Send each of ``calls`` to a worker as soon as ``calls`` yields it and yield once all
    are sent (``Pending.results()`` collects them, in the order they were yielded). The
    workers take the calls in that order (put the slowest first). The calls and their
    results must be picklable (module-level functions or partials of them). The pool is
    the one :func:`pool_ahead` forked (when ``workers`` matches), else one forked now;
    where forking is not safe, or with one worker, the calls run here in ``results()``.
    """
    pool = _take_pool(workers)
    if pool is None:
        yield Pending(list(calls), None)
        return
    done: queue.SimpleQueue[tuple[int, bool, Any]] = queue.SimpleQueue()
    sent: list[Callable[[], Any]] = []
    try:
        for i, call in enumerate(calls):
            sent.append(call)
            pool.apply_async(call, callback=functools.partial(_put, done, i, True),
                             error_callback=functools.partial(_put, done, i, False))
        yield Pending(sent, _collect(done, len(sent)))
    finally:
        pool.terminate()


def _put(done: queue.SimpleQueue, i: int, ok: bool, value: Any) -> None:
    done.put((i, ok, value))


def _collect(done: queue.SimpleQueue, n: int) -> Iterator[tuple[int, Any]]:
    """``(index, result)`` of ``n`` calls as they finish, raising a call's error."""
    for _ in range(n):
        i, ok, value = done.get()
        if not ok:
            raise value
        yield i, value
