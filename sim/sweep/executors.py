"""Executors: run batch tasks serially, in local processes, or on a Dask cluster.

Every executor runs the same batches (fixed by the sweep file) with the same function,
:func:`sim.sweep.batches.run_batch`, and hands each finished batch to ``on_done`` as it
completes (in any order); the tables are sorted afterwards, so the executor and the
number of workers never change the results.

- ``serial``: in this process, in batch order.
- ``processes``: a ``concurrent.futures.ProcessPoolExecutor``, forked from a warmed-up
  process on Linux (spawned elsewhere or when other threads run); ``workers`` defaults to
  the number of cores.
- ``dask``: Dask distributed. With ``scheduler="tcp://HOST:PORT"`` it connects to a
  running cluster (its workers need vaxsim installed); without, it starts a
  ``LocalCluster`` on 127.0.0.1 (``workers`` processes, default 2, one thread each) and
  closes it afterwards. Needs the ``distributed`` extra.

Process and Dask workers run the compiled kernels on one thread each
(:func:`sim.engine.kernels.one_thread`), whatever ``VAXSIM_THREADS`` says: the workers
already share the cores.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from sim.sweep.batches import BatchTask, run_batch, warm_up

EXECUTORS = ("serial", "processes", "dask")

OnDone = Callable[[BatchTask, pd.DataFrame], None]


def run_serial(tasks: Sequence[BatchTask], on_done: OnDone) -> None:
    """Run tasks one after another in this process."""
    for task in tasks:
        on_done(task, run_batch(task))


def die_with_parent() -> None:
    """Worker initializer: on Linux, have the kernel kill this process when its parent
    dies, so a killed sweep leaves no worker running (elsewhere a no-op).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def init_worker() -> None:
    """Process worker initializer: :func:`die_with_parent`, and the compiled kernels on one
    thread (the workers already share the cores; ``VAXSIM_THREADS`` is for one process).
    """
    from sim.engine.kernels import one_thread

    die_with_parent()
    one_thread()


def run_batch_one_thread(task: BatchTask) -> pd.DataFrame:
    """:func:`run_batch` with the compiled kernels on one thread (Dask workers)."""
    from sim.engine.kernels import one_thread

    one_thread()
    return run_batch(task)


def run_processes(tasks: Sequence[BatchTask], on_done: OnDone, workers: int | None = None
                  ) -> None:
    """Run tasks in a local process pool (default: one worker per core).

    On Linux, from a process running no other Python thread, the workers are forked after
    this process has loaded everything a batch needs (modules, compiled kernels: one day of
    the first batch's first member is run here), so a worker starts in milliseconds
    instead of re-importing for seconds; elsewhere they are spawned.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from sim.output.workers import can_fork, default_workers, forking

    workers = min(workers or default_workers(), max(len(tasks), 1))
    fork = can_fork()
    if fork and tasks:
        warm_up(tasks[0])
    with contextlib.ExitStack() as stack:
        ctx = stack.enter_context(forking()) if fork else multiprocessing.get_context("spawn")
        pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                                       initializer=init_worker))
        futures = {pool.submit(run_batch, t): t for t in tasks}
        try:
            for fut in as_completed(futures):
                on_done(futures[fut], fut.result())
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def run_dask(tasks: Sequence[BatchTask], on_done: OnDone, workers: int | None = None,
             scheduler: str | None = None) -> None:
    """Run tasks on Dask: an existing scheduler, or a LocalCluster on 127.0.0.1."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise RuntimeError("the dask executor needs the 'distributed' extra: "
                           "pip install 'vaxsim[distributed]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = local_cluster(workers or 2)
        client = Client(cluster)
    try:
        if cluster is not None and tasks:
            # Hand out work only once every local worker is up and has loaded the modules
            # and compiled kernels a batch needs (seconds in a fresh process): otherwise the
            # first worker to start takes the queue while the others are still importing.
            client.wait_for_workers(workers or 2)
            client.run(warm_up, tasks[0])
        futures = {client.submit(run_batch_one_thread, t, pure=False): t for t in tasks}
        for fut in as_completed(list(futures)):
            on_done(futures[fut], fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` on 127.0.0.1: ``workers`` processes of one thread each, no
    dashboard (the scheduler's small HTTP server for health checks gets a free loopback
    port instead of Dask's default 8787).

    With no dashboard nobody reads the workers' statistical profiler, which samples the
    running batch's stack every 10 ms: it is switched off in the workers (a 256-member
    sweep on 2 workers, whole process, 4 alternating pairs: median ratio 0.94 of the wall
    time and 0.92 of the CPU time).
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address=None,
                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def execute(tasks: Sequence[BatchTask], on_done: OnDone, executor: str = "serial",
            workers: int | None = None, scheduler: str | None = None) -> None:
    """Run ``tasks`` with the named executor, calling ``on_done(task, table)`` per batch."""
    if executor == "serial":
        run_serial(tasks, on_done)
    elif executor == "processes":
        run_processes(tasks, on_done, workers)
    elif executor == "dask":
        run_dask(tasks, on_done, workers, scheduler)
    else:
        raise ValueError(f"unknown executor '{executor}' (choose from {', '.join(EXECUTORS)})")
