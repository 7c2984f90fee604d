"""Results build their tables lazily."""

import numpy as np
from worlds import SCENARIOS

from sim import load_scenario, run


def test_tables_are_built_on_first_use_and_kept():
    res = run(load_scenario(SCENARIOS / "baseline.yaml"), days=30, deaths_averted=False)
    built = {"groups", "ledger", "countries", "producers", "strategies", "donations",
             "summary"} & set(vars(res))
    assert built == set()
    first = res.countries
    assert res.countries is first and "countries" in vars(res) and "groups" not in vars(res)


def test_per_country_trajectories_kept_for_the_first_members_only():
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["outputs.country_members=2"])
    res = run(scenario, days=60, replicates=3, deaths_averted=False)
    assert res.trajectories.countries.shape[0] == 2
    assert sorted(res.countries["member"].unique()) == [0, 1]
    assert sorted(res.groups["member"].unique()) == [0, 1, 2]
    full = run(scenario.model_copy(update={"outputs": scenario.outputs.model_copy(
        update={"country_members": 256})}), days=60, replicates=3, deaths_averted=False)
    np.testing.assert_array_equal(res.trajectories.countries, full.trajectories.countries[:2])
    assert res.summary["metrics"]["coverage_final"] == full.summary["metrics"]["coverage_final"]
    assert 0 < res.summary["metrics"]["gini_coverage"] < 1   # from the members kept


def test_donor_flows_kept_for_the_same_members_as_per_country_records():
    from sim.outcomes.metrics import donation_metrics

    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["outputs.country_members=2"])
    res = run(scenario, days=120, replicates=3, deaths_averted=False)
    assert res.donations is not None and len(res.donations)
    assert set(res.donations["member"]) <= {0, 1}
    assert list(res.params.diplomacy.record_flows) == [True, True, False]
    shares = donation_metrics(res)["donated_share_of_supply.World"]
    assert shares.loc[[0, 1]].notna().all() and np.isnan(shares.loc[2])
