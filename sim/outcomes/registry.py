"""The metrics registry: every per-member metric declared once, with its unit, its group
and how it is computed.

A :class:`Family` is a group of metrics computed together by one function of a
:class:`~sim.outcomes.results.Results` (one row per member); its ``patterns`` declare
the names it gives, with placeholders expanded for a scenario and its world:

- ``{g}``: World and the income groups (``GROUPS``);
- ``{r}``: the WHO regions present in the world;
- ``{d}``: the scenario's reporting dates inside the run (``outcomes.dates``);
- ``{i}``: the index of each coverage target (``outcomes.targets``).

``summary.json`` (:mod:`sim.outcomes.summary`), ``vaxsim compare``, sweeps and
calibration read metric names, units and groups from here.

Examples
--------
>>> from sim.outcomes.registry import unit_of
>>> unit_of("coverage_final.LIC"), unit_of("deaths_per_million.World")
('share', 'per_million')
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from sim.engine.record import GROUPS
from sim.outcomes.diplomacy_metrics import diplomacy_metrics
from sim.outcomes.epidemic_metrics import epidemic_member_metrics
from sim.outcomes.metrics import (
    coverage_metrics,
    death_metrics,
    donation_metrics,
    equity_metrics,
    flow_metrics,
    target_metrics,
)
from sim.scenario.schema import WHO_REGIONS, Scenario

if TYPE_CHECKING:
    from sim.outcomes.results import Results
    from sim.world.world import World

#: Units of metric values: those of :mod:`sim.outcomes.formatting` (how tables, reports and
#: plots print them), plus days and doses per 100 people.
UNITS = {
    "share": "share of a population (0-1) or of a total",
    "count": "doses or people",
    "per_million": "people per million population",
    "countries": "number of countries",
    "index": "inequality index from 0 (equal) to 1",
    "signed_index": "index from -1 to 1",
    "ratio": "ratio of two coverages",
    "per_100": "doses per 100 people",
    "days": "days from the run's start",
}


@dataclass(frozen=True)
class Metric:
    """One declared metric: ``name`` (a ``summary.json`` key path joined with '.'),
    ``unit`` (a key of :data:`UNITS`), ``group`` (its family) and a description.
    """

    name: str
    unit: str
    group: str
    description: str


@dataclass(frozen=True)
class Family:
    """Metrics computed together.

    Attributes
    ----------
    group : the family's name
    compute : Results -> DataFrame, one row per member, one column per metric (a column
        may be missing when its mechanism is off in the run: no pool, no epidemic)
    patterns : (name pattern, unit, description) of every metric it can give
    applies : whether the scenario can give the family's metrics at all
    """

    group: str
    compute: Callable[[Results], pd.DataFrame]
    patterns: tuple[tuple[str, str, str], ...]
    applies: Callable[[Scenario], bool] = lambda scenario: True


def _epidemic_on(scenario: Scenario) -> bool:
    return scenario.epidemic.enabled


FAMILIES: tuple[Family, ...] = (
    Family("coverage", coverage_metrics, (
        ("coverage_final.{g}", "share", "≥1-dose coverage on the last day"),
        ("coverage_completed_final.{g}", "share", "completed-course coverage on the last day"),
        ("doses_per_100.{g}", "per_100", "doses administered per 100 people by the end"),
        ("coverage_region_final.{r}", "share", "≥1-dose coverage by WHO region, last day"),
        ("coverage_on.{d}.{g}", "share", "≥1-dose coverage on a reporting date"),
        ("coverage_on.{d}.{r}", "share", "≥1-dose coverage by WHO region on a reporting date"),
    )),
    Family("flows", flow_metrics, (
        ("doses_produced", "count", "doses produced over the run"),
        ("doses_administered", "count", "doses administered over the run"),
        ("doses_expired", "count", "doses expired over the run"),
        ("doses_in_stock_end", "count", "doses in countries' stock on the last day"),
        ("doses_unsold_end", "count", "doses produced but unsold on the last day"),
        ("expired_share_of_produced", "share", "expired / produced doses"),
    )),
    Family("equity", equity_metrics, (
        ("gini_coverage", "index", "population-weighted Gini of country coverage"),
        ("gini_coverage_unweighted", "index", "Gini of country coverage, countries as units"),
        ("concentration_index", "signed_index", "coverage ranked by GDP per capita (> 0: rich"
                                                " ahead)"),
        ("hic_lic_ratio", "ratio", "high-income / low-income coverage (NaN if LIC at 0)"),
    )),
    Family("targets", target_metrics, (
        ("targets.{i}.countries_met", "countries", "countries at the target by its date"),
        ("targets.{i}.population_share_met", "share", "share of people in those countries"),
        ("targets.{i}.countries_total", "countries", "countries in the world"),
        ("time_to_target.{i}.{g}", "days", "days until a group reached the target coverage"),
    )),
    Family("donations", donation_metrics, (
        ("donated_share_of_supply.{g}", "share", "donated doses / doses received"),
    )),
    Family("deaths", death_metrics, (
        ("deaths_per_million.{g}", "per_million", "deaths by the end per million"),
        ("deaths_averted_per_million.{g}", "per_million",
         "deaths averted by vaccines (no-vaccine twin) per million"),
    ), _epidemic_on),
    Family("diplomacy", diplomacy_metrics, (
        ("doses_donated_bilateral", "count", "doses donated bilaterally"),
        ("doses_delivered_pool", "count", "doses delivered by the pool"),
        ("doses_licensed_output", "count", "doses filled under licence"),
        ("doses_pool_bought", "count", "doses bought by the pool"),
        ("doses_given_to_pool", "count", "doses countries gave to the pool"),
    )),
    Family("epidemic", epidemic_member_metrics, (
        ("infections", "count", "infections over the run"),
        ("deaths", "count", "deaths over the run"),
        ("deaths_averted", "count", "deaths averted by vaccines (no-vaccine twin)"),
        ("deaths_no_vaccine", "count", "deaths of the no-vaccine twin"),
        ("deaths_on.{d}.{g}", "count", "deaths by a reporting date"),
        ("deaths_averted_on.{d}.{g}", "count", "deaths averted by vaccines by a reporting date"),
        ("deaths_last_4_weeks_share", "share",
         "share of the run's deaths in its last 4 weeks (a wave still running at the end)"),
        ("deaths_no_vaccine_last_4_weeks_share", "share",
         "share of the no-vaccine twin's deaths in the run's last 4 weeks"),
        ("deaths_by_group.{g}", "count", "deaths by income group"),
        ("deaths_averted_by_group.{g}", "count", "deaths averted by income group"),
        ("deaths_by_band.0_19", "count", "deaths aged 0-19"),
        ("deaths_by_band.20_64", "count", "deaths aged 20-64"),
        ("deaths_by_band.65plus", "count", "deaths aged 65 and over"),
        ("deaths_averted_by_band.0_19", "count", "deaths averted aged 0-19"),
        ("deaths_averted_by_band.20_64", "count", "deaths averted aged 20-64"),
        ("deaths_averted_by_band.65plus", "count", "deaths averted aged 65 and over"),
    ), _epidemic_on),
)


#: Daily trajectories by group (calibration targets, ``vaxsim calibrate``): name -> its
#: declaration.
SERIES: dict[str, Metric] = {
    "coverage_first": Metric("coverage_first", "share", "coverage",
                             "share of a group's population with ≥1 dose, by date"),
    "doses_administered": Metric("doses_administered", "count", "flows",
                                 "doses administered so far, by date"),
}
#: The group field behind each series (coverage divides it by the group's population).
SERIES_FIELD = {"coverage_first": "first_dose", "doses_administered": "doses_administered"}


def member_metrics(results: Results) -> pd.DataFrame:
    """One row per member, one column per scalar metric (nested names joined with '.'),
    every family in :data:`FAMILIES` order.
    """
    return pd.concat([f.compute(results) for f in FAMILIES], axis=1)


def _expand(pattern: str, values: dict[str, list[str]]) -> Iterator[str]:
    keys = re.findall(r"\{(\w)\}", pattern)
    for combo in itertools.product(*(values[k] for k in keys)):
        yield pattern.format(**dict(zip(keys, combo, strict=True)))


def declared_metrics(scenario: Scenario, world: World) -> dict[str, Metric]:
    """Every metric a run of ``scenario`` on ``world`` can give, by name, in order."""
    present = set(world.who_region)
    values = {
        "g": list(GROUPS),
        "r": [r for r in WHO_REGIONS if r in present],
        "d": [d for d, _ in world.days_of(scenario.outcomes.dates)],
        "i": [str(i) for i in range(len(scenario.outcomes.targets))],
    }
    out: dict[str, Metric] = {}
    for family in FAMILIES:
        if not family.applies(scenario):
            continue
        for pattern, unit, text in family.patterns:
            for name in _expand(pattern, values):
                out[name] = Metric(name, unit, family.group, text)
    return out


#: What each placeholder may stand for in a metric name, as a regular expression.
_PLACEHOLDERS = {
    "g": "(?:" + "|".join(GROUPS) + ")",
    "r": "(?:" + "|".join(WHO_REGIONS) + ")",
    "d": r"\d{4}-\d{2}-\d{2}",
    "i": r"\d+",
}


@cache
def _pattern_table() -> tuple[tuple[re.Pattern[str], Metric], ...]:
    rows = []
    for family in FAMILIES:
        for pattern, unit, text in family.patterns:
            regex = re.escape(pattern)
            for key, alternatives in _PLACEHOLDERS.items():
                regex = regex.replace(re.escape("{" + key + "}"), alternatives)
            rows.append((re.compile(f"^{regex}$"), Metric(pattern, unit, family.group, text)))
    return tuple(rows)


def describe(name: str) -> Metric:
    """The declaration of metric ``name`` (any scenario), with ``name`` filled in.

    Raises
    ------
    KeyError
        If no family declares such a name.
    """
    for regex, metric in _pattern_table():
        if regex.match(name):
            return Metric(name, metric.unit, metric.group, metric.description)
    raise KeyError(name)


@cache
def example_names() -> tuple[str, ...]:
    """Metric names with every group, region and two targets filled in (no dates): the
    candidates of a "did you mean" when no scenario is at hand.
    """
    values = {"g": list(GROUPS), "r": list(WHO_REGIONS), "d": [], "i": ["0", "1"]}
    return tuple(name for family in FAMILIES for pattern, _, _ in family.patterns
                 for name in _expand(pattern, values))


def unit_of(name: str) -> str:
    """The unit (a key of :data:`UNITS`) of metric ``name``."""
    return describe(name).unit
