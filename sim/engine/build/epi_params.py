"""Epidemic parameters of a batch: each member's ``epidemic`` section as arrays.

Shapes: E members, N countries, K = 4 vaccination statuses (0 none, 1 first dose,
2 full course, 3 full course waned), C contact change days, V emerging variants, D days.
Rates are per day; shares and probabilities are fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.fatality import population_ifr
from sim.engine.streams import member_rng
from sim.scenario.schema import Scenario
from sim.world.world import World

STATUSES = ("unvaccinated", "first_dose", "completed", "waned")


@dataclass(frozen=True)
class EpiParams:
    """Per-member epidemic arrays (shared settings as plain values).

    Attributes
    ----------
    mode : "deterministic" or "stochastic" (shared by the batch)
    substeps : integration sub-steps per day (shared)
    beta : (E, 1) transmissions per infectious person per day at full contacts (R0 / T_inf)
    sigma, gamma : (E, 1) per day, 1 / latent days and 1 / infectious days
    ifr : (E, N) infection fatality ratio of an unvaccinated person (at most 1)
    ve_infection, ve_death : (K, E, 1) efficacy by status (status 0 is 0)
    waning : (E, 1) daily probability that a full course wanes
    importation : (E, 1) share of contacts mixing with the global pool
    initial_prevalence, initial_immune : (E, 1) shares of people on day 0
    contact_days : (C,) day indices where some member's contacts change (sorted, first 0)
    contact_values : (C, E, N) multiplier from each change day on
    variant_transmissibility, variant_efficacy : (D, E, 1) factors of scheduled variants
    emergence_at : (E, V) cumulative global infections at which variant v emerges (inf: never)
    emergence_transmissibility, emergence_efficacy : (E, 1) factor per emerged variant
    vaccine_effect : (E, 1) 1 if doses protect, 0 in the no-vaccine counterfactual
    keys : (E,) uint64 keys of each member's epidemic random stream
    """

    mode: str
    substeps: int
    beta: np.ndarray
    sigma: np.ndarray
    gamma: np.ndarray
    ifr: np.ndarray
    ve_infection: np.ndarray
    ve_death: np.ndarray
    waning: np.ndarray
    importation: np.ndarray
    initial_prevalence: np.ndarray
    initial_immune: np.ndarray
    contact_days: np.ndarray
    contact_values: np.ndarray
    variant_transmissibility: np.ndarray
    variant_efficacy: np.ndarray
    emergence_at: np.ndarray
    emergence_transmissibility: np.ndarray
    emergence_efficacy: np.ndarray
    vaccine_effect: np.ndarray
    keys: np.ndarray


def _contact_steps(world: World, epi) -> list[list[tuple[int, float]]]:
    """Per country, its (day index, multiplier) steps, most specific list winning."""
    c = epi.contacts
    out = []
    for n in range(world.n_countries):
        steps = c.default
        for key in (world.continent[n], world.who_region[n], world.income_group[n]):
            steps = c.groups.get(str(key), steps)
        steps = c.countries.get(str(world.iso3[n]), steps)
        out.append(sorted(((s.start - world.start).days, s.multiplier) for s in steps))
    return out


def _contacts_on(steps: list[tuple[int, float]], day: int) -> float:
    value = 1.0
    for start, mult in steps:
        if start <= day:
            value = mult
    return value


def build_epi_params(world: World, scenarios: Sequence[Scenario],
                     seeds: Sequence[int] | np.ndarray) -> EpiParams | None:
    """Stack the members' epidemic settings; ``None`` if the epidemic is off."""
    epis = [s.epidemic for s in scenarios]
    if not epis[0].enabled:
        if any(x.enabled for x in epis):
            raise ValueError("members of one batch must all run the epidemic, or none")
        return None
    for other in epis[1:]:
        if (other.enabled, other.mode, other.substeps) != (True, epis[0].mode,
                                                          epis[0].substeps):
            raise ValueError("members of one batch must share epidemic.enabled, mode "
                             "and substeps")
    col = lambda values: np.asarray(values, dtype=float)[:, None]  # noqa: E731
    D = world.days
    base_ifr = population_ifr(world.pop_65plus_share)
    # Members with the same contacts section (replicates, no-vaccine twins) share it:
    # resolve each distinct one once, then index.
    distinct: dict[int, int] = {}
    for x in epis:
        distinct.setdefault(id(x.contacts), len(distinct))
    which = [distinct[id(x.contacts)] for x in epis]
    firsts = {distinct[id(x.contacts)]: x for x in reversed(epis)}
    steps = [_contact_steps(world, firsts[i]) for i in range(len(distinct))]
    days = sorted({0} | {max(d, 0) for member in steps for country in member
                         for d, _ in country if d < D})
    contact_values = np.array([[[_contacts_on(country, d) for country in member]
                                for member in steps] for d in days])[:, which]
    trans = np.ones((D, len(epis), 1))
    eff = np.ones((D, len(epis), 1))
    for e, epi in enumerate(epis):
        for v in epi.variants:
            first = min(max((v.start - world.start).days, 0), D)
            trans[first:, e] *= v.transmissibility
            eff[first:, e] *= v.efficacy_factor
    V = max(max(x.emergence.max_variants for x in epis), 1)
    emergence = np.full((len(epis), V), np.inf)
    for e, (epi, seed) in enumerate(zip(epis, seeds, strict=True)):
        em = epi.emergence
        if em.enabled and em.per_billion_infections > 0 and em.max_variants > 0:
            gaps = member_rng(int(seed), "variant").exponential(size=em.max_variants)
            emergence[e, :em.max_variants] = np.cumsum(gaps) * 1e9 / em.per_billion_infections
    ve = lambda kind: np.stack([np.zeros(len(epis))] + [  # noqa: E731
        [getattr(e.efficacy, f"{stage}_{kind}") for e in epis]
        for stage in ("first", "completed", "waned")])[:, :, None]
    return EpiParams(
        mode=epis[0].mode,
        substeps=epis[0].substeps,
        beta=col([e.r0 / e.infectious_days for e in epis]),
        sigma=col([1.0 / e.latent_days for e in epis]),
        gamma=col([1.0 / e.infectious_days for e in epis]),
        # A fatality ratio is a probability: a large multiplier saturates at 1.
        ifr=np.minimum(col([e.ifr_multiplier for e in epis]) * base_ifr, 1.0),
        ve_infection=ve("infection"),
        ve_death=ve("death"),
        waning=col([1.0 - np.exp(-1.0 / e.efficacy.waning_days) if e.efficacy.waning_days
                    else 0.0 for e in epis]),
        importation=col([e.importation for e in epis]),
        initial_prevalence=col([e.initial_prevalence for e in epis]),
        initial_immune=col([e.initial_immune for e in epis]),
        contact_days=np.array(days, dtype=int),
        contact_values=contact_values,
        variant_transmissibility=trans,
        variant_efficacy=eff,
        emergence_at=emergence,
        emergence_transmissibility=col([e.emergence.transmissibility for e in epis]),
        emergence_efficacy=col([e.emergence.efficacy_factor for e in epis]),
        vaccine_effect=col([1.0 if e.vaccine_effect else 0.0 for e in epis]),
        keys=np.array([member_rng(int(s), "epidemic").integers(0, 2**63, dtype=np.uint64)
                       for s in seeds], dtype=np.uint64),
    )
