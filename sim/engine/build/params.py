"""Member parameters: each scenario's policies as arrays with the ensemble axis first.

A batch runs E members that share one :class:`~sim.world.world.World` (same countries, start
and days) and the same *structure* (delivery lag, shelf-life buckets, dose interval).
Everything else may differ between members and is stored per member: ``(E,)``,
``(E, N)`` or ``(E, P)`` arrays.

Per-country policies resolve from general to specific: ``default``, then groups in the
order continent < WHO region < income group, then the country's own entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.engine.build.adaptation_params import N_DRAWS, adaptation_arrays, policy_draws
from sim.engine.build.diplomacy_params import DiplomacyParams, apply_ban_shocks, build_diplomacy
from sim.engine.build.epi_params import EpiParams, build_epi_params
from sim.engine.build.product_params import ProductParams, build_products, longest_shelf_life
from sim.engine.build.resolve import column, resolved
from sim.engine.build.vaccination_params import VaccinationParams, build_vaccination
from sim.engine.build.willingness_draw import band_willingness, drawn_willingness
from sim.engine.streams import member_rng
from sim.scenario.schema import INCOME_GROUPS, Scenario
from sim.world.lookup import GROUP_LEVELS, key_index
from sim.world.world import World

POLICY_CODES = {"open": 0, "domestic_first": 1, "ban": 2}


@dataclass(frozen=True)
class Structure:
    """What all members of a batch share (array shapes, ring sizes, stage timing, epidemic
    mode, relations). Sweeps and calibration group members by it (and by their immunity
    classes: :func:`sim.engine.build.batching.batch_group`), so any key may vary.
    """

    delivery_lag: int
    shelf_buckets: int
    bucket_days: int
    dose_interval: int
    doses_per_course: int
    clearing_days: int
    review_days: int = 30  # the schema's default (adaptation.review_days)
    #: ``(mode, substeps)`` of the epidemic, or ``()`` when it is off.
    epidemic: tuple[str, int] | tuple[()] = ("deterministic", 2)
    #: The affinity section and partner sets (producer, min_affinity), as canonical JSON.
    relations: str = ""

    @classmethod
    def of(cls, scenario: Scenario) -> Structure:
        """The structure of ``scenario``."""
        u, e = scenario.uptake, scenario.epidemic
        # Tracked products keep their own shelf lives: the buckets span the longest.
        shelf = max(u.shelf_life_days, longest_shelf_life() if scenario.products.enabled
                    else 0)
        relations = json.dumps([scenario.affinity.model_dump(mode="json"),
                                sorted((k, v.min_affinity)
                                       for k, v in scenario.partner_sales.items())],
                               sort_keys=True)
        return cls(
            delivery_lag=u.delivery_lag_days,
            shelf_buckets=max(1, -(-shelf // u.shelf_bucket_days)),
            bucket_days=u.shelf_bucket_days,
            dose_interval=u.dose_interval_days,
            doses_per_course=u.doses_per_course,
            clearing_days=scenario.market.clearing_days,
            review_days=scenario.adaptation.review_days,
            epidemic=(e.mode, e.substeps) if e.enabled else (),
            relations=relations,
        )


@dataclass(frozen=True)
class Params:
    """Per-member parameter arrays of one batch.

    Attributes
    ----------
    structure : shared ring sizes and course length
    seeds : (E,) int, each member's seed
    production_multiplier : (E, P, M) factor on the schedule per producer and month
    export_policy : (E, P) int, 0 open, 1 domestic_first, 2 ban
    export_target : (E, P) coverage share a domestic_first producer serves home up to
    ban_start, ban_end : (E, P) int day indices of a ban (inclusive); outside it, open
    order_total : (E, N) doses ordered in advance over the whole run
    priority : (E, N) int market tier, 0 served first
    capacity_start, capacity_end : (E, N) doses per person per day
    capacity_ramp : (E, N) days of the linear ramp from start to end
    willing : (E, N) share of people willing to be vaccinated
    population : (N,) people (the world's, for per-person rates)
    order_need, order_hoard : (E, N) doses ordered over the run under ``need`` / ``hoard``
    price : (E, N) US$ per dose
    strategy_initial, rule, theta, then : (E, N) adaptation (see :mod:`sim.engine.review`)
    imitate_prob, imitation_beta, w_health, w_influence, w_cost : (E,) imitation and payoff
        weights (``imitation_beta``: the Fermi selection intensity, not the epidemic's
        transmission ``EpiParams.beta``)
    policy_draws : (E, K, 3, N) uniforms of the K reviews (``member_rng(seed, "policy")``);
        K = 0 when no member has an adaptive rule (reviews then never run)
    resume_days : (E, P) days over which exports ramp back up after a ban
    willing_days : (K,) int first day of each willingness period (0 first)
    willing_steps : (E, K, N) share of people willing in each period
    burden_member : (E,) int member whose epidemic burden weighs each member's pool and
        donation allocation (a no-vaccine twin: its real member); None: its own
    diplomacy : pool, donation, partner sales, licences and shocks
        (:class:`sim.engine.build.diplomacy_params.DiplomacyParams`)
    epidemic : the epidemic's arrays (:mod:`sim.engine.build.epi_params`), None when it is off
    products : vaccine products (:mod:`sim.engine.build.product_params`), None when no
        member tracks doses by product
    vaccination : eligibility, priority and boosters by age band
        (:class:`sim.engine.build.vaccination_params.VaccinationParams`)
    """

    structure: Structure
    seeds: np.ndarray
    production_multiplier: np.ndarray
    export_policy: np.ndarray
    export_target: np.ndarray
    ban_start: np.ndarray
    ban_end: np.ndarray
    order_total: np.ndarray
    priority: np.ndarray
    capacity_start: np.ndarray
    capacity_end: np.ndarray
    capacity_ramp: np.ndarray
    willing: np.ndarray

    population: np.ndarray
    order_need: np.ndarray
    order_hoard: np.ndarray
    price: np.ndarray
    strategy_initial: np.ndarray
    rule: np.ndarray
    theta: np.ndarray
    then: np.ndarray
    imitate_prob: np.ndarray
    imitation_beta: np.ndarray
    w_health: np.ndarray
    w_influence: np.ndarray
    w_cost: np.ndarray
    policy_draws: np.ndarray
    diplomacy: DiplomacyParams
    vaccination: VaccinationParams
    resume_days: np.ndarray | None = None
    willing_steps: np.ndarray | None = None
    willing_days: np.ndarray | None = None
    burden_member: np.ndarray | None = None
    epidemic: EpiParams | None = None
    products: ProductParams | None = None

    @property
    def n_members(self) -> int:
        """E."""
        return len(self.seeds)

    @cached_property
    def willing_people(self) -> np.ndarray:
        """(E, N) people willing to be vaccinated."""
        return self.willing * self.population

    def willing_people_on(self, t: int) -> np.ndarray:
        """(E, N) people willing to be vaccinated on day ``t`` (dated hesitancy changes)."""
        if self.willing_days is None or self.willing_steps is None:
            return self.willing_people
        if len(self.willing_days) == 1:  # a change dated on or before day 0 applies at once
            return self._willing_people_steps[:, 0]
        k = int(np.searchsorted(self.willing_days, t, side="right")) - 1
        return self._willing_people_steps[:, k]

    @cached_property
    def _willing_people_steps(self) -> np.ndarray:
        return self.willing_steps * self.population

    def willing_band_on(self, t: int) -> np.ndarray:
        """(E, N, A) people willing to be vaccinated on day ``t`` by age band: the dated
        willingness of :meth:`willing_people_on` spread over the bands by population and
        relative hesitancy.
        """
        vp = self.vaccination
        if self.willing_days is None or self.willing_steps is None or vp.band_share is None:
            return vp.willing_band
        k = (0 if len(self.willing_days) == 1
             else int(np.searchsorted(self.willing_days, t, side="right")) - 1)
        return self._willing_band_steps[:, k]

    @cached_property
    def _willing_band_steps(self) -> np.ndarray:
        """(E, K, N, A) willing people per period and band (each band's share by its
        relative hesitancy, :func:`sim.engine.build.willingness_draw.band_willingness`).
        """
        vp = self.vaccination
        assert vp.band_share is not None and vp.band_hesitancy is not None
        assert self.willing_steps is not None
        people = self.population[:, None] * vp.band_share                     # (N, A)
        return band_willingness(self.willing_steps, vp.band_hesitancy, people) * people

    @cached_property
    def capacity_per_day(self) -> tuple[np.ndarray, np.ndarray]:
        """(E, N) doses per day on day 0, and (E, N) added per day of the ramp."""
        start = self.capacity_start * self.population
        slope = (self.capacity_end - self.capacity_start) * self.population / self.capacity_ramp
        return start, slope


def _scalar_per_country(world: World, default: float, groups: Mapping[str, float],
                        countries: Mapping[str, float]) -> np.ndarray:
    """(N,) the country's own value, else its most specific group's, else ``default``."""
    values = np.array([*groups.values(), *countries.values(), default], dtype=float)
    group = key_index(world, list(groups), GROUP_LEVELS)
    own = key_index(world, list(countries), ("iso3",))
    return values[np.where(own >= 0, len(groups) + own,
                           np.where(group >= 0, group, len(values) - 1))]


def scenario_params(world: World, scenario: Scenario) -> dict[str, np.ndarray]:
    """The seed-independent arrays of a member running ``scenario`` (without the E axis).

    ``production_multiplier`` is before noise; :func:`seeded_params` adds the rest.
    """
    n_months = int(world.month_index.max()) + 1
    P = world.n_producers
    prod = scenario.production
    mult = np.full((P, n_months), prod.multiplier, dtype=float)
    for code, m in prod.producers.items():
        mult[world.producer_index(code)] *= m

    day = lambda d, fallback: fallback if d is None else (d - world.start).days  # noqa: E731
    policy = np.zeros(P, dtype=int)
    target = np.zeros(P)
    ban_start = np.full(P, world.days, dtype=int)
    ban_end = np.full(P, -1, dtype=int)
    resume = np.zeros(P)
    for p, code in enumerate(world.producers):
        ep = scenario.export.producers.get(str(code), scenario.export.default)
        policy[p] = POLICY_CODES[ep.policy]
        target[p] = ep.coverage_target
        if ep.policy == "ban":
            ban_start[p] = day(ep.start, 0)
            ban_end[p] = day(ep.end, world.days)
            resume[p] = ep.resume_days

    u = scenario.uptake
    hesitancy = _scalar_per_country(world, u.hesitancy, u.hesitancy_groups,
                                    u.hesitancy_countries)
    willing = 1.0 - hesitancy
    steps, days = [willing], [0]
    for change in sorted(u.hesitancy_changes, key=lambda c: c.date):
        base = hesitancy if change.default is None else np.full_like(hesitancy,
                                                                       change.default)
        values = np.array([*change.groups.values(), *change.countries.values()], dtype=float)
        group = key_index(world, list(change.groups), GROUP_LEVELS)
        own = key_index(world, list(change.countries), ("iso3",))
        pick = np.where(own >= 0, len(change.groups) + own, group)
        hesitancy = np.where(pick >= 0, values[np.maximum(pick, 0)] if len(values) else 0.0,
                             base)
        steps.append(1.0 - hesitancy)
        days.append(max(day(change.date, 0), 0))
    proc = resolved(world, scenario.procurement.default, scenario.procurement.groups,
                    scenario.procurement.countries)
    course = float(u.doses_per_course)
    hoards = column(proc, "strategy", object) == "hoard"
    affordable = column(proc, "budget_share") / column(proc, "price_usd") \
        * world.gdp_per_capita * world.population
    order_need = np.minimum(willing * course * world.population, affordable)
    order_hoard = np.minimum(column(proc, "multiple") * course
                             * world.population, affordable)
    caps = [*u.capacity.values(), *u.capacity_countries.values()]
    own = key_index(world, list(u.capacity_countries), ("iso3",))
    cap = np.where(own >= 0, len(u.capacity) + own,
                   key_index(world, list(u.capacity), ("income_group",)))
    if (cap < 0).any():
        raise KeyError(str(world.income_group[np.argmax(cap < 0)]))
    return {
        "production_multiplier": mult,
        "export_policy": policy,
        "export_target": target,
        "ban_start": ban_start,
        "ban_end": ban_end,
        "resume_days": resume,
        "willing_steps": np.stack(steps),
        "order_total": np.where(hoards, order_hoard, order_need),
        "priority": column(proc, "priority", int),
        "capacity_start": np.array([c.start for c in caps])[cap],
        "capacity_end": np.array([c.end for c in caps])[cap],
        "capacity_ramp": np.array([max(c.ramp_days, 1) for c in caps], dtype=float)[cap],
        "willing": willing,
        "order_need": order_need,
        "order_hoard": order_hoard,
        "price": column(proc, "price_usd"),
        **adaptation_arrays(world, scenario, hoards),
    }


def seeded_params(world: World, scenario: Scenario, seed: int,
                  fixed: Mapping[str, np.ndarray], reviews: bool = True
                  ) -> dict[str, np.ndarray]:
    """The arrays of a member that depend on its seed, given ``fixed`` from
    :func:`scenario_params`: the seed, production noise, the policy reviews' draws and
    willingness (:mod:`sim.engine.build.willingness_draw`).
    """
    mult = fixed["production_multiplier"]
    sigma = scenario.production.noise_sd
    if sigma > 0:
        # Drawn month by month (all producers of month 0, then month 1, ...), so month m's
        # noise is the same whatever the run's length: a 730-day run repeats a 365-day one.
        P, M = mult.shape
        mult = mult * member_rng(seed, "production").lognormal(-0.5 * sigma**2, sigma,
                                                               size=(M, P)).T
    return {"seeds": np.array(seed, dtype=np.int64), "production_multiplier": mult,
            "policy_draws": policy_draws(world, scenario, seed) if reviews
            else np.zeros((0, N_DRAWS, world.n_countries)),
            **drawn_willingness(world, scenario, seed, fixed["willing"],
                                fixed["willing_steps"])}


def _change_days(world: World, scenario: Scenario) -> np.ndarray:
    """(K,) first day of each of ``scenario``'s willingness periods (0 first)."""
    return np.array([0] + [max((c.date - world.start).days, 0) for c in
                           sorted(scenario.uptake.hesitancy_changes, key=lambda c: c.date)],
                    dtype=int)


def _align_willingness(world: World, scenarios: Sequence[Scenario],
                       members: list[dict[str, np.ndarray]]) -> np.ndarray:
    """Give every member its willingness on the union of the batch's change days (members
    may change on different dates); return that (K,) union. Updates ``members`` in place.
    """
    own = [_change_days(world, s) for s in scenarios]
    union = np.unique(np.concatenate(own))
    for m, days in zip(members, own, strict=True):
        period = np.searchsorted(days, union, side="right") - 1   # last change on or before
        m["willing_steps"] = m["willing_steps"][period]
    return union


def member_params(world: World, scenario: Scenario, seed: int) -> dict[str, np.ndarray]:
    """Arrays of one member (without the E axis), as :func:`build_params` makes them."""
    fixed = scenario_params(world, scenario)
    return {**fixed, **seeded_params(world, scenario, seed, fixed, (fixed["rule"] != 0).any())}


def build_params(world: World, scenarios: Sequence[Scenario],
                 seeds: Sequence[int] | np.ndarray) -> Params:
    """Stack members: member ``e`` runs ``scenarios[e]`` with ``seeds[e]``.

    All scenarios must share ``world`` and the same :class:`Structure`. A member then
    runs to its results alone up to rounding, and bit for bit when the members also share
    :func:`sim.engine.build.batching.batch_group`.
    """
    if len(scenarios) != len(seeds) or not scenarios:
        raise ValueError("need one seed per scenario, and at least one member")
    structure = Structure.of(scenarios[0])
    for s in scenarios[1:]:
        if Structure.of(s) != structure:
            raise ValueError("members of one batch must share their Structure (delivery lag, "
                             "shelf life, buckets, dose interval, market clearing, review "
                             "period, epidemic mode and substeps, affinity and partner sets)")
    # Replicates of a scenario (the same object) share its seed-independent arrays.
    fixed: dict[int, dict[str, np.ndarray]] = {}
    for s in scenarios:
        if id(s) not in fixed:
            fixed[id(s)] = scenario_params(world, s)
    # Policy reviews run only when some member has an adaptive rule; otherwise their
    # uniforms are never read, and (E, K, 3, N) of them is not drawn.
    reviews = any((f["rule"] != 0).any() for f in fixed.values())
    members = [{**fixed[id(s)], **seeded_params(world, s, int(seed), fixed[id(s)], reviews)}
               for s, seed in zip(scenarios, seeds, strict=True)]
    days = _align_willingness(world, scenarios, members)
    stacked = {k: np.stack([m[k] for m in members]) for k in members[0]}
    stacked = apply_ban_shocks(world, scenarios, stacked)
    diplomacy = build_diplomacy(world, scenarios, stacked)
    epidemic = build_epi_params(world, scenarios, seeds)
    products = build_products(world, scenarios, diplomacy.contract_supplier.shape[1],
                              diplomacy.lic_rate.shape[1],
                              epidemic.n_strains if epidemic is not None else 1,
                              structure.shelf_buckets, structure.bucket_days)
    if products is not None:  # one-dose products' output in physical doses
        stacked["production_multiplier"] = (stacked["production_multiplier"]
                                            * products.output_factor[..., None])
    return Params(structure=structure, population=world.population, willing_days=days,
                  diplomacy=diplomacy, epidemic=epidemic, products=products,
                  vaccination=build_vaccination(world, scenarios, stacked["willing"]),
                  **stacked)


__all__ = ["INCOME_GROUPS", "POLICY_CODES", "Params", "Structure", "build_params"]
