"""``vaxsim run`` leaves pandas and matplotlib to the server it forks ahead
(:func:`sim.output.folder.save_results_in`): the main process imports neither, and
``import sim.api`` alone does not import pandas; with ``-q`` not even tqdm is imported."""

import json
import subprocess
import sys

import pytest
from worlds import SCENARIOS

from sim.output.workers import can_fork, default_workers


def _heavy_after(code: str) -> list[str]:
    code += ("\nimport sys, json; print(json.dumps(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('pandas', 'pyarrow', 'matplotlib', 'tqdm'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def test_import_sim_api_does_not_import_pandas():
    assert _heavy_after("import sim.api") == []


def _loaded(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules under ``prefixes`` loaded after running ``code`` in a new process."""
    code += ("\nimport sys, json; print(json.dumps(sorted(m for m in sys.modules "
             f"if m.startswith({prefixes!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def test_import_sim_api_leaves_numba_and_scipy_to_first_use():
    # numba loads with the first kernel, scipy.sparse with the first affinity: after the
    # fork of `vaxsim run`'s server, which needs neither
    assert _loaded("import sim.api", ("numba", "llvmlite", "scipy")) == []


def test_deterministic_run_loads_no_stochastic_epidemic_code():
    stochastic = ("sim.engine.epi_stochastic", "sim.engine.kernels.epidemic_random",
                  "sim.engine.kernels.epidemic_stochastic")
    baseline = str(SCENARIOS / "baseline.yaml")
    run = "from sim import load_scenario, run; run(load_scenario({}{}), days=5)"
    assert _loaded(run.format(repr(baseline), ""), stochastic) == []
    stoch = run.format(repr(baseline), ", ['epidemic.mode=stochastic']")
    assert "sim.engine.kernels.epidemic_stochastic" in _loaded(stoch, stochastic)


@pytest.mark.skipif(default_workers() <= 1 or not can_fork(),
                    reason="no server is forked here: results are saved in-process")
@pytest.mark.parametrize("plots", [[], ["--no-plots"]])
def test_run_saves_results_without_pandas_or_matplotlib_here(tmp_path, plots):
    argv = ["run", str(SCENARIOS / "baseline.yaml"), "--set", "days=20", "-q",
            "-o", str(tmp_path / "out"), *plots]
    heavy = _heavy_after(f"from sim.cli.main import main; assert main({argv!r}) == 0")
    assert heavy == []
    assert (tmp_path / "out" / "summary.json").is_file()
    assert (tmp_path / "out" / "groups.parquet").is_file()
    assert (tmp_path / "out" / "plots").is_dir() == (not plots)
