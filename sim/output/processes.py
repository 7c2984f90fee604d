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


def in_order(calls: Sequence[Callable[[], Any]], workers: int) -> Iterator[Any]:
    """Run ``calls`` (picklable: module-level functions or partials of them) in
    ``workers`` processes and yield their results in the calls' order.

    A call's exception is raised here when its turn comes; the calls not yet started are
    then cancelled and the pool shut down (also when the caller stops iterating).

    Examples
    --------
    >>> import functools, operator
    >>> list(in_order([functools.partial(operator.mul, 6, k) for k in (1, 2, 7)], 2))
    [6, 12, 42]
    """
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(workers, len(calls)))
    with contextlib.ExitStack() as stack:
        ctx = (stack.enter_context(forking()) if can_fork()
               else multiprocessing.get_context("spawn"))
        pool = stack.enter_context(ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker,
            initargs=(os.getpid(),)))
        futures: list[Any] = [pool.submit(call) for call in calls]
        try:
            for i in range(len(futures)):
                result = futures[i].result()
                futures[i] = None  # the caller holds the result from here on
                yield result
        finally:
            for fut in futures:
                if fut is not None:
                    fut.cancel()


def runner(workers: int) -> Callable[[Sequence[Callable[[], Any]]], Iterator[Any]]:
    """:func:`in_order` on ``workers`` processes, as the one-argument chunk runner
    :func:`sim.engine.counterfactual.simulate_with_counterfactual` takes.
    """
    def run_chunks(calls: Sequence[Callable[[], Any]]) -> Iterator[Any]:
        return in_order(calls, workers)

    return run_chunks
