"""The ``epidemic`` section of a scenario: SEIR with vaccination in every country.

On by default, so every run reports infections, deaths and deaths averted. Defaults come
from the literature for 2021 (sources in ``sim/data/SOURCES.md``); values that
are model assumptions rather than published figures say so in their description.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.types import Flag, NonNeg, Share, Strict, bounded, count

#: A factor on transmission (contacts, R0 of a variant).
Factor = bounded(0.0, 20.0)
#: A mean duration in days.
Days = bounded(0.1, 365.0)


class ContactStep(Strict):
    """From ``start`` on (until the next step), contacts are ``multiplier`` × normal."""

    start: dt.date = Field(description="first day this multiplier applies")
    multiplier: Factor = Field(
        description="contacts relative to pre-pandemic life (1 = no distancing, 0.5 = half)")


def _default_contacts() -> list[ContactStep]:
    # Model assumption (not a published figure): distancing and other NPIs in 2021 kept
    # the effective reproduction number of the ancestral strain near 1.3 (2.8 × 0.45).
    return [ContactStep(start=dt.date(2020, 1, 1), multiplier=0.45)]


class Contacts(Strict):
    """Dated contact multipliers (non-pharmaceutical interventions) per country.

    A country uses the most specific list given: its own (ISO3), else its income group,
    WHO region or continent, else ``default``. Before a list's first ``start`` the
    multiplier is 1.
    """

    default: list[ContactStep] = Field(default_factory=_default_contacts)
    groups: dict[str, list[ContactStep]] = Field(default_factory=dict)
    countries: dict[str, list[ContactStep]] = Field(default_factory=dict)


class ScheduledVariant(Strict):
    """A variant that takes over everywhere on a date (e.g. Delta in mid-2021)."""

    name: str = "variant"
    start: dt.date = Field(description="day the variant takes over")
    transmissibility: bounded(0.01, 20.0) = Field(
        description="factor on R0 (Delta vs ancestral ≈ 1.82)")
    efficacy_factor: Share = Field(
        1.0, description="factor on vaccine efficacy (infection and death) against it")


def _default_variants() -> list[ScheduledVariant]:
    # Delta: R0 5.1 vs 2.8 ancestral (Liu and Rocklöv 2021); dominant worldwide by mid-2021
    # (WHO); two-dose efficacy against it about 0.9 of that against Alpha (Lopez Bernal et
    # al., NEJM 2021: 88% vs 93.7% Pfizer, 67% vs 74.5% AstraZeneca).
    return [ScheduledVariant(name="Delta", start=dt.date(2021, 6, 1),
                             transmissibility=5.1 / 2.8, efficacy_factor=0.9)]


class Emergence(Strict):
    """Random variant emergence with a hazard proportional to global infections (off by
    default): the feedback by which hoarding can backfire (Wagner et al., Science 2021).
    """

    enabled: Flag = False
    per_billion_infections: NonNeg = Field(
        0.5, description="expected variants per billion infections worldwide "
        "(an illustrative assumption; no published estimate)")
    max_variants: count(0, 10) = Field(
        2, description="at most this many variants emerge")
    transmissibility: bounded(0.01, 20.0) = Field(
        1.5, description="factor on R0 per emerged variant")
    efficacy_factor: Share = Field(0.8, description="factor on vaccine efficacy per variant")


class Efficacy(Strict):
    """Vaccine efficacy by dose, against infection and against death.

    Efficacy against death is overall protection (it includes not being infected), so
    it must be at least the efficacy against infection.
    """

    first_infection: Share = Field(
        0.5, description="after a first dose (estimate between PHE's 57-61% in early 2021 "
        "and 31% against Delta, Lopez Bernal et al. 2021)")
    first_death: Share = Field(0.8, description="after a first dose (PHE, May 2021: ~80%)")
    completed_infection: Share = Field(
        0.83, description="full course, first months (living review of 68 studies: 83% at "
        "1 month)")
    completed_death: Share = Field(0.91, description="full course (same review: 91%)")
    waned_infection: Share = Field(0.62, description="full course after waning (62% at 4 mo)")
    waned_death: Share = Field(0.86, description="full course after waning (86% at 6 mo)")
    waning_days: bounded(0.0, 3650.0) = Field(
        90.0, description="mean days before a full course wanes (1 to 4 months in the "
        "review); 0 = no waning")

    @model_validator(mode="after")
    def _death_at_least_infection(self) -> Efficacy:
        for stage in ("first", "completed", "waned"):
            if getattr(self, f"{stage}_death") < getattr(self, f"{stage}_infection"):
                raise ValueError(f"{stage}_death must be >= {stage}_infection (efficacy "
                                 "against death includes protection from infection)")
        return self


class Epidemic(Strict):
    """SEIR with vaccinated compartments in every country (see sim/engine/epidemic.py)."""

    enabled: Flag = Field(True, description="run the epidemic (infections, deaths, averted)")
    mode: Literal["deterministic", "stochastic"] = Field(
        "deterministic", description="stochastic: binomial transitions from each member's "
        "random stream (small countries can see the epidemic die out)")
    r0: bounded(0.01, 30.0) = Field(2.8, description="basic reproduction number (ancestral strain, "
                          "Liu and Rocklöv 2021)")
    latent_days: Days = Field(4.5, description="mean days from infection to infectious")
    infectious_days: Days = Field(5.0, description="mean days infectious")
    initial_prevalence: Share = Field(
        0.001, description="share of people infectious on day 0 (estimate: about 0.6 M "
        "reported cases a day worldwide in January 2021, times 5 infectious days, times a "
        "few unreported infections per reported case)")
    initial_immune: Share = Field(
        0.0, description="share of people already immune from past infection on day 0")
    ifr_multiplier: bounded(0.0, 50.0) = Field(
        1.0, description="factor on the infection fatality ratio derived from age structure")
    importation: Share = Field(
        0.01, description="share of a country's contacts with the rest of the world: the "
        "force of infection mixes home prevalence with global prevalence (0 = isolated "
        "countries; a model assumption)")
    contacts: Contacts = Field(default_factory=Contacts)
    variants: list[ScheduledVariant] = Field(default_factory=_default_variants)
    emergence: Emergence = Field(default_factory=Emergence)
    efficacy: Efficacy = Field(default_factory=Efficacy)
    vaccine_effect: Flag = Field(
        True, description="false: doses are given as usual but protect no one (the "
        "no-vaccine counterfactual that deaths averted are measured against)")
    substeps: count(1, 24) = Field(
        2, description="integration sub-steps per day (2 keeps final size and peak day "
        "within 1% of the exact ODE solution)")
