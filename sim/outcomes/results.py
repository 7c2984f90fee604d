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
- ``donations``: member, donor, recipient, channel, doses, doses_arrived, influence (the
  diplomacy ledger's totals per pair over the whole run; see
  :mod:`sim.outcomes.diplomacy_metrics`), only when a diplomacy mechanism is on
- ``donations_by_day``: member, date, donor, channel, doses (what each donor gave each
  day, over all its recipients), likewise

Writing a results folder is :mod:`sim.output.folder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.build.params import Params
from sim.engine.record import COUNTRY_FIELDS, GROUP_FIELDS, GROUPS, LEDGER_FIELDS, Trajectories
from sim.scenario.adaptation import STRATEGIES
from sim.scenario.schema import Scenario
from sim.world.world import World

if TYPE_CHECKING:  # pandas and the metric modules are imported where a table is built, so
    # that a run (``sim.run``, ``vaxsim run``) starts without them (~0.4 s of imports)
    import pandas as pd

    from sim.outcomes.coverage import Panel


def group_populations(world: World) -> np.ndarray:
    """(G,) population of World and each income group."""
    pops = np.array([world.population[world.group_index == g].sum() for g in range(4)])
    return np.concatenate([[pops.sum()], pops])


def groups_table(world: World, traj: Trajectories,
                 dates: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """The ``groups`` table (long format); ``dates`` of ``traj.groups``' days (default
    every day of the run).
    """
    import pandas as pd

    E, D, G, F = traj.groups.shape
    idx = pd.MultiIndex.from_product(
        [np.arange(E), world.dates if dates is None else dates, list(GROUPS)],
        names=["member", "date", "group"])
    df = pd.DataFrame(traj.groups.reshape(E * D * G, F), index=idx,
                      columns=list(GROUP_FIELDS)).reset_index()
    df.insert(3, "population", np.tile(group_populations(world), E * D))
    df["coverage_first"] = df["first_dose"] / df["population"]
    df["coverage_completed"] = df["completed"] / df["population"]
    return df


def groups_on_days(world: World, traj: Trajectories, counterfactual: Trajectories | None,
                   dates: Sequence[Any] = ()) -> pd.DataFrame:
    """:func:`groups_table` (with the epidemic columns) restricted to ``dates`` that fall
    in the run and its last day, computed from those days' records only.
    """
    import pandas as pd

    from sim.outcomes.epidemic_metrics import epidemic_group_columns

    index = pd.DatetimeIndex(world.dates)
    found = index.get_indexer(pd.DatetimeIndex([pd.Timestamp(d) for d in dates]))
    days = np.unique(np.append(found[found >= 0], len(index) - 1))

    def on_days(t: Trajectories | None) -> Trajectories | None:
        if t is None:
            return None
        epi = None if t.epi_groups is None else t.epi_groups[:, days]
        return replace(t, groups=t.groups[:, days], epi_groups=epi)

    part = on_days(traj)
    assert part is not None
    return groups_table(world, part, index[days]).assign(
        **epidemic_group_columns(part, on_days(counterfactual)))


def ledger_table(world: World, traj: Trajectories,
                 days: np.ndarray | None = None) -> pd.DataFrame:
    """The ``ledger`` table (rows of ``days`` only if given)."""
    import pandas as pd

    ledger = traj.ledger if days is None else traj.ledger[:, days]
    dates = world.dates if days is None else world.dates[days]
    E, D, K = ledger.shape
    idx = pd.MultiIndex.from_product([np.arange(E), dates], names=["member", "date"])
    return pd.DataFrame(ledger.reshape(E * D, K), index=idx,
                        columns=list(LEDGER_FIELDS)).reset_index()


def countries_table(world: World, traj: Trajectories) -> pd.DataFrame:
    """The ``countries`` table (long format, every recorded day)."""
    import pandas as pd

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


#: Columns of the ``countries`` table derived from a recorded field: (field, scale).
_PER_POPULATION = {"coverage_first": ("first_dose", None),
                   "coverage_completed": ("completed", None),
                   "doses_per_100": ("doses_administered", 100)}


def countries_panel(world: World, traj: Trajectories, column: str) -> Panel:
    """``column`` of :func:`countries_table` as a :class:`~sim.outcomes.coverage.Panel`
    (values (K, W, N)), computed from the trajectories as the table computes it.
    """
    import pandas as pd

    from sim.outcomes.coverage import Panel

    name, scale = _PER_POPULATION.get(column, (column, None))
    if name not in COUNTRY_FIELDS:
        raise KeyError(f"the countries table has no column {column!r}")
    raw = traj.countries[..., COUNTRY_FIELDS.index(name)]              # (K, W, N)
    if column in _PER_POPULATION:
        raw = (raw if scale is None else scale * raw) / world.population
    return Panel(np.arange(raw.shape[0]), pd.DatetimeIndex(world.dates[traj.country_days]),
                 np.asarray(world.iso3, dtype=str), np.asarray(world.population, dtype=float),
                 np.ascontiguousarray(raw, dtype=float))


def group_series(world: World, traj: Trajectories, column: str) -> np.ndarray:
    """(E, D, G) ``column`` of :func:`groups_table` by member, day and group (a coverage
    is NaN in a group that holds no one in this world).
    """
    covered = {"coverage_first": "first_dose", "coverage_completed": "completed"}
    values = traj.groups[..., GROUP_FIELDS.index(covered.get(column, column))]
    if column not in covered:
        return values
    with np.errstate(invalid="ignore", divide="ignore"):
        return values / group_populations(world)


def producers_table(world: World, traj: Trajectories, every: int = 7) -> pd.DataFrame:
    """The ``producers`` table: each producer's output, exports and home deliveries per
    week (every ``every`` days and the last day), with running totals.
    """
    import pandas as pd

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
    import pandas as pd

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
    per_member : every scalar metric per member, built on first use
    summary : the content of ``summary.json``
    """

    scenario: Scenario
    world: World
    params: Params
    trajectories: Trajectories
    counterfactual: Trajectories | None = None
    _panels: dict[str, Panel] = field(default_factory=dict, init=False, repr=False)
    _groups_on: dict[tuple, pd.DataFrame] = field(default_factory=dict, init=False,
                                                  repr=False)

    @cached_property
    def groups(self) -> pd.DataFrame:
        """World and income-group totals per member and date."""
        from sim.outcomes.epidemic_metrics import epidemic_group_columns

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
        from sim.outcomes.diplomacy_metrics import donations_table

        return donations_table(self.world, self.trajectories, self.params)

    @cached_property
    def donations_by_day(self) -> pd.DataFrame | None:
        """Doses each donor gave each day, or None without a diplomacy mechanism."""
        from sim.outcomes.diplomacy_metrics import donations_by_day_table

        return donations_by_day_table(self.world, self.trajectories, self.params)

    @cached_property
    def per_member(self) -> pd.DataFrame:
        """Every scalar metric, one row per member
        (:func:`sim.outcomes.registry.member_metrics`); the summary's medians and the
        plots read it.
        """
        from sim.outcomes.registry import member_metrics

        return member_metrics(self)

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json`` (:func:`sim.outcomes.summary.summarize`)."""
        from sim.outcomes.history import history_rows
        from sim.outcomes.summary import summarize

        summary = summarize(self)
        summary["history_check"] = [
            dict(zip(("series", "group", "date", "observed", "model", "error", "source"), r,
                     strict=True)) for r in history_rows(self.history)]
        return summary

    @cached_property
    def history(self) -> pd.DataFrame:
        """The history check (:func:`sim.outcomes.history.history_table`)."""
        from sim.outcomes.history import history_table

        return history_table(self)

    def panel(self, column: str) -> Panel:
        """``column`` of the ``countries`` table as an (K, W, N) :class:`Panel`, read from
        the trajectories without building the table (equal to
        ``country_panel(self.countries, column)``); kept once built.
        """
        if column not in self._panels:
            self._panels[column] = countries_panel(self.world, self.trajectories, column)
        return self._panels[column]

    def groups_on(self, dates: Sequence[Any] = ()) -> pd.DataFrame:
        """The ``groups`` table's rows on ``dates`` and the last day (dates in the run
        only), built from those days alone: a summary of a large ensemble does not
        build the whole table. Equal to the matching rows of :attr:`groups`.
        """
        import pandas as pd

        if "groups" in self.__dict__:  # already built: take its rows
            wanted = {pd.Timestamp(d) for d in dates} | {pd.Timestamp(self.world.dates[-1])}
            g = self.groups
            return g[g["date"].isin(wanted)].reset_index(drop=True)
        key = tuple(pd.Timestamp(d) for d in dates)
        if key not in self._groups_on:  # the summary's metrics ask for the same rows
            self._groups_on[key] = groups_on_days(self.world, self.trajectories,
                                                  self.counterfactual, dates)
        return self._groups_on[key].copy()

    def ledger_end(self) -> pd.DataFrame:
        """The ``ledger`` table's last day, one row per member (index ``member``), built
        from that day alone unless the table is built.
        """
        from sim.outcomes.coverage import ledger_end

        if "ledger" in self.__dict__:
            return ledger_end(self.ledger)
        last = np.array([self.trajectories.ledger.shape[1] - 1])
        return ledger_table(self.world, self.trajectories, last).set_index("member")

    def group_series(self, column: str) -> np.ndarray:
        """(E, D, G) daily ``column`` of the ``groups`` table (a recorded field, or
        ``coverage_first`` / ``coverage_completed``), without building the table.
        """
        return group_series(self.world, self.trajectories, column)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file stem (``donations`` and ``donations_by_day`` only when there
        are).
        """
        return {"groups": self.groups, "ledger": self.ledger, "countries": self.countries,
                "producers": self.producers, "strategies": self.strategies,
                **({} if self.donations is None else {"donations": self.donations,
                                                      "donations_by_day": self.donations_by_day})}
