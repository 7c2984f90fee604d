"""The two anchor implementations (plain-Mesa toy, numpy floor) do the same arithmetic."""

import numpy as np

from benchmarks.anchors import mesa_toy, numpy_floor


def test_toy_and_floor_agree():
    model = mesa_toy.run(n_countries=30, days=120)
    toy = model.datacollector.get_model_vars_dataframe()
    floor = numpy_floor.run(members=2, n_countries=30, days=120)
    np.testing.assert_allclose(toy["first"].to_numpy(), floor["first"][0], rtol=1e-9)
    np.testing.assert_allclose(toy["deaths"].to_numpy(), floor["deaths"][1], rtol=1e-9)
    assert floor["first"][0, -1] > 0 and floor["deaths"][0, -1] > 0
