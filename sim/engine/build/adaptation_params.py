"""Builders of the policy-review arrays: each country's adaptation rule and the random
draws of every review (the review stage itself is :mod:`sim.engine.review`).

Random numbers come from ``member_rng(seed, "policy")``, drawn for every review at the
start, so a member gives the same draws alone or in a batch.
"""

from __future__ import annotations

import numpy as np

from sim.engine.adaptive import HOARD, RULES
from sim.engine.build.resolve import resolved
from sim.engine.streams import member_rng
from sim.scenario.adaptation import RULE_DEFAULTS, STRATEGIES
from sim.scenario.schema import Scenario
from sim.world.world import World

#: Random planes drawn per review: look at a partner?, which partner, adopt?
N_DRAWS = 3


def n_reviews(days: int, review_days: int) -> int:
    """Number of review days in a run of ``days`` days."""
    return days // review_days


def adaptation_arrays(world: World, scenario: Scenario,
                      hoards: np.ndarray) -> dict[str, np.ndarray]:
    """One member's seed-independent adaptation arrays (without the E axis).

    Parameters
    ----------
    hoards : (N,) bool, countries whose procurement strategy is ``hoard``

    Returns
    -------
    dict with ``strategy_initial``, ``rule``, ``theta``, ``then`` (N,), ``imitate_prob``,
    ``imitation_beta``, ``w_health``, ``w_influence``, ``w_cost`` (scalars)
    """
    a = scenario.adaptation
    distinct, index = resolved(world, a.default, a.groups, a.countries)
    rows = [{**RULE_DEFAULTS, **r} for r in distinct]
    im = a.imitation
    return {
        "strategy_initial": np.where(hoards, HOARD, STRATEGIES.index("need")),
        "rule": np.array([RULES.index(r["rule"]) for r in rows], dtype=int)[index],
        "theta": np.array([r["theta"] for r in rows], dtype=float)[index],
        "then": np.array([STRATEGIES.index(r["then"]) for r in rows], dtype=int)[index],
        "imitate_prob": np.array(im.probability),
        "imitation_beta": np.array(im.beta),
        "w_health": np.array(im.w_health),
        "w_influence": np.array(im.w_influence),
        "w_cost": np.array(im.w_cost),
    }


def policy_draws(world: World, scenario: Scenario, seed: int) -> np.ndarray:
    """(K, 3, N) uniforms of the K reviews from ``member_rng(seed, "policy")``."""
    K = n_reviews(world.days, scenario.adaptation.review_days)
    return member_rng(seed, "policy").random((K, N_DRAWS, world.n_countries))
