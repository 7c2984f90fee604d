"""Affinity: the shipped relationship table and the scenario's weights and overrides."""

import numpy as np
import pandas as pd
from worlds import make_world

from sim import data
from sim.scenario.schema import Affinity
from sim.world.affinity import pair_affinity, relations


def test_relations_from_blocs_ties_and_regions():
    w = make_world([1, 1, 1, 1], ["HIC"] * 4)
    blocs = pd.DataFrame({"members": ["C00;C01;C02", "C00;C01;XXX"]})
    ties = pd.DataFrame({"a": ["C02"], "b": ["C03"]})
    rel = relations(w, blocs, ties)
    shared = rel.shared_blocs(np.arange(4))
    assert shared[0, 1] == 2 and shared[0, 2] == 1 and shared[0, 3] == 0
    assert rel.ties[2, 3] == 1 and rel.ties[3, 2] == 1 and rel.ties.diagonal().sum() == 0
    assert (rel.region == rel.region[0]).all()
    aff = Affinity.model_validate({"base": 0.1, "same_region": 0.5, "bloc": 1.0, "tie": 2.0,
                                   "C03": {"C00": 5.0}})
    pairs = pair_affinity(w, aff, rel)
    rows = pairs.rows(np.arange(4))
    np.testing.assert_allclose(rows[0], [0, 2.6, 1.6, 0.6])
    np.testing.assert_allclose(rows[3], [5.0, 0.6, 2.6, 0])
    # a row alone equals the same row among others, bit for bit
    for r in range(4):
        np.testing.assert_array_equal(pairs.rows(np.array([r]))[0], rows[r])
    np.testing.assert_array_equal(pairs.rows(np.array([3, 1])), rows[[3, 1]])


def test_affinity_memory_is_linear_in_countries():
    from sim.scenario import load_scenario
    from sim.world.synthetic import synthetic

    aff = pair_affinity(synthetic(load_scenario("baseline"), 20_000),
                        Affinity.model_validate({"same_region": 0.3}))
    rel = aff.relations
    stored = (rel.region.nbytes + rel.membership.data.nbytes + rel.ties.data.nbytes
              + aff.overrides.data.nbytes)
    assert stored < 2_000_000   # an N x N matrix of regions would be 20,000^2 / 6 pairs
    rows = aff.rows(np.array([0, 19_999]))
    assert rows.shape == (2, 20_000) and rows[0, 0] == 0 and rows.max() > rows.min()


def test_shipped_blocs_and_ties_name_real_countries_and_sources():
    iso3 = set(data.countries()["iso3"])
    blocs, ties = data.blocs(), data.ties()
    assert {"ASEAN", "AU", "EU", "QUAD"} <= set(blocs["bloc"])
    assert blocs["source"].str.len().min() > 10 and ties["source"].str.len().min() > 10
    members = {c for m in blocs["members"] for c in m.split(";")}
    # Eritrea, the Sahrawi Republic and Taiwan are not in the country table.
    assert members - iso3 <= {"ERI", "ESH"}
    assert (set(ties["a"]) | set(ties["b"])) - iso3 <= {"TWN"}


def _shipped_pairs():
    from sim.scenario import load_scenario
    from sim.world.world import build_world

    sc = load_scenario("baseline")
    aff = Affinity.model_validate({"base": 0.1, "same_region": 0.5, "bloc": 1.0, "tie": 2.0,
                                   "USA": {"CAN": 3.0, "MEX": 0.0}})
    return pair_affinity(build_world(sc), aff)


def test_pickled_affinity_rebuilds_its_sparse_matrices_bit_for_bit():
    import copy
    import pickle

    pairs = _shipped_pairs()
    assert pairs.overridden.nnz == 2 and pairs.relations.ties.nnz > 0
    rows = np.arange(pairs.n)
    want, arrays = pairs.rows(rows), pairs.kernel_arrays
    for again in (pickle.loads(pickle.dumps(pairs)),                        # lazy
                  pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(pairs)))),  # unread
                  copy.deepcopy(pairs)):
        assert "_sparse_parts" in again.__dict__ and "overrides" not in again.__dict__
        np.testing.assert_array_equal(again.rows(rows), want)
        for a, b in zip(again.kernel_arrays, arrays, strict=True):
            np.testing.assert_array_equal(a, b)
        assert (again.relations.ties != pairs.relations.ties).nnz == 0
        assert again.overridden.dtype == bool
    try:
        pickle.loads(pickle.dumps(pairs)).nonexistent  # noqa: B018
    except AttributeError as err:
        assert "nonexistent" in str(err)
    else:
        raise AssertionError("no AttributeError")


def test_unpickling_an_affinity_needs_no_scipy(tmp_path):
    import pickle
    import subprocess
    import sys

    (tmp_path / "aff.pkl").write_bytes(pickle.dumps(_shipped_pairs()))
    code = ("import pickle, sys; a = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(any(m.startswith('scipy') for m in sys.modules)); a.relations.ties; "
            "print(any(m.startswith('scipy') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "aff.pkl")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
