"""The scenario schema: pydantic models for everything a scenario YAML file may say.

A scenario is validated once, here; every later layer reads typed, defaulted fields.
Policies that differ between countries use :class:`PerCountry`: a ``default`` entry,
optional overrides by group (income group, WHO region or continent) and by country
(ISO3); later, more specific entries win.

`vaxsim schema` prints the JSON schema of :class:`Scenario` for editor completion.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.adaptation import Adaptation
from sim.scenario.epidemic import Epidemic
from sim.scenario.types import (  # noqa: F401  (re-exported: the schema's public names)
    CONTINENTS,
    GROUP_KEYS,
    INCOME_GROUPS,
    MAX_SEED,
    WHO_REGIONS,
    Flag,
    NonNeg,
    Positive,
    Share,
    Strict,
    bounded,
    count,
)

#: A price per dose in US$ (0.1 cent to 100,000 US$).
Price = bounded(1e-3, 1e5)
#: How close two countries are (affinity): at most 1,000 times a shared bloc.
Closeness = bounded(0.0, 1e3)


# --------------------------------------------------------------------------- countries
class CountryOverride(Strict):
    """Replace a country's reference data (for what-if worlds)."""

    population: bounded(1.0, 1e10) | None = None
    gdp_per_capita_usd: bounded(1.0, 1e7) | None = None
    pop_65plus_share: Share | None = None
    income_group: Literal["HIC", "UMIC", "LMIC", "LIC"] | None = None


class Countries(Strict):
    """Which countries the world holds."""

    include: Literal["all"] | list[str] = Field(
        "all", description="'all' or a list of ISO3 codes, income groups, WHO regions or continents"
    )
    exclude: list[str] = Field(default_factory=list, description="ISO3 codes or groups to drop")
    overrides: dict[str, CountryOverride] = Field(
        default_factory=dict, description="per-ISO3 replacement of reference data"
    )


# --------------------------------------------------------------------------- production
class Production(Strict):
    """Manufacturing output: the shipped 2021-22 schedule scaled by multipliers."""

    multiplier: bounded(0.0, 1e3) = Field(1.0, description="scales every producer's schedule")
    producers: dict[str, bounded(0.0, 1e3)] = Field(
        default_factory=dict, description="per-producer multiplier, e.g. {IND: 0.8, EU: 1.1}"
    )
    noise_sd: bounded(0.0, 3.0) = Field(
        0.0, description="sigma of a lognormal (mean 1) multiplier per producer and month"
    )


class ExportPolicy(Strict):
    """How a producer shares its output with the world."""

    policy: Literal["open", "domestic_first", "ban"] = Field(
        "open",
        description="open: home countries buy like everyone else; domestic_first: home "
        "orders are served first until home coverage reaches coverage_target; ban: no "
        "exports between start and end (open outside those dates)",
    )
    coverage_target: Share = Field(0.7, description="domestic_first: home coverage to reach")
    start: dt.date | None = Field(None, description="ban: first day of the ban")
    end: dt.date | None = Field(None, description="ban: last day of the ban (inclusive)")
    resume_days: count(0, 3650) = Field(
        0, description="ban: after its end, the share of stock offered for export rises "
        "linearly from 0 to 1 over this many days, home orders served first meanwhile "
        "(0: fully open the day after the ban; India's exports resumed slowly from October "
        "2021)")

    @model_validator(mode="after")
    def _dates_in_order(self) -> ExportPolicy:
        if self.start and self.end and self.end < self.start:
            raise ValueError("end is before start")
        return self


class Export(Strict):
    """Export policy of each producer, with a default."""

    default: ExportPolicy = Field(default_factory=ExportPolicy)
    producers: dict[str, ExportPolicy] = Field(default_factory=dict)


class Market(Strict):
    """How often the world market clears."""

    clearing_days: count(1, 31) = Field(
        7, description="producers allocate output to orders every this many days "
        "(shipments are weekly); output waits in their inventory in between")


# --------------------------------------------------------------------------- procurement
class ProcurementPolicy(Strict):
    """How a country orders doses in advance."""

    strategy: Literal["need", "hoard"] = Field(
        "need",
        description="need: order enough full courses for the willing population; hoard: "
        "order `multiple` full courses per inhabitant",
    )
    multiple: bounded(0.0, 100.0) = Field(1.0, description="hoard: courses ordered per inhabitant")
    budget_share: Share = Field(
        0.01, description="share of GDP a country will spend on vaccine in all"
    )
    price_usd: Price = Field(10.0, description="average price paid per dose")
    priority: count(0, 9) = Field(
        2, description="market tier: 0 is served first (early orders at high prices)"
    )


class PartialProcurement(Strict):
    """An override of some fields of :class:`ProcurementPolicy`."""

    strategy: Literal["need", "hoard"] | None = None
    multiple: bounded(0.0, 100.0) | None = None
    budget_share: Share | None = None
    price_usd: Price | None = None
    priority: count(0, 9) | None = None


class Procurement(Strict):
    """Procurement policy by country: default, then group, then country overrides."""

    default: ProcurementPolicy = Field(default_factory=ProcurementPolicy)
    groups: dict[str, PartialProcurement] = Field(default_factory=dict)
    countries: dict[str, PartialProcurement] = Field(default_factory=dict)


# --------------------------------------------------------------------------- uptake
class Capacity(Strict):
    """Daily absorptive capacity: share of population that can be given a dose per day."""

    start: Share = Field(description="doses per person per day on day 0")
    end: Share = Field(description="doses per person per day after the ramp")
    ramp_days: count(0, 3650) = Field(180, description="days of linear ramp")


def _default_capacity() -> dict[str, Capacity]:
    # Defaults are first guesses at the scale of 2021 campaigns (HIC peaks near 1% of the
    # population a day); the calibration replaces them in baseline.yaml.
    return {
        "HIC": Capacity(start=0.001, end=0.008, ramp_days=120),
        "UMIC": Capacity(start=0.0005, end=0.008, ramp_days=180),
        "LMIC": Capacity(start=0.0002, end=0.004, ramp_days=270),
        "LIC": Capacity(start=0.00005, end=0.001, ramp_days=365),
    }


class HesitancyChange(Strict):
    """From ``date`` on, the share of people unwilling to be vaccinated changes (e.g.
    eligibility widening to adolescents and children raises the willing population).
    """

    date: dt.date
    default: Share | None = Field(None, description="new hesitancy everywhere")
    groups: dict[str, Share] = Field(default_factory=dict)
    countries: dict[str, Share] = Field(default_factory=dict)


class Uptake(Strict):
    """Delivery, administration and shelf life."""

    capacity: dict[Literal["HIC", "UMIC", "LMIC", "LIC"], Capacity] = Field(
        default_factory=_default_capacity
    )
    capacity_countries: dict[str, Capacity] = Field(default_factory=dict)
    hesitancy: Share = Field(0.15, description="share of people who will not be vaccinated")
    hesitancy_groups: dict[str, Share] = Field(default_factory=dict)
    hesitancy_countries: dict[str, Share] = Field(default_factory=dict)
    hesitancy_changes: list[HesitancyChange] = Field(
        default_factory=list, description="dated changes of hesitancy by group or country; "
        "each applies on top of the ones before it")
    delivery_lag_days: count(1, 120) = 14
    shelf_life_days: count(30, 1095) = 180
    shelf_bucket_days: count(1, 90) = Field(
        30, description="stock ages in buckets of this many days (shelf life resolution)"
    )
    dose_interval_days: count(1, 120) = Field(
        28, description="days between first and completing dose"
    )
    doses_per_course: Literal[1, 2] = Field(2, description="doses in a full course")

    @field_validator("capacity")
    @classmethod
    def _all_groups(cls, v: dict[str, Capacity]) -> dict[str, Capacity]:
        defaults = _default_capacity()
        return {g: v.get(g, defaults[g]) for g in INCOME_GROUPS}


# --------------------------------------------------------------------------- outputs
class Outputs(Strict):
    """What a run writes."""

    country_every_days: count(1, 365) = Field(
        7, description="countries.parquet keeps every n-th day"
    )
    plots: Flag = True
    deaths_averted: Flag = Field(
        True, description="with the epidemic on, also run every replicate's no-vaccine "
        "twin to measure deaths averted (doubles the engine's work); false skips them")


# --------------------------------------------------------------------------- diplomacy
# Pooling, bilateral donation, affinity, selling with strings, licences and shocks
# The engine side lives in sim/engine/{pool,donation,licensing,shocks}.py.
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
        True, description="keep every donor → recipient flow for donations.parquet")
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
# --------------------------------------------------------------------------- outcomes
class Target(Strict):
    """A dated coverage target, e.g. 40% of every country's population by end-2021."""

    coverage: Share = Field(description="share of the population to reach")
    by: dt.date = Field(description="date by which to reach it")


def _default_targets() -> list[Target]:
    # WHO Strategy to Achieve Global Covid-19 Vaccination by mid-2022 (Oct 2021): 40% of
    # every country's population by end-2021 and 70% by mid-2022.
    return [Target(coverage=0.4, by=dt.date(2021, 12, 31)),
            Target(coverage=0.7, by=dt.date(2022, 6, 30))]


class Outcomes(Strict):
    """How outcomes are measured and reported."""

    targets: list[Target] = Field(
        default_factory=_default_targets,
        description="dated coverage targets counted per country (default WHO's 40% by "
        "2021-12-31 and 70% by 2022-06-30)")
    target_measure: Literal["first_dose", "completed"] = Field(
        "completed", description="which coverage the targets count: people with at least "
        "one dose, or with a completed course (WHO tracked its targets as completed courses)")
    dates: list[dt.date] = Field(
        default_factory=lambda: [dt.date(2021, 12, 31), dt.date(2022, 6, 30)],
        description="dates at which coverage by income group and WHO region is reported "
        "(dates after the run's end are skipped)")




# --------------------------------------------------------------------------- scenario
class Scenario(Strict):
    """One scenario: the world, its policies and how long to run it."""

    name: str = Field(min_length=1, max_length=100,
                      description="short name; its slug names the results folder")
    description: str = ""
    question: str = Field("", description="the policy question the scenario answers, in "
                          "one sentence; heads the report's brief")
    extends: str | None = Field(None, description="a scenario file this one deep-merges onto")
    start: dt.date = dt.date(2021, 1, 1)
    days: count(1, 3650) = 730
    seed: count(0, MAX_SEED) = 20210101
    replicates: count(1, 10000) = 1
    countries: Countries = Field(default_factory=Countries)
    production: Production = Field(default_factory=Production)
    export: Export = Field(default_factory=Export)
    market: Market = Field(default_factory=Market)
    procurement: Procurement = Field(default_factory=Procurement)
    uptake: Uptake = Field(default_factory=Uptake)
    outputs: Outputs = Field(default_factory=Outputs)
    pool: Pool = Field(default_factory=Pool)
    donation: Donation = Field(default_factory=Donation)
    affinity: Affinity = Field(default_factory=Affinity)
    partner_sales: dict[str, PartnerSales] = Field(
        default_factory=dict, description="selling with strings, by producer id")
    licences: list[Licence] = Field(default_factory=list)
    contracts: list[Contract] = Field(
        default_factory=list, description="countries' own supply contracts with dated "
        "delivery schedules (each with a `buyer`), served before any market sale of their "
        "supplier; they count against the buyer's orders")
    shocks: list[Shock] = Field(default_factory=list, description="dated events")
    outcomes: Outcomes = Field(default_factory=Outcomes)
    adaptation: Adaptation = Field(default_factory=Adaptation)
    epidemic: Epidemic = Field(default_factory=Epidemic)

    @field_validator("name")
    @classmethod
    def _printable_name(cls, v: str) -> str:
        if not v.isprintable():
            raise ValueError("a name must be printable text (no control characters)")
        return v

    @property
    def end(self) -> dt.date:
        """Last simulated day."""
        return self.start + dt.timedelta(days=self.days - 1)


def json_schema() -> dict[str, Any]:
    """The JSON schema of a scenario file."""
    return Scenario.model_json_schema()
