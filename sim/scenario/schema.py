"""The scenario schema: pydantic models for everything a scenario YAML file may say.

A scenario is validated once, here; every later layer reads typed, defaulted fields.
Policies that differ between countries use :class:`PerCountry`: a ``default`` entry,
optional overrides by group (income group, WHO region or continent) and by country
(ISO3); later, more specific entries win.

`vaxsim schema` prints the JSON schema of :class:`Scenario` for editor completion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from pydantic import Field, field_validator, model_validator

from sim.scenario.adaptation import Adaptation
from sim.scenario.diplomacy import (  # noqa: F401  (re-exported: the schema's public names)
    ISO3_KEY,
    Affinity,
    Contract,
    ContractDelivery,
    DatedShock,
    DemandSurgeShock,
    Donation,
    DonationPolicy,
    ExportBanShock,
    Licence,
    PartialDonationPolicy,
    PartialPoolPolicy,
    PartnerSales,
    PlantOutageShock,
    Pledge,
    Pool,
    PoolPolicy,
    Shock,
)
from sim.scenario.epidemic import Epidemic
from sim.scenario.products import Products
from sim.scenario.types import (  # noqa: F401  (re-exported: the schema's public names)
    CONTINENTS,
    GROUP_KEYS,
    INCOME_GROUPS,
    MAX_SEED,
    WHO_REGIONS,
    Flag,
    NonNeg,
    Positive,
    Price,
    Share,
    Strict,
    bounded,
    count,
)
from sim.scenario.vaccination import Vaccination


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


#: An income group code.
IncomeGroup = Literal["HIC", "UMIC", "LMIC", "LIC"]


def _default_capacity() -> dict[IncomeGroup, Capacity]:
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


class HesitancyByAge(Strict):
    """Hesitancy of each age band relative to the others (only ratios matter: each
    country's bands are rescaled so its unwilling share stays ``hesitancy``).

    Default: 65+ at 0.19 of the younger bands. In England on 19 August 2021, 4.6% of
    people aged 65+ had no first dose against 23.7% of those aged 18-64 (OpenSAFELY
    weekly coverage report; ``sim/data/uptake_by_age.csv``): 0.046 / 0.237 = 0.19. The
    0-19 band as 20-64 is a model assumption (its eligibility is dated separately).
    """

    age_0_19: bounded(0.0, 10.0) = 1.0
    age_20_64: bounded(0.0, 10.0) = 1.0
    age_65plus: bounded(0.0, 10.0) = 0.19


class Uptake(Strict):
    """Delivery, administration and shelf life."""

    capacity: dict[IncomeGroup, Capacity] = Field(
        default_factory=_default_capacity
    )
    capacity_countries: dict[str, Capacity] = Field(default_factory=dict)
    hesitancy: Share = Field(0.15, description="share of people who will not be vaccinated")
    hesitancy_groups: dict[str, Share] = Field(default_factory=dict)
    hesitancy_countries: dict[str, Share] = Field(default_factory=dict)
    hesitancy_changes: list[HesitancyChange] = Field(
        default_factory=list, description="dated changes of hesitancy by group or country; "
        "each applies on top of the ones before it")
    hesitancy_by_age: HesitancyByAge = Field(
        default_factory=HesitancyByAge, description="relative hesitancy of each age band "
        "(the old far more willing than the young)")
    willingness_spread: Share = Field(
        0.0, description="uncertainty of willingness: each replicate adds a uniform draw "
        "in [-spread, +spread] per income group to the willing share (a named random "
        "stream, so policy arms with the same seed share it)")
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
        defaults = cast(dict[str, Capacity], _default_capacity())
        return {g: v.get(g, defaults[g]) for g in INCOME_GROUPS}


# --------------------------------------------------------------------------- outputs
class Outputs(Strict):
    """What a run writes."""

    country_every_days: count(1, 365) = Field(
        7, description="countries.parquet keeps every n-th day"
    )
    plots: Flag = True
    country_members: count(1, 1_000_000) = Field(
        64, description="per-country detail (countries.parquet, donations.parquet and the "
        "metrics read from them: Gini, targets, donated shares) is kept for the first this "
        "many replicates, so memory does not grow with replicates x countries x days; "
        "group totals keep every replicate")
    deaths_averted: Flag = Field(
        True, description="with the epidemic on, also run every replicate's no-vaccine "
        "twin to measure deaths averted (doubles the engine's work); false skips them")


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

    @field_validator("dates")
    @classmethod
    def _distinct_dates(cls, v: list[dt.date]) -> list[dt.date]:
        seen = [d for i, d in enumerate(v) if d in v[:i]]
        if seen:  # each date names a column of the summary
            raise ValueError(f"{seen[0]} is given twice")
        return v

    @field_validator("targets")
    @classmethod
    def _distinct_targets(cls, v: list[Target]) -> list[Target]:
        seen = [t for i, t in enumerate(v) if t in v[:i]]
        if seen:
            raise ValueError(f"target {seen[0].coverage} by {seen[0].by} is given twice")
        return v




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
    vaccination: Vaccination = Field(default_factory=Vaccination)
    products: Products = Field(default_factory=Products)

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
