"""Same seed → identical results; a member alone equals the same member in a batch."""

import numpy as np
from worlds import make_world, params_for, scenario

from sim.engine.run import simulate
from sim.engine.streams import member_rng, replicate_seeds


def _world():
    return make_world([1e6, 5e6, 2e7, 3e6, 8e6], ["HIC", "UMIC", "LMIC", "LIC", "HIC"],
                      home_of=[0, 1, -1, -1, 0], production=[4e4, 1e5], days=120)


SCEN = scenario(production={"noise_sd": 0.3},
                export={"producers": {"P1": {"policy": "domestic_first"}}},
                procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3,
                                                "priority": 0}}})


def test_same_seed_gives_identical_trajectories():
    w = _world()
    a, _ = simulate(w, params_for(w, SCEN, (7, 8)))
    b, _ = simulate(w, params_for(w, SCEN, (7, 8)))
    for x, y in zip(vars(a).values(), vars(b).values(), strict=True):
        np.testing.assert_array_equal(x, y)


def test_different_seeds_differ_with_noise():
    w = _world()
    a, _ = simulate(w, params_for(w, SCEN, (7,)))
    b, _ = simulate(w, params_for(w, SCEN, (9,)))
    assert not np.array_equal(a.ledger, b.ledger)


def test_member_alone_equals_member_in_batch():
    w = _world()
    seeds = (3, 11, 12345, 99, 5)
    batch, _ = simulate(w, params_for(w, SCEN, seeds))
    for e in (0, 2, 4):
        alone, _ = simulate(w, params_for(w, SCEN, (seeds[e],)))
        for name in ("groups", "ledger", "produced_cum", "exported_cum", "countries"):
            np.testing.assert_array_equal(getattr(batch, name)[e], getattr(alone, name)[0],
                                          err_msg=name)


def test_streams_are_named_and_reproducible():
    a = member_rng(5, "production").random(3)
    np.testing.assert_array_equal(a, member_rng(5, "production").random(3))
    assert not np.array_equal(a, member_rng(5, "epidemic").random(3))
    seeds = replicate_seeds(42, 4)
    assert seeds[0] == 42 and len(set(seeds)) == 4
    np.testing.assert_array_equal(seeds[:2], replicate_seeds(42, 2))


def test_segments_sum_sorted_and_unsorted_labels_alike():
    from sim.engine.segments import Segments

    x = np.random.default_rng(0).random((3, 7))
    sorted_labels = np.array([0, 0, 1, 1, 1, 3, 3])
    mixed = np.array([1, 0, -1, 3, 1, 0, 3])
    for labels in (sorted_labels, mixed):
        expect = np.stack([x[:, labels == k].sum(axis=1) for k in range(4)], axis=1)
        np.testing.assert_allclose(Segments(labels, 4).sum(x), expect)


def test_recorder_block_size_does_not_change_records():
    from sim.engine.record import Recorder
    from sim.engine.run import Simulation

    w = _world()
    params = params_for(w, SCEN, (7, 8, 9))
    runs = []
    for block in (1, 5, 32):
        sim = Simulation.start(w, params)
        sim.recorder = Recorder(w, params, 7, block)
        while not sim.done:
            sim.step()
        runs.append(sim.recorder.out)
    for other in runs[1:]:
        for x, y in zip(vars(runs[0]).values(), vars(other).values(), strict=True):
            np.testing.assert_array_equal(x, y)
