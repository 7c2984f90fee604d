"""Reading results tables: coverage on a date, per-country panels, target attainment,
time to target and the dose ledger's balance. Pure functions of the tables.

Coverage here is the share of a population with at least one dose unless a name says
``completed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from sim.engine.record import GROUPS
from sim.outcomes.inequality import gini

if TYPE_CHECKING:
    from sim.outcomes.results import Results


def coverage_at(groups: pd.DataFrame, date: Any | None = None,
                column: str = "coverage_first") -> pd.DataFrame:
    """(members × groups) coverage on ``date`` (default: the last day)."""
    dates = groups["date"].to_numpy()
    when = dates.max() if date is None else pd.Timestamp(date).to_datetime64()
    rows = np.flatnonzero(dates == when)
    members = groups["member"].to_numpy()[rows]
    names = groups["group"].to_numpy()[rows]
    index = np.unique(members)                                  # pivot's sorted members
    out = np.full((len(index), len(GROUPS)), np.nan)
    position = {g: i for i, g in enumerate(GROUPS)}
    col = np.array([position[str(g)] for g in names], dtype=int)
    out[np.searchsorted(index, members), col] = groups[column].to_numpy()[rows]
    return pd.DataFrame(out, index=pd.Index(index, name="member"),
                        columns=pd.Index(list(GROUPS), name="group"))


def ledger_end(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger's last day, one row per member."""
    return ledger[ledger["date"] == ledger["date"].max()].set_index("member")


@dataclass(frozen=True)
class Panel:
    """A per-country quantity as an array, from the long ``countries`` table.

    Attributes
    ----------
    members : (E,) member ids
    dates : (W,) recorded dates
    iso3 : (N,) countries, in the table's order
    population : (N,) people
    values : (E, W, N) the quantity
    """

    members: np.ndarray
    dates: pd.DatetimeIndex
    iso3: np.ndarray
    population: np.ndarray
    values: np.ndarray

    def at(self, date: Any | None = None) -> tuple[pd.Timestamp, np.ndarray]:
        """(date used, (E, N) values) on the last recorded date on or before ``date``
        (default the last one); the first date if ``date`` is earlier than every record.
        """
        if date is None:
            w = len(self.dates) - 1
        else:
            w = max(int(self.dates.searchsorted(pd.Timestamp(date), side="right")) - 1, 0)
        return self.dates[w], self.values[:, w]


def country_panel(countries: pd.DataFrame, column: str = "coverage_first") -> Panel:
    """The ``countries`` table's ``column`` as an (E, W, N) :class:`Panel`.

    ``coverage_completed`` is derived (completed / population) if the table lacks it.
    """
    m_codes, members = pd.factorize(countries["member"], sort=True)
    d_codes, dates = pd.factorize(countries["date"], sort=True)
    c_codes, iso3 = pd.factorize(countries["iso3"])
    if column == "coverage_completed" and column not in countries:
        vals = (countries["completed"] / countries["population"]).to_numpy(dtype=float)
    else:
        vals = countries[column].to_numpy(dtype=float)
    values = np.full((len(members), len(dates), len(iso3)), np.nan)
    values[m_codes, d_codes, c_codes] = vals
    population = np.zeros(len(iso3))
    population[c_codes] = countries["population"].to_numpy(dtype=float)
    return Panel(np.asarray(members), pd.DatetimeIndex(dates), np.asarray(iso3, dtype=str),
                 population, values)


class PanelSource(Protocol):
    """Anything that gives per-country panels without a ``countries`` table
    (:meth:`sim.outcomes.results.Results.panel` builds them from the trajectories).
    """

    def panel(self, column: str) -> Panel:
        """The ``countries`` table's ``column`` as a :class:`Panel`."""
        ...


type Countries = pd.DataFrame | PanelSource


def panel_of(countries: Countries, column: str) -> Panel:
    """``column`` of ``countries`` as a :class:`Panel`: the long ``countries`` table
    (:func:`country_panel`) or a :class:`PanelSource` (a run's results: no table built).
    """
    if isinstance(countries, pd.DataFrame):
        return country_panel(countries, column)
    return countries.panel(column)


def country_attributes(results: Results) -> pd.DataFrame:
    """Static attributes per country (index iso3): name, income_group, who_region,
    gdp_per_capita (US$), population.
    """
    w = results.world
    return pd.DataFrame({"name": w.name, "income_group": w.income_group,
                         "who_region": w.who_region, "gdp_per_capita": w.gdp_per_capita,
                         "population": w.population}, index=pd.Index(w.iso3, name="iso3"))


def _frame(members: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(members, name="member"))


# --------------------------------------------------------------------------- equity over time
def gini_over_time(countries: Countries, column: str = "coverage_first") -> pd.DataFrame:
    """Gini of country coverage on every recorded date, both conventions.

    Returns
    -------
    DataFrame with member, date, gini_weighted (population-weighted: people as units),
    gini_unweighted (countries as units); see :func:`sim.outcomes.inequality.gini`.
    """
    p = panel_of(countries, column)
    E, W, _ = p.values.shape
    return pd.DataFrame({
        "member": np.repeat(p.members, W),
        "date": np.tile(p.dates, E),
        "gini_weighted": gini(p.values, p.population).ravel(),
        "gini_unweighted": gini(p.values).ravel(),
    })


def coverage_by(countries: Countries, labels: pd.Series, date: Any | None = None,
                column: str = "coverage_first") -> pd.DataFrame:
    """Population-weighted coverage of groups of countries on ``date``.

    ``coverage_g = Σ_{i∈g} pop_i c_i / Σ_{i∈g} pop_i``.

    Parameters
    ----------
    countries : the ``countries`` table, or a run's results (:func:`panel_of`)
    labels : group label per iso3 (e.g. WHO region)
    date : last recorded date on or before it is used (default the last)

    Returns
    -------
    (members × labels) coverage
    """
    p = panel_of(countries, column)
    _, values = p.at(date)
    lab = labels.reindex(p.iso3).to_numpy()
    out = {}
    for g in pd.unique(lab[pd.notna(lab)]):
        sel = lab == g
        out[g] = (values[:, sel] * p.population[sel]).sum(axis=-1) / p.population[sel].sum()
    return _frame(p.members, out)


def target_attainment(countries: Countries, coverage: float,
                      column: str = "coverage_completed") -> pd.DataFrame:
    """Countries at or above ``coverage`` on every recorded date.

    Returns
    -------
    DataFrame with member, date, countries_met, countries_total, population_share_met
    (share of the world's population living in countries that met it)
    """
    p = panel_of(countries, column)
    met = p.values >= coverage                                   # (E, W, N)
    E, W, N = met.shape
    return pd.DataFrame({
        "member": np.repeat(p.members, W),
        "date": np.tile(p.dates, E),
        "countries_met": met.sum(axis=-1).ravel(),
        "countries_total": np.full(E * W, N),
        "population_share_met": ((met * p.population).sum(axis=-1)
                                 / p.population.sum()).ravel(),
    })


def first_reached(values: np.ndarray, threshold: float, days: np.ndarray) -> np.ndarray:
    """Day each series first reaches ``threshold``.

    Parameters
    ----------
    values : (..., W) series over recorded dates
    days : (W,) day index of each record

    Returns
    -------
    (...,) day index (float), NaN where never reached
    """
    hit = values >= threshold
    first = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), np.asarray(days, dtype=float)[first], np.nan)


def _measure_column(results: Results) -> str:
    """The coverage column the scenario's targets are measured on."""
    return {"first_dose": "coverage_first", "completed": "coverage_completed"}[
        results.scenario.outcomes.target_measure]


def time_to_target(results: Results, coverage: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Days from the start until ``coverage`` (of ``outcomes.target_measure``) is reached.

    Returns
    -------
    by_country : (members × iso3) days, NaN if never reached within the run (resolution:
        the countries table's recording interval)
    by_group : (members × World/HIC/…/LIC) days, NaN if never reached (daily resolution)
    """
    column = _measure_column(results)
    p = results.panel(column)
    start = pd.Timestamp(results.scenario.start)
    days = (p.dates - start).days.to_numpy()
    per_country = first_reached(np.moveaxis(p.values, 1, -1), coverage, days)  # (E, N)
    by_country = pd.DataFrame(per_country, index=pd.Index(p.members, name="member"),
                              columns=p.iso3)
    g = results.group_series(column)                                   # (E, D, G)
    gdays = (pd.DatetimeIndex(results.world.dates) - start).days.to_numpy()
    by_group = pd.DataFrame(first_reached(np.moveaxis(g, 1, -1), coverage, gdays),
                            index=pd.Index(np.arange(len(g)), name="member"),
                            columns=pd.Index(list(GROUPS), name="group"))
    return by_country, by_group


def ledger_residual(ledger: pd.DataFrame) -> np.ndarray:
    """Relative error of produced = administered + expired + stocks + transit, per row."""
    rhs = ledger[["administered_cum", "expired_cum", "stock_countries", "stock_pool",
                  "in_transit", "stock_producers"]].sum(axis=1)
    return (np.abs(ledger["produced_cum"] - rhs) / np.maximum(ledger["produced_cum"], 1.0)
            ).to_numpy()
