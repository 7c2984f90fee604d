"""The kernels' backend choice (:mod:`sim.engine.kernels`): read from ``VAXSIM_BACKEND``,
pinned by a batch for its days so a day's stages do not each read the environment.
"""

from worlds import SCENARIOS

from sim.engine import kernels
from sim.engine.build.params import build_params
from sim.engine.kernels import backend, pinned
from sim.engine.run import Simulation
from sim.scenario import load_scenario
from sim.world.world import build_world


def test_backend_follows_the_environment_outside_a_batch(monkeypatch):
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    assert backend() == "numpy"
    monkeypatch.setenv("VAXSIM_BACKEND", "NumPy")
    assert backend() == "numpy"
    monkeypatch.delenv("VAXSIM_BACKEND")
    assert backend() == "numba"


def test_pinned_choice_wins_over_the_environment_and_nests(monkeypatch):
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    with pinned("numba"):
        assert backend() == "numba"
        with pinned("numpy"):
            assert backend() == "numpy"
        assert backend() == "numba"
    assert backend() == "numpy"


def test_a_batch_keeps_the_backend_it_started_with(monkeypatch):
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["days=3", "epidemic.enabled=false"])
    world = build_world(scenario)
    params = build_params(world, [scenario], [scenario.seed])
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    sim = Simulation.start(world, params)
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    seen = []
    real = kernels.backend_from_env

    def spy():
        seen.append(real())
        return seen[-1]

    monkeypatch.setattr(kernels, "backend_from_env", spy)
    sim.step()
    assert sim.kernels.choice == "numpy"
    assert seen == []  # the day's stages read the pinned choice, not the environment
    assert backend() == "numba"  # and the pin ends with the day
