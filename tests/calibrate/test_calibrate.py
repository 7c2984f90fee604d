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


# ------------------------------------------------------------------ death targets
def _death_targets_from_model(world, scen, date, spread=0.1):
    """Deaths by income group on ``date`` straight from the engine, with a ±``spread``
    range (not via the Evaluator)."""
    traj, _ = simulate(world, build_params(world, [scen], [scen.seed]))
    t = (pd.Timestamp(date) - pd.Timestamp(world.start)).days
    rows = [(pd.Timestamp(date), g, "deaths", traj.epi_groups[0, t, gi, 2])
            for gi, g in enumerate(GROUPS) if g != "World"]
    df = pd.DataFrame(rows, columns=["date", "group", "metric", "value"])
    return df.assign(weight=1.0, low=df["value"] * (1 - spread),
                     high=df["value"] * (1 + spread))


def test_shipped_death_targets_are_2021_excess_deaths_by_group():
    t = cal.load_targets(cal.OBSERVED_DEATHS)
    assert set(t["metric"]) == {"deaths"} and set(t["group"]) == {"HIC", "UMIC", "LMIC", "LIC"}
    assert (t["date"] <= pd.Timestamp("2021-12-31")).all()  # nothing after 2021
    year = t[t["date"] == pd.Timestamp("2021-12-31")]
    half = t[t["date"] == pd.Timestamp("2021-06-28")].set_index("group")["value"]
    assert len(year) == len(half) == 4
    assert year["value"].sum() == pytest.approx(12.48e6, rel=0.002)
    assert (half < year.set_index("group")["value"]).all()
    assert ((t["low"] <= t["value"]) & (t["value"] <= t["high"])).all()
    both = cal.load_targets([cal.OBSERVED, cal.OBSERVED_DEATHS])
    assert len(both) == len(t) + len(cal.load_targets())
    assert both["low"].notna().sum() == len(t)


def test_death_targets_are_met_inside_their_95_percent_range():
    world = _world()
    targets = pd.DataFrame({
        "date": pd.to_datetime(["2021-06-01"] * 2), "group": ["HIC", "LIC"],
        "metric": ["deaths"] * 2, "value": [1000.0, 500.0], "low": [900.0, 100.0],
        "high": [1200.0, 600.0], "weight": [1.0, 1.0]})
    ev = cal.Evaluator(BASE, world, targets, [], np.array([1]))
    sims = np.array([[1200.0, 100.0], [1100.0, 300.0], [1300.0, 50.0]])
    np.testing.assert_allclose(ev.scaled(sims), [[1.0, -1.0], [0.5, -0.5], [1.5, -1.125]])
    np.testing.assert_allclose(ev.losses(sims)[:2], [1.0, 0.25])
    table = cal.fit_table(ev, sims[1])
    assert table["within"].all() and list(table["low"]) == [900.0, 100.0]
    assert not cal.fit_table(ev, sims[2])["within"].any()


def test_bad_death_ranges_are_refused(tmp_path):
    f = tmp_path / "t.csv"
    for text in ("date,group,metric,value,low,high\n2021-05-01,HIC,deaths,100,120,150\n",
                 "date,group,metric,value,low,high\n2021-05-01,HIC,deaths,100,90,\n",
                 "date,group,metric,value\n2021-05-01,HIC,deaths,0\n"):
        f.write_text(text)
        with pytest.raises(cal.CalibrationError, match="low, high|must be positive"):
            cal.load_targets(f)


def test_recovers_fatality_and_a_dated_contact_level_from_model_deaths():
    """Death targets fit the epidemic: the fatality multiplier and the second step of the
    contact schedule (a list item, addressed by its index) come back from deaths that the
    model itself produced."""
    world = _world()
    base = cal.with_values(BASE, {"epidemic.contacts.default": [
        {"start": "2021-01-01", "multiplier": 0.45}, {"start": "2021-04-01", "multiplier": 0.45}]})
    paths = ["epidemic.ifr_multiplier", "epidemic.contacts.default.1.multiplier"]
    truth = {paths[0]: 1.6, paths[1]: 0.6}
    targets = pd.concat([_death_targets_from_model(world, cal.with_values(base, truth), d)
                         for d in ("2021-05-01", "2021-09-01")], ignore_index=True)
    params = cal.parameters(base, paths, cal.parse_bounds(f"{paths[0]}=0.5:3"))
    assert params[1].start == 0.45 and (params[1].lo, params[1].hi) == (0.1, 1.5)
    fit = cal.calibrate(base, targets, params, world=world)
    for path, value in truth.items():
        assert fit.fitted[path] == pytest.approx(value, rel=0.03), path
    assert fit.table["within"].all() and fit.loss < 1e-3
    assert fit.trajectories["deaths"].notna().all()
    steps = fit.scenario.epidemic.contacts.default
    assert steps[0].multiplier == 0.45 and steps[1].multiplier == pytest.approx(0.6, rel=0.03)
    written = yaml.safe_load(cal.fitted_yaml(fit, "base.yaml", "fitted"))
    assert [s["multiplier"] for s in written["epidemic"]["contacts"]["default"]] == [
        0.45, pytest.approx(0.6, rel=0.03)]  # the whole list, since an override replaces it


def test_list_items_in_paths_are_checked_and_written_whole():
    base = cal.with_values(BASE, {"epidemic.contacts.default": [
        {"start": "2021-01-01", "multiplier": 0.45}]})
    with pytest.raises(cal.CalibrationError, match="has 1 item"):
        cal.parameters(base, ["epidemic.contacts.default.3.multiplier"])
    with pytest.raises(cal.CalibrationError, match="did you mean 'multiplier'"):
        cal.parameters(base, ["epidemic.contacts.default.0.multiplyer"])
    assert cal.entry_prefix("epidemic.contacts.default.0.multiplier".split(".")) == 3
    targets = pd.DataFrame({"date": pd.to_datetime(["2021-03-01"]), "group": ["HIC"],
                            "metric": ["deaths"], "value": [10.0], "weight": [1.0]})
    off = cal.with_values(base, {"epidemic.enabled": False})
    with pytest.raises(cal.CalibrationError, match="need the epidemic"):
        cal.calibrate(off, targets, cal.parameters(off, ["epidemic.ifr_multiplier"]),
                      world=_world())


def test_batched_search_recovers_parameters_in_few_batches():
    world = _world()
    truth = {"uptake.capacity.LIC.end": 0.0016, "uptake.hesitancy": 0.22}
    dates = pd.date_range("2021-02-01", periods=9, freq="MS") + pd.Timedelta(days=14)
    targets = _targets_from_model(world, cal.with_values(BASE, truth), dates)
    fit = cal.calibrate(BASE, targets, cal.parameters(BASE, list(truth)), world=world,
                        method="search", design=32, maxfev=256)
    for path, value in truth.items():
        assert fit.fitted[path] == pytest.approx(value, rel=0.05), path
    assert fit.loss < fit.initial_loss and fit.table["within"].all()
    assert fit.runs == 1 + 32 + 256 + 1


def test_rescaling_severity_meets_each_groups_deaths():
    """Deaths are proportional to severity: one rescale brings each group's factor back to
    the value that produced the targets."""
    world = _world()
    truth = cal.with_values(BASE, {"epidemic.ifr_multiplier_groups": {
        g: 1.0 for g in ("HIC", "UMIC", "LMIC", "LIC")}})
    targets = _death_targets_from_model(world, truth, "2021-08-01")
    off = cal.with_values(BASE, {"epidemic.ifr_multiplier_groups": {
        "HIC": 2.0, "UMIC": 0.5, "LMIC": 1.7, "LIC": 0.6}})
    scenario, fit = cal.rescale_severity(off, targets, world=world)
    for g, factor in scenario.epidemic.ifr_multiplier_groups.items():
        assert factor == pytest.approx(1.0, rel=0.01), g
    assert fit.table["within"].all() and fit.loss < 1e-3
    with pytest.raises(cal.CalibrationError, match="needs death targets"):
        cal.rescale_severity(off, targets.assign(metric="coverage_first", value=0.1),
                             world=world)


def test_fit_is_the_same_in_one_batch_in_chunks_and_on_worker_processes(monkeypatch):
    """Candidates run in one batch, in chunks of the cache's size, or in chunks shared out
    among two worker processes: the same fit, bit for bit (deaths included)."""
    import sim.engine.ensemble as ensemble

    world = _world()
    base = cal.with_values(BASE, {"epidemic.contacts.default": [
        {"start": "2021-01-01", "multiplier": 0.45}]})
    paths = ["epidemic.ifr_multiplier", "uptake.hesitancy"]
    targets = _death_targets_from_model(
        world, cal.with_values(base, {paths[0]: 1.6, paths[1]: 0.22}), "2021-09-01")
    sizes: list[int] = []
    cut = ensemble.chunks
    monkeypatch.setattr(ensemble, "chunks", lambda members, size: sizes.append(
        len(cut(members, size))) or cut(members, size))

    def fit(workers: int):
        sizes.clear()
        f = cal.calibrate(base, targets, cal.parameters(base, paths), world=world,
                          method="search", design=12, maxfev=32, workers=workers)
        return f, list(sizes)

    monkeypatch.setattr(ensemble, "CACHE_BYTES", 2**40)
    one, one_sizes = fit(1)
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 1)          # chunks of 8 members
    chunked, chunked_sizes = fit(1)
    parallel, parallel_sizes = fit(2)
    assert one_sizes[0] == 1 and chunked_sizes[0] == 2 and parallel_sizes[0] == 2
    assert max(parallel_sizes[1:-1]) == 2                      # rounds of 4 shared out too
    assert one.runs == chunked.runs == parallel.runs == 1 + 12 + 32 + 1
    for other in (chunked, parallel):
        assert np.array_equal(other.values, one.values) and other.loss == one.loss
        pd.testing.assert_frame_equal(other.table, one.table)
        pd.testing.assert_frame_equal(other.trajectories, one.trajectories)
