"""Stage 9, policy review: every ``review_days`` days countries may change strategy.

Runs after the day's uptake, on the last day of each review period (day ``t`` with
``(t + 1) % review_days == 0``). The rules are the pure functions of
:mod:`sim.engine.adaptive`; this module feeds them the day's state and applies what they
decide through :func:`apply_strategy`.

What a strategy does (:func:`apply_strategy`):

- ``need`` / ``hoard``: the country's open advance orders are reset to what the strategy
  orders over the whole run (``order_need`` or ``order_hoard``, both capped by budget)
  minus what it has already been allocated: a hoarder that switches stops ordering beyond
  need; a country that starts hoarding orders more.
- ``donate`` / ``pool``: the country orders for need only and shares its surplus. The
  sharing itself belongs to the donation and pooling stages; :func:`apply_strategy` sets
  their per-country switches when the state has them (``donor`` and ``pool_member``,
  (E, N) bool) and otherwise only changes the orders.

Random numbers come from ``member_rng(seed, "policy")``, drawn for every review at the
start (``Params.policy_draws``), so a member gives the same draws alone or in a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.adaptive import (
    DONATE,
    HOARD,
    POOL,
    RULES,
    imitate,
    payoff,
    pick_partners,
    threshold_switch,
)
from sim.engine.streams import member_rng
from sim.scenario.adaptation import STRATEGIES

if TYPE_CHECKING:
    from sim.engine.params import Params
    from sim.engine.state import State
    from sim.scenario.schema import Scenario
    from sim.world import World

#: Random planes drawn per review: look at a partner?, which partner, adopt?
N_DRAWS = 3


def n_reviews(days: int, review_days: int) -> int:
    """Number of review days in a run of ``days`` days."""
    return days // review_days


def member_adaptation(world: World, scenario: Scenario, seed: int,
                      hoards: np.ndarray) -> dict[str, np.ndarray]:
    """One member's adaptation arrays (without the E axis).

    Parameters
    ----------
    hoards : (N,) bool, countries whose procurement strategy is ``hoard``

    Returns
    -------
    dict with ``strategy_initial``, ``rule``, ``theta``, ``then`` (N,), ``imitate_prob``,
    ``beta``, ``w_health``, ``w_influence``, ``w_cost`` (scalars) and ``policy_draws``
    (K, 3, N) uniforms.
    """
    return {**adaptation_arrays(world, scenario, hoards),
            "policy_draws": policy_draws(world, scenario, seed)}


def adaptation_arrays(world: World, scenario: Scenario,
                      hoards: np.ndarray) -> dict[str, np.ndarray]:
    """The seed-independent part of :func:`member_adaptation` (all but ``policy_draws``)."""
    from sim.engine.params import resolve

    a = scenario.adaptation
    rows = resolve(world, a.default, a.groups, a.countries)
    im = a.imitation
    return {
        "strategy_initial": np.where(hoards, HOARD, STRATEGIES.index("need")),
        "rule": np.array([RULES.index(r.get("rule", "fixed")) for r in rows], dtype=int),
        "theta": np.array([r.get("theta", 0.5) for r in rows], dtype=float),
        "then": np.array([STRATEGIES.index(r.get("then", "donate")) for r in rows], dtype=int),
        "imitate_prob": np.array(im.probability),
        "beta": np.array(im.beta),
        "w_health": np.array(im.w_health),
        "w_influence": np.array(im.w_influence),
        "w_cost": np.array(im.w_cost),
    }


def policy_draws(world: World, scenario: Scenario, seed: int) -> np.ndarray:
    """(K, 3, N) uniforms of the K reviews from ``member_rng(seed, "policy")``."""
    K = n_reviews(world.days, scenario.adaptation.review_days)
    return member_rng(seed, "policy").random((K, N_DRAWS, world.n_countries))


def partner_weights(world: World) -> np.ndarray | None:
    """(N, N) row-wise cumulative partner weights from ``world.affinity`` if the world has
    one (dense or scipy.sparse, diagonal ignored), else ``None`` (uniform partners).
    """
    affinity: Any = getattr(world, "affinity", None)
    if affinity is None:
        return None
    dense = affinity.toarray() if hasattr(affinity, "toarray") else np.array(affinity, float)
    np.fill_diagonal(dense, 0.0)
    return np.cumsum(np.maximum(dense, 0.0), axis=1)


def payoffs(state: State, world: World, params: Params) -> np.ndarray:
    """(E, N) payoff of every country today (see :func:`sim.engine.adaptive.payoff`).

    Health is the share of the population with a full course; influence is
    ``state.influence`` where the donation stage keeps one, else 0; spending is the US$
    value of the doses allocated to the country per inhabitant.
    """
    pop = world.population
    influence = getattr(state, "influence", None)
    if influence is None:
        influence = np.zeros_like(state.first)
    return payoff(state.completed / pop, influence, state.allocated_cum * params.price / pop,
                  params.w_health, params.w_influence, params.w_cost)


def apply_strategy(state: State, params: Params, old: np.ndarray, new: np.ndarray) -> None:
    """Make countries whose code changed from ``old`` to ``new`` (E, N) act on it.

    Resets their open orders to the new strategy's order total minus what they have been
    allocated; sets ``state.donor`` / ``state.pool_member`` (when the state has them) to
    ``new == DONATE`` / ``new == POOL``. Countries whose code did not change are untouched.
    """
    changed = new != old
    state.strategy = new
    if not changed.any():
        return
    total = np.where(new == HOARD, params.order_hoard, params.order_need)
    state.orders_open = np.where(changed, np.maximum(total - state.allocated_cum, 0.0),
                                 state.orders_open)
    for name, code in (("donor", DONATE), ("pool_member", POOL)):
        switch = getattr(state, name, None)
        if switch is not None:
            setattr(state, name, np.where(changed, new == code, switch))


def review(state: State, world: World, params: Params, t: int) -> None:
    """Stage 9: on the last day of a review period, apply every country's rule."""
    every = params.structure.review_days
    if (t + 1) % every or not (params.rule != 0).any():
        return
    k = (t + 1) // every - 1
    u_look, u_partner, u_adopt = (params.policy_draws[:, k, i] for i in range(N_DRAWS))
    old = state.strategy
    coverage = state.first / world.population
    new = threshold_switch(old, params.rule, coverage, params.theta, params.then)
    partner = pick_partners(u_partner, partner_weights(world))
    new = imitate(new, params.rule, payoffs(state, world, params), partner, params.beta,
                  params.imitate_prob, u_look, u_adopt)
    apply_strategy(state, params, old, new)
