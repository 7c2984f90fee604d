"""Check the codes a scenario names (countries, groups, producers) against shipped data."""

from __future__ import annotations

from sim import data
from sim.scenario.diplomacy_refs import check_diplomacy
from sim.scenario.paths import Path_, suggest
from sim.scenario.schema import GROUP_KEYS, Scenario


def reference_errors(scenario: Scenario) -> list[tuple[Path_, str]]:
    """Every unknown code in ``scenario`` as (key path, message with a suggestion)."""
    iso3 = set(data.countries()["iso3"])
    producers = set(data.producers()["producer"])
    selectors = iso3 | set(GROUP_KEYS)
    problems: list[tuple[Path_, str]] = []

    def check(keys, valid, path: Path_, what: str, by_key: bool = True) -> None:
        for i, key in enumerate(keys):
            if key not in valid:
                loc = (*path, key) if by_key else (*path, i)
                problems.append((loc, f"unknown {what} '{key}'" + suggest(key, valid)))

    c = scenario.countries
    if c.include != "all":
        check(c.include, selectors, ("countries", "include"), "country or group", by_key=False)
    check(c.exclude, selectors, ("countries", "exclude"), "country or group", by_key=False)
    check(c.overrides, iso3, ("countries", "overrides"), "country")
    check(scenario.production.producers, producers, ("production", "producers"), "producer")
    check(scenario.export.producers, producers, ("export", "producers"), "producer")
    check(scenario.procurement.groups, GROUP_KEYS, ("procurement", "groups"), "group")
    check(scenario.procurement.countries, iso3, ("procurement", "countries"), "country")
    check(scenario.uptake.capacity_countries, iso3, ("uptake", "capacity_countries"), "country")
    check(scenario.uptake.hesitancy_groups, GROUP_KEYS, ("uptake", "hesitancy_groups"), "group")
    check(scenario.uptake.hesitancy_countries, iso3, ("uptake", "hesitancy_countries"), "country")
    check(scenario.adaptation.groups, GROUP_KEYS, ("adaptation", "groups"), "group")
    check(scenario.adaptation.countries, iso3, ("adaptation", "countries"), "country")
    problems += check_diplomacy(scenario, check, iso3, producers, selectors)
    return problems
