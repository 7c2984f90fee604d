"""Every shipped scenario's summary is its golden file's, bit for bit on the machine that
wrote it and up to rounding (floats within ``golden.RTOL``) on another CPU.

A deliberate model change regenerates the files (``python -m tests.golden --update``,
or ``make golden``) in the same commit, with the reason in the commit message.
"""

import json

import pytest
from golden import differences, golden_path, rounding_only, scenario_names, summary_text, verdict


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
    if verdict(expected, actual) == "DIFFERS":
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


def test_rounding_is_accepted_and_a_model_change_is_not():
    golden = '{"metrics": {"deaths": 1000.0, "countries": 193, "name": "x"}}\n'
    assert verdict(golden, golden) == "same"
    rounded = golden.replace("1000.0", "1000.0000000000001")
    assert verdict(golden, rounded).startswith("same up to rounding")
    assert verdict(golden, golden.replace("1000.0", "1000.001")) == "DIFFERS"
    assert verdict(golden, golden.replace("193", "194")) == "DIFFERS"
    assert verdict(golden, golden.replace('"x"', '"y"')) == "DIFFERS"
    assert verdict(None, golden) == "DIFFERS"
    assert rounding_only({"a": [1.0]}, {"a": [1.0, 2.0]}) == (False, 0.0)
