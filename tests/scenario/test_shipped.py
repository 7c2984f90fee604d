"""Shipped scenarios resolve by name from any folder, through importlib.resources."""

from pathlib import Path

import pytest

from sim.cli.main import main
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.shipped import find_file, shipped_dir, shipped_names

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_scenarios_are_the_repository_files():
    assert shipped_names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert shipped_names("sweep") == sorted(
        p.stem for p in (ROOT / "scenarios" / "sweeps").glob("*.yaml"))
    assert (shipped_dir() / "baseline.yaml").read_bytes() == \
        (ROOT / "scenarios" / "baseline.yaml").read_bytes()


def test_a_name_resolves_to_the_shipped_file_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_file("nationalism") == shipped_dir() / "nationalism.yaml"
    assert load_scenario("nationalism").name == "nationalism"
    assert find_file("sensitivity", "sweep") == shipped_dir("sweep") / "sensitivity.yaml"


def test_a_local_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text("name: mine\ndays: 30\n", encoding="utf-8")
    assert find_file("baseline") == Path("baseline")
    assert load_scenario("baseline").name == "mine"


def test_an_unknown_name_says_what_is_shipped(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match=r"basline: .*did you mean 'baseline'.*nationalism"):
        load_scenario("basline")
    assert main(["validate", "basline"]) == 2
    assert "did you mean 'baseline'" in capsys.readouterr().err
    assert main(["validate", "baseline"]) == 0
