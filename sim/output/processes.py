"""Picklable calls run in a local process pool, their results handed back in call order.

:func:`in_order` is what ``run(..., workers=N)`` runs an ensemble's chunks of members
with (:func:`sim.engine.counterfactual.simulate_with_counterfactual`): the calls go to a
``concurrent.futures.ProcessPoolExecutor`` all at once, the workers take them in order,
and each result is yielded as soon as it and every result before it are in, so the
caller can fold them into its arrays in order while later calls still run, holding at
most the results that finished early.

Workers are forked on Linux when this process runs no other Python thread
(:func:`sim.output.forks.can_fork`: they start in milliseconds and inherit the imported
modules), spawned elsewhere (they import vaxsim and load the compiled kernels first,
about a second). Each runs the compiled kernels on one thread (the workers already share
the cores) and dies with its parent on Linux.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sim.output.forks import can_fork, die_with_parent, forking


def _init_worker(parent: int) -> None:
    """Worker initializer: die with the parent; compiled kernels on one thread."""
    from sim.engine.kernels import one_thread

    die_with_parent(parent)
    one_thread()


class Workers:
    """A local process pool of ``workers`` processes, kept open for several batches of
    calls (each worker loads the compiled kernels once, at its first call): use it as a
    context manager and :meth:`in_order` each batch.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._stack = contextlib.ExitStack()
        self._pool: Any = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Shut the pool down (waiting for running calls), if it was started."""
        self._stack.close()
        self._pool = None

    def _started(self) -> Any:
        """The pool, started at the first batch (forked from this process as it is then)."""
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            ctx = (self._stack.enter_context(forking()) if can_fork()
                   else multiprocessing.get_context("spawn"))
            self._pool = self._stack.enter_context(ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                initargs=(os.getpid(),)))
        return self._pool

    def in_order(self, calls: Sequence[Callable[[], Any]]) -> Iterator[Any]:
        """Run ``calls`` (picklable: module-level functions or partials of them) on the
        workers and yield their results in the calls' order.

        A call's exception is raised here when its turn comes; the calls not yet started
        are then cancelled (also when the caller stops iterating).
        """
        futures: list[Any] = [self._started().submit(call) for call in calls]
        try:
            for i in range(len(futures)):
                result = futures[i].result()
                futures[i] = None  # the caller holds the result from here on
                yield result
        finally:
            for fut in futures:
                if fut is not None:
                    fut.cancel()


def in_order(calls: Sequence[Callable[[], Any]], workers: int) -> Iterator[Any]:
    """Run ``calls`` on a pool of ``workers`` processes (at most one a call) started for
    them and yield their results in the calls' order (:meth:`Workers.in_order`).

    Examples
    --------
    >>> import functools, operator
    >>> list(in_order([functools.partial(operator.mul, 6, k) for k in (1, 2, 7)], 2))
    [6, 12, 42]
    """
    with Workers(min(workers, len(calls))) as pool:
        yield from pool.in_order(calls)


def runner(workers: int) -> Callable[[Sequence[Callable[[], Any]]], Iterator[Any]]:
    """:func:`in_order` on ``workers`` processes, as the one-argument chunk runner
    :func:`sim.engine.counterfactual.simulate_with_counterfactual` takes.
    """
    def run_chunks(calls: Sequence[Callable[[], Any]]) -> Iterator[Any]:
        return in_order(calls, workers)

    return run_chunks
