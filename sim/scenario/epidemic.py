"""The ``epidemic`` section of a scenario: an age-structured SEIR with waning immunity,
reinfection and travelling variants in every country (see :mod:`sim.engine.epi_model`).

On by default, so every run reports infections, deaths and deaths averted. Defaults come
from the literature (sources in ``sim/data/SOURCES.md``); values that are model
assumptions rather than published figures say so in their description.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.types import Flag, NonNeg, Share, Strict, bounded, count

#: A multiplier on contacts or travel, a transmissibility or severity factor.
Factor = bounded(0.0, 20.0)
#: A positive factor (a strain's transmissibility or severity).
PositiveFactor = bounded(0.01, 20.0)
#: A strain's generation-time factor: its latent and infectious periods over the ancestral's
#: (at least 0.05: a factor near 0 would make its rates overflow).
Generation = bounded(0.05, 3.0)
#: A duration in days (latent, infectious periods).
Days = bounded(0.1, 365.0)
#: Contacts per person per day.
ContactRate = bounded(0.01, 500.0)
#: A half-life or mean residence in days.
LongDays = bounded(1.0, 36500.0)


class ContactStep(Strict):
    """From ``start`` on (until the next step), contacts are ``multiplier`` × normal."""

    start: dt.date = Field(description="first day this multiplier applies")
    multiplier: Factor = Field(
        description="contacts relative to pre-pandemic life (1 = no distancing, 0.5 = half)")


def _default_contacts() -> list[ContactStep]:
    # Model assumption (not a published figure): distancing and other NPIs in 2021 kept
    # the effective reproduction number of the ancestral strain near 1.3 (2.8 × 0.45);
    # most restrictions were lifted in early 2022.
    return [ContactStep(start=dt.date(2020, 1, 1), multiplier=0.45),
            ContactStep(start=dt.date(2022, 3, 1), multiplier=0.7)]


def _china_contacts() -> dict[str, list[ContactStep]]:
    # Zero-COVID: mass testing, lockdowns of whole cities on the first cases, through
    # 2022 (ended 2022-12-07, "ten new measures"). Model assumption: contacts 0.12 of
    # normal, which holds even Omicron below R = 1 (2.8 × 2.364 × 0.12 = 0.79) as China
    # did until December 2022; then 0.7 like everyone in 2022.
    return {"CHN": [ContactStep(start=dt.date(2020, 1, 1), multiplier=0.12),
                    ContactStep(start=dt.date(2022, 12, 7), multiplier=0.7)]}


def _china_travel() -> dict[str, list[ContactStep]]:
    # Zero-COVID borders: 14-21 days of hotel quarantine for every arrival from March
    # 2020 until 2023-01-08. Model assumption: 2% of normal importation.
    return {"CHN": [ContactStep(start=dt.date(2020, 1, 1), multiplier=0.02),
                    ContactStep(start=dt.date(2023, 1, 8), multiplier=1.0)]}


class Contacts(Strict):
    """Dated multipliers per country (contacts: distancing; travel: borders).

    A country uses the most specific list given: its own (ISO3), else its income group,
    WHO region or continent, else ``default``. Before a list's first ``start`` the
    multiplier is 1.
    """

    default: list[ContactStep] = Field(default_factory=_default_contacts)
    groups: dict[str, list[ContactStep]] = Field(default_factory=dict)
    countries: dict[str, list[ContactStep]] = Field(default_factory=_china_contacts)


class Travel(Strict):
    """Dated multipliers on importation per country (same resolution as ``contacts``);
    importation × multiplier is a share of contacts, so it is capped at 1.
    """

    default: list[ContactStep] = Field(default_factory=list)
    groups: dict[str, list[ContactStep]] = Field(default_factory=dict)
    countries: dict[str, list[ContactStep]] = Field(default_factory=_china_travel)


class ScheduledVariant(Strict):
    """A variant seeded in its origin country on a date, spreading by importation.

    Factors are relative to the ancestral strain (transmissibility, severity, generation);
    ``escape`` is the share of every immunity's protection against infection that it
    evades. ``generation`` scales the strain's latent and infectious periods (its mean
    generation time); ``transmissibility`` stays its reproduction number relative to the
    ancestral strain, so a strain with a shorter generation time transmits faster per day
    (its per-day transmission rate is ``transmissibility / generation`` times the
    ancestral's) and its epidemic grows faster, with the same final size.
    """

    name: str = "variant"
    origin: str = Field(description="ISO3 of the country where it is seeded")
    start: dt.date = Field(description="day it is seeded")
    seed_share: Share = Field(1e-5, description="share of the origin's people infected "
                              "with it on that day (model assumption)")
    transmissibility: PositiveFactor = Field(description="factor on R0 vs the ancestral strain")
    escape: Share = Field(0.0, description="share of protection against infection evaded")
    escape_death: Share = Field(0.0, description="share of protection against death evaded")
    severity: PositiveFactor = Field(1.0, description="factor on the infection fatality ratio")
    generation: Generation = Field(
        1.0, description="factor on the latent and infectious periods (the mean generation "
        "time) vs the ancestral strain; transmissibility stays the factor on R0")


def _default_variants() -> list[ScheduledVariant]:
    # Transmissibility vs non-VOC strains: Alpha +29%, Delta +97% (Campbell et al.,
    # Eurosurveillance 2021). Severity: Alpha mortality hazard ratio 1.61 (Davies et al.,
    # Nature 2021); Delta vs Alpha hospitalisation HR 2.26 (Twohig et al., Lancet ID 2022)
    # -> Delta 1.61 × 1.4 (model assumption between the two); Omicron BA.1 vs Delta death
    # HR 0.31 (Nyberg et al., Lancet 2022). Omicron's intrinsic advantage over Delta:
    # model assumption (1.2).
    # Omicron's escape 0.5 of protection against infection: past infection protected
    # 45% against BA.1 reinfection (Stein et al., Lancet 2023; 56% in Qatar, Altarawneh et
    # al., NEJM 2022), model 0.87 × 0.5 / 0.9 = 0.48; two doses of BNT162b2 65.5% against
    # symptomatic BA.1 at 2-4 weeks, falling to 8.8% from 25 weeks (Andrews et al., NEJM
    # 2022), model 0.37 in the fresh level and 0.21 in the waned one (with doses tracked by
    # product, a course's protection is its products', sim/data/products.csv). Protection
    # against death largely kept (0.1). Generation time: 3.0 days (95% CI 2.7-3.2) for
    # BA.1 in the Netherlands in December 2021 (Park et al., PNAS 2023; Abbott et al.
    # 2.5-4 days), 0.316 of the model's 4.5 + 5 = 9.5 days (the observed one, not a ratio
    # to Delta's: the model's Delta keeps the ancestral 9.5 days, longer than the 3.8-4.7
    # observed). Seeded on BA.1's most recent common ancestor, 9 October 2021 (95% HPD
    # 30 Sep - 20 Oct; Viana et al., Nature 2022), in South Africa, a handful of people
    # (1e-7, about 6: so stochastic runs do not lose it to chance; assumption).
    return [
        ScheduledVariant(name="Alpha", origin="GBR", start=dt.date(2021, 1, 1),
                         seed_share=2e-3, transmissibility=1.29, severity=1.61),
        ScheduledVariant(name="Delta", origin="IND", start=dt.date(2021, 2, 15),
                         seed_share=1e-5, transmissibility=1.97, severity=2.25,
                         escape=0.1),
        ScheduledVariant(name="Omicron BA.1", origin="ZAF", start=dt.date(2021, 10, 9),
                         seed_share=1e-7, transmissibility=1.97 * 1.2,
                         severity=2.25 * 0.31, escape=0.5, escape_death=0.1,
                         generation=0.316),
    ]


class Emergence(Strict):
    """New variants arising where infections are: each day a member's hazard is
    ``per_billion_infections`` × today's infections / 1e9, summed over countries; the
    origin is drawn in proportion to each country's infections. The new variant's factors
    apply on top of the strain most common at its origin; it keeps that parent's
    generation time.
    """

    enabled: Flag = False
    per_billion_infections: NonNeg = Field(
        0.5, description="expected variants per billion infections (an illustrative "
        "assumption; no published estimate)")
    max_variants: count(0, 6) = Field(
        2, description="at most this many variants emerge")
    start: dt.date = Field(dt.date(2021, 1, 1), description="no emergence before this day")
    seed_share: Share = Field(1e-5, description="share of the origin's people infected")
    transmissibility: PositiveFactor = Field(1.2, description="factor on its parent's R0")
    escape: Share = Field(0.3, description="extra share of protection against infection "
                          "evaded")
    escape_death: Share = Field(0.05, description="extra share of protection against death "
                                "evaded")
    severity: PositiveFactor = Field(1.0, description="factor on its parent's fatality ratio")


class Protection(Strict):
    """Protection of one kind of immunity right after it is gained, and its half-lives."""

    infection: Share = Field(description="protection against infection at its peak")
    death: Share = Field(description="protection against death at its peak (overall: it "
                         "includes not being infected)")
    infection_half_life_days: LongDays
    death_half_life_days: LongDays

    @model_validator(mode="after")
    def _death_at_least_infection(self) -> Protection:
        if self.death < self.infection:
            raise ValueError("death must be >= infection (protection against death "
                             "includes protection from infection)")
        return self


class Immunity(Strict):
    """Vaccine-, infection- and hybrid (both) immunity, waning in two levels.

    A person moves from the *fresh* to the *waned* level after ``fresh_days`` on average
    (exponential). Protection of a level is the peak halved every half-life, taken at the
    mean time since the immunising event of people in it: ``fresh_days / 2`` (fresh) and
    ``2 × fresh_days`` (waned).
    """

    # Pre-Omicron full course: 83% against infection at 1 month, 62% at 4 months; 91%
    # against death, 86% at 6 months (living review, Feikin et al., Lancet 2022) ->
    # half-lives 90 ln 2 / ln(83/62) = 214 days and 150 ln 2 / ln(91/86) = 1,840 days;
    # peaks extrapolated back from 1 month to day 0.
    vaccine: Protection = Field(default_factory=lambda: Protection(
        infection=0.91, death=0.92, infection_half_life_days=214, death_half_life_days=1840))
    # Past infection vs pre-Omicron reinfection 85.2% at 1 month, 78.6% at 10 months
    # (Stein et al., Lancet 2023) -> 270 ln 2 / ln(85.2/78.6) = 2,320 days. Death: a
    # reinfection had 0.10 times the odds of severe, critical or fatal disease of a
    # primary infection of the same age and sex (Abu-Raddad et al., NEJM 2021, Qatar), so
    # overall protection 1 − (1 − 0.87) × 0.10 = 0.987; half-life: model assumption.
    infection: Protection = Field(default_factory=lambda: Protection(
        infection=0.87, death=0.987, infection_half_life_days=2320, death_half_life_days=5000))
    # Hybrid: 96-97% against reinfection at 3 months, > 95% against severe disease at 12
    # months (Bobrovitz et al., Lancet ID 2023); death with the same 0.10 relative
    # severity of a reinfection: 1 − 0.04 × 0.10 = 0.996; half-lives: model assumption.
    hybrid: Protection = Field(default_factory=lambda: Protection(
        infection=0.96, death=0.996, infection_half_life_days=1000, death_half_life_days=5000))
    fresh_days: LongDays = Field(120.0, description="mean days in the fresh level")


class BandContacts(Strict):
    """Daily contacts per person by age band (rounded POLYMOD means over its eight
    countries, Mossong et al., PLoS Med 2008); only their ratios matter, as R0 is fixed.
    """

    age_0_19: ContactRate = 14.1
    age_20_64: ContactRate = 12.9
    age_65plus: ContactRate = 7.9


class Suppression(Strict):
    """Places that suppressed the virus in 2020 kept doing so for a while: a country whose
    share infected in 2020 (prior immunity data) is below ``below_prior`` has contacts at
    most ``multiplier`` until ``until`` (then its own list applies), or, where
    ``coverage`` names it, until its vaccination coverage reaches a level (Korea's "living
    with COVID" once 70% of people were fully vaccinated; Australia's National Plan at 80%
    of those 16+). Model assumption: the countries with almost no 2020 epidemic (China,
    Viet Nam, Thailand, Malaysia, Sri Lanka, Japan, Korea, Australia ...) ran
    test-trace-isolate and border policies through the first half of 2021 and met Delta in
    the second. The no-vaccine twin gets the same courses without their protection, so
    its coverage exits fall on the same days: deaths averted do not count the reopening
    that vaccination bought.
    """

    enabled: Flag = False
    below_prior: Share = Field(0.01, description="2020 share infected below which a "
                               "country suppresses")
    multiplier: Factor = Field(0.25, description="contacts cap while suppressing")
    until: dt.date = Field(dt.date(2021, 7, 1), description="first day without the cap "
                           "(countries without a coverage exit)")
    coverage: dict[str, Share] = Field(
        default_factory=dict, description="coverage exit: a suppressing country matched "
        "here (income group, WHO region, continent or ISO3; most specific wins) keeps the "
        "cap until this share of its people has a completed course, whatever ``until`` says")
    coverage_latest: dt.date = Field(
        dt.date(2022, 3, 1), description="a country on a coverage exit that has not reached "
        "it stops suppressing on this day (model assumption: restrictions ended almost "
        "everywhere in early 2022)")


class Epidemic(Strict):
    """Age-structured SEIR with waning immunity and variants (sim/engine/epi_model.py)."""

    enabled: Flag = Field(True, description="run the epidemic (infections, deaths, averted)")
    mode: Literal["deterministic", "stochastic"] = Field(
        "deterministic", description="deterministic: expected flows; stochastic: whole "
        "people and binomial transitions with the same probabilities, drawn from each "
        "member's 'epidemic' random stream (replicates differ; policy arms with the same "
        "seed share draws), so small outbreaks can die out")
    r0: bounded(0.01, 30.0) = Field(2.8, description="basic reproduction number (ancestral strain, "
                          "Liu and Rocklöv 2021)")
    latent_days: Days = Field(4.5, description="mean days from infection to infectious")
    infectious_days: Days = Field(5.0, description="mean days infectious")
    initial_prevalence: Share = Field(
        0.001, description="share of people infectious on day 0 (estimate: about 0.6 M "
        "reported cases a day worldwide in January 2021, times 5 infectious days, times a "
        "few unreported infections per reported case)")
    initial_prevalence_groups: dict[str, bounded(0.0, 1000.0)] = Field(
        default_factory=dict, description="factor on initial_prevalence by income group, "
        "WHO region, continent or ISO3 (most specific wins)")
    prevalence_follows_prior: Flag = Field(
        True, description="day-0 prevalence of a country in proportion to its share "
        "infected in 2020 (prior immunity data) over the population-weighted world mean, "
        "so places that had little epidemic in 2020 (China, Viet Nam, Thailand) start "
        "with little (model assumption); false: the same share everywhere")
    initial_immune: Share = Field(
        0.0, description="share of people immune from past infection on day 0, on top of "
        "the prior immunity data (for synthetic worlds and sensitivity runs)")
    prior_immunity_scale: bounded(0.0, 10.0) = Field(
        1.0, description="factor on each country's share infected before 2021 (data)")
    prior_follows_severity: Flag = Field(
        False, description="divide each country's share infected before 2021 by its "
        "severity factor (ifr_multiplier times its ifr_multiplier_groups entry) where it "
        "exceeds 1, at most 0.5: the data estimate 2020 infections as 2020 excess deaths "
        "over the age-based fatality ratio, so where the fit finds fatality twice the "
        "age-based one, 2020 had half the infections")
    ifr_multiplier: bounded(0.0, 50.0) = Field(
        1.0, description="factor on every band's infection fatality ratio")
    ifr_multiplier_groups: dict[str, bounded(0.0, 50.0)] = Field(
        default_factory=dict, description="extra factor by income group, WHO region, "
        "continent or ISO3 (most specific wins)")
    band_contacts: BandContacts = Field(
        default_factory=BandContacts, description="daily contacts per person by age band")
    assortativity: Share = Field(
        0.3, description="share of a band's contacts kept within its band, the rest "
        "proportionate (model assumption)")
    importation: Share = Field(
        0.01, description="share of a country's contacts with travellers: the force of "
        "infection mixes home prevalence with the prevalence among travellers "
        "(a model assumption); times the day's travel multiplier, at most 1")
    regional_travel: Share = Field(
        0.8, description="share of those contacts with travellers from the same WHO "
        "region (the rest from the whole world; model assumption)")
    contacts: Contacts = Field(default_factory=Contacts)
    suppression: Suppression = Field(default_factory=Suppression)
    travel: Travel = Field(default_factory=Travel)
    variants: list[ScheduledVariant] = Field(default_factory=_default_variants)
    emergence: Emergence = Field(default_factory=Emergence)
    immunity: Immunity = Field(default_factory=Immunity)
    vaccine_effect: Flag = Field(
        True, description="false: doses are given as usual but protect no one (the "
        "no-vaccine counterfactual that deaths averted are measured against)")
    substeps: count(1, 24) = Field(
        1, description="integration sub-steps per day (1 keeps final size and peak day "
        "within 1% of the exact ODE solution)")
