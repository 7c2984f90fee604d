"""The memory estimate errs high but not absurdly (checked against tracemalloc), and a run
that cannot fit is refused quickly with the estimate in the one-line message."""

import time
import tracemalloc

import pytest
from worlds import SCENARIOS

from sim.api import run
from sim.cli.main import main
from sim.engine.build.params import build_params
from sim.engine.memory import available_bytes, estimate_bytes, human
from sim.scenario import ScenarioError, load_scenario
from sim.world.world import build_world


@pytest.mark.slow
@pytest.mark.parametrize("sets", [["days=120", "replicates=4"],
                                  ["days=365", "replicates=2", "countries.include=[LIC]"]])
def test_estimate_covers_the_measured_peak(sets):
    s = load_scenario(SCENARIOS / "bilateral_diplomacy.yaml", sets)
    world = build_world(s)
    members = s.replicates * (2 if s.epidemic.enabled else 1)
    estimate = estimate_bytes(world, build_params(world, [s], [s.seed]), members,
                              s.outputs.country_every_days)
    run(s, days=2).tables()  # load the compiled kernels first: their one-off cost is not the run's
    tracemalloc.start()
    try:
        res = run(s)
        res.tables()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= estimate <= 6 * peak, (human(peak), human(estimate))


def test_estimate_grows_with_members():
    s = load_scenario(SCENARIOS / "baseline.yaml", ["days=60"])
    world = build_world(s)
    one = build_params(world, [s], [s.seed])
    assert estimate_bytes(world, one, 200, 7) > 150 * estimate_bytes(world, one, 1, 7)


def test_run_that_cannot_fit_is_refused_with_the_estimate(monkeypatch):
    monkeypatch.setenv("VAXSIM_MEMORY_LIMIT", "64M")
    s = load_scenario(SCENARIOS / "baseline.yaml")
    t0 = time.process_time()  # CPU: a refusal does no work, whatever the load
    with pytest.raises(ScenarioError, match=r"needs about [\d.]+ GiB of memory, more than "
                                            r"the 51\.2 MiB"):
        run(s, replicates=2000)
    assert time.process_time() - t0 < 2.0


def test_cli_refuses_huge_replicates_with_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("VAXSIM_MEMORY_LIMIT", "1G")
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--replicates", "10000"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "needs about" in err


@pytest.mark.parametrize("value", ["0", "-1", "1000000000"])
def test_cli_replicates_out_of_bounds_is_bad_input(value, capsys):
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--replicates", value])
    err = capsys.readouterr().err
    assert code == 2 and "replicates" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["-1", str(2**63)])
def test_cli_seed_out_of_bounds_is_bad_input(value, capsys):
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--seed", value])
    err = capsys.readouterr().err
    assert code == 2 and "seed" in err and "Traceback" not in err


def test_validate_applies_the_same_check(monkeypatch, capsys):
    monkeypatch.setenv("VAXSIM_MEMORY_LIMIT", "1M")
    code = main(["validate", str(SCENARIOS / "baseline.yaml")])
    assert code == 2 and "needs about" in capsys.readouterr().err


def test_available_memory_is_positive_without_override(monkeypatch):
    monkeypatch.delenv("VAXSIM_MEMORY_LIMIT", raising=False)
    assert available_bytes() > 2**26
