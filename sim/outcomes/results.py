"""Results of a run: tidy pandas tables built from the engine's trajectories.

Tables (one row per member and date, and group or country):

- ``groups``: member, date, group (World, HIC, UMIC, LMIC, LIC), population,
  first_dose, completed, doses_administered, coverage_first, coverage_completed
- ``ledger``: member, date, produced_cum, administered_cum, expired_cum,
  stock_countries, stock_pool, in_transit, stock_producers
- ``countries``: member, date, iso3, name, income_group, population, first_dose,
  completed, doses_administered, doses_received, stock, doses_expired, orders_open,
  doses_licensed (filled and finished by the country as a licensee),
  coverage_first, doses_per_100 (every ``outputs.country_every_days`` days and the last)
- ``producers``: member, date, producer, produced, exported, home (doses in the week
  ending on ``date``: output, sales abroad, sales to its own home countries) and their
  running totals produced_cum, exported_cum, home_cum; weekly and on the last day
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
from sim.outcomes.history import history_rows, history_table
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


def producers_table(world: World, traj: Trajectories, every: int = 7) -> pd.DataFrame:
    """The ``producers`` table: each producer's output, exports and home deliveries per
    week (every ``every`` days and the last day), with running totals.
    """
    E, D, P = traj.produced_cum.shape
    days = np.arange(every - 1, D, every)
    if len(days) == 0 or days[-1] != D - 1:
        days = np.append(days, D - 1)
    W = len(days)
    home = traj.home_cum if traj.home_cum.size else np.zeros_like(traj.produced_cum)
    cum = {k: a[:, days] for k, a in (("produced", traj.produced_cum),
                                        ("exported", traj.exported_cum), ("home", home))}
    table = pd.DataFrame({
        "member": np.repeat(np.arange(E), W * P),
        "date": np.tile(np.repeat(world.dates[days], P), E),
        "producer": np.tile(world.producers, E * W),
    })
    for k, a in cum.items():
        table[k] = np.diff(a, axis=1, prepend=0.0).ravel()
    for k, a in cum.items():
        table[f"{k}_cum"] = a.ravel()
    return table


def producer_totals(producers: pd.DataFrame, member: int = 0) -> pd.DataFrame:
    """Run totals of one member from the ``producers`` table, indexed by producer:
    produced, exported, home.
    """
    last = producers[(producers["member"] == member)
                     & (producers["date"] == producers["date"].max())]
    return last.set_index("producer")[["produced_cum", "exported_cum", "home_cum"]].rename(
        columns=lambda c: c.removesuffix("_cum"))


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
    history : the history check against observed 2021 series, built on first use
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
        summary = summarize(self)
        summary["history_check"] = [
            dict(zip(("series", "group", "date", "observed", "model", "error", "source"), r,
                     strict=True)) for r in history_rows(self.history)]
        return summary

    @cached_property
    def history(self) -> pd.DataFrame:
        """The history check (:func:`sim.outcomes.history.history_table`)."""
        return history_table(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file stem (``donations`` only when there is one)."""
        return {"groups": self.groups, "ledger": self.ledger, "countries": self.countries,
                "producers": self.producers, "strategies": self.strategies,
                **({} if self.donations is None else {"donations": self.donations})}
