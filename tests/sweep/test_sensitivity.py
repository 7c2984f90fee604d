"""Sobol indices against the Ishigami function's analytic values (Ishigami & Homma 1990)."""

import numpy as np

from sim.sweep.samplers import saltelli
from sim.sweep.sensitivity import sobol_from_blocks


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def analytic(a=7.0, b=0.1):
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_ishigami_indices_match_analytic_values():
    paths = ["x1", "x2", "x3"]
    u, blocks = saltelli(paths, 2**13, np.random.default_rng(3))
    y = ishigami(-np.pi + 2 * np.pi * u)
    res = sobol_from_blocks(y, blocks, paths, resamples=99)
    s1, st = analytic()
    np.testing.assert_allclose(res["first_order"][0], s1, atol=0.05)
    np.testing.assert_allclose(res["total_order"][0], st, atol=0.05)
    # the confidence intervals bracket the estimates and are narrow at this sample size
    assert np.all(res["first_low"] <= res["first_order"])
    assert np.all(res["first_order"] <= res["first_high"])
    assert np.all(res["total_high"] - res["total_low"] < 0.1)


def test_several_outputs_keep_their_own_indices():
    paths = ["x1", "x2", "x3"]
    u, blocks = saltelli(paths, 2**10, np.random.default_rng(5))
    x = -np.pi + 2 * np.pi * u
    y = np.column_stack([ishigami(x), x[:, 1]])   # the second depends on x2 alone
    res = sobol_from_blocks(y, blocks, paths, resamples=49)
    assert res["first_order"].shape == (2, 3)
    np.testing.assert_allclose(res["first_order"][1], [0, 1, 0], atol=0.02)
    np.testing.assert_allclose(res["total_order"][0], analytic()[1], atol=0.08)


def test_estimator_equals_scipy_and_intervals_are_reproducible():
    from scipy.stats import sobol_indices

    from sim.sweep.sensitivity import saltelli_jansen

    paths = ["x1", "x2", "x3"]
    u, blocks = saltelli(paths, 2**8, np.random.default_rng(1))
    y = ishigami(-np.pi + 2 * np.pi * u)
    blocks = np.array(blocks)
    f_a, f_b = y[blocks == "A"][None], y[blocks == "B"][None]
    f_ab = np.stack([y[blocks == f"AB:{p}"][None] for p in paths])
    ref = sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=2**8)
    mean = np.mean([f_a, f_b])
    first, total = saltelli_jansen(f_a - mean, f_b - mean, f_ab - mean)
    np.testing.assert_allclose(first.ravel(), ref.first_order.ravel())
    np.testing.assert_allclose(total.ravel(), ref.total_order.ravel())
    a = sobol_from_blocks(y, blocks, paths, resamples=50, seed=4)
    b = sobol_from_blocks(y, blocks, paths, resamples=50, seed=4)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
