"""Synthetic worlds: countries split into equal regions, world and group totals kept."""

import numpy as np
import pytest

from sim import load_scenario
from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.world.synthetic import split_counts, synthetic
from sim.world.world import build_world


def test_split_counts_sum_to_the_regions_asked_for():
    assert split_counts(3, 7).tolist() == [3, 2, 2]
    with pytest.raises(ValueError, match="at least one region per country"):
        split_counts(5, 4)


def test_regions_keep_totals_groups_and_homes():
    scenario = load_scenario("baseline", ["days=60"])
    real, w = build_world(scenario), synthetic(scenario, 1000)
    assert w.n_countries == 1000 and len(set(w.iso3)) == 1000
    np.testing.assert_allclose(w.population.sum(), real.population.sum(), rtol=1e-12)
    for g in range(4):
        np.testing.assert_allclose(w.population[w.group_index == g].sum(),
                                   real.population[real.group_index == g].sum(), rtol=1e-12)
    assert (np.diff(w.group_index) >= 0).all()          # still ordered by income group
    usa = np.flatnonzero(np.char.startswith(w.iso3, "USA-"))
    assert len(usa) >= 4 and (w.home_of[usa] == real.home_of[real.iso3 == "USA"][0]).all()
    traj, _ = simulate(w, build_params(w, [scenario], [1]))
    coverage = traj.groups[0, -1, 0, 0] / w.population.sum()
    assert 0 < coverage < 1


def test_large_worlds_keep_bilateral_gifts_per_recipient_group():
    """Above PAIR_LIMIT the ledger holds (donor, recipient group) sums: the pair totals of
    the same run summed by group, and the tables and metrics read them as groups.
    """
    import dataclasses

    import pandas as pd

    from sim.engine.fields import DIPLOMACY_FIELDS
    from sim.engine.flows import BILATERAL, TOTAL_COLUMNS, WHOLE_RUN
    from sim.outcomes.metrics import donation_metrics
    from sim.outcomes.results import Results
    from sim.world.recipient_groups import PAIR_LIMIT, recipient_groups

    scenario = load_scenario("baseline", ["days=330", "epidemic.enabled=false"])
    w = synthetic(scenario, PAIR_LIMIT + 100)
    params = build_params(w, [scenario], [1])
    groups = params.diplomacy.recipient_groups
    assert not groups.pairs and len(groups.names) <= 24
    pairs = dataclasses.replace(params, diplomacy=dataclasses.replace(
        params.diplomacy, recipient_groups=recipient_groups(w, limit=10**6)))
    T = TOTAL_COLUMNS
    out = {}
    for name, p in (("groups", params), ("pairs", pairs)):
        traj, _ = simulate(w, p)
        f = traj.flows[(traj.flows[:, T.day] == WHOLE_RUN) & (traj.flows[:, T.channel]
                                                              == BILATERAL)]
        r = f[:, T.recipient].astype(int)
        big = r >= w.n_countries
        c = np.where(big, r - w.n_countries, groups.group[np.where(big, 0, r)])
        key = f[:, T.donor].astype(int) * 100 + c
        out[name] = (pd.DataFrame({"key": key, "doses": f[:, T.doses],
                                   "arrived": f[:, T.arrived]}).groupby("key").sum(), traj)
    (grouped, traj), (summed, _) = out["groups"], out["pairs"]
    assert len(grouped) > 0 and set(grouped.index) == set(summed.index)
    np.testing.assert_allclose(grouped.to_numpy(), summed.reindex(grouped.index).to_numpy(),
                               rtol=1e-9)
    donated = traj.diplomacy[0, -1, DIPLOMACY_FIELDS.index("donated_bilateral_cum")]
    np.testing.assert_allclose(grouped["doses"].sum(), donated, rtol=1e-9)
    res = Results(scenario, w, params, traj)
    table = res.donations
    bilateral = table[table["channel"] == "bilateral"]
    assert bilateral["recipient"].str.startswith("group:").all()
    assert not table[table["channel"] == "pool"]["recipient"].str.startswith("group:").any()
    from sim.outcomes.diplomacy_metrics import diplomacy_summary

    assert "recipient groups" in diplomacy_summary(res)["diplomacy"]["recipients_are"]
    share = donation_metrics(res).iloc[0]
    assert share.notna().all() and ((share >= 0) & (share <= 1)).all()
    assert share["donated_share_of_supply.LIC"] > 0
