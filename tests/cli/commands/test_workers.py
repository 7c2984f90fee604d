"""``--workers``: a number of processes or ``auto`` (the default of ``run`` and ``compare``)."""

from pathlib import Path

import pytest

import sim.api
import sim.output.forks
from sim.cli.main import main
from sim.output.forks import ensemble_workers

BASELINE = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"


@pytest.mark.parametrize(("members", "cores", "expected"),
                         [(1, 4, 1), (15, 4, 1), (16, 4, 2), (31, 4, 3), (32, 4, 4),
                          (256, 4, 4), (256, 1, 1), (0, 2, 1)])
def test_auto_gives_each_core_a_cache_sized_chunk(members, cores, expected):
    assert ensemble_workers(members, cores=cores) == expected


def test_auto_counts_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.setattr(sim.output.forks, "default_workers", lambda: 3)
    assert ensemble_workers(1000) == 3 and ensemble_workers(20) == 2


class _Stop(Exception):
    pass


@pytest.mark.parametrize(("command", "given", "replicates", "expected"),
                         [("run", [], "16", 2), ("run", [], "8", 1),
                          ("run", ["--workers", "auto"], "40", 3),
                          ("run", ["--workers", "1"], "40", 1), ("compare", [], "24", 3),
                          ("compare", ["--workers", "2"], "1", 2)])
def test_run_and_compare_resolve_auto_from_the_replicates(monkeypatch, tmp_path, command, given,
                                                          replicates, expected):
    seen = []

    def record(*args, workers=1, **kwargs):
        seen.append(workers)
        raise _Stop

    monkeypatch.setattr(sim.output.forks, "default_workers", lambda: 3)
    monkeypatch.setattr(sim.api, "run", record)
    scenarios = [str(BASELINE)] * (2 if command == "compare" else 1)
    code = main([command, *scenarios, "--replicates", replicates, "-o", str(tmp_path / "o"),
                 "--no-plots" if command == "run" else "-q", "-q", *given])
    assert code == 1 and seen[:1] == [expected]


def test_calibrate_keeps_one_worker_by_default():
    from sim.cli.main import build_parser

    args = build_parser().parse_args(["calibrate", str(BASELINE)])
    assert args.workers == 1
    assert build_parser().parse_args(["run", str(BASELINE)]).workers == "auto"


def test_calibrate_takes_a_number_of_workers_only(capsys):
    # its candidates are not replicates: auto (sized by replicates) would silently give 1
    with pytest.raises(SystemExit) as stop:
        main(["calibrate", str(BASELINE), "--workers", "auto"])
    assert stop.value.code == 2
    assert "argument --workers: invalid int value: 'auto'" in capsys.readouterr().err


def test_a_workers_value_that_is_no_number_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", str(BASELINE), "--workers", "many"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "vaxsim run: error: argument --workers: 'many' is not a number of processes "
        "(a whole number, or auto)")
