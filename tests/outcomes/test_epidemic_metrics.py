"""Infections, deaths and deaths averted in a run's tables and summary (shipped world)."""

import numpy as np
import pytest
from worlds import SCENARIOS

from sim import load_scenario, run
from sim.engine.record import GROUPS


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
