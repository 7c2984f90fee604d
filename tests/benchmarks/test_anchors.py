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


def test_report_gives_each_ratio_as_min_over_min_and_median_over_median():
    from benchmarks.anchors.report import ratio_lines

    figures = {"members_one_by_one": {"min": 4.0, "median": 5.0},
               "members_batched": {"min": 2.0, "median": 4.0},
               "members_chunked": {"min": 1.0, "median": 2.0},
               "mesa_toy": {"min": 0.2, "median": 0.3}}
    lines = ratio_lines(figures)
    assert any(x.startswith("members one by one / batched [x]")
               and x.split()[-6:-3] == ["2.00", "/", "1.25"] for x in lines)
    assert any(x.startswith("members one by one / in cache-sized chunks [x]")
               and x.split()[-5:-2] == ["4.00", "/", "2.50"] for x in lines)
    # a ratio whose figures were not measured in the session is left out
    assert not any("sim.run(baseline)" in x for x in lines)
