"""Scenario schema of the ``adaptation`` section: how countries change strategy over time.

Every ``review_days`` days each country reviews its strategy by its rule:

A country starts with its procurement strategy (``need`` or ``hoard``).

- ``fixed``: keep the strategy it has;
- ``threshold``: while it holds doses back (``need`` or ``hoard``), switch to ``then``
  (``donate`` or ``pool``) at the first review at which its own first-dose coverage is at
  least ``theta``. ``donate`` gives ``donation.switch_share`` of its surplus (or its own
  ``share``) bilaterally every donation period; ``pool`` gives ``pool.switch_share`` (or
  its own ``contribute_share``) to the pool every pool period, and without a pool keeps
  its surplus (like ``need``);
- ``imitate``: with probability ``imitation.probability`` it looks at a partner drawn at
  random with probability proportional to its affinity (``affinity``) and adopts the
  partner's strategy with the Fermi probability 1 / (1 + exp(-beta (payoff_partner -
  payoff_own))).

The payoff weights are modelling choices (how much a government values health, influence
and money), not estimates: there is no published figure to ground them, so they are
exposed for sweeps.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from sim.scenario.types import Share, Strict, bounded, count

#: A weight or sensitivity of the imitation payoff.
Weight = bounded(0.0, 1e3)

#: Strategy names in code order (the engine stores the code, an int, per country).
STRATEGIES = ("need", "hoard", "donate", "pool")
Rule = Literal["fixed", "threshold", "imitate"]


#: What a country's review rule is where no entry (default, group, country) says: the one
#: place these defaults live (the schema's default entry and the builders read it).
RULE_DEFAULTS: dict[str, Any] = {"rule": "fixed", "theta": 0.5, "then": "donate"}


class AdaptationRule(Strict):
    """One country's review rule (every field may be left out to keep the general one)."""

    rule: Rule | None = Field(None, description="fixed, threshold or imitate")
    theta: Share | None = Field(
        None, description="threshold: own first-dose coverage (share of population) at "
        "which the country switches")
    then: Literal["donate", "pool"] | None = Field(
        None, description="threshold: the strategy it switches to once coverage reaches theta")


class Imitation(Strict):
    """How imitating countries compare payoffs: payoff = w_health × health + w_influence ×
    influence − w_cost × spending.

    health is minus deaths so far per 1,000 inhabitants when the epidemic runs (lives
    saved per capita with the no-vaccine toll taken as common to the two countries
    compared, so it cancels in the payoff difference), else the share of the population
    with a full course; influence is the donor's influence index (doses given bilaterally,
    decaying with ``donation.half_life_days``) per inhabitant; spending is US$ paid for
    the doses a country bought, per inhabitant.
    """

    probability: Share = Field(
        0.2, description="chance that an imitating country looks at a partner at a review")
    beta: Weight = Field(
        10.0, description="selection intensity of the Fermi rule: 0 adopts at random "
        "(probability 1/2), large values adopt only better-paid strategies")
    w_health: Weight = Field(
        1.0, description="payoff weight of health: minus deaths per 1,000 inhabitants with "
        "the epidemic on (stands in for lives saved per capita: the no-vaccine toll, taken "
        "as common to the two countries compared, cancels), else the share of the "
        "population with a full course")
    w_influence: Weight = Field(
        1.0, description="payoff weight of diplomatic influence: doses given bilaterally "
        "per inhabitant of the donor, decaying with donation.half_life_days")
    w_cost: Weight = Field(
        0.005, description="payoff weight of spending, per US$ per inhabitant paid for "
        "doses bought (gifts and pool shipments are free to the recipient)")


class Adaptation(Strict):
    """Adaptive strategies: review period, rules by country, and the imitation payoff."""

    review_days: count(1, 365) = Field(
        30, description="countries review their strategy every this many days")
    default: AdaptationRule = Field(
        default_factory=lambda: AdaptationRule(**RULE_DEFAULTS),
        description="the rule of every country not overridden below")
    groups: dict[str, AdaptationRule] = Field(
        default_factory=dict, description="overrides by income group, WHO region or continent")
    countries: dict[str, AdaptationRule] = Field(
        default_factory=dict, description="overrides by ISO3 code")
    imitation: Imitation = Field(default_factory=Imitation)
