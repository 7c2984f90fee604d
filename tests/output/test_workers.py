"""Output work spread over forked workers gives what running it here gives."""

import os

import pytest
from worlds import small_results

from sim.output.plots import plot_run
from sim.output.workers import can_fork, map_calls


def _pid_and(x):
    return os.getpid(), x * x


def test_map_calls_keeps_order_and_uses_workers_when_it_can():
    calls = [lambda x=x: _pid_and(x) for x in range(8)]  # lambdas: nothing is pickled
    out = map_calls(calls, workers=2)
    assert [v for _, v in out] == [x * x for x in range(8)]
    if can_fork():
        assert os.getpid() not in {pid for pid, _ in out}
    assert [v for _, v in map_calls(calls, workers=1)] == [x * x for x in range(8)]


def test_errors_in_a_worker_reach_the_caller():
    def boom():
        raise ValueError("bad plot")

    with pytest.raises(ValueError, match="bad plot"):
        map_calls([boom, boom], workers=2)


def test_plots_drawn_in_workers_equal_plots_drawn_here(tmp_path):
    res = small_results()
    here = plot_run(res, tmp_path / "here", workers=1)
    pool = plot_run(res, tmp_path / "pool", workers=2)
    assert [p.name for p in here] == [p.name for p in pool] and len(here) >= 8
    for a, b in zip(here, pool, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def _square(x):
    return os.getpid(), x * x


def _fail():
    raise ValueError("bad plot in the server")


def test_a_server_forked_ahead_runs_calls_in_its_workers_in_order():
    from functools import partial

    from sim.output.workers import server_ahead

    with server_ahead() as server:
        if server is None:
            pytest.skip("forking is not safe here")
        out = server.submit([partial(_square, x) for x in range(6)], workers=2,
                            first=[5, 4]).results()
        assert [v for _, v in out] == [x * x for x in range(6)]
        assert os.getpid() not in {pid for pid, _ in out}
        with pytest.raises(ValueError, match="bad plot in the server"):
            server.submit([_fail]).results()
        assert [v for _, v in server.submit([partial(_square, 3)]).results()] == [9]
    server.process.join(timeout=1)
    assert not server.process.is_alive()


def test_plots_drawn_through_a_server_equal_plots_drawn_here(tmp_path):
    from sim.output.plots import finish_plots, start_plots, warm_up
    from sim.output.workers import server_ahead

    res = small_results()
    here = plot_run(res, tmp_path / "here", workers=1)
    with server_ahead(warm_up) as server:
        with start_plots(res, tmp_path / "server", server=server) as pending:
            served = finish_plots(pending)
    assert [p.name for p in here] == [p.name for p in served]
    for a, b in zip(here, served, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle")


def _steps(n, progress=None):
    """Advance ``progress``' phase ``work`` n times, then return the server's pid."""
    for _ in range(n):
        progress.advance("work")
    progress.settle("work")
    return os.getpid()


def _raise(picklable, progress=None):
    raise ValueError("bad folder") if picklable else _Unpicklable("x")


def test_a_server_call_runs_there_relays_progress_and_raises_here():
    from sim.output.workers import server_ahead

    class Seen:
        def __init__(self):
            self.calls = []

        def advance(self, phase, n=1):
            self.calls.append(("advance", phase, n))

        def settle(self, phase):
            self.calls.append(("settle", phase))

    with server_ahead() as server:
        if server is None:
            pytest.skip("forking is not safe here")
        seen = Seen()
        pid = server.call(_steps, (3,), seen)
        assert pid == server.process.pid != os.getpid()
        assert seen.calls == [("advance", "work", 1)] * 3 + [("settle", "work")]
        with pytest.raises(ValueError, match="bad folder"):
            server.call(_raise, (True,))
        with pytest.raises(RuntimeError, match="_Unpicklable"):
            server.call(_raise, (False,))
        assert server.call(_steps, (0,), Seen()) == pid  # still serving after errors


def _sleep_long():
    import time

    time.sleep(60)


def test_leaving_a_server_on_an_error_stops_it_at_once_even_mid_warm_up():
    import time

    from sim.output.workers import server_ahead

    start = time.monotonic()
    with pytest.raises(ValueError, match="bad scenario"):
        with server_ahead(_sleep_long) as server:
            if server is None:
                pytest.skip("forking is not safe here")
            raise ValueError("bad scenario")
    assert time.monotonic() - start < 10
    assert not server.process.is_alive()
