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
    assert sorted(seen) == list(range(1, world.days))
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
