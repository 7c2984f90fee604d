"""Infection fatality ratio of a country from its age structure (share aged 65+).

Levin et al. (Eur J Epidemiol 2020) fit a log-linear curve to age-specific IFR:
``log10(IFR %) = -3.27 + 0.0524 × age`` (0.002% at 10, 0.4% at 55, 15% at 85).

We only know each country's share aged 65 and over, ``s``, so the population IFR is a
two-band average::

    IFR = (1 - s) × mean IFR over ages 0-65  +  s × mean IFR over ages 65-95

with ages uniform within 0-65 and, within 65+, a density falling linearly to zero at 95
(mean age 75, close to that of high-income countries' 65+ populations). Both within-band
profiles are approximations: young low-income populations hold fewer people near 65 than
a uniform band assumes, so their IFR is if anything overstated (see SOURCES.md).
"""

from __future__ import annotations

import numpy as np

#: Levin et al. 2020: log10(IFR in percent) = LEVIN_A + LEVIN_B × age.
LEVIN_A, LEVIN_B = -3.27, 0.0524
OLDEST = 95.0


def levin_ifr(age: np.ndarray | float) -> np.ndarray:
    """IFR (fraction, not percent) at ``age`` years on Levin et al.'s curve, capped at 1."""
    return np.minimum(10.0 ** (LEVIN_A + LEVIN_B * np.asarray(age, dtype=float)) / 100.0, 1.0)


def band_ifr(points: int = 2001) -> tuple[float, float]:
    """(under-65, 65-and-over) mean IFR under the within-band age profiles above."""
    young = np.linspace(0.0, 65.0, points)
    old = np.linspace(65.0, OLDEST, points)
    weight_old = OLDEST - old  # linear decline to zero at 95
    return (float(np.trapezoid(levin_ifr(young), young) / 65.0),
            float(np.trapezoid(levin_ifr(old) * weight_old, old) / np.trapezoid(weight_old,
                                                                               old)))


def population_ifr(share_65plus: np.ndarray) -> np.ndarray:
    """(N,) infection fatality ratio (fraction) from each country's share aged 65+."""
    young, old = band_ifr()
    s = np.clip(np.asarray(share_65plus, dtype=float), 0.0, 1.0)
    return (1.0 - s) * young + s * old
