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


def band_willingness(willing: np.ndarray, relative: np.ndarray,
                     band_population: np.ndarray) -> np.ndarray:
    """(..., N, A) share of each band willing, its hesitancy proportional to ``relative``.

    ``willing`` (E, N) or (E, K, N) country shares (after the draw); ``relative`` (E, A)
    the scenario's factors; ``band_population`` (N, A). Each band's hesitancy is
    ``min(1, c × relative)``, with ``c`` per country such that the population-weighted
    hesitancy is the country's ``1 - willing``: the country keeps its willing people
    (exactly, unless every band with a positive factor is wholly hesitant), and no band
    goes below none or above all. ``c`` by bisection (60 halvings, a build-time cost),
    then the partly hesitant bands scaled so the total is exact.

    Examples
    --------
    >>> band_willingness(np.array([[0.8]]), np.array([[1.0, 1.0, 0.5]]),
    ...                  np.array([[0.0, 50.0, 50.0]])).round(3)
    array([[[0.733, 0.733, 0.867]]])
    """
    P = np.asarray(band_population, dtype=float)
    share = P / np.maximum(P.sum(axis=1, keepdims=True), 1e-300)                # (N, A)
    rel = relative[:, None, :] if willing.ndim == 2 else relative[:, None, None, :]
    hesitant = (1.0 - willing)[..., None]                                       # (..., N, 1)
    # Each member's own range (a batch must not change a member's numbers): c up to where
    # its least hesitant band with a positive factor is wholly hesitant.
    least = np.where(relative > 0, relative, np.inf).min(axis=1)                 # (E,)
    top = np.where(np.isfinite(least), 1.0 / np.maximum(least, 1e-300), 1.0)
    top = top.reshape((-1,) + (1,) * (hesitant.ndim - 1))
    lo = np.zeros_like(hesitant)
    hi = np.broadcast_to(top, hesitant.shape).copy()
    for _ in range(60):
        c = 0.5 * (lo + hi)
        low = (share * np.minimum(1.0, c * rel)).sum(axis=-1, keepdims=True) < hesitant
        lo = np.where(low, c, lo)
        hi = np.where(low, hi, c)
    # Bands within rounding of wholly hesitant are wholly hesitant; the others are scaled
    # so the country's total is exact.
    h = np.minimum(1.0, hi * rel)
    full = h > 1.0 - 1e-12
    h = np.where(full, 1.0, h)
    rest = hesitant - (share * full).sum(axis=-1, keepdims=True)
    partial = (share * np.where(full, 0.0, h)).sum(axis=-1, keepdims=True)
    scale = np.divide(rest, partial, out=np.ones_like(partial), where=partial > 0)
    return 1.0 - np.where(full, 1.0, np.clip(h * scale, 0.0, 1.0))
