"""Check the codes a scenario names (countries, groups, producers) against shipped data."""

from __future__ import annotations

from sim import data
from sim.scenario.diplomacy_refs import check_diplomacy
from sim.scenario.paths import Path_, suggest
from sim.scenario.products import product_index
from sim.scenario.schema import GROUP_KEYS, INCOME_GROUPS, Scenario


def reference_errors(scenario: Scenario) -> list[tuple[Path_, str]]:
    """Every unknown code in ``scenario`` as (key path, message with a suggestion)."""
    iso3 = set(data.codes("countries.csv", "iso3"))
    producers = set(data.codes("producers.csv", "producer"))
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
    problems += _product_errors(scenario, check, iso3, producers)
    if not problems and selected_count(scenario) == 0:
        problems.append((("countries",), "the scenario selects no countries (include minus "
                         "exclude is empty)"))
    return problems


def _product_errors(scenario: Scenario, check, iso3: set[str],
                    producers: set[str]) -> list[tuple[Path_, str]]:
    """Unknown producers, buyers and product names in the ``products`` section and the
    licences (checked whether or not tracking is switched on: a typo is an error either
    way). A product is named by its full name or a text starting with the name's part
    before any parenthesis (:func:`~sim.scenario.products.product_index`); ``all`` is
    allowed only in a buyer's ``accepted`` list.
    """
    pr = scenario.products
    names = list(data.codes("products.csv", "product"))
    check(pr.mix, producers, ("products", "mix"), "producer")
    check(pr.accepted, iso3 | set(INCOME_GROUPS), ("products", "accepted"),
          "income group or country")
    named: list[tuple[Path_, str, bool]] = [  # (key path, text, may it be "all"?)
        *((("products", "mix", p, q), q, False) for p, m in pr.mix.items() for q in m),
        *((("products", "accepted", k, i), q, True) for k, v in pr.accepted.items()
          for i, q in enumerate(v)),
        *((("licences", i, "product"), lic.product, False)
          for i, lic in enumerate(scenario.licences) if lic.product)]
    out: list[tuple[Path_, str]] = []
    for loc, text, all_ok in named:
        is_all = text.strip().lower() == "all"
        if (is_all and not all_ok) or (not is_all and product_index(names, text) < 0):
            out.append((loc, f"unknown product '{text}'" + suggest(text, names)))
    return out


def selected_count(scenario: Scenario) -> int:
    """How many shipped countries ``scenario.countries`` keeps (include minus exclude; a
    code matches a country by ISO3, income group, WHO region or continent), read without
    pandas so that ``vaxsim validate`` stays light. :func:`sim.world.world.select_countries`
    makes the same selection on the full table.
    """
    c = scenario.countries
    include = None if c.include == "all" else set(c.include)
    exclude = set(c.exclude)
    kept = 0
    for row in data.rows("countries.csv", ("iso3", "income_group", "who_region", "continent")):
        if (include is None or include.intersection(row)) and not exclude.intersection(row):
            kept += 1
    return kept
