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
- Every kernel has a plain-numpy **reference** of the same stage, kept in the stage's own
  module. Tests compare the two on random inputs: dose ledgers identical, epidemic
  compartments within 1e-10.
- ``backend()`` tells the engine which to call: ``"numba"`` by default, ``"numpy"`` when
  the environment variable ``VAXSIM_BACKEND=numpy`` is set (tests, debugging, profiling).
  A batch reads the variable once when it starts (``Simulation.start``) and pins that
  choice while its days run (:class:`pinned`), so a day's stages do not each look it up.
- The first call of a kernel compiles it (seconds); ``cache=True`` stores the machine code
  next to the module so later processes load it. Benchmarks report the first-ever run
  separately.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal, cast

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

    return cast(F, njit(cache=True, nogil=True, error_model="numpy")(func))
