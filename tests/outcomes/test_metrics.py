"""Outcome metrics on a small hand-built world: keys, targets, absent mechanisms."""

import math

import numpy as np
import pandas as pd
import pytest
from worlds import small_results

from sim.outcomes import formatting as f
from sim.outcomes.coverage import country_panel, coverage_by, target_attainment, time_to_target
from sim.outcomes.inequality import gini
from sim.outcomes.registry import member_metrics
from sim.outcomes.summary import summarize, summary_rows


@pytest.fixture(scope="module")
def res():
    return small_results(seeds=(1, 2, 3), outcomes={
        "targets": [{"coverage": 0.2, "by": "2021-05-31"}, {"coverage": 0.5, "by": "2022-06-30"}],
        "dates": ["2021-03-31", "2030-01-01"]})


def test_summary_has_equity_metrics_and_targets(res):
    m = res.summary["metrics"]
    for key in ("gini_coverage", "gini_coverage_unweighted", "concentration_index",
                "hic_lic_ratio"):
        assert key in m
    assert 0 <= m["gini_coverage"] <= 1 and 0 <= m["gini_coverage_unweighted"] <= 1
    cov = m["coverage_final"]
    assert m["hic_lic_ratio"] == pytest.approx(cov["HIC"] / cov["LIC"], rel=1e-6)
    t0, t1 = m["targets"]
    assert {"coverage", "by", "countries_met", "countries_total",
            "population_share_met"} <= set(t0)
    assert t0["coverage"] == 0.2 and t0["by"] == "2021-05-31" and t0["countries_total"] == 4
    assert t1["countries_met"] is None  # after the run's end: not observed, not zero
    assert "2021-03-31" in m["coverage_on"] and "2030-01-01" not in m["coverage_on"]
    assert "gini_coverage" in res.summary["quantiles"]
    labels = [label for label, _ in summary_rows(res.summary)]
    assert "Gini of coverage, population-weighted" in labels


def test_targets_have_bands_over_replicates(res):
    """Each target's countries met and share of people get their 5-95% band, as every
    other key metric; the band is the per-member values' quantiles."""
    q0, q1 = res.summary["quantiles"]["targets"]
    per = res.per_member
    for key in ("countries_met", "population_share_met"):
        assert q0[key]["p05"] == pytest.approx(per[f"targets.0.{key}"].quantile(0.05))
        assert q0[key]["p95"] == pytest.approx(per[f"targets.0.{key}"].quantile(0.95))
    assert q1["countries_met"]["p05"] is None                  # after the run's end
    rows = dict(summary_rows(res.summary))
    t0 = res.summary["metrics"]["targets"][0]
    text = rows["20% completed by 2021-05-31"]
    assert text.startswith(f"{f.countries(t0['countries_met'])}/4 countries")
    lo, hi = q0["countries_met"]["p05"], q0["countries_met"]["p95"]
    if lo != hi:
        assert f"[{math.floor(lo + 1e-9)}–{math.ceil(hi - 1e-9)}]" in text
    assert text.endswith(" of people") and rows["50% completed by 2022-06-30"] == \
        "after run end"


def test_targets_by_hand(res):
    # Recompute the first target from the countries table directly.
    c = res.countries
    day = c[c["date"] <= "2021-05-31"]["date"].max()
    last = c[(c["date"] == day) & (c["member"] == 0)]
    met = (last["completed"] / last["population"]) >= 0.2
    att = target_attainment(c, 0.2)
    row = att[(att["member"] == 0) & (att["date"] == day)].iloc[0]
    assert row["countries_met"] == met.sum()
    assert row["population_share_met"] == pytest.approx(
        last.loc[met, "population"].sum() / last["population"].sum())


def test_gini_matches_country_table(res):
    pm = member_metrics(res)
    c = res.countries[res.countries["date"] == res.countries["date"].max()]
    for e, sub in c.groupby("member"):
        assert pm.loc[e, "gini_coverage"] == pytest.approx(
            float(gini(sub["coverage_first"].to_numpy(), sub["population"].to_numpy())))
        assert pm.loc[e, "gini_coverage_unweighted"] == pytest.approx(
            float(gini(sub["coverage_first"].to_numpy())))


def test_coverage_by_label_is_population_weighted(res):
    labels = pd.Series({"C00": "A", "C01": "A", "C02": "B", "C03": "B"})
    got = coverage_by(res.countries, labels)
    p = country_panel(res.countries)
    _, cov = p.at()
    expect_a = (cov[:, 0] * 1e6 + cov[:, 1] * 2e6) / 3e6
    np.testing.assert_allclose(got["A"].to_numpy(), expect_a)


def test_time_to_target_is_first_crossing(res):
    by_country, by_group = time_to_target(res, 0.2)
    hic = res.groups[(res.groups["group"] == "HIC") & (res.groups["member"] == 0)]
    first = hic[hic["coverage_completed"] >= 0.2]["date"].min()
    assert by_group.loc[0, "HIC"] == (first - pd.Timestamp("2021-01-01")).days
    assert by_country.shape == (3, 4)


def test_absent_mechanisms_are_absent_not_zero(res):
    assert "donated_share_of_supply" not in res.summary["metrics"]
    m = small_results(days=60, epidemic={"enabled": False}).summary["metrics"]
    assert "deaths_per_million" not in m and "deaths" not in m


def test_deaths_when_present():
    r = small_results(days=60)
    g = r.groups
    g["deaths_cum"] = g["population"] * 1e-4
    g["deaths_cum_novax"] = g["population"] * 3e-4
    m = summarize(r)["metrics"]
    assert m["deaths_per_million"]["LIC"] == pytest.approx(100.0)
    assert m["deaths_averted_per_million"]["World"] == pytest.approx(200.0)


def test_donated_share_counts_arrived_donations_over_doses_received():
    # LIC can absorb what it is given (gifts stop at absorb_days of capacity).
    r = small_results(days=90, uptake={"capacity": {"LIC": {"start": 0.01, "end": 0.01}}},
                      donation={"every_days": 10, "countries": {
                          "C00": {"share": 0.5, "keep_coverage": 0.0, "buffer_days": 0}}})
    donations = r.donations
    assert donations is not None and (donations["doses"] > 0).any()
    last = r.countries["date"].max()
    lic = set(r.countries.loc[r.countries["income_group"] == "LIC", "iso3"])
    # Gifts of the last delivery_lag days have not arrived (pair totals: doses_arrived,
    # checked against every single flow in tests/engine/test_flows.py).
    assert (donations["doses_arrived"] <= donations["doses"]).all()
    given = donations[donations["recipient"].isin(lic)]["doses_arrived"].sum()
    end = r.countries[(r.countries["date"] == last) & r.countries["iso3"].isin(lic)]
    m = summarize(r)["metrics"]
    assert given > 0
    assert m["donated_share_of_supply"]["LIC"] == pytest.approx(
        given / end["doses_received"].sum())
    assert m["donated_share_of_supply"]["HIC"] == 0.0


def test_hic_lic_ratio_is_undefined_when_lic_has_nothing():
    r = small_results(days=60)
    last = r.groups["date"] == r.groups["date"].max()
    r.groups.loc[last & (r.groups["group"] == "LIC"), "coverage_first"] = 3e-17
    assert summarize(r)["metrics"]["hic_lic_ratio"] is None
