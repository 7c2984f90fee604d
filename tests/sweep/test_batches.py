"""Members and batches: a member's metrics do not depend on its batch, and equal a run."""

import numpy as np
import pandas as pd
import pytest
from sweeps import METRICS, grid_spec, sweep_world

from sim.engine.build.params import Structure, build_params
from sim.engine.counterfactual import split_members, with_twins
from sim.engine.run import simulate
from sim.outcomes.results import Results
from sim.sweep.batches import members, plan_batches
from sim.sweep.metrics import FAST_METRICS, batch_metrics
from sim.sweep.runner import plan_sweep, resolve, run_sweep
from sim.sweep.spec import point_scenario


def test_members_are_point_major_with_common_seeds():
    t = members(3, 2, seed=5)
    assert list(t["point"]) == [0, 0, 1, 1, 2, 2]
    assert list(t["replicate"]) == [0, 1] * 3
    assert t["seed"].iloc[0] == 5 and len(set(t["seed"])) == 2


def test_batches_split_by_structure_then_size():
    a = Structure(14, 6, 30, 28, 2, 7)
    b = Structure(7, 6, 30, 28, 2, 7)
    t = members(5, 3, seed=1)
    batches = plan_batches(t, [a, b, a, b, a], batch_size=4)
    seen = np.concatenate([x.point * 3 + x.replicate for x in batches])
    assert sorted(seen) == list(range(15))
    for x in batches:
        assert x.size <= 4
        assert len({[a, b, a, b, a][p] for p in x.point}) == 1
    assert [x.index for x in batches] == list(range(len(batches)))


def test_batch_size_does_not_change_the_table():
    w = sweep_world()
    one = run_sweep(grid_spec(batch_size=1), world=w).metrics
    many = run_sweep(grid_spec(batch_size=7), world=w).metrics
    pd.testing.assert_frame_equal(one, many)
    assert len(one) == 12 * 2 and not one.duplicated(["point", "replicate"]).any()


@pytest.mark.parametrize("extra", [[], ["deaths_averted", "deaths_no_vaccine"],
                                   ["gini_coverage", "deaths_averted"]],
                         ids=["last-day", "twins", "tables-and-twins"])
def test_a_batch_run_in_chunks_of_members_gives_the_same_rows(monkeypatch, extra):
    import sim.engine.ensemble as ensemble
    import sim.sweep.batches as batches

    w = sweep_world()
    spec = grid_spec(batch_size=24, metrics=[*METRICS, *extra])   # one batch of 24
    calls: list[int] = []
    run_members = batches._run_members

    def counted(task, members_, seeds, twins):
        calls.append(len(members_))
        return run_members(task, members_, seeds, twins)

    monkeypatch.setattr(batches, "_run_members", counted)
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 2**40)         # the batch at once
    whole = run_sweep(spec, world=w).metrics
    assert calls == [24]
    monkeypatch.setattr(ensemble, "CACHE_BYTES", 1)             # chunks of 8 members
    parts = run_sweep(spec, world=w).metrics
    assert calls[1:] == [ensemble.MIN_CACHE_CHUNK] * 3
    pd.testing.assert_frame_equal(whole, parts)
    assert not whole[extra].isna().any().any() if extra else len(whole) == 24


def test_points_whose_outcome_definitions_differ_are_never_batched_together():
    # The metrics of a batch read its targets from one scenario: a point with another
    # target batched beside it would be counted against the wrong one.
    w = sweep_world(days=400)
    spec = grid_spec(days=400, batch_size=2, replicates=1,
                     parameters={"outcomes.targets.0.coverage": {"values": [0.1, 0.95]}},
                     metrics=["targets.0.countries_met"])
    plan = plan_sweep(resolve(spec))   # (as run_sweep: defaults filled in)
    assert [list(b.point) for b in plan.batches] == [[0], [1]]
    together = run_sweep(spec, world=w).metrics
    alone = run_sweep(spec.model_copy(update={"batch_size": 1}), world=w).metrics
    pd.testing.assert_frame_equal(together, alone)
    met = together["targets.0.countries_met"].to_list()
    assert met[0] > met[1] == 0      # 10% is met where 95% is not


def test_points_whose_immunity_classes_differ_are_never_batched_together():
    # Alpha escaping nothing shares the ancestral strain's immunity class; escaping a
    # little, it has its own: batched together, the first point's classes would split and
    # its sums run in another order (sim.engine.build.batching).
    spec = grid_spec(batch_size=4, replicates=1,
                     parameters={"epidemic.variants.0.escape": {"values": [0.0, 0.05]},
                                 "uptake.hesitancy": {"values": [0.1, 0.3]}})
    plan = plan_sweep(resolve(spec))
    assert [sorted(b.point.tolist()) for b in plan.batches] == [[0, 1], [2, 3]]
    w = sweep_world()
    together = run_sweep(spec, world=w).metrics
    alone = run_sweep(spec.model_copy(update={"batch_size": 1}), world=w).metrics
    pd.testing.assert_frame_equal(together, alone)


def test_fast_metrics_equal_member_metrics_of_a_run():
    from sim.outcomes.registry import member_metrics

    w = sweep_world()
    spec = grid_spec()
    s = point_scenario(spec.base, {"procurement.groups.HIC.multiple": 4.0,
                                   "uptake.hesitancy": 0.3})
    params = build_params(w, [s, s], [3, 4])
    both, _ = simulate(w, build_params(w, *with_twins([s, s], [3, 4])))
    traj, twins = split_members(both, 2)
    ref = member_metrics(Results(s, w, params, traj, twins)).reset_index(drop=True)
    ours = batch_metrics(traj, w, params, list(FAST_METRICS), counterfactual=twins)
    pd.testing.assert_frame_equal(ours, ref[list(FAST_METRICS)], check_names=False)
    assert (ours["deaths_averted"] > 0).all()


def test_sweep_deaths_averted_pair_each_member_with_its_twin():
    """A sweep asking for deaths averted runs the twins; each member's value equals
    ``sim.run``'s pairing (the twin shares the seed)."""
    from sim.engine.counterfactual import simulate_with_counterfactual

    w = sweep_world()
    names = ["deaths", "deaths_averted", "deaths_averted_by_group.LIC",
             "deaths_averted_per_million.World", "coverage_final.LIC",
             "deaths_by_band.65plus", "deaths_averted_by_band.65plus"]
    spec = grid_spec(metrics=names)
    res = run_sweep(spec, world=w)
    assert res.metrics[names].notna().all().all()
    assert (res.metrics["deaths_averted"] > 0).all()
    assert (res.metrics["deaths_averted_by_band.65plus"]
            <= res.metrics["deaths_averted"] + 1e-6).all()
    row = res.metrics.iloc[5]
    s = point_scenario(spec.base, {p: res.points.loc[row.point, p] for p in spec.parameters})
    params, traj, twins = simulate_with_counterfactual(w, s, [int(row.seed)])
    alone = batch_metrics(traj, w, params, names, counterfactual=twins)
    np.testing.assert_array_equal(row[names].to_numpy(dtype=float), alone.iloc[0].to_numpy())


def test_deaths_averted_are_nan_without_twins_or_epidemic():
    w = sweep_world()
    s = point_scenario(grid_spec().base, {})
    params = build_params(w, [s], [1])
    traj, _ = simulate(w, params)
    assert np.isnan(batch_metrics(traj, w, params, ["deaths_averted"]).iloc[0, 0])
    off = s.model_copy(update={"epidemic": s.epidemic.model_copy(update={"enabled": False})})
    traj, _ = simulate(w, build_params(w, [off], [1]))
    assert np.isnan(batch_metrics(traj, w, params, ["deaths", "deaths_averted"])).all().all()


def test_sweep_point_equals_a_single_run_of_that_point():
    w = sweep_world()
    spec = grid_spec()
    res = run_sweep(spec, world=w)
    row = res.points.iloc[7]
    values = {p: row[p] for p in spec.parameters}
    s = point_scenario(spec.base, values)
    seed = int(res.metrics[(res.metrics.point == 7) & (res.metrics.replicate == 1)].seed.iloc[0])
    traj, _ = simulate(w, build_params(w, [s], [seed]))
    alone = batch_metrics(traj, w, None, METRICS)
    got = res.metrics[(res.metrics.point == 7) & (res.metrics.replicate == 1)][METRICS]
    np.testing.assert_array_equal(got.to_numpy(), alone.to_numpy())


def test_last_day_recorder_matches_the_full_recorder():
    from sim.sweep.batches import simulate_final

    w = sweep_world()
    s = point_scenario(grid_spec().base, {})
    params = build_params(w, [s] * 3, [1, 2, 3])
    full, _ = simulate(w, params)
    last = simulate_final(w, params)
    np.testing.assert_array_equal(last.groups[:, 0], full.groups[:, -1])
    np.testing.assert_array_equal(last.ledger[:, 0], full.ledger[:, -1])
    np.testing.assert_array_equal(last.countries[:, 0], full.countries[:, -1])
    np.testing.assert_array_equal(last.produced_cum[:, 0], full.produced_cum[:, -1])
    pd.testing.assert_frame_equal(batch_metrics(last, w, params, list(FAST_METRICS)),
                                  batch_metrics(full, w, params, list(FAST_METRICS)))


def test_fast_path_equals_the_registry_on_tables():
    w = sweep_world()
    s = point_scenario(grid_spec().base, {"uptake.hesitancy": 0.3})
    params = build_params(w, [s, s], [3, 4])
    traj, _ = simulate(w, params)
    names = [*FAST_METRICS, "gini_coverage", "targets.0.countries_met"]
    fast = batch_metrics(traj, w, params, names, s)
    slow = batch_metrics(traj, w, params, names, s, fast=False)
    pd.testing.assert_frame_equal(fast, slow)


def test_a_metric_a_member_does_not_give_is_nan():
    w = sweep_world()
    s = point_scenario(grid_spec().base, {})
    params = build_params(w, [s], [1])
    traj, _ = simulate(w, params)
    out = batch_metrics(traj, w, params, ["doses_donated_bilateral", "doses_expired"], s)
    assert np.isnan(out["doses_donated_bilateral"]).all()
    assert (out["doses_expired"] >= 0).all()


def shared_key_spec(batch_size):
    from sim.sweep.spec import SweepSpec

    return SweepSpec.model_validate({
        "name": "t", "base": {"name": "b", "days": 60,
                              "donation": {"default": {"share": 0.5, "keep_coverage": 0.1}}},
        "parameters": {"uptake.doses_per_course": {"values": [1, 2]},
                       "epidemic.enabled": {"values": [True, False]},
                       "affinity.base": {"values": [0.1, 2.0]},
                       "epidemic.substeps": {"values": [1, 2]}},
        "method": "grid", "replicates": 2, "batch_size": batch_size, "metrics": METRICS})


def test_sweeps_over_batch_shared_keys_split_batches_and_agree():
    """Keys members of a batch must share (epidemic mode, switch, substeps, affinity) are
    swept by putting each value in its own batches; any batch size gives the same table."""
    w = sweep_world(days=60)
    one = run_sweep(shared_key_spec(1), world=w).metrics
    eight = run_sweep(shared_key_spec(8), world=w).metrics
    assert len(one) == 16 * 2
    pd.testing.assert_frame_equal(one, eight)


def test_default_batches_give_workers_even_shares():
    from sim.sweep.runner import plan_sweep
    from sim.sweep.spec import MAX_AUTO_BATCH, MIN_AUTO_BATCH, auto_batch_size

    assert auto_batch_size(256) == 32  # 8 batches: 4 each for 2 workers, 2 for 4
    assert auto_batch_size(3) == MIN_AUTO_BATCH
    assert auto_batch_size(10**6) == MAX_AUTO_BATCH
    # 3 × 2 × 2 points × 22 replicates = 264 members, no batch_size: 8 batches of 33.
    spec = grid_spec(batch_size=None, replicates=22)
    plan = plan_sweep(resolve(spec))   # (as run_sweep: defaults filled in)
    assert [b.size for b in plan.batches] == [33] * 8
    assert spec.batch_for(264) == 33 and grid_spec(batch_size=5).batch_for(264) == 5
