"""IFR from age structure: Levin et al.'s published points and the two-band average."""

import numpy as np
import pytest

from sim.engine.fatality import band_ifr, levin_ifr, population_ifr


@pytest.mark.parametrize(("age", "percent"), [(10, 0.002), (25, 0.01), (55, 0.4), (65, 1.4),
                                               (75, 4.6), (85, 15.0)])
def test_levin_curve_reproduces_published_points(age, percent):
    assert 100 * levin_ifr(age) == pytest.approx(percent, rel=0.12)


def test_population_ifr_is_the_two_band_average_and_grows_with_age():
    young, old = band_ifr()
    assert levin_ifr(0) < young < levin_ifr(65) < old < levin_ifr(95)
    shares = np.array([0.0, 0.03, 0.1, 0.2, 1.0])
    ifr = population_ifr(shares)
    np.testing.assert_allclose(ifr[[0, -1]], [young, old])
    assert (np.diff(ifr) > 0).all()
    assert 3 < ifr[3] / ifr[1] < 6   # HIC vs LIC: several times higher
