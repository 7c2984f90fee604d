"""sim/data/history.csv: well formed, every source documented, estimates reproduced by the
arithmetic SOURCES.md gives for them."""

import datetime as dt

import pandas as pd
import pytest

from sim.data import DATA_DIR
from sim.outcomes.history import SERIES, observations

HIST = pd.read_csv(DATA_DIR / "history.csv")
SOURCES = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")


def _value(series, date):
    row = HIST[(HIST["series"] == series) & (HIST["date"] == date)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


def _between(d, d0, d1):
    days = lambda a, b: (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days  # noqa: E731
    return days(d0, d) / days(d0, d1)


def test_columns_series_and_sources_are_documented():
    assert list(HIST.columns) == ["date", "series", "group", "value", "estimate", "source"]
    assert set(HIST["series"]) <= set(SERIES)
    for key in set(HIST["source"]):
        for part in key.split("+"):
            assert f"**{part}**" in SOURCES, part
    assert set(HIST["estimate"]) <= {0, 1}
    assert (HIST["value"] > 0).all()


def test_every_series_is_non_decreasing_in_time():
    for _, g in HIST.groupby(["series", "group"]):
        assert g.sort_values("date")["value"].is_monotonic_increasing


@pytest.mark.parametrize(("series", "date", "d0", "d1"), [
    ("india_exported", "2021-12-31", "2021-11-29", "2022-02-21"),
    ("covax_delivered", "2021-06-30", "2021-05-10", "2021-07-06"),
])
def test_estimates_are_the_stated_interpolation(series, date, d0, d1):
    v0, v1 = _value(series, d0), _value(series, d1)
    expected = v0 + (v1 - v0) * _between(date, d0, d1)
    assert _value(series, date) == pytest.approx(expected, rel=2e-3)
    assert HIST.loc[(HIST["series"] == series) & (HIST["date"] == date), "estimate"].item() == 1


def test_figures_agree_with_the_shared_facts():
    # FACTS.md: COVAX delivered 486 M by 2021-11-15; India had shipped 60.5 M when it
    # halted in late March 2021 (between the 58.5 M of 11 March and 66.4 M by April's end).
    assert _value("covax_delivered", "2021-11-15") == 486e6
    assert _value("india_exported", "2021-03-11") < 60.5e6 < _value("india_exported",
                                                                   "2021-04-30")


def test_observations_join_both_files():
    obs = observations()
    assert {"coverage_first", "doses_administered", "covax_delivered"} <= set(obs["series"])
    assert obs["date"].map(type).eq(dt.date).all()
