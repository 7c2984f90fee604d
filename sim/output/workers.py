"""Local worker processes for independent pieces of output work (plots, sweep batches).

Two ways to get workers:

- forked ahead (:func:`server_ahead`): one process forked early, while this one is
  still single-threaded, imports what the work needs on the idle core while this
  process works on (``vaxsim run`` starts it before simulating, so pandas and
  matplotlib load during the run and never in the main process); work is then sent to
  it pickled: a batch of calls it runs in its own forked workers (:meth:`Server.submit`),
  or one call it runs itself (:meth:`Server.call`, which relays its progress). Where
  forking is not safe it is not started and callers fork later or work here. Forked
  processes die with their parent (:func:`die_with_parent`). A warm-up may hand the
  server idle work: steps it takes while nothing is asked of it (drawing preparations,
  forking a pool ahead: :func:`sim.output.pool.pool_ahead`), dropped as soon as a
  request arrives;
- streamed (:func:`sim.output.pool.streamed_calls`): picklable calls sent to a pool
  (the one forked ahead, else one forked now) one by one as they are made, so the
  first runs while the next is still being prepared.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.process
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

from sim.output.forks import (  # noqa: F401  (re-exported: the workers' names)
    Pending,
    can_fork,
    default_workers,
    die_with_parent,
    forking,
)
from sim.output.pool import streamed_calls


def _first(n: int, first: Sequence[int]) -> list[int]:
    """``range(n)`` with ``first`` moved to the front."""
    return [*first, *(i for i in range(n) if i not in set(first))]


class ServerGone(RuntimeError):
    """A :class:`Server` that stopped (or never finished warming up) before answering."""


class Server:
    """A worker process forked ahead by :func:`server_ahead`: :meth:`submit` sends it
    calls, which it runs in its own forked workers while this process goes on;
    :meth:`call` has it run one call itself (it may fork workers of its own).
    """

    def __init__(self, conn: Connection, process: multiprocessing.process.BaseProcess):
        self.conn, self.process = conn, process

    def submit(self, calls: Sequence[Callable[[], Any]], workers: int | None = None,
               first: Sequence[int] = ()) -> Pending:
        """Send ``calls`` (pickled: module-level functions or partials of them, with
        picklable arguments and results) and return at once; ``Pending.results()``
        collects them in order, raising a call's error here.
        """
        self.conn.send(("calls", (list(calls), workers, list(first))))
        return Pending(calls, self._replies())

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...] = (),
             progress: Any = None) -> Any:
        """``fn(*args, progress=relay)`` run in the server process (pickled: a
        module-level function, picklable arguments and result); wait for it and return
        its result, raising its error here (:class:`ServerGone` if the server is not
        there to answer). ``relay`` forwards the calls the function
        makes to its ``advance``, ``set``, ``settle`` and ``plan`` methods to
        ``progress`` in this process as they happen (None: ``relay`` is None).
        """
        try:
            self.conn.send(("call", (fn, args, progress is not None)))
        except OSError:  # BrokenPipeError: it is gone (its warm-up failed, or it was killed)
            raise ServerGone("the vaxsim server process is gone") from None
        while True:
            try:
                kind, i, value = self.conn.recv()
            except (EOFError, OSError):
                raise ServerGone("the vaxsim server process stopped unexpectedly") from None
            if kind == "progress":
                getattr(progress, value[0])(*value[1:])
            elif kind == "error":
                raise value
            else:
                return value

    def _replies(self) -> Iterator[tuple[int, Any]]:
        while True:
            kind, i, value = self.conn.recv()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield i, value


class Relay:
    """The ``progress`` of a :meth:`Server.call`: its calls (the methods of
    :class:`sim.output.progress.Progress` that saving uses) go to the caller's.
    """

    def __init__(self, conn: Connection):
        self.conn = conn

    def advance(self, phase: str, n: int = 1) -> None:
        """``Progress.advance`` in the caller."""
        self.conn.send(("progress", -1, ("advance", phase, n)))

    def set(self, phase: str, done: int) -> None:
        """``Progress.set`` in the caller."""
        self.conn.send(("progress", -1, ("set", phase, done)))

    def settle(self, phase: str) -> None:
        """``Progress.settle`` in the caller."""
        self.conn.send(("progress", -1, ("settle", phase)))

    def plan(self, phase: str, steps: int) -> None:
        """``Progress.plan`` in the caller."""
        self.conn.send(("progress", -1, ("plan", phase, steps)))


def _run_calls(conn: Connection, calls: Sequence[Callable[[], Any]], workers: int | None,
               first: Sequence[int]) -> None:
    """Run a :meth:`Server.submit` batch in forked workers (the pool forked ahead, if
    any: the calls came pickled), replying as each finishes.
    """
    order = _first(len(calls), first)
    workers = min(len(calls), workers or default_workers())
    with streamed_calls((calls[i] for i in order), workers) as pending:
        source = (pending.iterator if pending.iterator is not None
                  else ((i, c()) for i, c in enumerate(pending.calls)))
        for i, result in source:
            conn.send(("done", order[i], result))
    conn.send(("end", -1, None))


def _run_call(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...],
              relay: bool) -> None:
    """Run a :meth:`Server.call` here and reply with its result."""
    conn.send(("return", -1, fn(*args, progress=Relay(conn) if relay else None)))


#: A server's warm-up: run at once; it may return idle work (see :func:`server_ahead`).
WarmUp = Callable[[], Iterable[object] | None]


def _serve(conn: Connection, parents_end: Connection,
           warm_up: WarmUp | None, parent: int) -> None:
    """The loop of a :class:`Server`: warm up, then run each batch of calls received
    in forked workers (or one call here), replying ``(kind, index, value)`` as each
    finishes. It ends quietly when the parent closes its end or goes away (Ctrl-C
    included); the copy of the parent's end that forking gave it is closed first, or
    that would never happen.
    """
    parents_end.close()
    die_with_parent(parent)
    try:
        idle = warm_up() if warm_up is not None else None
        if idle is not None:
            _idle(conn, idle)
        while True:
            kind, request = conn.recv()
            try:
                if kind == "call":
                    _run_call(conn, *request)
                else:
                    _run_calls(conn, *request)
            except Exception as exc:  # noqa: BLE001  (handed to the parent, which raises it)
                conn.send(("error", -1, _picklable(exc)))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return


def _idle(conn: Connection, steps: Iterable[object]) -> None:
    """Take ``steps`` (iterating runs one step) until they end or a request (or the
    parent's end) is waiting on ``conn``; the steps left are dropped. Idle work only
    prepares what requests would do anyway: a step that fails ends it, and the request
    then does (and reports) that work itself.
    """
    it = iter(steps)
    try:
        while not conn.poll():
            next(it)
    except Exception:  # noqa: BLE001, S110  (StopIteration: done; else see above)
        pass
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


def _picklable(exc: Exception) -> Exception:
    """``exc``, or a RuntimeError with its type and message when it cannot be pickled."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


@contextlib.contextmanager
def server_ahead(warm_up: WarmUp | None = None,
                 enabled: bool = True) -> Iterator[Server | None]:
    """Fork a :class:`Server` now (it runs ``warm_up()`` at once: imports, caches) and
    yield it. ``warm_up`` may return idle work: an iterable whose every step (one
    ``next``) the server takes only while no request waits, so it never delays an
    answer by more than a step. The server is stopped on leaving (at once, even mid
    warm-up, when leaving on an error or Ctrl-C). Yields None (callers fork later or
    work here) when not ``enabled``, on one core, or where forking is not safe
    (:func:`can_fork`).
    """
    if not enabled or default_workers() <= 1 or not can_fork():
        yield None
        return
    with forking() as ctx:
        here, there = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(there, here, warm_up, os.getpid()),
                              name="vaxsim-server")
        process.start()
    there.close()
    try:
        yield Server(here, process)
    except BaseException:  # an error or Ctrl-C here: the server has nothing left to do
        process.terminate()
        raise
    finally:
        here.close()
        process.join(timeout=5)
        if process.is_alive():  # pragma: no cover - only if a call hangs
            process.terminate()
            process.join()
