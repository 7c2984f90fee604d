"""Compiled kernels of the engine's hot paths, and the one convention they all follow.

Convention
----------
- A kernel is a numba ``@njit(cache=True)`` function (``sim.engine.kernels.jit``) over
  arrays whose leading axes are ``(E members, N countries, ...)``: float64 unless the
  docstring says otherwise, C-contiguous, written in place into output arrays the caller
  owns, so a simulated day allocates nothing. Scalars are plain floats and ints; no Python
  objects, no dicts, no optional arguments.
- Each kernel fuses a whole stage (or several) so that one day is a few calls, not hundreds
  of numpy operations; loops over members and countries live *inside* the kernel.
- Clipping at zero is :func:`sim.engine.kernels.clip.nonneg`, not ``max(x, 0.0)`` (which
  keeps -0.0 where numpy's ``maximum`` gives +0.0: a member's bytes could then depend on
  its batch).
- Every kernel has a plain-numpy **reference** of the same stage, kept in the stage's own
  module. Tests compare the two on random inputs: dose ledgers identical, epidemic
  compartments within 1e-10.
- ``backend()`` tells the engine which to call: ``"numba"`` by default, ``"numpy"`` when
  the environment variable ``VAXSIM_BACKEND=numpy`` is set (tests, debugging, profiling).
  A batch reads the variable once when it starts (``Simulation.start``) and pins that
  choice while its days run (:class:`pinned`), so a day's stages do not each look it up.
- Threads: the epidemic day (:mod:`sim.engine.kernels.epidemic_driver`) can run its
  members, or chunks of one member's countries, on numba's threads, with bit-identical
  results for any count. It uses ``VAXSIM_THREADS`` threads (default 1:
  :func:`set_threads`). Sweeps run their workers on one thread each. numba's threading
  layer (``omp`` here, ``tbb``, or the fallback ``workqueue``) runs the ``prange`` loops;
  ``workqueue`` is not safe for kernels called from several threads of one process at
  once (only one parallel region at a time), which the engine does not do.
- The first call of a kernel compiles it (seconds); ``cache=True`` stores the machine code
  next to the module so later processes load it. Benchmarks report the first-ever run
  separately. numba reuses a cached kernel while its own module is unchanged, even if a
  kernel it calls changed: :mod:`sim.engine.kernels.cache` clears the cache when any
  kernel source changed, before the first kernel loads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal, cast

from sim.engine.kernels.cache import ensure_fresh

Backend = Literal["numba", "numpy"]


#: The choice pinned by the batch whose day is running (None: read the environment).
_PINNED: list[Backend | None] = [None]


def backend_from_env() -> Backend:
    """``"numpy"`` when ``VAXSIM_BACKEND=numpy`` is set in the environment, else
    ``"numba"``.
    """
    return "numpy" if os.environ.get("VAXSIM_BACKEND", "").lower() == "numpy" else "numba"


def backend() -> Backend:
    """Which implementation the engine calls: ``"numba"`` (default) or ``"numpy"``.

    Returns
    -------
    str
        The choice pinned by the running batch (:class:`pinned`), else
        :func:`backend_from_env`.
    """
    choice = _PINNED[0]
    return backend_from_env() if choice is None else choice


class pinned:
    """Context in which :func:`backend` returns ``choice`` without reading the environment
    (the previous choice is restored on exit, so contexts nest).

    Examples
    --------
    >>> with pinned("numpy"):
    ...     backend()
    'numpy'
    """

    __slots__ = ("choice", "saved")

    def __init__(self, choice: Backend) -> None:
        self.choice = choice
        self.saved: Backend | None = None

    def __enter__(self) -> None:
        self.saved = _PINNED[0]
        _PINNED[0] = self.choice

    def __exit__(self, *exc: object) -> None:
        _PINNED[0] = self.saved


def jit[F: Callable[..., Any]](func: F) -> F:
    """Compile ``func`` with the project's kernel options (``nopython``, ``cache=True``).

    Parameters
    ----------
    func
        A function following the convention of this package's docstring.

    Returns
    -------
    callable
        The numba dispatcher; it compiles on first call and caches to disk.
    """
    from numba import njit

    ensure_fresh()
    return cast(F, njit(cache=True, nogil=True, error_model="numpy")(func))


def pjit[F: Callable[..., Any]](func: F) -> F:
    """:func:`jit` with numba's ``prange`` loops run on threads (``parallel``; only
    ``prange`` is parallelised, not numpy calls).
    """
    from numba import njit

    ensure_fresh()
    options = {"prange": True, "comprehension": False, "setitem": False,
               "reduction": False, "numpy": False, "stencil": False, "fusion": False}
    compile_ = cast(Any, njit)(cache=True, nogil=True, error_model="numpy", parallel=options)
    return cast(F, compile_(func))


def threads_from_env() -> int:
    """``VAXSIM_THREADS`` from the environment, else 1 (see :func:`set_threads`)."""
    env = os.environ.get("VAXSIM_THREADS", "").strip()
    return max(1, int(env)) if env else 1


#: Threads the parallel kernels split a day into (set by :func:`set_threads`).
_THREADS: list[int] = [threads_from_env()]


def threads() -> int:
    """How many threads the parallel kernels use (:func:`set_threads`)."""
    return _THREADS[0]


def one_thread() -> None:
    """Have this process's parallel kernels run on one thread (sweep workers: their
    processes already share the cores), without starting numba's thread pool.
    """
    _THREADS[0] = 1


def set_threads(count: int | None = None) -> int:
    """Set how many threads the parallel kernels (the epidemic day) use: ``count``, else
    ``VAXSIM_THREADS`` from the environment, else 1; capped at numba's thread pool size
    (every core unless ``NUMBA_NUM_THREADS`` says less). Returns the number set.

    One thread is the default: measured on a 2-core machine shared with other busy
    processes, the 2-thread epidemic stage was 10-40x slower in wall time than 1 thread
    (threads wait for each other at every sub-step, and a thread the OS has descheduled
    holds up the rest; see ``benchmarks/test_threads_bench.py``).
    """
    import numba

    count = threads_from_env() if count is None else count
    count = max(1, min(int(count), numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    numba.set_num_threads(count)
    _THREADS[0] = count
    return count
