"""`make test` changes nothing outside the repo and its venv; `make browser-deps` does, on
request only, and the README says what each target touches."""

import shutil
import subprocess

import pytest
from worlds import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

OUTSIDE = ("apt-get", "npm", "solara_assets", "sudo", "~/.cache", "$HOME", "curl ", "wget ")


def dry_run(target: str) -> str:
    """Every command ``make <target>`` would run from scratch (-B: as if nothing were built)."""
    out = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return out.stdout


@pytest.mark.parametrize("target", ["test", "run", "fuzz", "bench", "lint"])
def test_target_installs_nothing_outside_repo_and_venv(target):
    commands = dry_run(target)
    assert "pip install" in commands  # the dry run did list the install steps
    for word in OUTSIDE:
        assert word not in commands, f"make {target} would run {word!r}"
    for line in commands.splitlines():
        if "pip install" in line:
            assert line.startswith(".venv/bin/python -m pip"), line


def test_browser_deps_is_where_system_changes_live():
    commands = dry_run("browser-deps")
    assert "solara_assets.sh" in commands and "apt-get install" in commands


def test_readme_says_what_each_target_touches():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### What each make target touches"):]
    for target in ("run", "test", "fuzz", "bench", "lint", "browser-deps", "clean"):
        assert f"`make {target}`" in section


@pytest.mark.parametrize("target", ["run", "bench"])
def test_timed_targets_write_the_packages_bytecode_first(target):
    # an editable install has no .pyc until a module is imported with writing allowed;
    # run and bench are timed as a user meets them, with the bytecode present
    commands = dry_run(target).splitlines()
    compiled = next(i for i, c in enumerate(commands) if "-m compileall -q sim" in c)
    assert compiled < next(i for i, c in enumerate(commands)
                           if "vaxsim run" in c or "-m pytest benchmarks" in c)
