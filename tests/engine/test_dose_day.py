"""The fused dose day's Python side: arguments gathered once per running state
(:class:`sim.engine.dose_day._Plan`), each state on its own arrays, each day's willingness.
"""

import gc

import numpy as np
import pytest
from worlds import SCENARIOS

import sim.engine.dose_day as dose_day_module
import sim.engine.kernels.dose_day as kernel_module
from sim.engine.build.params import build_params
from sim.engine.run import Simulation
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world

CHANGES = ('uptake.hesitancy_changes=[{date: 2021-02-01, default: 0.3},'
           ' {date: 2021-03-01, groups: {HIC: 0.05}}]')


def _batch(*sets, days=90):
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["epidemic.enabled=false", *sets])
    scenario = scenario.model_copy(update={"days": days})
    world = build_world(scenario)
    return world, build_params(world, [scenario] * 2, replicate_seeds(scenario.seed, 2))


def _run(sim, days):
    for _ in range(days):
        sim.step()


def test_each_day_reads_its_dated_willingness(monkeypatch):
    world, params = _batch(CHANGES)
    assert len(params.willing_days) == 3
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    seen = {}
    kernel = kernel_module.dose_day

    def spy(*args):
        seen[args[0]] = (args[6], args[7])
        kernel(*args)

    monkeypatch.setattr(kernel_module, "dose_day", spy)
    _run(Simulation.start(world, params), world.days)
    assert sorted(seen) == list(range(world.days))
    for t, (willing, band) in seen.items():
        np.testing.assert_array_equal(willing, params.willing_people_on(t), err_msg=str(t))
        np.testing.assert_array_equal(band, params.willing_band_on(t), err_msg=str(t))
    assert not np.array_equal(seen[30][0], seen[60][0])  # the changes acted


@pytest.mark.parametrize("backend_of_copy", ["numba", "numpy"])
def test_a_copied_state_runs_on_its_own_arrays(monkeypatch, backend_of_copy):
    """Two batches stepped in turn from copies of one mid-run state stay identical (a plan
    holding the other state's arrays would step one twice and the other never); the
    copy's first day may run stage by stage, which drops its plan."""
    world, params = _batch()
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    one = Simulation.start(world, params)
    _run(one, 40)
    two = Simulation.start(world, params)
    two.state = one.state.copy()
    before = one.state.administered_cum.copy()
    monkeypatch.setenv("VAXSIM_BACKEND", backend_of_copy)
    two.kernels = type(two.kernels)(backend_of_copy)
    two.step()
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    two.kernels = type(two.kernels)("numba")
    one.step()
    for _ in range(30):
        one.step()
        two.step()
    assert (one.state.administered_cum > before).any()
    for name in ("stock", "administered_cum", "first", "received_cum", "expired_cum"):
        np.testing.assert_array_equal(getattr(two.state, name), getattr(one.state, name),
                                      err_msg=name)
    np.testing.assert_array_equal(two.state.products.holding, one.state.products.holding)
    keys = {id(one.state), id(two.state)}
    assert keys <= set(dose_day_module._PLANS)
    del one, two
    gc.collect()
    assert not keys & set(dose_day_module._PLANS)  # plans (and their arrays) went too


@pytest.mark.parametrize("sets, acts", [
    (["uptake.hesitancy=0.9"], "expiry"),                # stock left over: expiry (day 209)
    (["donation.shelf_life_left=0.1"], "gifts"),         # old doses given away
    (["shocks=[{type: demand_surge, countries: [IND, NGA], date: 2021-03-01,"
      " extra_courses: 0.5}]"], None),
])
def test_bucket_marks_cover_every_bucket_holding_doses(monkeypatch, sets, acts):
    """The uptake kernel's marks of the buckets in use (kept by the plan from day to day)
    are True wherever a member's bucket holds doses, in the stock and in each slot of the
    gift ring, after every fused day: through arrivals, gifts landing, expiry and ageing,
    and doses taken out by other stages (pool, donations). They also drop empty buckets,
    else the kernel's passes would skip nothing."""
    world, params = _batch(*sets, days=240)
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    sim = Simulation.start(world, params)
    seen = {"days": 0, "unused": 0, "gifts": 0}
    kernel = kernel_module.dose_day

    def check(*args):
        kernel(*args)
        used, gift_used = dose_day_module._PLANS[id(sim.state)].marks
        stock, ring = sim.state.stock, sim.state.gift_transit       # (B, E, N), (B, E, L, N)
        holds = (stock != 0.0).any(axis=2).T                           # (E, B)
        assert not (holds & ~used).any(), f"day {args[0]}: a bucket in use is unmarked"
        moving = (ring != 0.0).any(axis=3).transpose(1, 2, 0)          # (E, L, B)
        assert not (moving & ~gift_used).any(), f"day {args[0]}: a gift slot is unmarked"
        seen["days"] += 1
        seen["unused"] += int((~used).sum())
        seen["gifts"] += int(moving.sum())

    monkeypatch.setattr(kernel_module, "dose_day", check)
    _run(sim, world.days)
    assert seen["days"] == world.days
    assert seen["unused"] > 0
    if acts == "expiry":
        assert sim.state.expired_cum.sum() > 0
    if acts == "gifts":
        assert seen["gifts"] > 0


def test_fused_day_with_marks_equals_every_bucket_visited(monkeypatch):
    """Days run with the plan's marks give bit for bit what days visiting every bucket give
    (marks made all True before each day)."""
    world, params = _batch("uptake.hesitancy=0.9", "donation.shelf_life_left=0.1",
                           days=240)
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    one = Simulation.start(world, params)
    _run(one, world.days)
    kernel = kernel_module.dose_day
    two = Simulation.start(world, params)

    def all_marked(*args):
        for mark in dose_day_module._PLANS[id(two.state)].marks:
            mark[...] = True
        kernel(*args)

    monkeypatch.setattr(kernel_module, "dose_day", all_marked)
    _run(two, world.days)
    for name in ("stock", "gift_transit", "administered_cum", "expired_cum", "received_cum",
                 "expired_arrival_cum", "courses_band"):
        np.testing.assert_array_equal(getattr(two.state, name), getattr(one.state, name),
                                      err_msg=name)
    np.testing.assert_array_equal(two.state.products.aged, one.state.products.aged)
    assert one.state.expired_cum.sum() > 0 and one.state.donated_cum.sum() > 0


def _stage_by_stage(*args):
    raise AssertionError("a day ran stage by stage")


def test_day_0_runs_fused_as_it_ran_stage_by_stage(monkeypatch):
    """Day 0 runs fused (the ledger starts before it), so a run never calls the
    stage-by-stage kernels (loading them from numba's cache cost ~0.1 s of a process's
    first run), with the results day 0 gave when it ran stage by stage (the ledger
    started after it)."""
    world, params = _batch("uptake.hesitancy=0.9", "donation.shelf_life_left=0.1",
                           days=240)
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    with monkeypatch.context() as patched:
        patched.setattr(dose_day_module, "deliver_and_administer", _stage_by_stage)
        patched.setattr(dose_day_module, "track_products", _stage_by_stage)
        one = Simulation.start(world, params)
        _run(one, world.days)
    monkeypatch.setattr(dose_day_module, "_ledger_on_day_0", lambda *args: None)
    two = Simulation.start(world, params)
    _run(two, world.days)
    for name in ("stock", "gift_transit", "transit", "administered_cum", "expired_cum",
                 "received_cum", "first", "completed", "courses_band"):
        np.testing.assert_array_equal(getattr(one.state, name), getattr(two.state, name),
                                      err_msg=name)
    for name in ("received", "holding", "administered", "expired", "given", "aged", "land"):
        np.testing.assert_array_equal(getattr(one.state.products, name),
                                      getattr(two.state.products, name), err_msg=name)
    assert one.state.administered_cum.sum() > 0 and one.state.expired_cum.sum() > 0
