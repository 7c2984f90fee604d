"""Per-member parameters of the diplomacy mechanisms (pool, donation, partner sales,
licences, shocks), stacked with the ensemble axis first like
:class:`~sim.engine.build.params.Params`.

Built by :func:`build_diplomacy` inside :func:`sim.engine.build.params.build_params` and held in
``params.diplomacy``. Initial country behaviour (who donates, who pools) is copied into
*mutable* :class:`~sim.engine.state.State` arrays at day 0 (see
:func:`sim.engine.state.initial_arrays`), so a policy review may change it during a run;
everything here stays fixed.

Shapes: E members, N countries, P producers, D days, C licences (padded to the most any
member has), S shocks of a kind (padded likewise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from sim.engine.build.contract_params import contract_arrays
from sim.engine.build.resolve import column, resolved
from sim.scenario.schema import Scenario
from sim.world.affinity import PairAffinity, pair_affinity
from sim.world.lookup import named
from sim.world.recipient_groups import RecipientGroups, recipient_groups
from sim.world.world import World


@dataclass(frozen=True)
class DiplomacyParams:
    """Fixed per-member arrays of the diplomacy mechanisms.

    Attributes
    ----------
    pool_on : (E,) bool, member runs a pool
    pool_orders : (E,) doses the pool orders in advance (its own order plus funded courses)
    pool_before : (E, N) bool, countries whose market tier is served before the pool
    pool_same : (E, N) bool, countries in the pool's own market tier
    pool_budget : (E, D) cumulative doses the pool's pledges pay for by each day (inf: no
        funding limit)
    pool_tier_doses : (E, N) doses of the first tier (tier share × courses × population)
    pool_every, pool_absorb_days : (E,) int
    pool_proportional : (E,) bool, participants never get more than their population share
    pool_member0, pool_share0 : (E, N) initial participation and contribution share
    donor_share0 : (E, N) initial share of surplus donated per period
    switch_share : (E,) share a country donates when a review turns it into a donor
    pool_switch_share : (E,) share a country gives the pool when a review switches it to pool
    output_gift : (E, P) share of a producer's unsold output its home government donates per
        donation period (``donation.from_output``)
    output_donor : (P,) int country index of the government that donates a producer's
        output, -1 where the producer is not a country in the world (e.g. the EU)
    keep_doses : (E, N) doses a donor keeps for its own coverage target
    buffer_days : (E, N) days of absorptive capacity a donor keeps on top
    receive : (E, N) bool, may receive bilateral donations
    donation_every : (E,) int days between donation rounds
    arrival_bucket : (E,) int freshest shelf-life bucket donated doses may arrive in
    donation_absorb_days : (E,) int days of capacity a recipient accepts gifts up to
    contract_supplier : (E, K) int producer index of each contract (K padded)
    contract_buyer : (E, K) int country index of each contract's buyer, -1 for the pool
    contract_due : (E, K, D) doses each contract has made due by the end of each day
    decay : (E,) influence kept per donation period (from the half-life)
    half_life_days : (E,) days for a donated dose's influence to halve
    record_flows : (E,) bool, keep the member's donor → recipient flows
    affinity : the affinity of every pair (:class:`sim.world.affinity.PairAffinity`),
        computed row by row when a mechanism asks
    recipient_groups : how the ledger keeps bilateral gifts (per pair or per recipient
        group, :func:`sim.world.recipient_groups.recipient_groups`)
    partner_share : (E, P) share of stock a producer offers its partners first
    partner_mask : (P, N) bool, partners of each producer
    lic_producer, lic_country : (E, C) int licensor producer and licensee country
    lic_active : (E, C) int first day of fill-finish (signing + lag); D+ for padding
    lic_rate : (E, C) doses per day of fill-finish
    lic_total : (E, C) contract doses (inf: unlimited)
    lic_additional : (E, C) bool, bulk made on top of the licensor's output
    outage_producer, outage_start, outage_end : (E, S) int; outage_keep : (E, S) share
    surge_day : (E, S) int; surge_doses : (E, S, N) doses ordered on that day
    """

    pool_on: np.ndarray
    pool_orders: np.ndarray
    pool_before: np.ndarray
    pool_same: np.ndarray
    pool_budget: np.ndarray
    pool_tier_doses: np.ndarray
    pool_every: np.ndarray
    pool_absorb_days: np.ndarray
    pool_proportional: np.ndarray
    pool_member0: np.ndarray
    pool_share0: np.ndarray
    donor_share0: np.ndarray
    switch_share: np.ndarray
    keep_doses: np.ndarray
    buffer_days: np.ndarray
    receive: np.ndarray
    donation_every: np.ndarray
    arrival_bucket: np.ndarray
    donation_absorb_days: np.ndarray
    contract_supplier: np.ndarray
    contract_buyer: np.ndarray
    contract_due: np.ndarray
    decay: np.ndarray
    half_life_days: np.ndarray
    record_flows: np.ndarray
    affinity: PairAffinity
    recipient_groups: RecipientGroups
    partner_share: np.ndarray
    partner_mask: np.ndarray
    lic_producer: np.ndarray
    lic_country: np.ndarray
    lic_active: np.ndarray
    lic_rate: np.ndarray
    lic_total: np.ndarray
    lic_additional: np.ndarray
    outage_producer: np.ndarray
    outage_start: np.ndarray
    outage_end: np.ndarray
    outage_keep: np.ndarray
    surge_day: np.ndarray
    surge_doses: np.ndarray
    pool_switch_share: np.ndarray
    output_gift: np.ndarray
    output_donor: np.ndarray

    @cached_property
    def any_pool(self) -> bool:
        """True if some member runs a pool."""
        return bool(self.pool_on.any())

    @cached_property
    def any_licence(self) -> bool:
        """True if some member has a licence."""
        return self.lic_rate.shape[1] > 0

    @cached_property
    def first_licence_day(self) -> int:
        """The first day any licence fills doses."""
        return int(self.lic_active.min()) if self.any_licence else 10**9

    @cached_property
    def lic_bins(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat (E·P and E·N) bin of each licence's licensor and licensee, for bincount."""
        E = self.lic_rate.shape[0]
        P, N = self.partner_mask.shape
        rows = np.arange(E)[:, None]
        return (rows * P + self.lic_producer).ravel(), (rows * N + self.lic_country).ravel()

    @cached_property
    def any_contract(self) -> bool:
        """True if some member has a supply contract (the pool's or a country's)."""
        return bool(self.contract_due[..., -1].any()) if self.contract_due.size else False

    @cached_property
    def any_outage(self) -> bool:
        """True if some member has a plant outage."""
        return self.outage_start.shape[1] > 0

    @cached_property
    def any_surge(self) -> bool:
        """True if some member has a demand surge."""
        return self.surge_day.shape[1] > 0

    @cached_property
    def any_partners(self) -> bool:
        """True if some producer sells to partners first in some member."""
        return bool((self.partner_mask.any(axis=1) & (self.partner_share > 0).any(axis=0))
                    .any())

    def pool_day(self, t: int) -> bool:
        """True if some member's pool allocates on day ``t``."""
        return self.any_pool and any(t % p == 0 for p in self._pool_periods)

    def donation_day(self, t: int) -> bool:
        """True if day ``t`` is a donation round of some member."""
        return any(t % p == 0 for p in self._donation_periods)

    @cached_property
    def _pool_periods(self) -> list[int]:
        return [int(p) for p in np.unique(self.pool_every[self.pool_on])]

    @cached_property
    def _donation_periods(self) -> list[int]:
        return [int(p) for p in np.unique(self.donation_every)]

    def affinity_rows(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), N) affinity from each of ``rows`` to every country (read only: the
        last set of rows asked for is kept, as donors are mostly the same every round).
        """
        key = np.asarray(rows).tobytes()
        cached = self.__dict__.get("_affinity_rows")
        if cached is None or cached[0] != key:
            values = self.affinity.rows(rows)
            values.flags.writeable = False
            cached = (key, values)
            object.__setattr__(self, "_affinity_rows", cached)
        return cached[1]


def _day(world: World, d: Any) -> int:
    return (d - world.start).days


def _member(world: World, s: Scenario, order_total: np.ndarray,
            course: float) -> dict[str, Any]:
    """One member's seed-independent arrays (no E axis; padded axes are lists): shared by
    the replicates of a scenario, so nothing here may read a drawn array (``willing``).
    """
    D = world.days
    pop = world.population
    pool, don = s.pool, s.donation
    prow = resolved(world, pool.default, pool.groups, pool.countries)
    drow = resolved(world, don.default, don.groups, don.countries)
    proc = resolved(world, s.procurement.default, s.procurement.groups, s.procurement.countries)
    affordable = column(proc, "budget_share") / column(proc, "price_usd") \
        * world.gdp_per_capita * pop
    funded = np.minimum(column(prow, "fund_courses") * course * pop,
                        np.maximum(affordable - order_total, 0.0))
    budget = np.full(D, np.inf)
    if pool.funding:
        usd = np.zeros(D)
        for pledge in pool.funding:
            usd[min(max(_day(world, pledge.date), 0), D - 1)] += pledge.usd
        budget = np.cumsum(usd) / pool.price_usd
    priority = column(proc, "priority", int)
    B = max(1, -(-s.uptake.shelf_life_days // s.uptake.shelf_bucket_days))
    lic = [(world.producer_index(x.licensor), int(world.index([x.licensee])[0]),
            _day(world, x.start) + x.lag_days, x.doses_per_month * 12 / 365.25,
            np.inf if x.total_doses is None else x.total_doses, x.additional)
           for x in s.licences if x.licensee in world.position]
    outages = [(world.producer_index(x.producer), _day(world, x.start), _day(world, x.end),
                x.multiplier) for x in s.shocks if x.type == "plant_outage"]
    surges = [(_day(world, x.date), x.extra_courses * course * pop * named(world, x.countries))
              for x in s.shocks if x.type == "demand_surge"]
    return {
        "pool_on": pool.enabled,
        "pool_orders": (pool.orders_doses + funded.sum()) if pool.enabled else 0.0,
        "pool_before": priority < pool.priority,
        "pool_same": priority == pool.priority,
        "pool_budget": budget,
        "pool_tier_doses": pool.tier_share * course * pop,
        "pool_every": pool.every_days,
        "pool_absorb_days": pool.absorb_days,
        "pool_proportional": pool.proportional,
        "pool_member0": column(prow, "member") * pool.enabled,
        "pool_share0": column(prow, "contribute_share") * pool.enabled,
        "donor_share0": column(drow, "share"),
        "switch_share": don.switch_share,
        "pool_switch_share": pool.switch_share,
        "keep_coverage": column(drow, "keep_coverage"),
        "buffer_days": column(drow, "buffer_days"),
        "receive": column(drow, "receive", bool),
        "donation_every": don.every_days,
        "arrival_bucket": max(0, min(B - 1, int(np.ceil(don.shelf_life_left * B)) - 1)),
        "donation_absorb_days": don.absorb_days,
        "decay": 0.5 ** (don.every_days / don.half_life_days),
        "half_life_days": don.half_life_days,
        "partner_share": np.array([s.partner_sales[str(p)].share if str(p) in s.partner_sales
                                   else 0.0 for p in world.producers]),
        "output_gift": np.array([don.from_output.get(str(p), 0.0) for p in world.producers]),
        "lic": lic,
        "outages": outages,
        "surges": surges,
    }


def _pad(members: list[list[tuple]], fill: tuple) -> list[list[tuple]]:
    width = max((len(m) for m in members), default=0)
    return [m + [fill] * (width - len(m)) for m in members]


def _partner_mask(world: World, s: Scenario, affinity: PairAffinity) -> np.ndarray:
    """(P, N) partners of each producer with partner sales: countries whose affinity to
    some home country of the producer reaches ``min_affinity`` (home countries excluded).
    """
    P, N = world.n_producers, world.n_countries
    mask = np.zeros((P, N), dtype=bool)
    for code, rule in s.partner_sales.items():
        p = world.producer_index(code)
        home = np.flatnonzero(world.home_of == p)
        if len(home):
            rows = affinity.rows(home)
            mask[p] = (rows >= rule.min_affinity).any(axis=0) & (world.home_of != p)
    return mask


def build_diplomacy(world: World, scenarios: Sequence[Scenario],
                    stacked: Mapping[str, np.ndarray]) -> DiplomacyParams:
    """Stack every member's diplomacy arrays.

    Affinity and partner sets must be the same for all members of a batch (like the
    uptake structure); everything else may differ.
    """
    first = scenarios[0]
    for s in scenarios[1:]:
        if s.affinity != first.affinity or s.partner_sales.keys() != first.partner_sales.keys() \
                or any(float(s.partner_sales[k].min_affinity)
                       != float(first.partner_sales[k].min_affinity) for k in s.partner_sales):
            raise ValueError("members of one batch must share affinity and partner sets")
    course = float(first.uptake.doses_per_course)
    # Seed-independent: replicates of a scenario (the same object) share theirs.
    by_scenario: dict[int, dict[str, Any]] = {}
    for e, s in enumerate(scenarios):
        if id(s) not in by_scenario:
            by_scenario[id(s)] = _member(world, s, stacked["order_total"][e], course)
    members = [by_scenario[id(s)] for s in scenarios]
    affinity = pair_affinity(world, first.affinity)
    big = world.days + 10**6
    lic = np.array(_pad([m["lic"] for m in members], (0, 0, big, 0.0, 0.0, False)),
                   dtype=object).reshape(len(members), -1, 6)
    out = np.array(_pad([m["outages"] for m in members], (0, big, -1, 1.0)),
                   dtype=float).reshape(len(members), -1, 4)
    surges = _pad([m["surges"] for m in members], (big, np.zeros(world.n_countries)))
    S2 = len(surges[0])
    stack = lambda k, dt=float: np.array([m[k] for m in members], dtype=dt)  # noqa: E731
    return DiplomacyParams(
        pool_on=stack("pool_on", bool), pool_orders=stack("pool_orders"),
        pool_before=stack("pool_before", bool), pool_same=stack("pool_same", bool),
        pool_budget=stack("pool_budget"),
        pool_tier_doses=stack("pool_tier_doses"), pool_every=stack("pool_every", int),
        pool_absorb_days=stack("pool_absorb_days", int),
        pool_proportional=stack("pool_proportional", bool),
        pool_member0=stack("pool_member0"), pool_share0=stack("pool_share0"),
        donor_share0=stack("donor_share0"), switch_share=stack("switch_share"),
        # Each member's own (drawn) willingness: its donors keep doses for the people
        # willing in it, not in the first replicate of its scenario.
        keep_doses=np.minimum(stack("keep_coverage"), stacked["willing"]) * course
        * world.population,
        buffer_days=stack("buffer_days"), receive=stack("receive", bool),
        donation_every=stack("donation_every", int), arrival_bucket=stack("arrival_bucket", int),
        donation_absorb_days=stack("donation_absorb_days", int),
        **contract_arrays(world, scenarios),
        decay=stack("decay"), half_life_days=stack("half_life_days"),
        record_flows=np.array([s.donation.record_flows for s in scenarios], dtype=bool),
        affinity=affinity, recipient_groups=recipient_groups(world),
        partner_share=stack("partner_share"),
        partner_mask=_partner_mask(world, first, affinity),
        lic_producer=lic[..., 0].astype(int), lic_country=lic[..., 1].astype(int),
        lic_active=lic[..., 2].astype(int), lic_rate=lic[..., 3].astype(float),
        lic_total=lic[..., 4].astype(float), lic_additional=lic[..., 5].astype(bool),
        outage_producer=out[..., 0].astype(int), outage_start=out[..., 1].astype(int),
        outage_end=out[..., 2].astype(int), outage_keep=out[..., 3],
        surge_day=np.array([[d for d, _ in m] for m in surges],
                           dtype=int).reshape(len(members), S2),
        surge_doses=np.array([[x for _, x in m] for m in surges],
                             dtype=float).reshape(len(members), S2, world.n_countries),
        pool_switch_share=stack("pool_switch_share"),
        output_gift=stack("output_gift") * (_output_donors(world) >= 0),
        output_donor=_output_donors(world),
    )


def _output_donors(world: World) -> np.ndarray:
    """(P,) country index of each producer whose id is a country of the world, else -1."""
    position = world.position
    return np.array([position.get(str(p), -1) for p in world.producers], dtype=int)


def apply_ban_shocks(world: World, scenarios: Sequence[Scenario],
                     stacked: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Fold ``export_ban`` shocks into the members' export-policy arrays (in place).

    A ban shock makes the producer's policy ``ban`` between its dates (widening an existing
    ban window to cover both); outside the window the producer is open.
    """
    for e, s in enumerate(scenarios):
        for x in s.shocks:
            if x.type != "export_ban":
                continue
            p = world.producer_index(x.producer)
            a, b = _day(world, x.start), _day(world, x.end)
            was_ban = stacked["export_policy"][e, p] == 2
            stacked["export_policy"][e, p] = 2
            stacked["ban_start"][e, p] = min(a, stacked["ban_start"][e, p]) if was_ban else a
            stacked["ban_end"][e, p] = max(b, stacked["ban_end"][e, p]) if was_ban else b
    return stacked


def mechanisms_on(params: Any) -> bool:
    """True if any member may pool, donate (now or after a policy review) or license."""
    d: DiplomacyParams = params.diplomacy
    rule = getattr(params, "rule", None)
    return (d.any_pool or d.any_licence or d.any_contract or bool(d.donor_share0.any())
            or bool(d.output_gift.any())
            or (rule is not None and bool((rule != 0).any())))
