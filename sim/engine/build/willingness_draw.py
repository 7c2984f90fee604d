"""Uncertain willingness: each member's draw of how many people will be vaccinated.

Where willingness binds (high-income countries stop at it), a run with fixed willingness
gives every replicate the same coverage. ``uptake.willingness_spread`` (a share, e.g.
0.039) makes it uncertain: each member draws one shift per income group, uniform in
``[-spread, +spread]``, added to the willingness of every country of that group (and to
each of its dated changes), clipped to [0, 1]. The draws come from the member's own
``"willingness"`` stream (:func:`sim.engine.streams.member_rng`), always four of them in
``INCOME_GROUPS`` order, so a policy arm and its counterfactual with the same seed draw
the same willingness (common random numbers), whatever else they change.
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
