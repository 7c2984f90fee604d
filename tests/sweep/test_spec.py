"""Sweep files are checked like scenarios: one line with file, line, key path, suggestion."""

import textwrap

import pytest

from sim.scenario import ScenarioError
from sim.scenario.paths import check_path, is_integer, with_values
from sim.sweep.files import load_sweep
from sim.sweep.samplers import point_count
from sim.sweep.spec import point_scenario

GOOD = """\
name: s
base: base.yaml
overrides: {days: 30}
parameters:
  procurement.groups.HIC.multiple: {values: [1, 2]}
  uptake.hesitancy: {low: 0.1, high: 0.3, steps: 3}
method: grid
metrics: [coverage_final.LIC]
"""


def write(tmp_path, text, base="name: base\ndays: 60\n"):
    (tmp_path / "base.yaml").write_text(base)
    f = tmp_path / "sweep.yaml"
    f.write_text(textwrap.dedent(text))
    return f


@pytest.mark.parametrize("edit,message", [
    (("method: grid", "methd: grid"), r"sweep.yaml:7: methd: unknown key 'methd' \(did you mean "
                                      r"'method'\?\)"),
    (("procurement.groups.HIC.multiple", "procurement.grups.HIC.multiple"),
     r"sweep.yaml:5: parameters.procurement.grups.HIC.multiple: no scenario field 'grups' at "
     r"procurement \(did you mean 'groups'\?\)"),
    (("procurement.groups.HIC.multiple", "days"), r"sweep.yaml:5: parameters.days: 'days' "
                                                  r"cannot be swept"),
    (("procurement.groups.HIC.multiple", "procurement.groups"), r"not a number or choice"),
    (("[coverage_final.LIC]", "[coverage_final.LlC]"),
     r"sweep.yaml:8: metrics\[0\]: unknown metric 'coverage_final.LlC' \(did you mean "
     r"'coverage_final.LIC'\?\)"),
    (("steps: 3", "stepz: 3"), r"sweep.yaml:6: parameters.uptake.hesitancy.stepz: unknown key "
                               r"'stepz' \(did you mean 'steps'\?\)"),
    (("low: 0.1, high: 0.3, steps: 3", "low: 0.4, high: 0.3, steps: 3"),
     r"sweep.yaml:6: parameters.uptake.hesitancy: low must be below high"),
    ((", steps: 3", ""), r"a range in a grid needs steps"),
    (("method: grid", "method: sobol\nsamples: 10"), r"power of 2"),
    (("base: base.yaml", "base: nope.yaml"), r"sweep.yaml:2: base: no such file"),
])
def test_bad_sweep_files_give_one_line(tmp_path, edit, message):
    refused_in_one_line(write(tmp_path, GOOD.replace(*edit)), message)


def refused_in_one_line(f, message):
    with pytest.raises(ScenarioError, match=message) as err:
        load_sweep(f)
    assert "\n" not in str(err.value)


def test_paths_are_checked_against_the_schema():
    assert check_path("uptake.capacity.LIC.end", "swept") is None
    assert "did you mean 'LIC'" in check_path("uptake.capacity.LlC.end")
    assert check_path("export.producers.IND.policy") is None
    assert is_integer("procurement.groups.HIC.priority")
    assert not is_integer("procurement.groups.HIC.multiple")


def test_point_scenario_sets_dotted_paths_without_touching_the_base():
    base = {"name": "b", "procurement": {"groups": {"HIC": {"priority": 0}}}}
    s = point_scenario(base, {"procurement.groups.HIC.multiple": 3.0,
                              "uptake.hesitancy": 0.2})
    assert s.procurement.groups["HIC"].multiple == 3.0
    assert s.procurement.groups["HIC"].priority == 0
    assert s.uptake.hesitancy == 0.2
    assert base == {"name": "b", "procurement": {"groups": {"HIC": {"priority": 0}}}}
    assert with_values(base, {})["procurement"] is not base["procurement"]


def test_an_invalid_point_is_an_error():
    with pytest.raises(ScenarioError, match="uptake.hesitancy"):
        point_scenario({"name": "b"}, {"uptake.hesitancy": 1.5})


needs_data = pytest.mark.skipif(
    not (__import__("sim.data", fromlist=["DATA_DIR"]).DATA_DIR / "countries.csv").exists(),
    reason="needs the shipped country data (sim/data/countries.csv)")


@needs_data
def test_good_sweep_loads_with_base_inlined(tmp_path):
    spec = load_sweep(write(tmp_path, GOOD))
    assert spec.base["days"] == 30 and spec.base["name"] == "base"
    assert spec.overrides == {} and point_count(spec) == 6


@needs_data
@pytest.mark.parametrize("path", ["hoarding_vs_pooling.yaml", "sensitivity.yaml"])
def test_shipped_sweeps_load(path):
    from worlds import SCENARIOS

    spec = load_sweep(SCENARIOS / "sweeps" / path)
    assert point_count(spec) >= 4


def test_a_huge_grid_is_refused_before_sampling():
    """3 parameters x 1,000 levels is 10^9 points: refused at once with the count."""
    import time

    from sim.scenario.loader import ScenarioError
    from sim.sweep.runner import plan_sweep
    from sim.sweep.spec import SweepSpec

    spec = SweepSpec.model_validate({
        "name": "huge", "base": {"name": "b", "days": 30}, "method": "grid",
        "parameters": {"uptake.hesitancy": {"low": 0, "high": 1, "steps": 1000},
                       "production.multiplier": {"low": 0.5, "high": 2, "steps": 1000},
                       "production.noise_sd": {"low": 0, "high": 1, "steps": 1000}}})
    t0 = time.process_time()
    with pytest.raises(ScenarioError, match=r"1,000,000,000 points .* more than the"):
        plan_sweep(spec)
    assert time.process_time() - t0 < 1.0


@pytest.mark.parametrize("seed", [-1, 2**63, 2**64])
def test_sweep_seed_out_of_int64_is_refused(seed):
    from sim.sweep.spec import SweepSpec

    with pytest.raises(ValueError, match="seed"):
        SweepSpec.model_validate({"name": "s", "base": {"name": "b"}, "seed": seed,
                                  "parameters": {"uptake.hesitancy": {"values": [0.1]}}})


CONTRAST = GOOD + """\
contrast:
  parameter: procurement.groups.HIC.multiple
  control: 1
  treatment: 2
"""


@pytest.mark.parametrize("edit,message", [
    (("parameter: procurement.groups.HIC.multiple", "parameter: procurement.groups.HIC.multipl"),
     r"sweep.yaml:10: contrast.parameter: 'procurement.groups.HIC.multipl' is not a swept "
     r"parameter \(did you mean 'procurement.groups.HIC.multiple'\?\)"),
    (("parameter: procurement.groups.HIC.multiple", "parameter: uptake.hesitancy"),
     r"sweep.yaml:10: contrast.parameter: 'uptake.hesitancy' is a range"),
    (("treatment: 2", "treatment: 3"),
     r"sweep.yaml:12: contrast.treatment: 3 is not one of procurement.groups.HIC.multiple's "
     r"values \[1, 2\]"),
    (("treatment: 2", "treatment: 1"), r"contrast.treatment: the two arms are the same value"),
    (("treatment: 2", "treatment: true"), r"contrast.treatment: True is not one of"),
    (("treatment: 2", "treatment: 2\n  metrics: [coverage_final.HIC]"),
     r"sweep.yaml:13: contrast.metrics\[0\]: 'coverage_final.HIC' is not a metric of the "
     r"sweep \(did you mean 'coverage_final.LIC'\?\)"),
    (("treatment: 2", "treatment: 2\n  levle: 0.9"),
     r"sweep.yaml:13: contrast.levle: unknown key 'levle' \(did you mean 'level'\?\)"),
    (("treatment: 2", "treatment: 2\n  level: 1.5"), r"contrast.level"),
    (("method: grid", "method: sobol\nsamples: 8"),
     r"sweep.yaml:10: contrast: .* Saltelli's matrices vary every parameter: use method: "
     r"grid, or lhs or random"),
    (("  uptake.hesitancy: {low: 0.1, high: 0.3, steps: 3}\nmethod: grid", "method: lhs"),
     r"sweep.yaml:9: contrast.parameter: 'procurement.groups.HIC.multiple' is the only "
     r"parameter: a lhs sweep with a contrast samples the other parameters"),
])
def test_bad_contrasts_give_one_line(tmp_path, edit, message):
    refused_in_one_line(write(tmp_path, CONTRAST.replace(*edit)), message)


def test_a_contrast_between_listed_values_loads(tmp_path):
    spec = load_sweep(write(tmp_path, CONTRAST.replace("control: 1", "control: 1.0")))
    assert spec.contrast is not None and spec.contrast.control == 1.0
    assert spec.contrast_metrics == ["coverage_final.LIC"]      # default: the sweep's metrics


@pytest.mark.parametrize("method", ["lhs", "random"])
def test_a_sampled_contrast_loads_and_crosses_its_arms_with_the_sample(tmp_path, method):
    """The arm parameter is not sampled: each of the samples runs in both of its values."""
    text = CONTRAST.replace("method: grid", f"method: {method}\nsamples: 5")
    spec = load_sweep(write(tmp_path, text.replace(", steps: 3", "")))
    assert spec.crossed == "procurement.groups.HIC.multiple"
    assert point_count(spec) == 5 * 2
    grid = load_sweep(write(tmp_path, CONTRAST))
    assert grid.crossed is None and point_count(grid) == 2 * 3
