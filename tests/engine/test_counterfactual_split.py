"""Splitting a batch into real members and their no-vaccine twins keeps each side's
diplomacy ledger rows (flows are rows led by a member index, not a member axis)."""

import numpy as np

from sim.engine.counterfactual import split_members
from sim.engine.record import Trajectories


def test_split_members_splits_flow_rows_by_member():
    E, D = 4, 3
    flows = np.array([[0, 1, 2, 3, 10.0, 0], [1, 1, 2, 3, 20.0, 0],
                      [2, 1, 2, 3, 30.0, 1], [3, 2, 0, 1, 40.0, 0]])
    traj = Trajectories(groups=np.zeros((E, D, 5, 3)), ledger=np.zeros((E, D, 7)),
                        produced_cum=np.zeros((E, D, 1)), exported_cum=np.zeros((E, D, 1)),
                        country_days=np.array([D - 1]), countries=np.zeros((E, 1, 2, 7)),
                        strategies=np.zeros((E, D, 4)), flows=flows)
    real, twins = split_members(traj, 2)
    np.testing.assert_array_equal(real.flows, flows[:2])
    expect = flows[2:].copy()
    expect[:, 0] -= 2
    np.testing.assert_array_equal(twins.flows, expect)
    assert real.groups.shape[0] == twins.groups.shape[0] == 2
