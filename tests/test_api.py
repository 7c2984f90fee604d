"""End to end on the shipped world: `vaxsim run`, the results folder, policy effects."""

import json

import numpy as np
import pandas as pd
import pytest
from worlds import SCENARIOS

from sim import load_scenario, run
from sim.cli.main import main
from sim.outcomes.coverage import coverage_at, ledger_residual
from sim.outcomes.results import producer_totals
from sim.output.folder import load_tables

BASELINE = SCENARIOS / "baseline.yaml"
END_2021 = "2021-12-31"


@pytest.fixture(scope="module")
def baseline_2021():
    return run(load_scenario(BASELINE, ["days=365"]))


def test_cli_run_writes_the_results_folder(tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["run", str(BASELINE), "-o", str(out), "--set", "days=120",
                 "--replicates", "3", "--set", "production.noise_sd=0.2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "coverage ≥1 dose, World" in printed and str(out) in printed
    for name in ("scenario.yaml", "summary.json", "ledger.parquet", "groups.parquet",
                 "countries.parquet", "producers.parquet"):
        assert (out / name).is_file(), name
    pngs = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert {"coverage_by_group.png", "doses_per_100.png", "dose_ledger.png"} <= set(pngs)
    summary = json.loads((out / "summary.json").read_text())
    assert {"scenario", "seed", "replicates", "start", "days", "metrics"} <= set(summary)
    assert summary["replicates"] == 3 and summary["days"] == 120
    m = summary["metrics"]
    assert set(m["coverage_final"]) == {"World", "HIC", "UMIC", "LMIC", "LIC"}
    for key in ("doses_produced", "doses_administered", "doses_expired", "doses_in_stock_end"):
        assert m[key] >= 0
    q = summary["quantiles"]["coverage_final"]["World"]
    assert q["p05"] <= m["coverage_final"]["World"] <= q["p95"]
    tables = load_tables(out)
    groups = tables["groups"]
    assert list(groups.columns[:9]) == ["member", "date", "group", "population", "first_dose",
                                        "completed", "doses_administered", "coverage_first",
                                        "coverage_completed"]
    assert len(groups) == 3 * 120 * 5
    assert set(tables["ledger"].columns) >= {"produced_cum", "administered_cum", "expired_cum",
                                             "stock_countries", "stock_pool", "in_transit"}
    # The resolved scenario re-runs as it is and gives the same numbers, also with its
    # replicates shared out among two processes.
    again = tmp_path / "again"
    assert main(["run", str(out / "scenario.yaml"), "-o", str(again), "--replicates", "3",
                 "--no-plots", "--workers", "2"]) == 0
    pd.testing.assert_frame_equal(groups, load_tables(again)["groups"])


@pytest.mark.parametrize("command", ["run", "compare", "calibrate"])
def test_fewer_than_one_worker_is_bad_input_and_writes_nothing(tmp_path, capsys, command):
    out = tmp_path / "res"
    assert main([command, str(BASELINE), "-o", str(out), "--workers", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "vaxsim: error: --workers must be at least 1" and not out.exists()


def test_a_run_without_production_writes_every_file(tmp_path):
    # every dose-ledger layer is empty: the plot once raised, and the run exited 1
    out = tmp_path / "none"
    assert main(["run", str(BASELINE), "-o", str(out), "-q", "--set", "days=20",
                 "--set", "production.multiplier=0"]) == 0
    assert (out / "report.html").is_file() and (out / "plots" / "dose_ledger.png").is_file()


def test_bad_scenario_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(BASELINE) + "\nuptake: {hesitancy: 7}\n")
    out = tmp_path / "out"
    assert main(["run", str(bad), "-o", str(out)]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.count("\n") == 1


def test_baseline_is_plausible_and_conserves_doses(baseline_2021):
    res = baseline_2021
    assert ledger_residual(res.ledger).max() < 1e-9
    cov = coverage_at(res.groups, END_2021).iloc[0]
    # The observed order at the end of 2021 (sim/data/observed.csv, OWID): UMIC 75.8% and
    # HIC 74.5% first-dose coverage, then LMIC 46%, LIC 8%: rich and upper-middle close.
    assert min(cov["HIC"], cov["UMIC"]) > cov["LMIC"] > cov["LIC"]
    assert abs(cov["HIC"] - cov["UMIC"]) < 0.05
    assert cov["LIC"] < 0.25 and cov["HIC"] > 0.5
    assert (res.groups["coverage_first"] <= 1).all()
    produced = res.ledger["produced_cum"].iloc[-1]
    assert 9e9 < produced < 13e9  # the shipped 2021 schedule, about 11 billion doses


def test_hoarding_favours_rich_and_costs_poor(baseline_2021):
    """Hoarding = HIC order several courses per inhabitant (the baseline). Against HIC
    ordering what their willing population needs, all served pro rata to their orders in
    one tier, HIC are covered sooner and lower-middle-income countries later."""
    need = run(load_scenario(BASELINE, [
        "days=365", "procurement.groups.HIC.strategy=need"]))
    for date in ("2021-06-30", "2021-09-30"):
        hoard = coverage_at(baseline_2021.groups, date).iloc[0]
        fair = coverage_at(need.groups, date).iloc[0]
        assert hoard["HIC"] > fair["HIC"] + 0.01, date
        assert hoard["LMIC"] < fair["LMIC"], date


def test_export_ban_lowers_the_banned_producers_exports(baseline_2021):
    ban = run(load_scenario(BASELINE, [
        "days=365", "export.producers.IND={policy: ban, start: 2021-04-01, end: 2021-10-31}"]))
    open_ = run(load_scenario(BASELINE, ["days=365", "export.producers.IND={policy: open}"]))
    exported = {name: producer_totals(r.producers).loc["IND", "exported"]
                for name, r in (("open", open_), ("ban", ban))}
    assert exported["ban"] < 0.7 * exported["open"]
    # Exports during the ban window are exactly zero.
    i = list(ban.world.producers).index("IND")
    cum = ban.trajectories.exported_cum[0, :, i]
    days = (pd.Timestamp("2021-04-01") - pd.Timestamp("2021-01-01")).days
    assert np.all(np.diff(cum[days:days + 200]) == 0)


def _coverage_of(res, homes: bool) -> float:
    """Share with ≥1 dose at the last day, over producers' home countries or the rest."""
    last = res.countries[res.countries["date"] == res.countries["date"].max()]
    home = np.isin(last["iso3"], res.world.iso3[res.world.home_of >= 0])
    rows = last[home if homes else ~home]
    return rows["first_dose"].sum() / rows["population"].sum()


def test_nationalism_serves_producers_homes_at_the_cost_of_the_rest():
    # Without production noise: one replicate's draw moves the rest's coverage by about
    # a point, the size of the margin; this checks the policy, not a draw.
    quiet = ["days=365", "production.noise_sd=0"]
    nat = run(load_scenario(SCENARIOS / "nationalism.yaml", quiet))
    base = run(load_scenario(BASELINE, quiet))
    assert _coverage_of(nat, homes=True) > _coverage_of(base, homes=True)
    # Nationalism costs the rest about a tenth of its coverage (0.900 of the baseline's
    # with the 2021 refit of the epidemic, 0.8999 before it): 0.92 checks that, not the
    # third decimal.
    assert _coverage_of(nat, homes=False) < 0.92 * _coverage_of(base, homes=False)


def test_results_folder_has_the_usual_mode(tmp_path):
    import os
    import stat

    from sim.output.folder import staging_dir

    mask = os.umask(0o022)
    try:
        folder = staging_dir(tmp_path / "out")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # not mkdtemp's owner-only 0700


def test_a_deterministic_scenario_asked_for_replicates_says_so_once(tmp_path, capsys):
    from sim.api import deterministic_note, randomness

    base = load_scenario(BASELINE)
    assert randomness(base) == ["production noise (sigma 0.095)", "willingness (±0.039)"]
    flat = load_scenario(BASELINE, ["production.noise_sd=0", "uptake.willingness_spread=0"])
    assert deterministic_note(flat, 1) is None and deterministic_note(base, 5) is None
    assert main(["run", str(BASELINE), "-o", str(tmp_path / "r"), "--no-plots",
                 "--replicates", "3", "--set", "days=30",
                 "--set", "production.noise_sd=0",
                 "--set", "uptake.willingness_spread=0"]) == 0
    err = capsys.readouterr().err
    assert err.count("is deterministic") == 1 and "3 replicates are identical" in err
    # The baseline's replicates differ: its bands are real.
    res = run(load_scenario(BASELINE, ["days=120"]), replicates=3)
    doses = res.groups[(res.groups["group"] == "World")
                       & (res.groups["date"] == res.groups["date"].max())]
    assert doses["doses_administered"].nunique() == 3
