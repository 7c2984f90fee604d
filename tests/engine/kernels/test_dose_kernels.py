"""The compiled dose-engine kernels against their numpy references: identical ledgers.

Each scenario runs twice through the whole engine, once with ``VAXSIM_BACKEND=numpy``
and once with the compiled kernels; every recorded dose array must match bit for bit.
Scenarios whose dose flows do not depend on the epidemic keep it on; the others switch it
off so the comparison isolates the dose stages from the epidemic's own kernel.
"""

import dataclasses

import numpy as np
import pytest
from worlds import SCENARIOS

from sim.engine.build.params import build_params
from sim.engine.fields import LEDGER_FIELDS
from sim.engine.kernels.sums import marked_bucket_sum, pairwise_sum, segment_sums, short_sum
from sim.engine.run import simulate
from sim.engine.segments import Segments
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world

DOSE_FIELDS = ("ledger", "groups", "countries", "produced_cum", "exported_cum", "diplomacy",
               "flows", "strategies")


def run_both(monkeypatch, scenario, members=2, days=None):
    if days is not None:
        scenario = scenario.model_copy(update={"days": days})
    world = build_world(scenario)
    params = build_params(world, [scenario] * members, replicate_seeds(scenario.seed, members))
    out = {}
    for backend in ("numpy", "numba"):
        monkeypatch.setenv("VAXSIM_BACKEND", backend)
        out[backend] = simulate(world, params)
    return out["numpy"], out["numba"]


def assert_identical(ref, got):
    for name in DOSE_FIELDS:
        a, b = getattr(ref[0], name), getattr(got[0], name)
        np.testing.assert_array_equal(b, a, err_msg=name, strict=True)
    assert_states_identical(ref[1], got[1])


def assert_states_identical(ref, got):
    """Every array of two states equal bit for bit."""
    for f in dataclasses.fields(ref):
        a = getattr(ref, f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(getattr(got, f.name), a, err_msg=f.name, strict=True)


@pytest.mark.parametrize("name, sets", [
    ("baseline", ["production.noise_sd=0.2", "epidemic.enabled=false"]),
    ("nationalism", ["epidemic.enabled=false"]),
    ("india_export_ban", ["epidemic.enabled=false"]),
    ("covax_pooling", ["epidemic.enabled=false"]),
    ("bilateral_diplomacy", ["epidemic.enabled=false"]),
    ("equitable", ["epidemic.enabled=false"]),
    ("vietnam_case", ["epidemic.enabled=false"]),
    ("tech_transfer", ["epidemic.enabled=false"]),
])
def test_whole_run_ledgers_identical(monkeypatch, name, sets):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", sets)
    ref, got = run_both(monkeypatch, scenario, members=2, days=240)
    assert_identical(ref, got)
    # Doses were given: the comparison is not empty.
    assert ref[0].ledger[:, -1, LEDGER_FIELDS.administered_cum].max() > 0


def test_one_dose_course_and_single_member(monkeypatch):
    scenario = load_scenario(SCENARIOS / "baseline.yaml",
                             ["uptake.doses_per_course=1", "uptake.shelf_life_days=60",
                              "products.enabled=false", "epidemic.enabled=false"])
    ref, got = run_both(monkeypatch, scenario, members=1, days=200)
    assert_identical(ref, got)
    assert ref[0].ledger[0, -1, LEDGER_FIELDS.expired_cum] > 0  # some doses expired


@pytest.mark.parametrize("n", [*range(0, 40), 64, 127, 128, 129, 200, 255, 256, 257, 1000, 4099,
                               20_000, 100_003])
def test_pairwise_sum_matches_numpy(n):
    rng = np.random.default_rng(n)
    x = rng.random(n + 3) * 10.0 ** rng.uniform(-6, 9, n + 3)
    assert pairwise_sum(x, 3, n) == x[3:].sum()
    assert pairwise_sum(x, 0, n) == x[:n].sum()


@pytest.mark.parametrize("n", [*range(0, 40), 127, 128, 129, 300])
def test_inlined_short_sum_matches_numpy(n):
    rng = np.random.default_rng(n)
    x = rng.random(n + 5) * 10.0 ** rng.uniform(-6, 9, n + 5)
    assert short_sum(x, 5, n) == x[5:].sum()


@pytest.mark.parametrize("labels", [
    [0, 0, 1, 1, 1, 2, -1, -1],          # sorted: slices
    [2, -1, 0, 1, 0, 2, 1, 1, 0, 0, 0],   # unsorted: gathered, reduceat
    [-1, -1, -1],                        # no segment
])
def test_segment_sums_match_numpy(labels):
    rng = np.random.default_rng(1)
    seg = Segments(np.array(labels), 4)
    x = rng.random((3, len(labels))) * 1e7
    want = seg.sum(x)
    got = np.empty(4)
    for e in range(3):
        segment_sums(x[e], seg.order, seg.starts, seg.present, seg.slices is not None, got,
                     np.empty(len(labels)))
        np.testing.assert_array_equal(got, want[e])


@pytest.mark.parametrize("empty", [[], [0, 3], [1, 2, 4], [0, 1, 2, 3, 4]])
def test_marked_bucket_sum_adds_the_buckets_in_use_in_numpy_order(empty):
    rng = np.random.default_rng(7)
    stock = rng.random((5, 2, 300)) * 1e6          # (B, E, N)
    stock[empty] = 0.0
    used = stock.any(axis=2).T                      # (E, B): the dose day's marks
    want = stock.sum(axis=0)                        # (E, N), bucket after bucket
    stock[empty] = np.nan                           # unmarked buckets must not be read
    for e in range(2):
        got = np.full(300, -1.0)
        marked_bucket_sum(stock, e, used, got)
        np.testing.assert_array_equal(got, want[e])


@pytest.mark.parametrize("sets", [[], ["vaccination.priority=uniform",
                                       "vaccination.boosters.interval_days=90"]])
def test_boosters_and_age_bands_identical(monkeypatch, sets):
    scenario = load_scenario(SCENARIOS / "booster_restraint.yaml",
                             ["epidemic.enabled=false", *sets])
    ref, got = run_both(monkeypatch, scenario, members=1, days=420)
    assert_identical(ref, got)
    assert ref[1].boosted.sum() > 0 and ref[1].first_band[..., 0].sum() > 0


def test_gifts_ageing_on_their_way_identical(monkeypatch):
    """Donated doses in transit by shelf-life bucket, some expiring on the way, in the
    compiled day (no numpy fallback while gifts travel)."""
    scenario = load_scenario(SCENARIOS / "bilateral_diplomacy.yaml",
                             ["epidemic.enabled=false", "uptake.shelf_life_days=60",
                              "products.enabled=false", "donation.shelf_life_left=0.1",
                              "uptake.delivery_lag_days=40"])
    ref, got = run_both(monkeypatch, scenario, members=2, days=300)
    assert_identical(ref, got)
    assert ref[1].expired_arrival_cum.sum() > 0  # some gifts arrived expired
    assert ref[1].donations_received_cum.sum() > 0


def state_on_day(scenario, members, day):
    """World, parameters and a running batch's simulation after ``day`` days."""
    from sim.engine.run import Simulation

    world = build_world(scenario)
    params = build_params(world, [scenario] * members, replicate_seeds(scenario.seed, members))
    run = Simulation.start(world, params)
    while run.state.day < day:
        run.step()
    return world, params, run


@pytest.mark.parametrize("name", ["covax_pooling", "equitable"])
def test_pool_round_with_burden_identical(monkeypatch, name):
    """One pool round from a mid-run state, with a random epidemic weight of need (the
    whole-run comparisons switch the epidemic off)."""
    from sim.engine.flows import FlowLog
    from sim.engine.pool import allocate_pool

    scenario = load_scenario(SCENARIOS / f"{name}.yaml", ["epidemic.enabled=false"])
    world, params, run = state_on_day(scenario, 3, 120)
    every = int(params.diplomacy.pool_every.max())
    while run.state.day % every:
        run.step()
    t = run.state.day
    run.state.pool_stock += [2e7, 3e8, 1e9]  # what the pool bought earlier today
    burden = 1.0 + np.random.default_rng(3).random((3, world.n_countries)) * 3.0
    out = {}
    for backend in ("numpy", "numba"):
        monkeypatch.setenv("VAXSIM_BACKEND", backend)
        state, log = run.state.copy(), FlowLog()
        ship = allocate_pool(state, world, params, t, log, burden)
        out[backend] = (ship, state, log.array())
    (ship0, ref, flows0), (ship1, got, flows1) = out["numpy"], out["numba"]
    assert ship0 is not None and ship0.sum() > 0
    np.testing.assert_array_equal(ship1, ship0, strict=True)
    np.testing.assert_array_equal(flows1, flows0, strict=True)
    assert_states_identical(ref, got)


@pytest.mark.parametrize("name", ["bilateral_diplomacy", "baseline"])
def test_donation_round_with_burden_identical(monkeypatch, name):
    """One donation round from a mid-run state (gifts on their way, output given by a
    producer's government in the baseline), with a random epidemic weight of need."""
    from sim.engine.donation import donate
    from sim.engine.flows import FlowLog

    scenario = load_scenario(SCENARIOS / f"{name}.yaml", ["epidemic.enabled=false"])
    world, params, run = state_on_day(scenario, 3, 200)
    while not params.diplomacy.donation_day(run.state.day):
        run.step()
    t = run.state.day
    burden = 1.0 + np.random.default_rng(5).random((3, world.n_countries)) * 3.0
    out = {}
    for backend in ("numpy", "numba"):
        monkeypatch.setenv("VAXSIM_BACKEND", backend)
        state, log = run.state.copy(), FlowLog(np.array([True, False, True]))
        given = donate(state, world, params, t, log, burden)
        out[backend] = (given, state, log.array())
    (given0, ref, flows0), (given1, got, flows1) = out["numpy"], out["numba"]
    assert given0 is not None and given0.sum() > 0 and len(flows0) > 0
    np.testing.assert_array_equal(given1, given0, strict=True)
    np.testing.assert_array_equal(flows1, flows0, strict=True)
    assert_states_identical(ref, got)


@pytest.mark.parametrize("name, sets", [
    ("tech_transfer", ["epidemic.enabled=false"]),
    ("bilateral_diplomacy", ["epidemic.enabled=false", "donation.shelf_life_left=0.1"]),
    ("covax_pooling", []),
])
def test_fused_dose_day_equals_the_two_kernels(monkeypatch, name, sets):
    """Stages 6-7b in one compiled call give what uptake_day then track_day give."""
    import sim.engine.dose_day as dose_day_module
    import sim.engine.kernels.dose_day as kernel_module

    scenario = load_scenario(SCENARIOS / f"{name}.yaml", sets).model_copy(update={"days": 200})
    world = build_world(scenario)
    params = build_params(world, [scenario] * 2, replicate_seeds(scenario.seed, 2))
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    fused_days = []
    kernel = kernel_module.dose_day

    def counted(*args):
        fused_days.append(args[0])
        kernel(*args)

    monkeypatch.setattr(kernel_module, "dose_day", counted)
    fused = simulate(world, params)
    assert fused_days == list(range(200))  # every day, the ledger's first too
    monkeypatch.setattr(dose_day_module, "_all_enabled", lambda pp: False)
    apart = simulate(world, params)
    assert_identical(apart, fused)
    np.testing.assert_array_equal(fused[0].products, apart[0].products, strict=True)
    for name in ("holding", "administered", "expired", "given", "aged", "one_dose"):
        np.testing.assert_array_equal(getattr(fused[1].products, name),
                                      getattr(apart[1].products, name), err_msg=name,
                                      strict=True)
