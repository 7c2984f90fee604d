"""Synthetic worlds of any size, for scale benchmarks: every country of a scenario's world
split into equal regions.

``synthetic(scenario, n_regions)`` splits each selected country into ``k`` regions
(``k`` = ``n_regions / N`` rounded so that the total is exactly ``n_regions``), each with
an equal share of its population and every other attribute of the country (income
group, WHO region, continent, GDP per capita, share aged 65+, age bands' shares and
fatality ratios, share infected before the start, producer home). World
totals, income-group totals and production stay those of the real world, so a shipped
scenario runs on it unchanged and its world-level outcomes stay comparable; only the
number of units the engine handles grows. Region codes are ``<ISO3>-<k>`` (they match no
country of the shipped relationship tables: regions have no blocs or ties, only WHO
regions). Not a model of any real subdivision.

Examples
--------
>>> from sim.scenario import load_scenario
>>> w = synthetic(load_scenario("baseline"), 1000)     # doctest: +SKIP
>>> w.n_countries, round(w.population.sum() / 1e9, 2)  # doctest: +SKIP
(1000, 7.79)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.scenario.schema import Scenario
from sim.world.world import World, build_world


def split_counts(n_countries: int, n_regions: int) -> np.ndarray:
    """(N,) regions per country: ``n_regions`` in total, as even as possible, at least 1."""
    if n_regions < n_countries:
        raise ValueError(f"need at least one region per country ({n_countries}), "
                         f"got {n_regions}")
    base, extra = divmod(n_regions, n_countries)
    return base + (np.arange(n_countries) < extra)


def split_world(world: World, n_regions: int) -> World:
    """``world`` with each country split into equal regions, ``n_regions`` in all."""
    k = split_counts(world.n_countries, n_regions)
    src = np.repeat(np.arange(world.n_countries), k)                 # (R,) source country
    part = np.arange(n_regions) - np.repeat(np.cumsum(k) - k, k)     # index within country
    take = {f.name: getattr(world, f.name)[src] for f in dataclasses.fields(world)
            if f.name in ("income_group", "who_region", "continent", "group_index",
                          "gdp_per_capita", "pop_65plus_share", "home_of", "band_ifr",
                          "prior_infected") and getattr(world, f.name) is not None}
    if world.band_population is not None:
        take["band_population"] = world.band_population[src] / k[src, None]
    return dataclasses.replace(
        world,
        iso3=np.char.add(np.char.add(world.iso3[src], "-"), part.astype(str)),
        name=np.char.add(np.char.add(world.name[src], " "), (part + 1).astype(str)),
        population=world.population[src] / k[src],
        **take,
    )


def synthetic(scenario: Scenario, n_regions: int) -> World:
    """The world of ``scenario`` (its countries, start and days) split into ``n_regions``.

    Parameters
    ----------
    scenario : a validated scenario
    n_regions : number of regions, at least the number of countries the scenario selects

    Returns
    -------
    World with N = ``n_regions``; countries stay ordered by income group, each country's
    regions together.
    """
    return split_world(build_world(scenario), n_regions)
