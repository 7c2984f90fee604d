"""Per-country epidemic values: the share of each country infected before 2021
(``prior_immunity.csv``) read through the scenario's severity factor, and values given by
continent, WHO region, income group or ISO3 resolved per country.

Shapes: N countries.
"""

from __future__ import annotations

import numpy as np

from sim.world import lookup
from sim.world.world import World

#: Largest share infected before 2021 (the cap of ``prior_immunity.csv``'s build).
PRIOR_CAP = 0.5


def prior_share(prior: np.ndarray, severity: np.ndarray, follows: bool) -> np.ndarray:
    """(N,) share infected before 2021: the data ``prior`` (N,), or (``follows``) the data
    over each country's severity factor ``severity`` (N,) where it exceeds 1, at most
    :data:`PRIOR_CAP`.

    The data estimate 2020 infections as 2020 excess deaths over the age-based fatality
    ratio (a meta-analysis of 2020 serosurveys in mostly rich countries: Levin et al.).
    Where the fit finds fatality ``severity`` > 1 times that (developing countries, where
    fatality at a given age ran about twice as high: Levin et al., BMJ Glob Health 2022),
    2020 had that many times fewer infections. A factor below 1 describes what changed
    in 2021 (treatment, shielding of the old), so it leaves 2020 as the data say.

    Examples
    --------
    >>> prior_share(np.array([0.2, 0.4, 0.3]), np.array([2.0, 4.0, 0.5]), True)
    array([0.1, 0.1, 0.3])
    """
    if not follows:
        return prior
    return np.minimum(prior / np.maximum(severity, 1.0), np.maximum(prior, PRIOR_CAP))


def per_country(world: World, default: float, factors: dict[str, float]) -> np.ndarray:
    """(N,) ``default`` times the most specific factor by continent < WHO region < income
    group < ISO3.
    """
    return float(default) * lookup.most_specific(world, factors, 1.0)


def most_specific(world: World, values: dict[str, float], default: float) -> np.ndarray:
    """(N,) the most specific value by continent < WHO region < income group < ISO3, else
    ``default``.
    """
    return lookup.most_specific(world, values, float(default))
