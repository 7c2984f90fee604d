"""Packaging: the wheel ships every module, scenario and data file, and works installed
outside the repository; the package's lazy names are visible to ``dir()``."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
#: Top-level entries not copied to build the wheel (nor any __pycache__ or egg-info).
SKIP = {".venv", ".git", "results", "build", "dist", ".pytest_cache", ".ruff_cache",
        ".mypy_cache", ".hypothesis", ".benchmarks"}


def test_dir_shows_every_lazy_name_and_each_resolves():
    names = set(dir(sim))
    assert {"run", "load_scenario", "Results", "compare", "sweep", "save_results"} <= names
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    with pytest.raises(AttributeError):
        _ = sim.no_such_name


def expected_files() -> set[str]:
    """Files the wheel must hold, as paths inside it."""
    out = {str(p.relative_to(ROOT)) for p in (ROOT / "sim").rglob("*.py")
           if "__pycache__" not in p.parts and "scenarios" not in p.parts}
    out |= {f"sim/scenarios/{p.relative_to(ROOT / 'scenarios')}"
            for p in (ROOT / "scenarios").rglob("*.yaml")}
    data = ROOT / "sim" / "data"
    out |= {str(p.relative_to(ROOT)) for p in data.glob("*.csv")}
    out |= {str(p.relative_to(ROOT)) for p in (data / "naturalearth").iterdir()}
    out |= {"sim/data/SOURCES.md", "sim/py.typed"}
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built offline from a copy of the repository (the tree stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, symlinks=True,
                    ignore=lambda d, names: [
                        n for n in names if (Path(d) == ROOT and n in SKIP)
                        or n == "__pycache__" or n.endswith(".egg-info")])
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp / "dist"), str(src)],
                   check=True, capture_output=True)
    (whl,) = (tmp / "dist").glob("vaxsim-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_holds_every_module_scenario_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = expected_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"


def seed_kernel_cache(installed: Path) -> None:
    """Copy the repository's compiled kernels (numba's ``*.nbi``/``*.nbc`` and the
    sources stamp of :mod:`sim.engine.kernels.cache`) beside the installed kernels.

    Without it the installed copy compiled every kernel it runs (~150 s of this machine's
    190 s test, two thirds of the whole suite's CPU time beside the first-ever compile in
    the repository). The copy is only used where it is valid: numba keys each cached kernel
    on a hash of its module's bytes and of its function's bytecode, and ``ensure_fresh``
    clears the copied cache unless every kernel source hashes as the repository's. So an
    installed kernel whose source differs from the repository's still compiles, and what
    this test checks (the wheel ships what a run needs, and it runs outside the repository)
    is unchanged; compiling those same bytes is what the rest of the suite does in the
    repository. Nothing is copied if the repository's cache is elsewhere
    (``NUMBA_CACHE_DIR``) or not written yet.
    """
    from sim.engine.kernels import cache

    here = cache.HERE / "__pycache__"
    if os.environ.get("NUMBA_CACHE_DIR") or not (here / cache.STAMP).is_file():
        return
    there = installed / "__pycache__"
    there.mkdir(exist_ok=True)
    for path in here.iterdir():
        if path.suffix in (".nbi", ".nbc") or path.name == cache.STAMP:
            shutil.copy2(path, there / path.name)


@pytest.mark.slow
def test_installed_wheel_runs_a_shipped_scenario_outside_the_repo(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    seed_kernel_cache(target / "sim" / "engine" / "kernels")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "MPLBACKEND": "Agg"}

    def py(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=work, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert py("-c", "import sim; print(sim.__file__)").startswith(str(target))
    py("-m", "sim", "run", "baseline", "--set", "days=20", "--replicates", "1", "--no-plots",
       "-o", "out")
    assert (work / "out" / "summary.json").exists()
    out = py("-c", "from sim.agents import VaccineDiplomacyModel as M; m = M(); m.step(); "
                   "print(m.config.name, m.day)")
    assert out.split() == ["baseline", "1"]
