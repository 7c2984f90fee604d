"""The metrics registry declares every metric a run computes, with a known unit."""

import pytest
from worlds import SCENARIOS

from sim.api import run
from sim.outcomes.formatting import UNITS as DISPLAY
from sim.outcomes.registry import (
    FAMILIES,
    UNITS,
    declared_metrics,
    describe,
    example_names,
    member_metrics,
    unit_of,
)
from sim.output.compare import KEY_METRICS
from sim.scenario import load_scenario
from sim.world.world import build_world


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "nationalism", "adaptive"])
def test_every_computed_metric_is_declared_for_its_scenario(name):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    res = run(scenario, days=60, replicates=1)
    declared = declared_metrics(scenario, build_world(scenario.model_copy(update={"days": 60})))
    computed = list(member_metrics(res).columns)
    assert set(computed) <= set(declared), set(computed) - set(declared)
    # Only mechanisms the run leaves off may leave declared names out.
    left_out = {describe(n).group for n in set(declared) - set(computed)}
    assert left_out <= {"donations", "diplomacy", "deaths", "epidemic"}, left_out


def test_baseline_run_gives_every_family():
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    res = run(scenario, days=30, replicates=1)
    groups = {describe(n).group for n in member_metrics(res).columns}
    assert groups == {f.group for f in FAMILIES}


def test_units_are_known_and_displayable():
    for family in FAMILIES:
        for _, unit, text in family.patterns:
            assert unit in UNITS and text
    # Every metric vaxsim compare shows has a unit the formatting module prints.
    for key, _ in KEY_METRICS:
        assert unit_of(key) in DISPLAY
    assert unit_of("coverage_on.2021-12-31.AFR") == "share"
    assert unit_of("time_to_target.0.LIC") == "days"


def test_unknown_names_are_refused():
    for bad in ("coverage_final.LlC", "coverage_on.2021.World", "gini", "targets.x.countries_met"):
        with pytest.raises(KeyError):
            describe(bad)
    assert "coverage_final.LIC" in example_names()
