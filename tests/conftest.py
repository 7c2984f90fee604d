"""Pytest fixtures shared by every test module."""

import pytest
from worlds import make_world

from sim.world.world import World


@pytest.fixture
def small_world() -> World:
    return make_world([1e6, 2e6, 3e6, 4e6], ["HIC", "UMIC", "LMIC", "LIC"],
                      home_of=[0, -1, -1, -1], production=[50_000.0], days=90)
