"""Small hand-built worlds where answers can be computed by hand (shared by tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from sim.engine.build.params import build_params
from sim.engine.run import simulate
from sim.outcomes.results import Results
from sim.scenario.schema import INCOME_GROUPS, Scenario
from sim.world.world import World

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


#: Synthetic age structure of test worlds: band shares and fatality ratios (not data).
TEST_BAND_SHARES = (0.25, 0.6, 0.15)
TEST_BAND_IFR = (2e-5, 1e-3, 3e-2)


def make_world(population, groups, home_of=(), production=((),), days=60,
               producers=None, band_shares=TEST_BAND_SHARES, band_ifr=TEST_BAND_IFR,
               regions=None) -> World:
    """A world of N countries and P producers with a constant daily output per producer.

    population : (N,) people; groups : (N,) income group names;
    home_of : (N,) producer index or -1; production : (P,) doses per day;
    band_shares, band_ifr : (3,) synthetic age structure; regions : (N,) WHO regions.
    """
    N = len(population)
    prod = np.atleast_1d(np.asarray(production, dtype=float)).ravel()
    P = len(prod)
    home = np.asarray(home_of if len(home_of) else [-1] * N, dtype=int)
    gi = {g: i for i, g in enumerate(INCOME_GROUPS)}
    iso3 = np.array([f"C{i:02d}" for i in range(N)])
    return World(
        iso3=iso3, name=np.array([f"Country {i}" for i in range(N)]),
        income_group=np.asarray(groups, dtype=str),
        who_region=np.array(regions if regions is not None else ["EUR"] * N),
        continent=np.array(["Europe"] * N),
        group_index=np.array([gi[g] for g in groups]),
        population=np.asarray(population, dtype=float),
        gdp_per_capita=np.full(N, 10_000.0), pop_65plus_share=np.full(N, 0.1),
        producers=np.array(producers or [f"P{p}" for p in range(P)]),
        home_of=home,
        production=np.repeat(prod[:, None], days, axis=1),
        month_index=np.arange(days) // 30,
        start=dt.date(2021, 1, 1), days=days,
        band_population=np.asarray(population, dtype=float)[:, None]
        * np.asarray(band_shares)[None],
        band_ifr=np.repeat(np.asarray(band_ifr, dtype=float)[None], N, axis=0),
        prior_infected=np.zeros(N),
    )


def scenario(**fields) -> Scenario:
    """A Scenario from plain data (no checks against the shipped data)."""
    return Scenario.model_validate({"name": "test", **fields})


def params_for(world, scen, seeds=(1,)):
    return build_params(world, [scen] * len(seeds), list(seeds))


def small_results(seeds=(1,), days=200, **fields) -> Results:
    """A finished run of a four-country world (one producer) with ``scenario(**fields)``."""
    world = make_world([1e6, 2e6, 3e6, 4e6], ["HIC", "UMIC", "LMIC", "LIC"],
                       home_of=[0, -1, -1, -1], production=[50_000.0], days=days)
    scen = scenario(days=days, **fields)
    params = params_for(world, scen, seeds)
    traj, _ = simulate(world, params, 7)
    return Results(scen, world, params, traj)
