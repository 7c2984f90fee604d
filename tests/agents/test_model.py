"""The Mesa layer: the model steps the engine exactly like sim.run; agents, DataCollector,
batch_run."""

import warnings

import mesa
import numpy as np
import pandas as pd
import pytest
from worlds import SCENARIOS, make_world, scenario

from sim import load_scenario, run
from sim.agents import Country, VaccineDiplomacyModel
from sim.engine.build.params import build_params
from sim.engine.counterfactual import simulate_with_counterfactual
from sim.engine.run import simulate
from sim.outcomes.inequality import gini
from sim.outcomes.results import Results

BASELINE = SCENARIOS / "baseline.yaml"
FEW = "USA,IND,NGA,BRA,DEU,ETH"


def small():
    world = make_world([1e6, 2e6, 3e6, 4e6], ["HIC", "UMIC", "LMIC", "LIC"],
                       home_of=[0, -1, -1, -1], production=[60_000.0], days=80)
    scen = scenario(
        days=80,
        procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3.0}}},
        adaptation={"review_days": 10, "default": {"rule": "imitate"},
                    "groups": {"HIC": {"rule": "threshold", "theta": 0.05, "then": "pool"}},
                    "imitation": {"probability": 0.5, "beta": 5.0}})
    return world, scen


def assert_same_tables(a: Results, b: Results, only_in_b=()):
    for name, table in a.tables().items():
        other = b.tables()[name].drop(columns=list(only_in_b), errors="ignore")
        pd.testing.assert_frame_equal(table, other, check_exact=True, obj=name)


def test_stepping_the_model_equals_the_batch_engine_on_a_small_world():
    world, scen = small()
    model = VaccineDiplomacyModel(scen, rng=42, world=world)
    steps = 0
    while model.running:
        model.step()
        steps += 1
    assert steps == model.steps == 80 and model.day == 80
    seeded = scen.model_copy(update={"seed": 42})
    params, traj, twin = simulate_with_counterfactual(world, seeded, [42])
    assert_same_tables(model.results(), Results(seeded, world, params, traj, twin))
    alone = VaccineDiplomacyModel(scen, rng=42, world=world, counterfactual=False)
    while alone.running:
        alone.step()
    traj, _ = simulate(world, build_params(world, [seeded], [42]))
    assert_same_tables(alone.results(), Results(seeded, world, params, traj))
    model.step()                                            # past the end: a no-op
    assert model.day == 80 and not model.running


def test_agents_read_the_engine_arrays():
    world, scen = small()
    model = VaccineDiplomacyModel(scen, rng=1, world=world)
    for _ in range(40):
        model.step()
    agents = model.agents
    assert len(agents) == 4 and all(isinstance(a, Country) for a in agents)
    s = model.state
    cov = np.array(agents.get("coverage"))
    assert np.array_equal(cov, s.first[0] / world.population)
    assert agents.get("stock") == pytest.approx(s.stock[:, 0].sum(axis=0).tolist())
    assert set(agents.get("strategy")) <= {"need", "hoard", "donate", "pool"}
    by_group = agents.groupby("income_group").agg("coverage", max)
    assert by_group == {g: c for g, c in zip(world.income_group, cov, strict=True)}
    rich = agents.select(lambda a: a.income_group == "HIC")
    assert rich.get("iso3") == ["C00"] and model.country("C00") is rich.to_list()[0]
    # Values follow the engine day by day (views, not copies).
    before = model.country("C00").coverage
    for _ in range(5):
        model.step()
    assert model.country("C00").coverage > before


def test_datacollector_reports_groups_gini_strategies_and_agents():
    world, scen = small()
    model = VaccineDiplomacyModel(scen, rng=5, world=world)
    for _ in range(30):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 31                                    # day 0 and 30 steps
    assert {"coverage_World", "coverage_HIC", "coverage_LIC", "gini", "deaths",
            "n_need", "n_hoard", "n_donate", "n_pool"} <= set(df.columns)
    last = df.iloc[-1]
    assert last["n_need"] + last["n_hoard"] + last["n_donate"] + last["n_pool"] == 4
    assert last["coverage_HIC"] == pytest.approx(model.state.first[0, 0] / 1e6)
    assert 0 < last["gini"] < 1
    assert last["deaths"] == pytest.approx(model.state.epi.D[0].sum()) and last["deaths"] > 0
    agents = model.datacollector.get_agent_vars_dataframe()
    assert len(agents) == 31 * 4 and {"coverage", "stock", "strategy"} <= set(agents.columns)


def test_strategy_counts_and_group_reporters_follow_the_state_every_day():
    """The reporters share a day's strategy counts and each group's mask and population
    (computed once): every day's row still equals the state of that day."""
    from sim.engine.adaptive import strategy_counts
    from sim.scenario.adaptation import STRATEGIES

    world, scen = small()
    model = VaccineDiplomacyModel(scen, rng=5, world=world)
    seen = []
    for _ in range(40):
        model.step()
        counts = strategy_counts(model.state.strategy)[0]
        seen.append((counts.tolist(), model.state.first[0].copy()))
    df = model.datacollector.get_model_vars_dataframe().iloc[1:]
    changed = {tuple(c) for c, _ in seen}
    assert len(changed) > 1  # the strategies change during these days (review every 10)
    for (counts, first), (_, row) in zip(seen, df.iterrows(), strict=True):
        assert [row[f"n_{s}"] for s in STRATEGIES] == counts
        assert row["coverage_LMIC"] == first[2] / 3e6
        assert row["coverage_World"] == first.sum() / world.population.sum()


def test_gini_reporter_is_the_population_weighted_gini_of_coverage():
    world, scen = small()
    model = VaccineDiplomacyModel(scen, rng=5, world=world)
    assert np.isnan(model.datacollector.get_model_vars_dataframe()["gini"].iloc[0])
    for _ in range(30):
        model.step()
    cov = model.state.first[0] / world.population
    assert model.datacollector.get_model_vars_dataframe()["gini"].iloc[-1] == pytest.approx(
        float(gini(cov, world.population)))


def test_deaths_averted_reporters_follow_the_no_vaccine_twin():
    world, scen = small()
    model = VaccineDiplomacyModel(scen, rng=4, world=world)
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    epi = model.state.epi
    assert model.has_twin and epi.D.shape[0] == 2
    last = frame.iloc[-1]
    assert last["deaths_averted"] == pytest.approx(epi.D[1].sum() - epi.D[0].sum())
    assert last["deaths_averted"] > 0
    by_group = [last[f"deaths_averted_{g}"] for g in ("HIC", "UMIC", "LMIC", "LIC")]
    assert sum(by_group) == pytest.approx(last["deaths_averted"])
    assert frame["deaths_averted"].iloc[0] == 0
    by_band = [last[f"deaths_averted_{b}"] for b in ("0_19", "20_64", "65plus")]
    assert sum(by_band) == pytest.approx(last["deaths_averted"])
    assert by_band[2] > by_band[0]  # oldest first: most lives saved among the old
    agents = model.datacollector.get_agent_vars_dataframe().xs(model.steps, level="Step")
    assert agents["deaths_averted"].sum() == pytest.approx(last["deaths_averted"])
    summary = model.results().summary["metrics"]
    assert summary["deaths_averted_per_million"]["World"] == pytest.approx(
        1e6 * last["deaths_averted"] / world.population.sum())
    # Without the twin (faster steps) the reporters say "unknown", not zero.
    alone = VaccineDiplomacyModel(scen, rng=4, world=world, counterfactual=False)
    alone.step()
    assert not alone.has_twin and np.isnan(
        alone.datacollector.get_model_vars_dataframe()["deaths_averted"].iloc[-1])


def test_seed_from_rng_and_fresh_seed_when_none():
    world, scen = small()
    a = VaccineDiplomacyModel(scen, rng=9, world=world)
    b = VaccineDiplomacyModel(scen, world=world)
    c = VaccineDiplomacyModel(scen, world=world)
    assert a.seed == 9 and a.config.seed == 9
    assert b.seed != c.seed


# ------------------------------------------------------------------ shipped world
def test_model_equals_sim_run_on_the_shipped_baseline():
    days = 75
    scen = load_scenario(BASELINE, [f"days={days}", f"countries.include=[{FEW}]",
                                    "adaptation.default.rule=imitate"])
    model = VaccineDiplomacyModel(BASELINE, rng=scen.seed, days=days, countries=FEW,
                                  adaptation_rule="imitate", collect_agents=False)
    while model.running:
        model.step()
    # Both run the no-vaccine twin: deaths averted agree to the last bit too.
    ours, theirs = model.results(), run(scen)
    assert "deaths_cum_novax" in ours.groups
    assert_same_tables(ours, theirs)
    assert ours.summary == theirs.summary


@pytest.mark.slow
def test_batch_run_over_two_parameters_returns_reporter_rows(monkeypatch):
    # batch_run makes a tqdm bar even with display_progress=False, and tqdm starts its
    # monitor thread then, for the process's life: every later test could not fork (see
    # tests/conftest.py). tqdm's documented switch turns the monitor off.
    from tqdm import tqdm

    monkeypatch.setattr(tqdm, "monitor_interval", 0)
    params = {"config": str(BASELINE), "countries": FEW, "days": 90,
              "hoard_multiple": [1.0, 4.0], "adaptation_rule": ["fixed", "threshold"]}
    rows = mesa.batch_run(VaccineDiplomacyModel, parameters=params, rng=[1, 2],
                          max_steps=60, display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 2 * 6                      # seeds × grid × agents
    assert {"coverage_World", "gini", "n_hoard", "coverage", "strategy"} <= set(df.columns)
    assert (df["Step"] == 60).all()
    end = df.groupby(["hoard_multiple", "adaptation_rule", "iteration"])["coverage_HIC"].first()
    assert end.notna().all() and (end > 0).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy = mesa.batch_run(VaccineDiplomacyModel, parameters={**params, "hoard_multiple": 2.0,
                                "adaptation_rule": "fixed"}, iterations=2, max_steps=60,
                                display_progress=False)
    legacy = pd.DataFrame(legacy)
    assert len(legacy) == 2 * 6 and set(legacy["iteration"]) == {0, 1}
    assert {"coverage_World", "gini", "n_need"} <= set(legacy.columns)


def test_agents_and_reporters_read_diplomacy_and_epidemic_arrays():
    # C00 hoards, then donates at 30% coverage; the pool ships to the poor members.
    world = make_world([1e6, 2e6, 2e6], ["HIC", "LIC", "LIC"], production=[40_000.0],
                       days=120)
    scen = scenario(
        days=120,
        procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3.0, "priority": 0,
                                        "budget_share": 1.0}}, "default": {"priority": 3}},
        uptake={"capacity": {g: {"start": 0.01, "end": 0.01, "ramp_days": 0}
                             for g in ("HIC", "LIC")}, "delivery_lag_days": 3},
        donation={"every_days": 7},
        pool={"enabled": True, "orders_doses": 5e5, "every_days": 7, "priority": 0,
              "groups": {"LIC": {"member": True}}},
        adaptation={"review_days": 7,
                    "groups": {"HIC": {"rule": "threshold", "theta": 0.3, "then": "donate"}}})
    model = VaccineDiplomacyModel(scen, rng=3, world=world)
    while model.running:
        model.step()
    s, agents = model.state, model.agents
    for name, array in (("donated", s.donated_cum), ("received", s.donations_received_cum),
                        ("pool_contributed", s.pool_contributed_cum),
                        ("pool_received", s.pool_given), ("influence", s.influence),
                        ("deaths", s.epi.D)):
        assert agents.get(name) == array[0].tolist(), name
    assert model.country("C00").donated > 0 and model.country("C01").received > 0
    assert model.country("C00").influence > 0 and model.country("C02").pool_received > 0
    df = model.datacollector.get_model_vars_dataframe()
    assert df["donated"].iloc[-1] == pytest.approx(s.donated_cum[0].sum())
    assert df["pool_delivered"].iloc[-1] == pytest.approx(s.pool_given[0].sum())
    assert df["donated"].iloc[0] == 0 and df["pool_delivered"].iloc[0] == 0
    assert df["donated"].is_monotonic_increasing and df["pool_delivered"].is_monotonic_increasing
    per_agent = model.datacollector.get_agent_vars_dataframe()
    assert {"donated", "received", "pool_received", "influence", "deaths"} <= set(per_agent)
