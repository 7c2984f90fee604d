"""Uncertain willingness: each member's draw of how many people will be vaccinated.

Where willingness binds (high-income countries stop at it), a run with fixed willingness
gives every replicate the same coverage. ``uptake.willingness_spread`` (a share, e.g.
0.039) makes it uncertain: each member draws one shift per income group, uniform in
``[-spread, +spread]``, added to the willingness of every country of that group (and to
each of its dated changes), clipped to [0, 1]. The draws come from the member's own
``"willingness"`` stream (:func:`sim.engine.streams.member_rng`), always four of them in
``INCOME_GROUPS`` order, so a policy arm and its counterfactual with the same seed draw
the same willingness (common random numbers), whatever else they change.

Willingness by age band: the old were far more willing than the young (England, August
2021: 4.6% of people aged 65+ without a first dose against 20.8% of those 18-64,
OpenSAFELY; ``sim/data/uptake_by_age.csv``). :func:`band_willingness` spreads a country's
unwilling share over its bands by ``uptake.hesitancy_by_age`` (relative factors),
rescaled so the country's unwilling people stay as many as the scenario (and the draw)
say: the draw shifts every band through the country's share, so common random numbers
hold band by band.
"""

from __future__ import annotations

import numpy as np

from sim.engine.streams import member_rng
from sim.scenario.schema import INCOME_GROUPS, Scenario
from sim.world.world import World


def group_shifts(seed: int, spread: float) -> np.ndarray:
    """(G,) shift of willingness (share of people) per income group, ``INCOME_GROUPS``
    order, uniform in ``[-spread, spread]``.
    """
    u = member_rng(seed, "willingness").uniform(-1.0, 1.0, size=len(INCOME_GROUPS))
    return spread * u


def drawn_willingness(world: World, scenario: Scenario, seed: int, willing: np.ndarray,
                      steps: np.ndarray) -> dict[str, np.ndarray]:
    """A member's ``willing`` (N,) and ``willing_steps`` (K, N) shares after its draw;
    empty when the scenario's spread is 0 (willingness as the scenario gives it).
    """
    spread = scenario.uptake.willingness_spread
    if spread <= 0:
        return {}
    shift = group_shifts(seed, spread)[world.group_index]                     # (N,)
    return {"willing": np.clip(willing + shift, 0.0, 1.0),
            "willing_steps": np.clip(steps + shift, 0.0, 1.0)}


def band_factors(relative: np.ndarray, band_population: np.ndarray) -> np.ndarray:
    """(E, N, A) each band's hesitancy relative to its country's: ``relative`` (E, A)
    factors of the scenario, rescaled per country so the population-weighted mean is 1.

    Examples
    --------
    >>> band_factors(np.array([[1.0, 1.0, 0.5]]), np.array([[0.0, 50.0, 50.0]])).round(3)
    array([[[1.333, 1.333, 0.667]]])
    """
    P = np.asarray(band_population, dtype=float)                               # (N, A)
    mean = (relative[:, None, :] * P[None]).sum(axis=2) / np.maximum(P.sum(axis=1), 1e-300)
    return relative[:, None, :] / np.maximum(mean, 1e-300)[..., None]


def band_willingness(willing: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """(..., N, A) share of each band willing: ``1 - (1 - willing) × factor``, in [0, 1].

    ``willing`` (E, N) or (E, K, N) country shares (after the draw); ``factors`` (E, N, A)
    from :func:`band_factors`. Where no band clips, the country's willing people are
    ``willing`` × its population exactly.
    """
    f = factors if willing.ndim == 2 else factors[:, None]
    return np.clip(1.0 - (1.0 - willing[..., None]) * f, 0.0, 1.0)
