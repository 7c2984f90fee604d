"""Samplers give the documented number of points, inside the parameters' bounds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.sweep.samplers import corner_points, point_count, sample_points
from sim.sweep.spec import SweepSpec

RANGES = {"uptake.hesitancy": {"low": 0.05, "high": 0.4},
          "production.multiplier": {"low": 0.5, "high": 2.0, "log": True},
          "procurement.groups.HIC.priority": {"low": 0, "high": 3},
          "procurement.groups.HIC.strategy": {"values": ["need", "hoard"]}}


def spec(method, samples=16, parameters=RANGES, seed=1):
    return SweepSpec.model_validate({"name": "s", "base": {"name": "b"}, "method": method,
                                     "samples": samples, "parameters": parameters,
                                     "seed": seed})


def check_bounds(points):
    assert points["uptake.hesitancy"].between(0.05, 0.4).all()
    assert points["production.multiplier"].between(0.5, 2.0).all()
    pr = points["procurement.groups.HIC.priority"]
    assert pr.dtype.kind == "i" and set(pr) <= {0, 1, 2, 3}
    assert set(points["procurement.groups.HIC.strategy"]) <= {"need", "hoard"}


@pytest.mark.parametrize("method,samples,expected", [
    ("random", 37, 37), ("lhs", 50, 50), ("sobol", 32, 32 * (4 + 2))])
def test_sample_methods_give_documented_count_inside_bounds(method, samples, expected):
    s = spec(method, samples)
    points = sample_points(s)
    assert len(points) == expected == point_count(s)
    assert list(points["point"]) == list(range(expected))
    check_bounds(points)


def test_grid_is_the_product_of_levels():
    s = spec("grid", parameters={
        "uptake.hesitancy": {"low": 0.1, "high": 0.3, "steps": 3},
        "production.multiplier": {"low": 0.5, "high": 2.0, "log": True, "steps": 3},
        "procurement.groups.HIC.multiple": {"values": [1, 2.5, 4, 6]}})
    points = sample_points(s)
    assert len(points) == 3 * 3 * 4 == point_count(s)
    np.testing.assert_allclose(sorted(set(points["production.multiplier"])),
                               [0.5, 1.0, 2.0])          # log-spaced levels
    assert len(points.drop(columns="point").drop_duplicates()) == len(points)


def test_lhs_fills_each_stratum_once():
    s = spec("lhs", 20, {"uptake.hesitancy": {"low": 0.0, "high": 1.0}})
    u = sample_points(s)["uptake.hesitancy"].to_numpy()
    assert sorted((u * 20).astype(int)) == list(range(20))


def test_sobol_blocks_follow_saltelli():
    s = spec("sobol", 8, {"uptake.hesitancy": {"low": 0.1, "high": 0.3},
                          "production.multiplier": {"low": 0.5, "high": 2.0}})
    p = sample_points(s)
    a, b = p[p["block"] == "A"], p[p["block"] == "B"]
    ab1 = p[p["block"] == "AB:uptake.hesitancy"]
    np.testing.assert_array_equal(ab1["uptake.hesitancy"], b["uptake.hesitancy"])
    np.testing.assert_array_equal(ab1["production.multiplier"], a["production.multiplier"])


def test_sobol_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of 2"):
        spec("sobol", 12)


@settings(max_examples=25, deadline=None)
@given(method=st.sampled_from(["random", "lhs"]), samples=st.integers(1, 200),
       seed=st.integers(0, 2**31))
def test_samples_are_reproducible_and_in_bounds(method, samples, seed):
    a = sample_points(spec(method, samples, seed=seed))
    assert len(a) == samples
    check_bounds(a)
    assert a.equals(sample_points(spec(method, samples, seed=seed)))


def test_corner_points_reach_the_extremes():
    corners = corner_points(spec("random"))
    hes = {c["uptake.hesitancy"] for c in corners}
    assert min(hes) == pytest.approx(0.05) and max(hes) == pytest.approx(0.4)
    assert {c["procurement.groups.HIC.strategy"] for c in corners} == {"need", "hoard"}


def crossed_spec(method, samples=12, seed=1):
    return SweepSpec.model_validate({
        "name": "s", "base": {"name": "b"}, "method": method, "samples": samples,
        "seed": seed, "parameters": RANGES,
        "contrast": {"parameter": "procurement.groups.HIC.strategy", "control": "need",
                     "treatment": "hoard"}})


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_a_contrast_arm_is_crossed_with_the_sampled_worlds(method):
    """Each sampled world (the other parameters) runs once in each arm, its arms next to
    each other; the other parameters are sampled as a sweep without the arm would be."""
    s = crossed_spec(method)
    points = sample_points(s)
    assert len(points) == 12 * 2 == point_count(s)
    assert list(points["point"]) == list(range(24))
    assert list(points["procurement.groups.HIC.strategy"]) == ["need", "hoard"] * 12
    others = ["uptake.hesitancy", "production.multiplier", "procurement.groups.HIC.priority"]
    worlds = points[others]
    assert worlds.iloc[0::2].reset_index(drop=True).equals(
        worlds.iloc[1::2].reset_index(drop=True))
    assert len(worlds.drop_duplicates()) == 12
    check_bounds(points)
    alone = sample_points(spec(method, 12, {k: v for k, v in RANGES.items()
                                            if k in others}))
    assert alone[others].equals(worlds.iloc[0::2].reset_index(drop=True))
    if method == "lhs":  # still a Latin hypercube over the sampled parameters
        u = (worlds.iloc[0::2]["uptake.hesitancy"].to_numpy() - 0.05) / 0.35
        assert sorted(np.floor(u * 12).astype(int)) == list(range(12))
    assert sample_points(crossed_spec(method)).equals(points)     # reproducible
