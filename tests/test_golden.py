"""Every shipped scenario's summary is bit-identical to its golden file.

A deliberate model change regenerates the files (``python -m tests.golden --update``,
or ``make golden``) in the same commit, with the reason in the commit message.
"""

import json

import pytest
from golden import differences, golden_path, scenario_names, summary_text


def test_every_shipped_scenario_has_a_golden_file():
    missing = [n for n in scenario_names() if not golden_path(n).exists()]
    assert not missing, f"no golden summary for {missing}: run `make golden`"


@pytest.mark.slow
@pytest.mark.parametrize("name", scenario_names())
def test_summary_matches_golden(name):
    path = golden_path(name)
    if not path.exists():
        pytest.fail(f"no golden summary for {name}: run `make golden`")
    expected = path.read_text(encoding="utf-8")
    actual = summary_text(name)
    if actual != expected:
        diffs = differences(json.loads(expected), json.loads(actual))
        pytest.fail(f"{name}: summary differs from {path.name} in {len(diffs)} place(s) "
                    f"(a deliberate model change? `make golden` and say why):\n  "
                    + "\n  ".join(diffs[:20]))


def test_differences_names_the_changed_paths():
    golden = {"metrics": {"deaths": 1.0, "coverage": [0.5, 0.25]}, "seed": 1}
    now = {"metrics": {"deaths": 1.0000000000000002, "coverage": [0.5, 0.25]}, "days": 3}
    assert differences(golden, now) == [
        "days: only in actual", "metrics.deaths: golden 1.0, now 1.0000000000000002",
        "seed: only in golden"]
