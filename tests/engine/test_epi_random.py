"""Counter-based uniforms and binomial inversion for the stochastic epidemic."""

import numpy as np
import pytest
from scipy import stats

from sim.engine.epi_random import binomial, uniforms


def test_uniforms_depend_on_key_and_position_only():
    keys = np.array([11, 22, 33], dtype=np.uint64)
    batch = uniforms(keys, 7, 4, 5)
    alone = uniforms(keys[1:2], 7, 4, 5)
    np.testing.assert_array_equal(batch[:, 1], alone[:, 0])
    assert not np.array_equal(batch, uniforms(keys, 8, 4, 5))
    big = uniforms(np.arange(50, dtype=np.uint64), 3, 20, 100).ravel()
    assert stats.kstest(big, "uniform").pvalue > 1e-3
    assert ((big > 0) & (big < 1)).all()


@pytest.mark.parametrize(("n", "p"), [(20, 0.25), (3, 0.5), (1e6, 2e-6), (40, 0.93)])
def test_small_variance_draws_are_exact_binomial(n, p):
    u = uniforms(np.arange(40_000, dtype=np.uint64), 1, 1, 1).ravel()
    x = binomial(np.full(u.shape, float(n)), np.full(u.shape, p), u)
    k = np.arange(int(min(n, 60)) + 1)
    observed = np.array([(x == v).sum() for v in k])
    expected = stats.binom.pmf(k, n, p) * len(u)
    keep = expected > 5
    obs = np.append(observed[keep], len(u) - observed[keep].sum())
    exp = np.append(expected[keep], len(u) - expected[keep].sum())
    assert stats.chisquare(obs, exp).pvalue > 1e-4


def test_large_variance_draws_have_binomial_moments_and_bounds():
    u = uniforms(np.arange(20_000, dtype=np.uint64), 2, 1, 1).ravel()
    n, p = 1e7, 0.3
    x = binomial(np.full(u.shape, n), np.full(u.shape, p), u)
    assert x.mean() == pytest.approx(n * p, rel=1e-4)
    assert x.var() == pytest.approx(n * p * (1 - p), rel=0.05)
    np.testing.assert_array_equal(x, np.round(x))
    edge = binomial(np.array([0.0, 5.0, 5.0, 7.9]), np.array([0.5, 0.0, 1.0, 1.0]),
                    np.full(4, 0.5))
    np.testing.assert_array_equal(edge, [0.0, 0.0, 5.0, 7.0])


def test_cell_uniforms_are_the_kernels_uniforms_bit_for_bit():
    from sim.engine.epi_random import cell_uniforms
    from sim.engine.kernels.epidemic_random import position, uniform

    keys = np.array([7, 2**63 + 5, 123456789], dtype=np.uint64)
    u = cell_uniforms(keys, 11, 4, 7, (5, 3), 17)
    expected = [[[uniform(k, position(11, 4, 7, n, 5, a, 3, 17)) for a in range(3)]
                 for n in range(5)] for k in keys]
    np.testing.assert_array_equal(u, expected)
    assert ((u > 0) & (u < 1)).all() and len(np.unique(u)) == u.size
