"""Calibration: targets, parameter paths and bounds, the loss, batching, and recovery of
known parameters from targets the model itself produced."""

import numpy as np
import pandas as pd
import pytest
import yaml
from worlds import make_world, scenario

from sim import calibrate as cal
from sim.engine.build.params import build_params
from sim.engine.record import GROUP_FIELDS, GROUPS
from sim.engine.run import simulate
from sim.scenario.schema import Scenario

DAYS = 300
BASE = scenario(days=DAYS, uptake={"capacity": {
    "HIC": {"start": 0.002, "end": 0.02, "ramp_days": 60},
    "UMIC": {"start": 0.001, "end": 0.01, "ramp_days": 90}}})


def _world():
    return make_world([2e6, 5e6, 2e7, 8e6, 4e6], ["HIC", "UMIC", "LMIC", "LIC", "HIC"],
                      home_of=[0, 1, -1, -1, 0], production=[2e5, 4e5], days=DAYS)


def _targets_from_model(world, scen, dates):
    """Targets computed straight from the engine's trajectories (not via the Evaluator)."""
    traj, _ = simulate(world, build_params(world, [scen], [scen.seed]))
    pops = [world.population.sum()] + [world.population[world.group_index == g].sum()
                                       for g in range(4)]
    rows = []
    for d in dates:
        t = (d - pd.Timestamp(world.start)).days
        for gi, g in enumerate(GROUPS):
            first = traj.groups[0, t, gi, GROUP_FIELDS.index("first_dose")]
            rows.append((d, g, "coverage_first", first / pops[gi]))
        rows.append((d, "World", "doses_administered",
                     traj.groups[0, t, 0, GROUP_FIELDS.index("doses_administered")]))
    df = pd.DataFrame(rows, columns=["date", "group", "metric", "value"])
    df["weight"] = 1.0
    return df


def test_recovers_two_perturbed_parameters_from_model_targets():
    world = _world()
    truth = {"uptake.capacity.LIC.end": 0.0016, "uptake.hesitancy": 0.22}
    defaults = {p.path: p.start for p in cal.parameters(BASE, list(truth))}
    assert all(abs(defaults[k] - v) / v > 0.2 for k, v in truth.items())  # really perturbed
    dates = pd.date_range("2021-02-01", periods=9, freq="MS") + pd.Timedelta(days=14)
    targets = _targets_from_model(world, cal.with_values(BASE, truth), dates)
    fit = cal.calibrate(BASE, targets, cal.parameters(BASE, list(truth)), world=world)
    for path, value in truth.items():
        assert fit.fitted[path] == pytest.approx(value, rel=0.05), path
    assert fit.loss < fit.initial_loss and fit.loss < 1e-3
    assert fit.table["within"].all()


def test_batched_design_equals_one_run_per_candidate():
    world = _world()
    dates = pd.to_datetime(["2021-04-01", "2021-08-01"])
    targets = _targets_from_model(world, BASE, dates)
    params = cal.parameters(BASE, ["uptake.hesitancy", "uptake.delivery_lag_days"])
    assert params[1].integer
    ev = cal.Evaluator(cal.horizon(BASE, targets), world, targets, params, np.array([3]))
    u = np.array([[0.1, 0.2], [0.7, 0.2], [0.4, 0.9]])  # two delivery lags: two structures
    together = ev.batch(u)
    alone = [ev.batch(row[None])[0] for row in u]
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)
    assert ev.calls == 6


def test_loss_scales_errors_by_tolerance():
    world = _world()
    targets = pd.DataFrame({
        "date": pd.to_datetime(["2021-03-01", "2021-03-01", "2021-03-01"]),
        "group": ["HIC", "LIC", "World"], "metric": ["coverage_first"] * 2
        + ["doses_administered"], "value": [0.5, 0.1, 1e6], "weight": [1.0, 1.0, 2.0]})
    ev = cal.Evaluator(BASE, world, targets, [], np.array([1]))
    sims = np.array([[0.55, 0.1, 1.1e6]])      # +5 pp, 0 pp, +10 %
    np.testing.assert_allclose(ev.errors(sims), [[5.0, 0.0, 0.1]])
    np.testing.assert_allclose(ev.losses(sims), [(1 + 0 + 2 * 1) / 4])


def test_integer_parameters_are_rounded():
    p = cal.parameters(BASE, ["uptake.capacity.LIC.ramp_days"])[0]
    assert p.integer and p.start == 365
    assert p.value(0.5013) == round(14 + 0.5013 * (540 - 14))
    assert cal.with_values(BASE, {p.path: int(p.value(0.3))}).uptake.capacity["LIC"] \
        .ramp_days == p.value(0.3)


@pytest.mark.parametrize("path, message", [
    ("uptake.capacty.LIC.end", "did you mean 'capacity'"),
    ("uptake.capacity.LICC.end", "did you mean 'LIC'"),
    ("procurement.groups.HIC.multiplee", "did you mean 'multiple'"),
    ("days", "not a parameter that can be fitted"),
    ("countries.overrides.USA.population", "not a parameter that can be fitted"),
    ("export.default.policy", "not a number"),
    ("market.clearing_days", "no default bounds"),
    ("uptake..end", "expected a dotted key"),
])
def test_bad_parameter_paths(path, message):
    with pytest.raises(cal.CalibrationError, match=message):
        cal.parameters(BASE, [path])


@pytest.mark.parametrize("bounds, message", [
    ("uptake.hesitancy=0.5:0.1", "need lo < hi"),
    ("uptake.hesitancy=a:b", "must be numbers"),
    ("uptake.hesitancy", "expected key=lo:hi"),
    ("uptake.hesitancy=0:0.5,uptake.hesitancyy=0:1", "not one of the --params"),
    ("uptake.hesitancy=0.1:1.5", "less than or equal to 1"),
])
def test_bad_bounds(bounds, message):
    with pytest.raises(cal.CalibrationError, match=message):
        cal.parameters(BASE, ["uptake.hesitancy"], cal.parse_bounds(bounds))


def test_given_bounds_override_defaults_and_unset_fields_can_be_fitted():
    ps = cal.parameters(BASE, ["uptake.hesitancy", "uptake.hesitancy_groups.LIC"],
                        cal.parse_bounds(["uptake.hesitancy=0.05:0.4"]))
    assert (ps[0].lo, ps[0].hi, ps[0].start) == (0.05, 0.4, 0.15)
    assert ps[1].start is None and (ps[1].lo, ps[1].hi) == (0.0, 0.8)


def test_bad_targets(tmp_path):
    f = tmp_path / "t.csv"
    cases = [
        ("date,group,metric,value\n2021-05-01,HICC,coverage_first,0.5\n", "did you mean 'HIC'"),
        ("date,group,metric,value\n2021-05-01,HIC,coverage,0.5\n", "unknown metric"),
        ("date,group,metric,value\n2021-05-01,HIC,coverage_first,50\n", "in \\[0, 1\\]"),
        ("date,group,metric,value\n2021-05-01,LIC,doses_administered,5\n", "World target"),
        ("date,group,value\n2021-05-01,HIC,0.5\n", "missing column"),
    ]
    for text, message in cases:
        f.write_text(text)
        with pytest.raises(cal.CalibrationError, match=message):
            cal.load_targets(f)
    with pytest.raises(cal.CalibrationError, match="no such targets file"):
        cal.load_targets(tmp_path / "missing.csv")


def test_targets_outside_the_scenario_are_refused():
    t = pd.DataFrame({"date": pd.to_datetime(["2023-01-01"]), "group": ["HIC"],
                      "metric": ["coverage_first"], "value": [0.5], "weight": [1.0]})
    with pytest.raises(cal.CalibrationError, match="outside the scenario"):
        cal.horizon(BASE, t)


def test_fitted_yaml_extends_the_input_and_sets_only_fitted_keys():
    world = _world()
    targets = _targets_from_model(world, BASE, pd.to_datetime(["2021-06-01"]))
    fit = cal.calibrate(BASE, targets, cal.parameters(BASE, ["uptake.hesitancy"]),
                        world=world, design=4, maxfev=20)
    text = cal.fitted_yaml(fit, "../scenarios/x.yaml", "x_calibrated",
                           extra={"days": 120})
    assert text.startswith("# Fitted by `vaxsim calibrate`")
    doc = yaml.safe_load(text)
    assert doc == {"extends": "../scenarios/x.yaml", "name": "x_calibrated", "days": 120,
                   "uptake": {"hesitancy": pytest.approx(fit.values[0])}}
    assert fit.trajectories["group"].nunique() == 5
    assert len(fit.table) == 6 and set(fit.table["error_unit"]) == {"pp", "rel"}
    lines = cal.format_fit(fit)
    assert lines[1].startswith("uptake.hesitancy") and any("loss" in s for s in lines)


def test_fitted_key_inside_a_required_entry_writes_the_whole_entry():
    world = _world()
    targets = _targets_from_model(world, BASE, pd.to_datetime(["2021-06-01"]))
    params = cal.parameters(BASE, ["uptake.capacity.LIC.end", "procurement.groups.HIC.multiple"])
    fit = cal.calibrate(BASE, targets, params, world=world, design=4, maxfev=10)
    doc = yaml.safe_load(cal.fitted_yaml(fit, "base.yaml", "b"))
    lic = doc["uptake"]["capacity"]["LIC"]
    assert set(lic) == {"start", "end", "ramp_days"}             # Capacity needs them all
    assert lic["end"] == pytest.approx(fit.fitted["uptake.capacity.LIC.end"])
    assert doc["procurement"] == {"groups": {"HIC": {"multiple": pytest.approx(
        fit.fitted["procurement.groups.HIC.multiple"])}}}      # optional fields: key alone
    merged = Scenario.model_validate({"name": "b", **{k: v for k, v in doc.items()
                                                         if k not in ("extends", "name")}})
    assert merged.uptake.capacity["LIC"].end == lic["end"]
