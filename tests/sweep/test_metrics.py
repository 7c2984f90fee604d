"""Sweep metrics computed from a batch's arrays (:mod:`sim.sweep.metrics`)."""

import warnings

import numpy as np
from worlds import make_world, params_for, scenario

from sim.engine.run import simulate
from sim.sweep.metrics import death_fast_metrics


def test_deaths_per_million_are_nan_in_a_group_with_no_one_and_warn_nothing():
    world = make_world([1e6, 2e6, 3e6], ["HIC", "UMIC", "LMIC"], home_of=[0, -1, -1],
                       production=[50_000.0], days=60)     # no low-income country
    traj, _ = simulate(world, params_for(world, scenario(days=60), (1, 2)), 7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # numpy's divide and invalid-value warnings too
        out = death_fast_metrics(traj, world)
    assert np.isnan(out["deaths_per_million.LIC"]).all()
    assert (out["deaths_by_group.LIC"] == 0).all()
    hic = out["deaths_by_group.HIC"]
    assert (hic > 0).all()
    np.testing.assert_allclose(out["deaths_per_million.HIC"], hic * 1e6 / 1e6, rtol=1e-12)
    np.testing.assert_allclose(out["deaths_per_million.World"], out["deaths"] * 1e6 / 6e6,
                               rtol=1e-12)
