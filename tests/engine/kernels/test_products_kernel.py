"""The compiled product ledger (:func:`sim.engine.kernels.products.track_day`) and market
clearing with the pool (:func:`sim.engine.kernels.market.clear_with_pool`) against their
numpy references (:func:`sim.engine.products.track_reference`, the stages of
:func:`sim.engine.pool.clear_with_pool`): identical doses, bit for bit, every day.

Two batches run side by side, one day each in turn, one with ``VAXSIM_BACKEND=numpy`` and
one compiled; after every day every array of the product ledger and of the dose engine
must be equal. The epidemic is off (its compiled and numpy runs agree to 1e-10 only, and
protection by product would carry that into the doses).
"""

import numpy as np
import pytest
from fuzz.generator import valid_scenario
from worlds import SCENARIOS

from sim.engine.build.params import build_params
from sim.engine.products import COUNTERS
from sim.engine.run import Simulation
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world

LEDGER = ("received", "holding", "administered", "expired", "given", "pool", "aged",
          "land", "land_mix", "arriving", "one_dose", "mix", "world_received", "world_now",
          "transit", "stale")


def lockstep(monkeypatch, scenario, members: int) -> int:
    """Run the numpy and compiled batches day by day; returns the days with products."""
    world = build_world(scenario)
    params = build_params(world, [scenario] * members, replicate_seeds(scenario.seed, members))
    # A batch reads its backend when it starts.
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    ref = Simulation.start(world, params)
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    got = Simulation.start(world, params)
    tracked = 0
    while not ref.done:
        t = ref.state.day
        ref.step()
        got.step()
        a, b = ref.state.products, got.state.products
        if a is not None:
            tracked += 1
            for name in LEDGER:
                np.testing.assert_array_equal(getattr(b, name), getattr(a, name), strict=True,
                                              err_msg=f"{name} on day {t}")
            for name in COUNTERS[1:]:  # the first (allocated) is not read
                np.testing.assert_array_equal(b.last[name], a.last[name], err_msg=name)
        for name, x in vars(ref.state).items():
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(getattr(got.state, name), x, strict=True,
                                              err_msg=f"state.{name} on day {t}")
    return tracked


@pytest.mark.parametrize("name, members, days", [
    # every channel: licences, contracts, partners, pool, gifts; India resumes exports
    # (home served first) from day 273
    ("baseline", 2, 400),
    ("covax_pooling", 2, 300),
    ("bilateral_diplomacy", 1, 300),
    ("tech_transfer", 2, 300),
    ("india_export_ban", 1, 300),
])
def test_compiled_ledger_equals_reference_on_shipped_scenarios(monkeypatch, name, members,
                                                               days):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml",
                             [f"days={days}", "epidemic.enabled=false"])
    assert lockstep(monkeypatch, scenario, members) == days


def test_restricted_buyers_and_expiry_are_exercised(monkeypatch):
    # Short shelf lives so stock expires by product; some countries take some products only.
    scenario = load_scenario(SCENARIOS / "baseline.yaml",
                             ["days=300", "epidemic.enabled=false", "uptake.shelf_life_days=60",
                              "production.noise_sd=0.2"])
    assert not scenario.products.accepted == {}
    assert lockstep(monkeypatch, scenario, 2) == 300


@pytest.mark.parametrize("seed", range(8))
def test_compiled_ledger_equals_reference_on_random_scenarios(monkeypatch, seed):
    # Random valid scenarios of the fuzz generator, with products tracked and long enough
    # for several clearings, bucket boundaries and rounds of each mechanism drawn.
    scenario, _ = valid_scenario(7_000 + seed, max_days=150)
    scenario = scenario.model_copy(update={
        "days": 150,
        "epidemic": scenario.epidemic.model_copy(update={"enabled": False}),
        "products": scenario.products.model_copy(update={"enabled": True})})
    assert lockstep(monkeypatch, scenario, 2) == 150


def test_fixed_arrays_follow_the_batch_diplomacy(monkeypatch):
    """Parameters copied with another diplomacy share their products; the kernel's fixed
    arrays (licences, contracts, partners) are remade for the copy, not reused."""
    import dataclasses

    from sim.engine.run import simulate

    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["days=20", "epidemic.enabled=false"])
    world = build_world(scenario)
    params = build_params(world, [scenario], [scenario.seed])
    simulate(world, params)
    assert params.products.__dict__["_kernel_fixed"][0] is params.diplomacy
    dip = params.diplomacy
    other = dataclasses.replace(params, diplomacy=dataclasses.replace(
        dip, contract_buyer=np.full_like(dip.contract_buyer, -1)))
    simulate(world, other)
    fixed = params.products.__dict__["_kernel_fixed"]
    assert fixed[0] is other.diplomacy
    np.testing.assert_array_equal(fixed[2][4], -1)  # the copy's contract buyers
