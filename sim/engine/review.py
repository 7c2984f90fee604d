"""Stage 9, policy review: every ``review_days`` days countries may change strategy.

Runs after the day's uptake, on the last day of each review period (day ``t`` with
``(t + 1) % review_days == 0``). The rules are the pure functions of
:mod:`sim.engine.adaptive`; this module feeds them the day's state and applies what they
decide through :func:`apply_strategy`.

What a strategy does (:func:`apply_strategy`):

- ``need`` / ``hoard``: the country's open advance orders are reset to what the strategy
  orders over the whole run (``order_need`` or ``order_hoard``, both capped by budget,
  plus demand surges) minus what it has already bought: a hoarder that switches stops
  ordering beyond need; a country that starts hoarding orders more. It neither donates
  nor gives to the pool.
- ``donate``: orders for need only; the donation stage gives ``donor_share_on`` of its
  surplus bilaterally every donation period (``state.donor`` is switched on).
- ``pool``: orders for need only; the pooling stage takes ``state.pool_share`` of its
  surplus every pool period (the country's ``contribute_share``, else
  ``pool.switch_share``). In a scenario without a pool there is nowhere to give: the
  country then behaves like ``need`` (orders for need, keeps its surplus).

Imitating countries pick their partner with probability proportional to the affinity
(:func:`sim.world.affinity_sample.sample_partners`: no N × N table); the payoff's
health term is minus deaths per 1,000 inhabitants when the epidemic runs
(:func:`health`).

Random numbers come from ``member_rng(seed, "policy")``, drawn for every review at the
start (``Params.policy_draws``), so a member gives the same draws alone or in a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.adaptive import (
    DONATE,
    HOARD,
    IMITATE,
    POOL,
    imitate,
    payoff,
    threshold_switch,
)
from sim.engine.build.adaptation_params import N_DRAWS
from sim.world.affinity_sample import sample_partners

if TYPE_CHECKING:
    from sim.engine.build.params import Params
    from sim.engine.state import State
    from sim.world.world import World

#: Deaths are counted per this many inhabitants in the health term of the payoff.
DEATHS_PER = 1000.0


def health(state: State, world: World) -> np.ndarray:
    """(E, N) health term of the payoff.

    With the epidemic on: minus deaths so far per 1,000 inhabitants,
    ``-1000 × epi.D / population``. Lives saved per capita are ``d0 − d`` with ``d0`` the
    deaths a country would have had without vaccine; the engine cannot see ``d0`` (the
    no-vaccine twins are other members), and the Fermi rule only uses payoff differences
    between two countries, so taking ``d0`` as common to the pair compared leaves ``−d``.
    Without the epidemic: the share of the population with a full course.
    """
    epi = state.epi
    if epi is None:
        return state.completed / world.population
    return -DEATHS_PER * epi.D / world.population


def payoffs(state: State, world: World, params: Params) -> np.ndarray:
    """(E, N) payoff of every country today (see :func:`sim.engine.adaptive.payoff`).

    - health: :func:`health` (minus deaths per 1,000 with the epidemic on, else the share
      with a full course);
    - influence: ``state.influence`` (doses given bilaterally, decaying with the donation
      half-life) per inhabitant of the donor;
    - spending: US$ value of the doses the country bought (allocated to it, minus those
      donated to it or shipped by the pool) per inhabitant.
    """
    pop = world.population
    bought = state.allocated_cum - state.donations_received_cum - state.pool_given
    return payoff(health(state, world), state.influence / pop,
                  np.maximum(bought, 0.0) * params.price / pop,
                  params.w_health, params.w_influence, params.w_cost)


def pool_share_on(params: Params) -> np.ndarray:
    """(E, N) share of its surplus a country gives the pool once it follows ``pool``: its
    configured ``contribute_share`` if above 0, else ``pool.switch_share``; 0 in members
    without a pool.
    """
    d = params.diplomacy
    share = np.where(d.pool_share0 > 0, d.pool_share0, d.pool_switch_share[:, None])
    return np.where(d.pool_on[:, None], share, 0.0)


def apply_strategy(state: State, params: Params, old: np.ndarray, new: np.ndarray) -> None:
    """Make countries whose code changed from ``old`` to ``new`` (E, N) act on it.

    For those countries only:

    - orders: the run's order total becomes the new strategy's (``order_hoard`` for
      ``hoard``, else ``order_need``) plus any demand surge; the difference goes into
      ``state.orders_extra`` and the open orders become that total minus the doses the
      country bought (allocated minus gifts and pool shipments);
    - bilateral donation: on (``state.donor``, at ``donor_share_on``) for ``donate``,
      off otherwise;
    - pool: ``state.pool_share`` is :func:`pool_share_on` for ``pool``, 0 otherwise.
      ``pool_member`` (receiving from the pool) is not a strategy and stays as configured.

    Countries whose code did not change are untouched.
    """
    changed = new != old
    state.strategy = new
    if not changed.any():
        return
    base = lambda code: np.where(code == HOARD, params.order_hoard, params.order_need)  # noqa: E731
    state.orders_extra = np.where(changed, state.orders_extra + base(new) - base(old),
                                  state.orders_extra)
    bought = state.allocated_cum - state.donations_received_cum - state.pool_given
    total = params.order_total + state.orders_extra
    state.orders_open = np.where(changed, np.maximum(total - bought, 0.0), state.orders_open)
    state.donor = np.where(changed, new == DONATE, state.donor)
    state.pool_share = np.where(changed, np.where(new == POOL, pool_share_on(params), 0.0),
                                state.pool_share)


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
    if (params.rule == IMITATE).any():
        partner = sample_partners(params.diplomacy.affinity, u_partner)
        new = imitate(new, params.rule, payoffs(state, world, params), partner,
                      params.imitation_beta, params.imitate_prob, u_look, u_adopt)
    apply_strategy(state, params, old, new)
