"""Infections, deaths and deaths averted in a run's tables and summary (shipped world)."""

import numpy as np
import pandas as pd
import pytest
from worlds import SCENARIOS

from sim import load_scenario, run
from sim.engine.record import GROUPS
from sim.outcomes.epidemic_metrics import epidemic_rows


@pytest.fixture(scope="module")
def results():
    return run(load_scenario(SCENARIOS / "baseline.yaml"), days=240, replicates=2)


def test_counterfactual_is_kept_apart_and_paired(results):
    assert results.params.n_members == 2
    assert results.groups["member"].nunique() == 2
    assert results.counterfactual.epi_groups.shape == results.trajectories.epi_groups.shape
    # Same doses in the twin: the dose machinery does not see the vaccine's effect.
    np.testing.assert_array_equal(results.counterfactual.ledger, results.trajectories.ledger)


def test_summary_and_groups_table_carry_deaths(results):
    m = results.summary["metrics"]
    for key in ("infections", "deaths", "deaths_averted"):
        assert m[key] > 0, key
    assert set(m["deaths_by_group"]) == set(GROUPS)
    parts = sum(m["deaths_by_group"][g] for g in GROUPS[1:])
    assert parts == pytest.approx(m["deaths_by_group"]["World"], rel=1e-9)
    g = results.groups
    for col in ("infections", "deaths", "deaths_cum", "deaths_cum_novax"):
        assert col in g
    world = g[(g["group"] == "World") & (g["member"] == 0)].sort_values("date")
    np.testing.assert_allclose(world["deaths"].cumsum().to_numpy(),
                               world["deaths_cum"].to_numpy(), rtol=1e-9)
    end = g[g["date"] == g["date"].max()]
    assert (end["deaths_cum_novax"] >= end["deaths_cum"] - 1e-6).all()


def test_no_epidemic_no_epidemic_metrics():
    scen = load_scenario(SCENARIOS / "baseline.yaml", ["epidemic.enabled=false"])
    res = run(scen, days=60)
    assert res.counterfactual is None
    assert "deaths" not in res.summary["metrics"] and "deaths" not in res.groups


def test_no_twins_when_deaths_averted_are_not_asked_for(results):
    plain = run(load_scenario(SCENARIOS / "baseline.yaml"), days=240, replicates=2,
                deaths_averted=False)
    assert plain.counterfactual is None
    assert "deaths_averted" not in plain.summary["metrics"]
    assert "deaths_cum_novax" not in plain.groups
    # the real members are the same run with or without their twins
    np.testing.assert_array_equal(plain.trajectories.epi_groups, results.trajectories.epi_groups)
    np.testing.assert_array_equal(plain.trajectories.ledger, results.trajectories.ledger)
    off = load_scenario(SCENARIOS / "baseline.yaml", ["outputs.deaths_averted=false"])
    assert run(off, days=30).counterfactual is None



def test_twins_keep_no_per_country_records(results):
    assert results.counterfactual.countries.shape[0] == 0
    assert results.trajectories.countries.shape[0] == 2


def test_end_shares_are_the_last_four_weeks_of_the_groups_table(results):
    """The share of a member's (and its twin's) deaths in the run's last 28 days, from the
    daily groups table independently."""
    per = results.per_member
    g = results.groups
    g = g[g["group"] == "World"]
    last = g["date"].max()
    for e, sub in g.groupby("member"):
        sub = sub.set_index("date")
        before = last - pd.Timedelta(days=28)
        for col, key in (("deaths_cum", "deaths_last_4_weeks_share"),
                         ("deaths_cum_novax", "deaths_no_vaccine_last_4_weeks_share")):
            want = (sub.loc[last, col] - sub.loc[before, col]) / sub.loc[last, col]
            assert per.loc[e, key] == pytest.approx(want, rel=1e-9)
    assert 0 <= results.summary["metrics"]["deaths_no_vaccine_last_4_weeks_share"] <= 1


@pytest.mark.parametrize("share,days,warned", [
    (0.20, 730, True),    # 5.2x the average pace
    (0.077, 730, True),   # 2.0x: the threshold
    (0.05, 730, False),   # 1.3x
    (0.5, 28, False),     # a run of 4 weeks has no "end" to compare
])
def test_a_wave_at_the_end_is_flagged(share, days, warned):
    m = {"deaths": 1e6, "deaths_averted": 5e5, "deaths_last_4_weeks_share": 0.01,
         "deaths_no_vaccine_last_4_weeks_share": share}
    rows = dict(epidemic_rows(m, lambda path, unit: str(m.get(path)), days))
    assert ("wave at the end of the run" in rows) == warned
    if warned:
        assert rows["wave at the end of the run"].startswith(
            f"the no-vaccine twin has {100 * share:.1f}% of its deaths in the last 4 weeks")
        assert rows["wave at the end of the run"].endswith(
            "deaths averted depend on where the run stops")
    no_days = dict(epidemic_rows(m, lambda path, unit: path))
    assert "wave at the end of the run" not in no_days


def test_the_shipped_baseline_warns_of_the_twins_december_2022_wave():
    """China's contacts step up on 2022-12-07 (its reopening); its no-vaccine twin meets
    it without vaccine immunity and is still dying fast on 2022-12-31."""
    from sim.outcomes.summary import summary_rows

    res = run(load_scenario(SCENARIOS / "baseline.yaml"), replicates=1)
    rows = dict(summary_rows(res.summary))
    assert "no-vaccine twin" in rows["wave at the end of the run"]
    assert res.summary["metrics"]["deaths_last_4_weeks_share"] < 0.02     # the run is not


def test_deaths_on_reporting_dates_are_the_groups_table_on_those_dates():
    """``deaths_on.<date>.<g>`` and ``deaths_averted_on.<date>.<g>``: cumulative deaths
    and deaths averted on each reporting date (``outcomes.dates``), as the daily groups
    table has them; a date after the run's end is left out."""
    scenario = load_scenario(SCENARIOS / "baseline.yaml", [
        "outcomes.dates=[2021-03-31, 2021-06-30, 2030-01-01]"])
    res = run(scenario, days=240, replicates=2)
    per = res.per_member
    g = res.groups
    for date in ("2021-03-31", "2021-06-30"):
        on = g[g["date"] == pd.Timestamp(date)].set_index(["member", "group"])
        for e in range(2):
            for grp in GROUPS:
                row = on.loc[(e, grp)]
                assert per.loc[e, f"deaths_on.{date}.{grp}"] == row["deaths_cum"]
                assert per.loc[e, f"deaths_averted_on.{date}.{grp}"] == pytest.approx(
                    row["deaths_cum_novax"] - row["deaths_cum"], rel=1e-12)
    assert not any("2030" in c for c in per.columns)
    from sim.outcomes.summary import summary_rows

    rows = dict(summary_rows(res.summary))
    assert rows["deaths by 2021-06-30, World"].count("averted") == 1
