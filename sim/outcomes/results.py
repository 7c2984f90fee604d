"""Results of a run: tidy pandas tables built from the engine's trajectories.

Tables (one row per member and date, and group or country):

- ``groups``: member, date, group (World, HIC, UMIC, LMIC, LIC), population,
  first_dose, completed, doses_administered, coverage_first, coverage_completed
- ``ledger``: member, date, produced_cum, administered_cum, expired_cum,
  stock_countries, stock_pool, in_transit, stock_producers
- ``countries``: member, date, iso3, name, income_group, population, first_dose,
  completed, doses_administered, doses_received, stock, doses_expired, orders_open,
  coverage_first, doses_per_100 (every ``outputs.country_every_days`` days and the last)
- ``producers``: member, producer, produced, exported (at the last day)
- ``strategies``: member, date, strategy, count (countries following each strategy)
- ``donations``: member, date, donor, recipient, doses, channel (the diplomacy ledger;
  see :mod:`sim.outcomes.diplomacy_metrics`), only when a diplomacy mechanism is on

Writing a results folder is :mod:`sim.output.folder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.build.params import Params
from sim.engine.record import COUNTRY_FIELDS, GROUP_FIELDS, GROUPS, LEDGER_FIELDS, Trajectories
from sim.outcomes.diplomacy_metrics import donations_table
from sim.outcomes.epidemic_metrics import epidemic_group_columns
from sim.outcomes.summary import summarize
from sim.scenario.adaptation import STRATEGIES
from sim.scenario.schema import Scenario
from sim.world.world import World


def group_populations(world: World) -> np.ndarray:
    """(G,) population of World and each income group."""
    pops = np.array([world.population[world.group_index == g].sum() for g in range(4)])
    return np.concatenate([[pops.sum()], pops])


def groups_table(world: World, traj: Trajectories) -> pd.DataFrame:
    """The ``groups`` table (long format)."""
    E, D, G, F = traj.groups.shape
    idx = pd.MultiIndex.from_product(
        [np.arange(E), world.dates, list(GROUPS)], names=["member", "date", "group"])
    df = pd.DataFrame(traj.groups.reshape(E * D * G, F), index=idx,
                      columns=list(GROUP_FIELDS)).reset_index()
    df.insert(3, "population", np.tile(group_populations(world), E * D))
    df["coverage_first"] = df["first_dose"] / df["population"]
    df["coverage_completed"] = df["completed"] / df["population"]
    return df


def ledger_table(world: World, traj: Trajectories) -> pd.DataFrame:
    """The ``ledger`` table."""
    E, D, K = traj.ledger.shape
    idx = pd.MultiIndex.from_product([np.arange(E), world.dates], names=["member", "date"])
    return pd.DataFrame(traj.ledger.reshape(E * D, K), index=idx,
                        columns=list(LEDGER_FIELDS)).reset_index()


def countries_table(world: World, traj: Trajectories) -> pd.DataFrame:
    """The ``countries`` table (long format, every recorded day)."""
    E, W, N, F = traj.countries.shape
    dates = world.dates[traj.country_days]
    idx = pd.MultiIndex.from_product([np.arange(E), dates, np.arange(N)],
                                     names=["member", "date", "n"])
    df = pd.DataFrame(traj.countries.reshape(E * W * N, F), index=idx,
                      columns=list(COUNTRY_FIELDS)).reset_index()
    n = df.pop("n").to_numpy()
    df.insert(2, "iso3", world.iso3[n])
    df.insert(3, "name", world.name[n])
    df.insert(4, "income_group", world.income_group[n])
    df.insert(5, "population", world.population[n])
    df["coverage_first"] = df["first_dose"] / df["population"]
    df["doses_per_100"] = 100 * df["doses_administered"] / df["population"]
    return df


def producers_table(world: World, traj: Trajectories) -> pd.DataFrame:
    """The ``producers`` table: cumulative output and exports at the last day."""
    E, _, P = traj.produced_cum.shape
    return pd.DataFrame({
        "member": np.repeat(np.arange(E), P),
        "producer": np.tile(world.producers, E),
        "produced": traj.produced_cum[:, -1].ravel(),
        "exported": traj.exported_cum[:, -1].ravel(),
    })


def strategies_table(world: World, traj: Trajectories) -> pd.DataFrame:
    """The ``strategies`` table: countries per strategy, every day."""
    E, D, S = traj.strategies.shape
    idx = pd.MultiIndex.from_product([np.arange(E), world.dates, list(STRATEGIES)],
                                     names=["member", "date", "strategy"])
    return pd.DataFrame({"count": traj.strategies.reshape(-1)}, index=idx).reset_index()


@dataclass(frozen=True, eq=False)
class Results:
    """A finished run of one scenario (E members: its replicates), as data.

    The tables and the summary are computed on first use and kept (cached properties);
    writing them, plotting and reporting is the output layer's job
    (:func:`sim.output.folder.save_results`).

    Attributes
    ----------
    scenario : the resolved scenario (for a sweep batch: its base scenario)
    world, params, trajectories : what the engine saw and recorded
    counterfactual : the no-vaccine twins' trajectories (deaths averted), or None
    groups, ledger, countries, producers, strategies, donations : tidy tables (see the
        module docstring); ``donations`` is None when no diplomacy mechanism is on
    summary : the content of ``summary.json``
    """

    scenario: Scenario
    world: World
    params: Params
    trajectories: Trajectories
    counterfactual: Trajectories | None = None

    @cached_property
    def groups(self) -> pd.DataFrame:
        """World and income-group totals per member and date."""
        return groups_table(self.world, self.trajectories).assign(
            **epidemic_group_columns(self.trajectories, self.counterfactual))

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """The dose ledger per member and date."""
        return ledger_table(self.world, self.trajectories)

    @cached_property
    def countries(self) -> pd.DataFrame:
        """Per-country records every ``outputs.country_every_days`` days and the last."""
        return countries_table(self.world, self.trajectories)

    @cached_property
    def producers(self) -> pd.DataFrame:
        """Each producer's output and exports at the last day."""
        return producers_table(self.world, self.trajectories)

    @cached_property
    def strategies(self) -> pd.DataFrame:
        """Countries following each strategy, every day."""
        return strategies_table(self.world, self.trajectories)

    @cached_property
    def donations(self) -> pd.DataFrame | None:
        """The diplomacy ledger as a table, or None without a diplomacy mechanism."""
        return donations_table(self.world, self.trajectories, self.params)

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json`` (:func:`sim.outcomes.summary.summarize`)."""
        return summarize(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file stem (``donations`` only when there is one)."""
        return {"groups": self.groups, "ledger": self.ledger, "countries": self.countries,
                "producers": self.producers, "strategies": self.strategies,
                **({} if self.donations is None else {"donations": self.donations})}
