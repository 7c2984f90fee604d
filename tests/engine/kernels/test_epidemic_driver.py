"""The compiled epidemic day's scratch (:mod:`sim.engine.kernels.epidemic_driver`): kept
from day to day by the caller, it must change no result, since every scratch value is
written before it is read within a day.
"""

import numpy as np
import pytest

from sim import load_scenario
from sim.engine.build.params import build_params
from sim.engine.kernels import epidemic_driver as driver
from sim.engine.kernels import set_threads
from sim.engine.run import simulate
from sim.world.world import build_world


@pytest.fixture
def restore_threads():
    yield
    set_threads(1)


def _trajectories(days: int, replicates: int):
    scenario = load_scenario("baseline", [f"days={days}"])
    world = build_world(scenario)
    params = build_params(world, [scenario] * replicates, list(range(1, replicates + 1)))
    return simulate(world, params)[0]


@pytest.mark.parametrize("threads", [1, 2])
def test_kept_scratch_gives_the_results_of_fresh_scratch(monkeypatch, restore_threads,
                                                         threads):
    set_threads(threads)
    kept = _trajectories(90, 2)
    day = driver.run_day
    calls = []

    def fresh(args, scratch=None):
        calls.append(scratch)
        day(args, None)     # new scratch every day

    monkeypatch.setattr(driver, "run_day", fresh)
    made = _trajectories(90, 2)
    assert calls and all(isinstance(c, dict) for c in calls)   # the stage passes its own
    for name in ("ledger", "groups", "countries"):
        np.testing.assert_array_equal(getattr(kept, name), getattr(made, name))
    np.testing.assert_array_equal(kept.epi_groups, made.epi_groups)


def test_scratch_is_made_once_per_shape_and_thread_count():
    S = np.zeros((2, 3, 7, 64))         # (E, A, K, N)
    Ex = np.zeros((2, 3, 4, 64))        # (E, A, V, N)
    args = (S, Ex, *([None] * 18), 5)   # n_regions at index 20
    keep: dict = {}
    first = driver._scratch_for(args, 1, keep)
    assert driver._scratch_for(args, 1, keep) is first
    assert first[0].shape == (1, 3, 4, 64) and first[2].shape == (1, 5, 4)
    two = driver._scratch_for(args, 2, keep)      # members shared out: one slot each
    assert two is not first and two[0].shape[0] == 2 and len(keep) == 1
    assert driver._scratch_for(args, 2, None) is not two     # nothing kept: made anew
