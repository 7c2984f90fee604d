"""Gini, Lorenz curve and concentration index against hand-computed values and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.outcomes.inequality import concentration_index, fractional_rank, gini, lorenz_curve


def test_perfect_equality_is_zero():
    assert gini(np.full(5, 0.6)) == pytest.approx(0.0, abs=1e-12)
    assert gini(np.full(5, 0.6), [1, 2, 3, 4, 5]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 3, 10, 50])
def test_one_country_with_everything(n):
    cov = np.zeros(n)
    cov[3 % n] = 0.9
    assert gini(cov) == pytest.approx(1 - 1 / n)
    assert gini(cov, np.full(n, 7e6)) == pytest.approx(1 - 1 / n)


def test_population_weighting_by_hand():
    # Two countries: 1 M people fully covered, 3 M with none. People as units: 25% of
    # people hold all vaccinations -> Gini 0.75; countries as units -> 0.5.
    cov, pop = np.array([1.0, 0.0]), np.array([1e6, 3e6])
    assert gini(cov, pop) == pytest.approx(0.75)
    assert gini(cov) == pytest.approx(0.5)
    # Mean-absolute-difference form: sum_ij p_i p_j |c_i - c_j| / (2 P^2 mu).
    cov, pop = np.array([0.2, 0.5, 0.9]), np.array([5.0, 3.0, 2.0])
    mu = (cov * pop).sum() / pop.sum()
    mad = (pop[:, None] * pop[None, :] * np.abs(cov[:, None] - cov[None, :])).sum()
    assert gini(cov, pop) == pytest.approx(mad / (2 * pop.sum() ** 2 * mu))


def test_lorenz_curve_points():
    x, y = lorenz_curve(np.array([1.0, 0.0]), np.array([1.0, 3.0]))
    np.testing.assert_allclose(x, [0, 0.75, 1])
    np.testing.assert_allclose(y, [0, 0, 1])


def test_broadcasts_over_members_and_dates():
    cov = np.random.default_rng(1).uniform(size=(3, 4, 6))
    pop = np.arange(1.0, 7.0)
    g = gini(cov, pop)
    assert g.shape == (3, 4)
    assert g[2, 1] == pytest.approx(gini(cov[2, 1], pop))


@pytest.mark.parametrize("case", ["random", "ties", "one", "zeros", "big"])
def test_one_row_gives_the_general_path_to_the_last_bit(case):
    # One (N,) row takes a shorter path (the Mesa view asks for one a day): same bits.
    rng = np.random.default_rng(3)
    n = 193
    values = {"random": rng.random(n), "ties": np.repeat(rng.random(n // 3 + 1), 3)[:n],
              "one": np.eye(1, n, 17)[0], "zeros": np.zeros(n),
              "big": rng.random(n) * 1e6}[case]
    weights = rng.random(n) * 1e8
    row, general = gini(values, weights), gini(values[None], weights[None])[0]
    assert type(row) is type(general) is np.float64
    assert row == general or (np.isnan(row) and np.isnan(general))


def test_all_zero_is_undefined():
    assert np.isnan(gini(np.zeros(4)))
    assert np.isnan(concentration_index(np.zeros(4), np.arange(4.0)))


def test_fractional_rank_by_hand_with_ties():
    r = fractional_rank(np.array([30.0, 10.0, 20.0, 20.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    np.testing.assert_allclose(r, [0.875, 0.125, 0.5, 0.5])
    r = fractional_rank(np.array([1.0, 2.0]), np.array([3.0, 1.0]))
    np.testing.assert_allclose(r, [0.375, 0.875])


def test_concentration_index_sign_and_value():
    gdp = np.array([1_000.0, 5_000.0, 20_000.0, 60_000.0])
    pop = np.array([4e6, 3e6, 2e6, 1e6])
    rich_first = np.array([0.05, 0.3, 0.7, 0.9])
    assert concentration_index(rich_first, gdp, pop) > 0.2
    assert concentration_index(rich_first[::-1], gdp, pop) < -0.2
    assert concentration_index(np.full(4, 0.5), gdp, pop) == pytest.approx(0.0, abs=1e-12)
    # Hand computation, equal weights: r = (1/8, 3/8, 5/8, 7/8), c = (0, 0, 0, 1):
    # mean 1/4, cov = 1/4 * (1 - 1/4) * (7/8 - 1/2) = 3/32 -> CI = 2 * (3/32) / (1/4) = 0.75.
    assert concentration_index(np.array([0.0, 0, 0, 1]), gdp) == pytest.approx(0.75)


coverages = arrays(np.float64, st.integers(2, 30),
                   elements=st.floats(0, 1, allow_nan=False, allow_subnormal=False))


@settings(max_examples=150, deadline=None)
@given(cov=coverages, data=st.data())
def test_gini_properties(cov, data):
    if cov.sum() <= 1e-9:
        cov = cov + 0.1
    pop = np.array(data.draw(st.lists(st.floats(1.0, 1e9), min_size=len(cov),
                                      max_size=len(cov))))
    perm = np.array(data.draw(st.permutations(range(len(cov)))))
    scale = data.draw(st.floats(0.01, 100.0))
    for w in (None, pop):
        g = float(gini(cov, w))
        assert 0.0 <= g <= 1.0
        wp = None if w is None else w[perm]
        assert float(gini(cov[perm], wp)) == pytest.approx(g, abs=1e-9)
        assert float(gini(cov * scale, w)) == pytest.approx(g, abs=1e-9)
    # Weighting by population equals repeating each country that many times.
    reps = np.array(data.draw(st.lists(st.integers(1, 4), min_size=len(cov),
                                       max_size=len(cov))))
    assert float(gini(cov, reps)) == pytest.approx(float(gini(np.repeat(cov, reps))), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(cov=coverages, data=st.data())
def test_concentration_index_bounded_and_scale_invariant(cov, data):
    if cov.sum() <= 1e-9:
        cov = cov + 0.1
    gdp = np.array(data.draw(st.lists(st.floats(100, 1e5), min_size=len(cov),
                                      max_size=len(cov))))
    pop = np.array(data.draw(st.lists(st.floats(1.0, 1e9), min_size=len(cov),
                                      max_size=len(cov))))
    ci = float(concentration_index(cov, gdp, pop))
    assert -1.0 - 1e-9 <= ci <= 1.0 + 1e-9
    assert float(concentration_index(cov * 3.0, gdp, pop)) == pytest.approx(ci, abs=1e-9)
