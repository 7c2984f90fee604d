"""Output work spread over forked workers gives what running it here gives."""

import os

import pytest
from worlds import small_results

from sim.output.plots import plot_run


def _boom():
    raise ValueError("bad plot")


def test_errors_in_a_worker_reach_the_caller():
    from sim.output.pool import streamed_calls

    with pytest.raises(ValueError, match="bad plot"):
        with streamed_calls([_boom, _boom], workers=2) as pending:
            pending.results()


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


def test_streamed_calls_go_to_the_pool_forked_ahead_in_order():
    import multiprocessing
    from functools import partial

    from sim.output import pool as workers

    if not workers.pool_ahead(2):
        pytest.skip("forking is not safe here")
    ahead = {p.pid for p in multiprocessing.active_children()}
    with workers.streamed_calls(partial(_square, x) for x in range(6)) as pending:
        out = pending.results()
    assert [v for _, v in out] == [x * x for x in range(6)]
    assert {pid for pid, _ in out} <= ahead and os.getpid() not in ahead
    assert workers._AHEAD is None  # taken once
    with pytest.raises(ValueError, match="bad plot in the server"):
        with workers.streamed_calls([partial(_square, 2), _fail]) as pending:
            pending.results()


def test_streamed_calls_run_here_with_one_worker_or_when_forking_is_unsafe():
    import threading
    from functools import partial

    from sim.output import pool as workers

    def run(n):
        with workers.streamed_calls((partial(_square, x) for x in range(n)), 1) as pending:
            return pending.results()

    assert run(3) == [(os.getpid(), x * x) for x in range(3)]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()  # another Python thread: forking is not safe
    try:
        assert not workers.pool_ahead()
        with workers.streamed_calls(partial(_square, x) for x in range(3)) as pending:
            assert pending.results() == [(os.getpid(), x * x) for x in range(3)]
    finally:
        stop.set()
        other.join()


_STEPS = []


def _endless_idle_work():
    import time

    def steps():
        while True:
            time.sleep(0.01)
            _STEPS.append(1)
            yield

    return steps()


def _steps_taken(progress=None):
    return len(_STEPS)


def test_a_server_takes_idle_steps_only_until_it_is_asked_something():
    import time

    from sim.output.workers import server_ahead

    with server_ahead(_endless_idle_work) as server:
        if server is None:
            pytest.skip("forking is not safe here")
        time.sleep(0.3)
        start = time.monotonic()
        taken = server.call(_steps_taken)
        assert time.monotonic() - start < 2  # answered after one more step at most
        assert taken > 0
        time.sleep(0.1)
        assert server.call(_steps_taken) == taken  # the rest was dropped


def _failing_idle_work(marker):
    def steps():
        yield
        marker.write_text("failing")
        raise RuntimeError("no fonts")

    return steps()


def test_a_server_whose_idle_work_fails_still_answers(tmp_path):
    import time
    from functools import partial

    from sim.output.workers import server_ahead

    marker = tmp_path / "failed"
    with server_ahead(partial(_failing_idle_work, marker)) as server:
        if server is None:
            pytest.skip("forking is not safe here")
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists()
        assert server.call(_steps_taken) == 0
        assert server.process.is_alive()


def _with_pool_ahead():
    from sim.output.pool import pool_ahead

    pool_ahead(2)


def _children(progress=None):
    import multiprocessing

    return [p.pid for p in multiprocessing.active_children()]


def test_a_pool_forked_ahead_by_a_server_dies_with_it():
    import signal
    import time

    from sim.output.workers import server_ahead

    with server_ahead(_with_pool_ahead) as server:
        if server is None:
            pytest.skip("forking is not safe here")
        pool = server.call(_children)
        assert len(pool) == 2
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.join(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pool) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in pool)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
