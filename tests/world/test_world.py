"""The static world built from shipped data and a scenario."""

import numpy as np
from worlds import SCENARIOS

from sim.scenario import load_scenario
from sim.world.world import build_world


def test_world_from_baseline():
    w = build_world(load_scenario(SCENARIOS / "baseline.yaml"))
    assert w.n_countries >= 190
    assert w.production.shape == (w.n_producers, 730)
    # Countries are ordered by income group, then ISO3.
    assert np.all(np.diff(w.group_index) >= 0)
    eu = w.producer_index("EU")
    assert (w.home_of == eu).sum() == 27
    assert w.home_of[w.index(["CHN"])[0]] == w.producer_index("CHN")


def test_selection_and_overrides():
    s = load_scenario(SCENARIOS / "baseline.yaml", [
        "countries.include=[LIC, FRA]", "countries.exclude=[AFG]",
        "countries.overrides={FRA: {population: 1000000}}"])
    w = build_world(s)
    assert "AFG" not in w.iso3 and "FRA" in w.iso3
    assert set(w.income_group) == {"HIC", "LIC"}
    assert w.population[w.index(["FRA"])[0]] == 1e6


def test_daily_schedule_spreads_months():
    w = build_world(load_scenario(SCENARIOS / "baseline.yaml", ["days=59"]))
    from sim import data

    prod = data.production()
    jan = prod[prod["month"] == "2021-01"].set_index("producer")["doses"]
    for p, code in enumerate(w.producers):
        assert np.isclose(w.production[p, :31].sum(), jan.get(code, 0.0))


def _schedule_reference(monthly, producers, start, days):
    """The schedule by pandas periods (how it was first written), for comparison."""
    import pandas as pd

    dates = pd.date_range(start, periods=days, freq="D")
    months = dates.to_period("M")
    table = monthly.pivot_table(index="producer", columns="month", values="doses",
                                aggfunc="sum").reindex(producers).fillna(0.0)
    table.columns = pd.PeriodIndex(table.columns, freq="M")
    table = table.sort_index(axis=1)
    per_day = table / np.array([p.days_in_month for p in table.columns], dtype=float)
    last = table.columns.max()
    lookup = np.minimum(months, last) if len(table.columns) else months
    idx = table.columns.get_indexer(lookup)
    production = np.where(idx >= 0, per_day.to_numpy()[:, np.maximum(idx, 0)], 0.0)
    month_index = np.asarray((months - months[0]).map(lambda off: off.n), dtype=int)
    return production, month_index


def test_daily_schedule_equals_the_pandas_periods_version():
    import datetime as dt

    import pandas as pd

    from sim import data
    from sim.world.world import daily_schedule

    shipped = data.production()
    producers = list(data.producers()["producer"])
    # Gaps, a month before the data, an unknown producer, a producer without data, a
    # leap-year February and rows of one producer and month that add up.
    made_up = pd.DataFrame({
        "producer": ["A", "A", "A", "B", "Z", "A"],
        "month": ["2023-12", "2024-02", "2024-05", "2024-03", "2024-01", "2024-02"],
        "doses": [3.1e6, 2.9e7, 1.7e6, 5.5e5, 1.0e9, 0.3e7]})
    cases = [(shipped, producers, dt.date(2021, 1, 1), 730),
             (shipped, producers, dt.date(2020, 11, 15), 900),
             (made_up, ["A", "B", "C"], dt.date(2023, 11, 20), 400)]
    for monthly, prods, start, days in cases:
        got = daily_schedule(monthly, prods, start, days)
        want = _schedule_reference(monthly, prods, start, days)
        np.testing.assert_array_equal(got[0], want[0], strict=False)
        np.testing.assert_array_equal(got[1], want[1])
        assert got[0].shape == (len(prods), days) and got[0].flags.c_contiguous


def test_days_of_keeps_the_reporting_dates_inside_the_run():
    import datetime as dt

    w = build_world(load_scenario(SCENARIOS / "baseline.yaml", ["days=365"]))
    got = w.days_of([dt.date(2021, 12, 31), "2021-01-01", dt.date(2022, 1, 1), "2020-12-31"])
    assert got == [("2021-12-31", 364), ("2021-01-01", 0)]
    assert w.dates[364].date().isoformat() == "2021-12-31"      # the same day index
