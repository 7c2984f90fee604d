"""scenarios/baseline.yaml is the world of 2021: it meets the calibration targets and the
history checks (needs shipped data). The observed figures come from sim/data/observed.csv
and sim/data/history.csv (sources in SOURCES.md)."""

import numpy as np
import pandas as pd
import pytest
from worlds import SCENARIOS

from sim import calibrate as cal
from sim import run
from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.outcomes.coverage import ledger_residual
from sim.outcomes.history import (
    coverage_observed,
    deaths_observed,
    history_rows,
    history_table,
    observations,
)
from sim.outcomes.results import producer_totals
from sim.scenario import load_scenario
from sim.world.world import build_world

BASELINE = SCENARIOS / "baseline.yaml"


@pytest.fixture(scope="module")
def fit_table():
    scen = load_scenario(BASELINE)
    targets = cal.load_targets()
    short = cal.horizon(scen, targets)
    world = build_world(short)
    ev = cal.Evaluator(short, world, targets, [],
                       replicate_seeds(scen.seed, scen.replicates))
    sims, _ = ev.simulated(np.zeros((1, 0)))
    return cal.fit_table(ev, sims[0])


def test_every_2021_target_is_met_within_tolerance(fit_table):
    cov = fit_table[fit_table["metric"] == "coverage_first"]
    doses = fit_table[fit_table["metric"] == "doses_administered"]
    bad_cov = cov[np.abs(cov["error"]) > 5.0]
    bad_doses = doses[np.abs(doses["error"]) > 0.10]
    assert bad_cov.empty, bad_cov[["target", "observed", "simulated", "error"]]
    assert bad_doses.empty, bad_doses[["target", "observed", "simulated", "error"]]
    assert len(fit_table) == len(cal.load_targets())


def test_baseline_has_the_indian_halt_and_its_slow_resumption():
    scen = load_scenario(BASELINE)
    ban = scen.export.producers["IND"]
    assert ban.policy == "ban" and ban.resume_days > 0
    assert str(ban.start).startswith("2021-0") and str(ban.end).startswith("2021-")
    assert scen.start.year == 2021 and scen.production.noise_sd > 0


def test_evaluator_with_no_parameters_runs_the_scenario_as_it_is():
    # The same numbers as a plain engine run of the scenario, cut at the last target.
    scen = load_scenario(BASELINE, ["countries.include=[HIC]", "days=120"])
    world = build_world(scen)
    traj, _ = simulate(world, build_params(world, [scen], [scen.seed]))
    targets = cal.load_targets()
    targets = targets[targets["date"] <= "2021-04-30"]
    ev = cal.Evaluator(scen, world, targets, [], np.array([scen.seed]))
    sims, groups = ev.simulated(np.zeros((1, 0)))
    np.testing.assert_allclose(groups[0], traj.groups[0])


@pytest.fixture(scope="module")
def year_2021():
    return run(load_scenario(BASELINE, ["days=365"]))


def _check(res, series, group, date):
    table = history_table(res)
    row = table[(table["series"] == series) & (table["group"] == group)
                & (table["date"] == pd.Timestamp(date).date())]
    assert len(row) == 1, f"{series} {group} {date} missing from the history check"
    return row.iloc[0]


@pytest.mark.parametrize(("series", "group", "date"), [
    ("covax_delivered", "COVAX", "2021-06-30"),
    ("covax_delivered", "COVAX", "2021-11-15"),
    ("india_exported", "IND", "2021-12-31"),
    # Vietnam's receipts by the health ministry's dated totals (the "50 M by 20 September"
    # of earlier data contradicted them: SOURCES.md, History check, VN-MOH).
    # A known miss since one-dose products count once (model -28%; SOURCES.md, "Known
    # misses"): strict, so it shows when a change brings it back within a quarter.
    pytest.param("received", "VNM", "2021-08-02", marks=pytest.mark.xfail(
        strict=True, reason="high-income dose sharing is too small before August 2021")),
    ("received", "VNM", "2021-09-02"),
    ("received", "VNM", "2021-09-15"),
    ("received", "VNM", "2021-12-10"),
])
def test_history_checks_within_a_quarter_of_the_cited_figure(year_2021, series, group, date):
    # Checks, not targets: none of these figures is fitted (SOURCES.md, "History check").
    row = _check(year_2021, series, group, date)
    assert abs(row["error"]) <= 0.25, (
        f"{series} {group} {date}: model {row['model'] / 1e6:.1f} M vs observed "
        f"{row['observed'] / 1e6:.1f} M ({row['source']})")


@pytest.mark.parametrize("product", ["Sinovac CoronaVac", "Sinopharm BBIBP",
                                     "Pfizer-BioNTech Comirnaty",
                                     "Oxford-AstraZeneca ChAdOx1"])
def test_2021_product_mix_within_5_points_of_unicef(year_2021, product):
    # UNICEF's 2021 review (SOURCES.md, UNICEF22): shares of about 11 bn doses. 5 pp:
    # UNICEF's shares are rounded, its 11 bn and the model's supply (WTO-IMF/Airfinity
    # counts, China approx. 5.0 bn against UNICEF's 4.4 bn of Sinovac and Sinopharm) differ
    # by more than 10%, which moves a 20% share by 2-3 pp.
    row = _check(year_2021, "product_share", product, "2021-12-31")
    assert abs(row["error"]) <= 5.0, (product, row["model"], row["observed"])


@pytest.fixture(scope="module")
def years_2021_22():
    return run(load_scenario(BASELINE))


#: Out of sample: 2022 is not a calibration target. The 2021 targets' tolerance (5 pp) plus
#: a point for the revised OWID file's regrouping of countries (SOURCES.md, OWID-REV).
COVERAGE_2022_PP = 6.0


@pytest.mark.parametrize("date", ["2022-06-30", "2022-12-31"])
@pytest.mark.parametrize("group", [
    "HIC", "UMIC", "LIC",
    # Known misses, strict so that a change which brings them back within reach shows.
    pytest.param("LMIC", marks=pytest.mark.xfail(strict=True, reason=(
        "2022 demand: the model's lower-middle-income countries go on vaccinating at 2021's "
        "fitted capacity up to their willing share, 76.5% by 2022-06-30 and 83.0% by "
        "2022-12-31, against 60.3% and 64.7% observed: uptake stalled in 2022, and the "
        "baseline keeps 2021's willingness (no uptake.hesitancy_changes for 2022: one "
        "fitted to these figures would leave nothing to check it against)"))),
    pytest.param("World", marks=pytest.mark.xfail(strict=True, reason=(
        "the lower-middle-income miss (its 3.4 bn people) carries the world: 72.4% and "
        "76.3% against 65.6% and 69.0%"))),
])
def test_2022_coverage_against_owid_out_of_sample(years_2021_22, group, date):
    """The summary's final coverage (2022-12-31 for the 730-day baseline) is what users
    quote: set beside OWID's revised file (sim/data/history.csv), never fitted."""
    row = _check(years_2021_22, "coverage_first", group, date)
    assert abs(row["error"]) <= COVERAGE_2022_PP, (
        f"{group} {date}: model {100 * row['model']:.1f}% vs observed "
        f"{100 * row['observed']:.1f}% ({row['source']})")


@pytest.mark.parametrize("date", ["2022-06-30", "2022-12-31"])
def test_2022_doses_administered_against_owid_out_of_sample(years_2021_22, date):
    # The 2021 targets' tolerance for doses (10%); the model gives +3.7% and +4.0%.
    row = _check(years_2021_22, "doses_administered", "World", date)
    assert abs(row["error"]) <= 0.10, (row["model"], row["observed"])


def test_the_history_check_covers_every_series_and_keeps_the_ledger(year_2021):
    res = year_2021
    table = history_table(res)
    assert set(table["series"]) == set(observations()["series"])
    assert {"IDN", "BRA"} <= set(table.loc[table["series"] == "licensed_output", "group"])
    assert len(history_rows(table)) == len(table)
    assert res.summary["history_check"][0]["source"]
    assert ledger_residual(res.ledger).max() < 1e-9


def test_china_sells_abroad_and_donates_in_2021(year_2021):
    res = year_2021
    don = res.donations_by_day
    china = don[(don["donor"] == "CHN") & (don["channel"] == "bilateral")
                & (don["date"] <= np.datetime64("2021-11-15"))]["doses"].sum()
    # Donations: 119 M by Nov 2021 (Bridge Consulting, FACTS.md), most of it from factory
    # output (`donation.from_output`).
    assert 0.75 * 119e6 < china < 1.25 * 119e6, f"China donated {china / 1e6:.0f} M"
    # Sales: China's exports in 2021, the same order as the 1.5 bn sold (Bridge
    # Consulting, Nov 2021) and 1.33 bn exported by October (WTO-IMF): at least 1 bn.
    assert producer_totals(res.producers).loc["CHN", "exported"] > 1e9
    assert res.summary["metrics"]["doses_licensed_output"] > 0


def test_producers_table_is_weekly_with_output_exports_and_home_deliveries(year_2021):
    prod = year_2021.producers
    ind = prod[(prod["producer"] == "IND") & (prod["member"] == 0)].sort_values("date")
    assert len(ind) == 53 and (np.diff(ind["date"].to_numpy()[:-1]).astype("timedelta64[D]")
                               == np.timedelta64(7, "D")).all()
    np.testing.assert_allclose(ind["produced"].cumsum(), ind["produced_cum"])
    halt = ind[(ind["date"] > "2021-04-10") & (ind["date"] < "2021-09-30")]
    assert (halt["exported"] == 0).all() and (halt["home"] > 0).all()
    assert (ind["exported"] + ind["home"] <= ind["produced"] + ind["produced"].max()).all()


def test_observed_coverage_for_the_plot_marks_targets_and_needs_the_whole_world(
        years_2021_22):
    obs = coverage_observed(years_2021_22)
    targets = cal.load_targets()
    targets = targets[targets["metric"] == "coverage_first"]
    assert obs["fitted"].sum() == len(targets)                # every 2021 target, fitted
    late = obs[obs["date"] >= "2022-01-01"]
    assert len(late) == 10 and not late["fitted"].any()       # 2022: never fitted
    part = run(load_scenario(BASELINE, ["countries.include=[HIC]", "days=30"]))
    assert coverage_observed(part) is None                    # groups of a cut world
    later = run(load_scenario(BASELINE, ["start=2021-02-01", "days=30"]))
    assert coverage_observed(later) is None                   # a campaign started later


def test_observed_deaths_for_the_plot_per_million_since_2021(years_2021_22):
    obs = deaths_observed(years_2021_22).set_index(["group", "date"])
    world = years_2021_22.world
    hic = world.population[world.group_index == 0].sum()
    row = obs.loc[("HIC", pd.Timestamp("2021-12-31"))]
    assert row["per_million"] == pytest.approx(1_206_061 / hic * 1e6) and row["fitted"]
    assert row["low"] < row["per_million"] < row["high"]
    end = obs.loc[("World", pd.Timestamp("2022-12-31"))]      # 2021's 12.5 M + 2.8-3.0 M
    assert not end["fitted"]
    assert end["per_million"] * world.population.sum() / 1e6 == pytest.approx(15.38e6,
                                                                               rel=2e-3)
    assert len(obs) == 9
    assert deaths_observed(run(load_scenario(BASELINE, ["days=20"]))).empty  # none yet
    for overrides in (["countries.include=[HIC]", "days=30"], ["start=2021-02-01", "days=30"],
                      ["epidemic.enabled=false", "days=30"]):
        assert deaths_observed(run(load_scenario(BASELINE, overrides))) is None, overrides
