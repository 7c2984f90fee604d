"""The shipped calibration targets: 2021 only, plausible values, documented sources."""

import re

import pandas as pd
import pytest

from sim.calibrate import OBSERVED, load_targets

SOURCES = OBSERVED.with_name("SOURCES.md")


@pytest.fixture(scope="module")
def observed():
    return pd.read_csv(OBSERVED, parse_dates=["date"])


def test_only_2021_rows_so_2022_stays_out_of_sample(observed):
    assert (observed["date"].dt.year == 2021).all()
    assert not (observed["date"] >= "2022-01-01").any()


def test_columns_groups_and_metrics(observed):
    assert list(observed.columns) == ["date", "group", "metric", "value", "source"]
    assert set(observed["group"]) == {"World", "HIC", "UMIC", "LMIC", "LIC"}
    assert set(observed["metric"]) == {"coverage_first", "doses_administered"}
    assert set(observed.loc[observed["metric"] == "doses_administered", "group"]) == {"World"}
    assert not observed.duplicated(["date", "group", "metric"]).any()


def test_coverage_shares_are_in_0_1(observed):
    cov = observed[observed["metric"] == "coverage_first"]["value"]
    assert ((cov >= 0) & (cov <= 1)).all()


def test_every_series_rises_over_time(observed):
    for (_, _), s in observed.sort_values("date").groupby(["group", "metric"]):
        assert s["value"].is_monotonic_increasing, s


def test_low_income_far_behind_high_income_on_each_shared_date(observed):
    # FACTS.md: the HIC/LIC ratio of first-dose coverage was about 23x in Oct 2021 and
    # about 9x in Dec 2021.
    cov = observed[observed["metric"] == "coverage_first"].pivot(
        index="date", columns="group", values="value").dropna(subset=["HIC", "LIC"])
    ratio = cov["HIC"] / cov["LIC"]
    assert len(ratio) >= 4 and (ratio > 8).all()
    assert ratio[pd.Timestamp("2021-10-24")] == pytest.approx(23, rel=0.05)


def test_world_doses_match_facts_md_within_rounding(observed):
    # FACTS.md: 6.3 bn on 2021-10-02 and 6.8 bn on 2021-10-24 (OWID as reported).
    d = observed[observed["metric"] == "doses_administered"].set_index("date")["value"]
    assert d[pd.Timestamp("2021-10-02")] == pytest.approx(6.3e9, rel=0.02)
    assert d[pd.Timestamp("2021-10-24")] == pytest.approx(6.8e9, rel=0.02)


def test_every_source_key_is_documented(observed):
    text = SOURCES.read_text(encoding="utf-8")
    for key in observed["source"].unique():
        assert re.search(rf"\*\*{re.escape(key)}\*\*", text), key


def test_loads_as_targets():
    t = load_targets()
    assert len(t) == len(pd.read_csv(OBSERVED))
    assert (t["weight"] == 1.0).all()
