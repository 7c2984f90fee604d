"""Scenario sections of the diplomacy mechanisms: pooling (COVAX-style), bilateral
donation, affinity between countries, partner sales, licences and supply shocks.

The engine side lives in ``sim/engine/{pool,donation,licensing,shocks}.py``; the schema
(:mod:`sim.scenario.schema`) puts these sections into :class:`~sim.scenario.schema.Scenario`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.scenario.types import (
    Flag,
    NonNeg,
    Price,
    Share,
    Strict,
    bounded,
    count,
)

#: How close two countries are (affinity): at most 1,000 times a shared bloc.
Closeness = bounded(0.0, 1e3)


ISO3_KEY = r"^[A-Z][A-Z0-9]{2}$"


class PoolPolicy(Strict):
    """A country's part in the pool (COVAX-style)."""

    member: Flag = Field(
        False, description="participant: receives pool allocations (e.g. the AMC group)")
    fund_courses: bounded(0.0, 100.0) = Field(
        0.0, description="full courses per inhabitant this country buys for the pool, "
        "within what its budget has left after its own orders (self-financing donors)")
    contribute_share: Share = Field(
        0.0, description="share of its surplus doses given to the pool each pool period")


class PartialPoolPolicy(Strict):
    """An override of some fields of :class:`PoolPolicy`."""

    member: Flag | None = None
    fund_courses: bounded(0.0, 100.0) | None = None
    contribute_share: Share | None = None


class Pledge(Strict):
    """Money pledged to the pool on a date."""

    date: dt.date
    usd: NonNeg = Field(description="US$ pledged on that date")


class ContractDelivery(Strict):
    """Doses a supplier is to deliver to the pool evenly over a window of dates."""

    start: dt.date
    end: dt.date = Field(description="last day of the window (inclusive)")
    doses: NonNeg = Field(description="doses due over the window")

    @model_validator(mode="after")
    def _dates_in_order(self) -> ContractDelivery:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Contract(Strict):
    """An advance-purchase contract with one supplier (a producer id), for the pool
    (``pool.contracts``) or for a country (``contracts``, with ``buyer``).

    On every market clearing the supplier delivers to the pool, before it sells to anyone
    else, what the schedule has made due and is not yet delivered, from its unsold stock:
    never more than the schedule, less when the supplier is short or barred from exporting
    (a shortfall carried forward, delivered when stock allows).
    """

    supplier: str = Field(description="producer id that delivers (e.g. IND for the Serum "
                          "Institute of India)")
    buyer: str | None = Field(None, description="ISO3 of the buying country (top-level "
                              "`contracts`); none for the pool's own contracts")
    product: str = Field("", description="the vaccine contracted (for the record)")
    deliveries: list[ContractDelivery] = Field(description="dated delivery schedule")
    note: str = Field("", description="what the figures are and where they come from")


class Pool(Strict):
    """A COVAX-style pool: a buyer on the market that allocates to its participants.

    Allocation every ``every_days``: pro rata to population until each participant has
    received ``tier_share`` of its population in full courses from the pool, then by need
    (remaining supply gap, weighted by epidemic burden once the epidemic exists).
    """

    enabled: Flag = Field(False, description="switch the pool on")
    orders_doses: NonNeg = Field(
        2.0e9, description="doses the pool orders in advance from producers (COVAX's goal "
        "was 2 bn doses in 2021: Gavi/WHO, see FACTS.md)")
    priority: count(0, 10) = Field(
        2, description="market tier of the pool's orders: served after countries in lower "
        "tiers, pro rata with countries in the same tier, before higher tiers (pools were "
        "served late in 2021: the baseline puts lower-middle-income orders in tier 2)")
    price_usd: Price = Field(
        10.0, description="price per dose the pool pays (funding → doses); UNICEF average "
        "about 12.5 US$, AstraZeneca 3-4.5 US$")
    funding: list[Pledge] = Field(
        default_factory=list, description="pledges over time; empty: orders fully funded")
    tier_share: Share = Field(
        0.2, description="first tier: population share covered pro rata to population "
        "before need counts (WHO allocation framework, Nov 2020: up to 20%)")
    every_days: count(1, 90) = Field(
        7, description="the pool allocates its stock every this many days")
    absorb_days: count(1, 365) = Field(
        60, description="a shipment never raises a recipient's stock and doses on the way "
        "above this many days of its absorptive capacity (modelling assumption)")
    switch_share: Share = Field(
        0.5, description="share of surplus a country gives the pool per period when a policy "
        "review switches it to `pool` and its own `contribute_share` is 0 (modelling choice)")
    contracts: list[Contract] = Field(
        default_factory=list, description="advance-purchase contracts with dated delivery "
        "schedules, served before any market sale of their supplier")
    proportional: Flag = Field(
        False, description="strictly population-proportional: no participant ever receives "
        "more than its population share of all doses the pool has had; what it cannot "
        "absorb yet waits in the pool for it (the equity bound of Chinazzi et al. 2020) "
        "instead of going to participants that can")
    default: PoolPolicy = Field(default_factory=PoolPolicy)
    groups: dict[str, PartialPoolPolicy] = Field(default_factory=dict)
    countries: dict[str, PartialPoolPolicy] = Field(default_factory=dict)


class DonationPolicy(Strict):
    """A country's bilateral donation policy."""

    share: Share = Field(
        0.0, description="share of its surplus given bilaterally each donation period "
        "(0: not donating)")
    keep_coverage: Share = Field(
        0.8, description="population share (in full courses) a donor keeps doses for "
        "before anything counts as surplus")
    buffer_days: count(0, 365) = Field(
        30, description="plus this many days of its own absorptive capacity kept in stock")
    receive: Flag = Field(True, description="may receive bilateral donations")


class PartialDonationPolicy(Strict):
    """An override of some fields of :class:`DonationPolicy`."""

    share: Share | None = None
    keep_coverage: Share | None = None
    buffer_days: count(0, 365) | None = None
    receive: Flag | None = None


class Donation(Strict):
    """Bilateral donation: donors give a share of surplus to recipients weighted by
    affinity × need; every dose is recorded donor → recipient (the diplomacy ledger).
    """

    every_days: count(1, 180) = Field(
        30, description="donors give every this many days")
    shelf_life_left: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        1.0, description="at most this share of the full shelf life is left on donated "
        "doses when they arrive; gifts from stock keep the remaining shelf life of the "
        "donor's doses (oldest given first) and may expire on the way")
    absorb_days: count(1, 365) = Field(
        60, description="a recipient accepts gifts only up to this many days of its "
        "absorptive capacity in stock and on the way (over 100 M donated doses were "
        "declined in Dec 2021 for short shelf life and low absorption, UNICEF)")
    half_life_days: bounded(1.0, 1e5) = Field(
        365.0, description="half-life of the influence a donated dose buys with its "
        "recipient (modelling choice)")
    record_flows: Flag = Field(
        True, description="keep donor → recipient totals (doses, doses arrived, influence) "
        "for donations.parquet and each donor's daily gifts for donations_by_day.parquet")
    switch_share: Share = Field(
        0.5, description="share of surplus a country gives per period when a policy review "
        "makes it a donor and its own `share` is 0 (modelling choice)")
    from_output: dict[str, Share] = Field(
        default_factory=dict,
        description="per producer (ISO3 id): share of its unsold output (manufacturers' "
        "stock) its home government donates every donation period, on top of its own "
        "surplus stock, e.g. {CHN: 0.05}: China donated from factory output while its own "
        "campaign used up its stock")
    default: DonationPolicy = Field(default_factory=DonationPolicy)
    groups: dict[str, PartialDonationPolicy] = Field(default_factory=dict)
    countries: dict[str, PartialDonationPolicy] = Field(default_factory=dict)


class Affinity(Strict):
    """How close each pair of countries is (weights donation and partner sales).

    affinity(d, r) = base + same_region × [same WHO region] + bloc × (blocs shared)
    + tie × [documented historical tie], from sim/data/blocs.csv and ties.csv; ``pairs``
    replaces single directed pairs. ISO3 keys at the top level are pairs too:
    ``affinity: {CHN: {VNM: 2.0}}``.
    """

    base: Closeness = Field(0.1, description="affinity of any two different countries")
    same_region: Closeness = Field(0.5, description="added for the same WHO region")
    bloc: Closeness = Field(1.0, description="added per shared bloc (ASEAN, AU, EU, Quad …)")
    tie: Closeness = Field(2.0, description="added for a documented historical tie")
    pairs: dict[str, dict[str, Closeness]] = Field(
        default_factory=dict, description="directed overrides {from ISO3: {to ISO3: value}}")

    @model_validator(mode="before")
    @classmethod
    def _iso3_keys_are_pairs(cls, data: Any) -> Any:
        if isinstance(data, dict):
            top = {k: v for k, v in data.items() if isinstance(k, str) and re.match(ISO3_KEY, k)}
            if top:
                data = {k: v for k, v in data.items() if k not in top}
                data["pairs"] = {**data.get("pairs", {}), **top}
        return data


class PartnerSales(Strict):
    """Selling with strings: a producer serves partner countries' orders first."""

    min_affinity: Closeness = Field(
        1.0, description="partners: countries whose affinity with the producer's home is "
        "at least this")
    share: Share = Field(
        0.5, description="share of the producer's stock offered to partners first at "
        "each market clearing")


class Licence(Strict):
    """A licence with technology transfer: fill-finish in the licensee on bulk supply."""

    licensor: str = Field(description="producer id supplying bulk (e.g. CHN)")
    licensee: str = Field(description="ISO3 of the country that fills and finishes")
    start: dt.date = Field(description="date the licence is signed")
    lag_days: count(0, 730) = Field(
        90, description="days from signing to the first filled doses")
    doses_per_month: NonNeg = Field(description="fill-finish capacity, doses a month")
    total_doses: NonNeg | None = Field(None, description="contract size; none: unlimited")
    additional: Flag = Field(
        False, description="true: bulk is made on top of the licensor's finished output "
        "(fill-finish was the bottleneck); false: bulk is taken from that output")
    product: str = Field("", description="the licensed vaccine (a product of "
                         "sim/data/products.csv, or the start of its name); none: the "
                         "licensor's product mix")
    note: str = Field("", description="what the figures are and where they come from")


class DatedShock(Strict):
    """A shock that lasts from ``start`` to ``end`` (inclusive)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _dates_in_order(self) -> DatedShock:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class ExportBanShock(DatedShock):
    """A producer exports nothing between two dates (its home is served first)."""

    type: Literal["export_ban"]
    producer: str


class PlantOutageShock(DatedShock):
    """A producer's output is scaled by ``multiplier`` between two dates."""

    type: Literal["plant_outage"]
    producer: str
    multiplier: Share = Field(0.0, description="share of output that survives")


class DemandSurgeShock(Strict):
    """Countries order more on a date (a wave, boosters)."""

    type: Literal["demand_surge"]
    countries: list[str] = Field(description="ISO3 codes or groups")
    date: dt.date
    extra_courses: bounded(0.0, 100.0) = Field(
        description="full courses per inhabitant ordered on top")


Shock = Annotated[ExportBanShock | PlantOutageShock | DemandSurgeShock,
                  Field(discriminator="type")]
