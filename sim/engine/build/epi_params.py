"""Epidemic parameters of a batch: each member's ``epidemic`` section as arrays.

Shapes: E members, N countries, A = 3 age bands (0-19, 20-64, 65+), K immunity statuses
(3 + 4 per immunity class: :mod:`sim.engine.build.epi_status`), V strains (the ancestral
strain, the scheduled variants, then one slot per possible emerging variant), C dated
changes of contacts or travel, R regions. Rates are per day; shares and probabilities are
fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from sim.engine.build.epi_chain import strain_chains
from sim.engine.build.epi_country import most_specific, per_country, prior_share
from sim.engine.build.epi_status import (
    STATUSES,
    STRAIN_STATUSES,
    immunity_classes,
    infection_status,
    n_statuses,
    status_names,
    vaccinated_statuses,
)
from sim.engine.streams import member_rng
from sim.scenario.schema import Scenario
from sim.world.lookup import GROUP_LEVELS, key_index
from sim.world.world import World

BANDS = ("0_19", "20_64", "65plus")
A = len(BANDS)

__all__ = ["A", "BANDS", "STATUSES", "STRAIN_STATUSES", "EpiParams", "build_epi_params",
           "immunity_classes", "infection_status", "n_statuses", "own_classes",
           "spectral_scale", "status_names", "vaccinated_statuses"]


@dataclass(frozen=True)
class EpiParams:
    """Per-member epidemic arrays (shared settings as plain values).

    Attributes
    ----------
    mode : "deterministic" or "stochastic" (shared by the batch)
    substeps : integration sub-steps per day (shared)
    strain_names : (V,) names: "ancestral", scheduled variants (the first member's names;
        members may schedule different variants, slot by slot), "emergent 1" ...
    strain_class : (V,) int64 immunity class of each strain (:func:`immunity_classes`):
        survivors of strain v hold the four statuses from ``infection_status(class)``
    chain : (E, V, 11) sub-step coefficients of each strain's E -> I -> R chain
        (:func:`sim.engine.build.epi_chain.chain_table`; emergent slots as the ancestral
        strain until they emerge, when they take their parent's: the run's copy is
        ``EpiState.chain``)
    generation : (E, V) generation-time factor of each strain (emergent slots: 1 until
        they emerge)
    force : (E, N) transmissions per infectious person per day at full contacts, scaled
        so that each country's basic reproduction number is the scenario's ``r0``
    activity : (E, A) contacts per day by band (relative)
    assortativity : (E,) share of a band's contacts within its band
    band_population : (N, A) people
    ifr : (E, N, A) infection fatality ratio of an unprotected person (ancestral strain)
    peak : (E, 3, 2) peak protection of vaccine, infection and hybrid immunity against
        [infection, death]
    level : (E, 3, 2, 2) factor on the peak in the [fresh, waned] level, same axes
    wane : (E,) daily probability that fresh immunity becomes waned
    importation : (E,) share of contacts with travellers
    regional : (E,) share of travellers' contacts from the same region
    region : (N,) int region (WHO region) of each country; n_regions : R
    traffic : (N,) relative volume of outbound travel (GDP: population × income)
    contact_days : (C,) day indices where some member's contacts or travel change
    contact_values, travel_values : (C, E, N) multipliers from each change day on
    strain_table : (E, V, 4) transmissibility, escape, escape_death, severity of each
        strain (emergent slots are filled when they emerge)
    seed_day, seed_origin : (E, S) int day and origin country (-1: not in the world) of
        each member's scheduled variant s (strain slot 1 + s); S the longest list
    seed_share : (E, S) share of the origin's people infected (0: no variant in the slot)
    emergence_rate : (E,) expected new variants per infection (0: none)
    emergence_start : first day a variant may emerge in any member
    emergence_from : (E,) int first day a variant may emerge in each member
    emergence_max : (E,) int most variants that may emerge in each member (a member's own
        cap, whatever slots its batch has)
    emergence_factors : (E, 4) factors of an emerging variant on its parent
    emergence_seed : (E,) share of the origin's people infected with it
    n_scheduled : 1 + scheduled variants (index of the first emergent slot)
    vaccine_effect : (E,) 1 if doses protect, 0 in the no-vaccine counterfactual
    suppress_coverage : (E, N) share of people with a completed course at which a country
        on a coverage exit stops suppressing (inf: no coverage exit; such a country's cap
        is in ``contact_values`` until its date instead)
    suppress_cap : (E,) contacts cap while suppressing
    suppress_latest : (E,) int day on which coverage exits end anyway
    initial_prevalence : (E, N) share of people infectious on day 0 (the scenario's share
        times its group factor, times the country's relative 2020 attack if
        ``prevalence_follows_prior``)
    prior_infected : (E, N) share of people with infection-acquired immunity on day 0 (the
        data, read through the severity factor if ``prior_follows_severity``:
        :func:`sim.engine.build.epi_country.prior_share`)
    keys : (E,) uint64 keys of each member's epidemic random stream
    emergence_keys : (E,) uint64 keys of each member's emergence stream
    """

    mode: str
    substeps: int
    strain_names: tuple[str, ...]
    chain: np.ndarray
    generation: np.ndarray
    force: np.ndarray
    activity: np.ndarray
    assortativity: np.ndarray
    band_population: np.ndarray
    ifr: np.ndarray
    peak: np.ndarray
    level: np.ndarray
    wane: np.ndarray
    importation: np.ndarray
    regional: np.ndarray
    region: np.ndarray
    n_regions: int
    traffic: np.ndarray
    contact_days: np.ndarray
    contact_values: np.ndarray
    travel_values: np.ndarray
    strain_table: np.ndarray
    seed_day: np.ndarray
    seed_origin: np.ndarray
    seed_share: np.ndarray
    emergence_rate: np.ndarray
    emergence_start: int
    emergence_from: np.ndarray
    emergence_max: np.ndarray
    emergence_factors: np.ndarray
    emergence_seed: np.ndarray
    n_scheduled: int
    vaccine_effect: np.ndarray
    suppress_coverage: np.ndarray
    suppress_cap: np.ndarray
    suppress_latest: np.ndarray
    initial_prevalence: np.ndarray
    prior_infected: np.ndarray
    keys: np.ndarray
    emergence_keys: np.ndarray
    strain_class: np.ndarray

    @property
    def n_strains(self) -> int:
        """V."""
        return len(self.strain_names)

    @property
    def n_classes(self) -> int:
        """Immunity classes (:func:`immunity_classes`)."""
        return int(self.strain_class.max()) + 1 if len(self.strain_class) else 0

    @property
    def n_statuses(self) -> int:
        """K = 3 + 4 × classes."""
        return n_statuses(self.n_classes)


def own_classes(ep: EpiParams) -> EpiParams:
    """``ep`` with every strain its own immunity class (K = 3 + 4 V): the model written
    per strain, which merged classes must reproduce up to the order of sums (tests).
    """
    return replace(ep, strain_class=immunity_classes(ep.strain_table, ep.n_scheduled,
                                                     merge=False))


def spectral_scale(activity: np.ndarray, eps: float, band_population: np.ndarray) -> np.ndarray:
    """(N,) 1 / dominant eigenvalue of each country's next-generation matrix per unit of
    transmission, so ``force = beta × scale`` gives the scenario's R0 everywhere.

    With preferential mixing the infections in band a caused by one infectious person of
    band b are ``act_a [eps δ_ab + (1 − eps) act_b P_a / Σ_c act_c P_c]``.
    """
    P = np.maximum(band_population, 1e-12)                                # (N, A)
    mixed = activity[None, :, None] * activity[None, None, :] * P[:, :, None] \
        / (P @ activity)[:, None, None]                                   # (N, A, A)
    M = eps * np.diag(activity)[None] + (1.0 - eps) * mixed
    rho = np.abs(np.linalg.eigvals(M)).max(axis=1)
    return 1.0 / rho


def _steps(world: World, section) -> tuple[list[list[tuple[int, float]]], np.ndarray]:
    """(the section's distinct (day index, multiplier) step lists, (N,) int the list of
    each country): the most specific list wins (continent < WHO region < income group <
    ISO3; ``default`` last in the lists).
    """
    groups, countries = list(section.groups), list(section.countries)
    lists = [section.groups[k] for k in groups] + [section.countries[k] for k in countries] \
        + [section.default]
    index = key_index(world, groups, GROUP_LEVELS)
    own = key_index(world, countries, ("iso3",))
    index = np.where(own >= 0, len(groups) + own, np.where(index >= 0, index, len(lists) - 1))
    return [sorted(((s.start - world.start).days, s.multiplier) for s in steps)
            for steps in lists], index


def _on(steps: list[tuple[int, float]], day: int) -> float:
    value = 1.0
    for start, mult in steps:
        if start <= day:
            value = mult
    return value


def _dated(world: World, sections: list) -> dict[int, tuple[list, np.ndarray]]:
    """Each distinct section's :func:`_steps` (members with the same section object share
    its resolution).
    """
    distinct: dict[int, tuple[list, np.ndarray]] = {}
    for s in sections:
        if id(s) not in distinct:
            distinct[id(s)] = _steps(world, s)
    return distinct


def _values(table: dict[int, tuple[list, np.ndarray]], sections: list,
            days: list[int]) -> np.ndarray:
    """(C, E, N) multiplier of each member's section in each country from each change day."""
    out = []
    for d in days:
        out.append([np.array([_on(steps, d) for steps in table[id(s)][0]])[table[id(s)][1]]
                    for s in sections])
    return np.array(out, dtype=float).reshape(len(days), len(sections), -1)


def _levels(epi) -> tuple[np.ndarray, np.ndarray]:
    """(3, 2) peaks and (3, 2, 2) level factors of vaccine, infection and hybrid immunity."""
    im = epi.immunity
    peak = np.zeros((3, 2))
    level = np.zeros((3, 2, 2))
    ages = (im.fresh_days / 2.0, 2.0 * im.fresh_days)
    for s, prot in enumerate((im.vaccine, im.infection, im.hybrid)):
        peak[s] = prot.infection, prot.death
        for j, half in enumerate((prot.infection_half_life_days, prot.death_half_life_days)):
            level[s, j] = [0.5 ** (age / half) for age in ages]
    return peak, level


def build_epi_params(world: World, scenarios: Sequence[Scenario],
                     seeds: Sequence[int] | np.ndarray) -> EpiParams | None:
    """Stack the members' epidemic settings; ``None`` if the epidemic is off. Strains
    with the same memory share an immunity class (:func:`immunity_classes`).
    """
    epis = [s.epidemic for s in scenarios]
    if not epis[0].enabled:
        if any(e.enabled for e in epis):
            raise ValueError("members of one batch must all run the epidemic, or none")
        return None
    for e in epis[1:]:
        if (e.enabled, e.mode, e.substeps) != (True, epis[0].mode, epis[0].substeps):
            raise ValueError("members of one batch must share epidemic.enabled, mode "
                             "and substeps")
    if world.band_population is None or world.band_ifr is None:
        raise ValueError("the epidemic needs age band data (sim/data/age_bands.csv)")
    E, N, D = len(epis), world.n_countries, world.days
    # Dated contacts and travel: one table of change days shared by both.
    contacts = _dated(world, [e.contacts for e in epis])
    travel = _dated(world, [e.travel for e in epis])
    until = [(e.suppression.until - world.start).days for e in epis if e.suppression.enabled]
    days = sorted({0} | {max(d, 0) for table in (contacts, travel) for lists, used in
                         table.values() for i in np.unique(used).tolist()
                         for d, _ in lists[i] if d < D}
                  | {max(d, 0) for d in until if d < D})
    contact_values = _values(contacts, [e.contacts for e in epis], days)
    prior_data = world.prior_infected if world.prior_infected is not None else None
    exit_at = np.full((E, N), np.inf)                  # coverage exits (inf: none)
    for m, e in enumerate(epis):
        sup = e.suppression
        if sup.enabled and prior_data is not None:
            end = (sup.until - world.start).days
            on = np.array(days) < end                                          # (C,)
            low = prior_data < sup.below_prior                                 # (N,)
            exit_at[m] = np.where(low, most_specific(world, sup.coverage, np.inf), np.inf)
            low = low & ~np.isfinite(exit_at[m])          # the date rule for the others
            cell = on[:, None] & low[None, :]
            contact_values[:, m] = np.where(cell, np.minimum(contact_values[:, m],
                                                             sup.multiplier),
                                            contact_values[:, m])
    travel_values = _values(travel, [e.travel for e in epis], days)
    # Strains: ancestral, scheduled variants (the same list in every member), emergent slots.
    S = max(len(e.variants) for e in epis)
    names = [v.name for v in epis[0].variants] + [f"variant {s + 1}"
                                                  for s in range(len(epis[0].variants), S)]
    n_emergent = max(e.emergence.max_variants if e.emergence.enabled else 0 for e in epis)
    V = 1 + S + n_emergent
    table = np.zeros((E, V, 4))
    table[:, :, 0] = 1.0
    table[:, :, 3] = 1.0
    generation = np.ones((E, V))
    seed_day = np.full((E, S), -1, dtype=np.int64)
    seed_origin = np.full((E, S), -1, dtype=np.int64)
    seed_share = np.zeros((E, S))
    position = {c: i for i, c in enumerate(world.iso3)}
    for m, epi in enumerate(epis):
        for s, v in enumerate(epi.variants):
            table[m, 1 + s] = [v.transmissibility, v.escape, v.escape_death, v.severity]
            generation[m, 1 + s] = v.generation
            seed_share[m, s] = v.seed_share
            seed_day[m, s] = (v.start - world.start).days
            seed_origin[m, s] = position.get(v.origin, -1)
    peak_level = [_levels(x) for x in epis]
    activity = np.array([[x.band_contacts.age_0_19, x.band_contacts.age_20_64,
                          x.band_contacts.age_65plus] for x in epis], dtype=float)
    activity /= activity.mean(axis=1, keepdims=True)
    eps = np.array([x.assortativity for x in epis])
    scale = {}
    for k in range(E):
        key = (tuple(activity[k]), eps[k])
        if key not in scale:
            scale[key] = spectral_scale(activity[k], eps[k], world.band_population)
    force = np.array([epi.r0 / epi.infectious_days * scale[(tuple(activity[e]), eps[e])]
                      for e, epi in enumerate(epis)])
    severity = np.array([per_country(world, epi.ifr_multiplier, epi.ifr_multiplier_groups)
                         for epi in epis])                                     # (E, N)
    # A fatality ratio is a probability: a large multiplier saturates at 1.
    ifr = np.minimum(world.band_ifr[None] * severity[:, :, None], 1.0)
    regions = sorted(set(world.who_region))
    region = np.array([regions.index(r) for r in world.who_region], dtype=int)
    prior = world.prior_infected if world.prior_infected is not None else np.zeros(N)
    # Each country's 2020 attack over the population-weighted mean (1 without data).
    mean_prior = float((prior * world.population).sum() / world.population.sum())
    relative_prior = prior / mean_prior if mean_prior > 0 else np.ones(N)
    em = [e.emergence for e in epis]
    return EpiParams(
        mode=epis[0].mode,
        substeps=epis[0].substeps,
        strain_names=("ancestral", *names, *(f"emergent {i + 1}" for i in range(n_emergent))),
        chain=np.array([strain_chains(1.0 / e.latent_days, 1.0 / e.infectious_days,
                                      e.substeps, generation[m])
                        for m, e in enumerate(epis)]),
        generation=generation,
        force=force,
        activity=activity,
        assortativity=eps,
        band_population=np.ascontiguousarray(world.band_population, dtype=float),
        ifr=ifr,
        peak=np.array([p for p, _ in peak_level]),
        level=np.array([lv for _, lv in peak_level]),
        wane=np.array([1.0 - np.exp(-1.0 / e.immunity.fresh_days) for e in epis]),
        importation=np.array([e.importation for e in epis]),
        regional=np.array([e.regional_travel for e in epis]),
        region=region,
        n_regions=len(regions),
        traffic=world.population * world.gdp_per_capita / (world.population
                                                            * world.gdp_per_capita).mean(),
        contact_days=np.array(days, dtype=int),
        contact_values=contact_values,
        travel_values=travel_values,
        strain_table=table,
        seed_day=seed_day,
        seed_origin=seed_origin,
        seed_share=seed_share,
        emergence_rate=np.array([m.per_billion_infections / 1e9 if m.enabled else 0.0
                                 for m in em]),
        emergence_start=min((m.start - world.start).days for m in em),
        emergence_from=np.array([(m.start - world.start).days for m in em], dtype=np.int64),
        emergence_max=np.array([m.max_variants if m.enabled else 0 for m in em],
                               dtype=np.int64),
        emergence_factors=np.array([[m.transmissibility, m.escape, m.escape_death,
                                     m.severity] for m in em]),
        emergence_seed=np.array([m.seed_share for m in em]),
        n_scheduled=1 + S,
        vaccine_effect=np.array([1.0 if e.vaccine_effect else 0.0 for e in epis]),
        suppress_coverage=exit_at,
        suppress_cap=np.array([e.suppression.multiplier for e in epis]),
        suppress_latest=np.array([(e.suppression.coverage_latest - world.start).days
                                  for e in epis], dtype=np.int64),
        initial_prevalence=np.array([np.minimum(per_country(
            world, e.initial_prevalence, e.initial_prevalence_groups)
            * (relative_prior if e.prevalence_follows_prior else 1.0), 1.0) for e in epis]),
        prior_infected=np.array([np.clip(
            prior_share(prior, severity[m], e.prior_follows_severity) * e.prior_immunity_scale
            + e.initial_immune, 0.0, 1.0) for m, e in enumerate(epis)]),
        keys=np.array([member_rng(int(s), "epidemic").integers(0, 2**63, dtype=np.uint64)
                       for s in seeds], dtype=np.uint64),
        emergence_keys=np.array([member_rng(int(s), "emergence").integers(
            0, 2**63, dtype=np.uint64) for s in seeds], dtype=np.uint64),
        strain_class=immunity_classes(table, 1 + S),
    )
