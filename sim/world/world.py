"""The static world: country and producer arrays built from shipped data and a scenario.

Nothing here changes during a run. Arrays are indexed by country ``n`` (N countries, in
the order of ``iso3``) and producer ``p`` (P producer entities). A producer's *home* is
the set of countries its export policy protects (the EU's home is its 27 members).

Examples
--------
>>> from sim.scenario import load_scenario
>>> from sim.world.world import build_world
>>> w = build_world(load_scenario("scenarios/baseline.yaml"))
>>> w.population.shape == (w.n_countries,)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.schema import INCOME_GROUPS, Scenario
from sim.world.tables import columns, row_of

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class World:
    """Static arrays of one scenario's world.

    Attributes
    ----------
    iso3, name : (N,) str, countries ordered by income group (HIC … LIC), then ISO3
    income_group, who_region, continent : (N,) str
    group_index : (N,) int, index into ``INCOME_GROUPS`` (HIC=0 … LIC=3)
    population : (N,) people, 2021
    gdp_per_capita : (N,) US$ per person, 2021
    pop_65plus_share : (N,) fraction
    producers : (P,) producer ids (ISO3 or ``EU``)
    home_of : (N,) int, the producer whose home a country is in, or -1
    production : (P, D) doses per day of the shipped schedule on each simulated day
    month_index : (D,) int, calendar month of each day counted from the start month
    start : first simulated day
    days : D
    band_population : (N, 3) people aged 0-19, 20-64, 65+ (None without age data)
    band_ifr : (N, 3) infection fatality ratio by band, fraction (None without age data)
    prior_infected : (N,) share of people infected before the start (zeros without data)
    """

    iso3: np.ndarray
    name: np.ndarray
    income_group: np.ndarray
    who_region: np.ndarray
    continent: np.ndarray
    group_index: np.ndarray
    population: np.ndarray
    gdp_per_capita: np.ndarray
    pop_65plus_share: np.ndarray
    producers: np.ndarray
    home_of: np.ndarray
    production: np.ndarray
    month_index: np.ndarray
    start: dt.date
    days: int
    band_population: np.ndarray | None = None
    band_ifr: np.ndarray | None = None
    prior_infected: np.ndarray | None = None

    @property
    def n_countries(self) -> int:
        """N."""
        return len(self.iso3)

    @property
    def n_producers(self) -> int:
        """P."""
        return len(self.producers)

    @property
    def dates(self) -> pd.DatetimeIndex:
        """(D,) simulated days."""
        import pandas as pd

        return pd.date_range(self.start, periods=self.days, freq="D")

    def days_of(self, dates: Iterable[Any]) -> list[tuple[str, int]]:
        """(ISO date, day index) of each of ``dates`` (dates or ISO strings) that falls
        inside the run, in the given order: where a reporting date is read from daily
        records.
        """
        start = np.datetime64(self.start, "D")
        out = []
        for d in dates:
            day = int((np.datetime64(d, "D") - start).astype(int))
            if 0 <= day < self.days:
                out.append((str(np.datetime64(d, "D")), day))
        return out

    def index(self, codes: list[str] | np.ndarray) -> np.ndarray:
        """Country indices of ISO3 ``codes`` (in the world's order)."""
        lookup = self.position
        return np.array([lookup[str(c)] for c in codes], dtype=int)

    @cached_property
    def position(self) -> dict[str, int]:
        """Index of each ISO3 code (read only)."""
        return {c: i for i, c in enumerate(self.iso3.tolist())}

    def level_codes(self, level: str) -> tuple[list[str], np.ndarray]:
        """The distinct codes of the group column ``level`` (``continent``, ``who_region``
        or ``income_group``), and (N,) int each country's position among them.
        """
        cache = self.__dict__.setdefault("_level_codes", {})
        if level not in cache:
            codes, inverse = np.unique(getattr(self, level), return_inverse=True)
            cache[level] = (codes.tolist(), inverse.reshape(-1))
        return cache[level]

    @cached_property
    def group_combos(self) -> tuple[list[tuple[str, str, str]], np.ndarray]:
        """The distinct (continent, WHO region, income group) of the countries, and (N,)
        int each country's among them.
        """
        combo = np.zeros(self.n_countries, dtype=np.int64)
        levels = [self.level_codes(c) for c in ("continent", "who_region", "income_group")]
        for codes, inverse in levels:
            combo = combo * len(codes) + inverse
        distinct, index = np.unique(combo, return_inverse=True)
        out = []
        for c in distinct.tolist():
            keys = []
            for codes, _ in reversed(levels):
                c, i = divmod(c, len(codes))
                keys.append(codes[i])
            out.append((keys[2], keys[1], keys[0]))
        return out, index.reshape(-1)

    def producer_index(self, producer: str) -> int:
        """Index of a producer id."""
        return int(np.flatnonzero(self.producers == producer)[0])


def select_countries(table: Mapping[str, np.ndarray], scenario: Scenario
                     ) -> dict[str, np.ndarray]:
    """Rows of ``table`` (columns of ``countries.csv``, :func:`sim.world.tables.columns`)
    kept by ``scenario.countries`` (include, exclude, overrides), ordered by income group
    (HIC first), then ISO3, so that group sums are slices.
    """
    sel = scenario.countries
    codes = ("iso3", "income_group", "who_region", "continent")

    def matches(names: list[str]) -> np.ndarray:
        wanted = np.array(sorted(set(names)), dtype=str)
        hit = np.zeros(len(table["iso3"]), dtype=bool)
        for c in codes:
            hit |= np.isin(table[c], wanted)
        return hit

    keep = np.ones(len(table["iso3"]), dtype=bool) if sel.include == "all" \
        else matches(sel.include)
    keep &= ~matches(sel.exclude)
    out = {k: v[keep] for k, v in table.items()}   # fancy indexing copies: writable
    for code, override in sel.overrides.items():
        rows = out["iso3"] == code
        for column, value in override.model_dump(exclude_none=True).items():
            if out[column].dtype.kind == "U":
                out[column] = out[column].astype(object)
            out[column][rows] = value
    rank = np.array([INCOME_GROUPS.index(str(g)) for g in out["income_group"]], dtype=int)
    order = np.lexsort((out["iso3"], rank))
    out = {k: (np.array(v[order].tolist(), dtype=str) if v.dtype.kind in "UO"
               else v[order].astype(float)) for k, v in out.items()}
    if not len(out["iso3"]):
        from sim.scenario.loader import ScenarioError

        raise ScenarioError(f"{scenario.name}: countries: the scenario selects no countries "
                            "(include minus exclude is empty)")
    return out


def daily_schedule(monthly: Mapping[str, np.ndarray] | pd.DataFrame, producers: list[str],
                   start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Spread monthly output evenly over the days of each month.

    Days after the last month of data (of any producer) repeat that month's daily rate;
    days before the first month, or in a month without data, produce nothing. Rows of one
    producer and month add up.

    Returns
    -------
    production : (P, D) doses per day
    month_index : (D,) months since the start month
    """
    # Months as counts since 1970-01 (numpy's datetime64[M]): no pandas periods needed.
    months = (np.datetime64(start, "D") + np.arange(days)).astype("datetime64[M]")
    months = months.astype(np.int64)
    data_month = np.asarray(np.asarray(monthly["month"], dtype=str), dtype="datetime64[M]")
    columns = np.unique(data_month.astype(np.int64))                     # sorted months
    row_of = {p: i for i, p in enumerate(producers)}
    row = np.array([row_of.get(p, -1) for p in monthly["producer"]], dtype=np.int64)
    doses = np.asarray(monthly["doses"], dtype=float)
    keep = (row >= 0) & ~np.isnan(doses)
    table = np.zeros((len(producers), len(columns)))
    np.add.at(table, (row[keep], np.searchsorted(columns, data_month.astype(np.int64)[keep])),
              doses[keep])
    first_day = columns.astype("datetime64[M]").astype("datetime64[D]")
    days_in = ((columns + 1).astype("datetime64[M]").astype("datetime64[D]")
               - first_day).astype(float)
    per_day = table / days_in
    production = np.zeros((len(producers), days))
    if len(columns):
        lookup = np.minimum(months, columns[-1])
        idx = np.minimum(np.searchsorted(columns, lookup), len(columns) - 1)
        found = columns[idx] == lookup
        production = np.where(found, per_day[:, idx], 0.0)
    return np.ascontiguousarray(production, dtype=float), months - months[0]


def build_world(scenario: Scenario) -> World:
    """The static arrays of ``scenario``'s world."""
    table = select_countries(columns("countries.csv"), scenario)
    prods = columns("producers.csv")
    iso3 = table["iso3"]
    position = {c: i for i, c in enumerate(iso3.tolist())}
    home_of = np.full(len(iso3), -1, dtype=int)
    for p, home in enumerate(prods["home"].tolist()):
        for code in home.split(";"):
            if code.strip() in position:
                home_of[position[code.strip()]] = p
    production, month_index = daily_schedule(
        columns("production.csv"), prods["producer"].tolist(), scenario.start, scenario.days)
    group_lookup = {g: i for i, g in enumerate(INCOME_GROUPS)}
    ages = age_arrays(iso3)
    ages["band_population"] = overridden_bands(
        ages["band_population"], iso3, table["population"], table["pop_65plus_share"],
        scenario)
    return World(
        iso3=iso3,
        name=table["name"],
        income_group=table["income_group"],
        who_region=table["who_region"],
        continent=table["continent"],
        group_index=np.array([group_lookup[g] for g in table["income_group"].tolist()],
                             dtype=int),
        population=table["population"],
        gdp_per_capita=table["gdp_per_capita_usd"],
        pop_65plus_share=table["pop_65plus_share"],
        producers=np.array(prods["producer"].tolist(), dtype=str),
        home_of=home_of,
        production=production,
        month_index=month_index,
        start=scenario.start,
        days=scenario.days,
        **ages,
    )


def overridden_bands(bands: np.ndarray | None, iso3: np.ndarray, population: np.ndarray,
                     share_65plus: np.ndarray, scenario: Scenario) -> np.ndarray | None:
    """Band populations (N, 3) that follow the scenario's country overrides: a country whose
    population is overridden keeps its band shares at the new size; one whose 65+ share is
    overridden gets that share in the 65+ band and the rest in the two younger bands, in
    their shipped proportion. Countries without such overrides keep the shipped rows.
    """
    if bands is None:
        return None
    out = bands.copy()
    where = {c: i for i, c in enumerate(iso3)}
    for code, override in scenario.countries.overrides.items():
        i = where.get(code)
        if i is None or (override.population is None and override.pop_65plus_share is None):
            continue
        total = population[i]
        if override.pop_65plus_share is None:
            out[i] = bands[i] * (total / bands[i].sum()) if bands[i].sum() > 0 else 0.0
            continue
        old = share_65plus[i] * total
        young = bands[i, :2]
        out[i, 2] = old
        rest = total - old
        out[i, :2] = young * (rest / young.sum()) if young.sum() > 0 else rest / 2
    return out


def age_arrays(iso3: np.ndarray) -> dict[str, np.ndarray | None]:
    """Band populations and fatality ratios and prior infection of the countries ``iso3``
    (from ``age_bands.csv`` and ``prior_immunity.csv``; zeros where a country has no
    prior-immunity row).
    """
    codes = iso3.tolist()
    bands, where = columns("age_bands.csv"), row_of("age_bands.csv", "iso3")
    missing = sorted(c for c in codes if c not in where)
    if missing:
        raise ValueError(f"age_bands.csv has no row for {', '.join(missing[:5])}")
    rows = np.array([where[c] for c in codes], dtype=int)
    population = np.stack([bands[c][rows] for c in ("pop_0_19", "pop_20_64", "pop_65plus")],
                          axis=1)
    ifr = np.stack([bands[c][rows] for c in ("ifr_0_19", "ifr_20_64", "ifr_65plus")], axis=1)
    if np.isnan(population).any() or np.isnan(ifr).any():
        bad = np.isnan(population).any(axis=1) | np.isnan(ifr).any(axis=1)
        raise ValueError(f"age_bands.csv has no row for {', '.join(iso3[bad][:5])}")
    prior, at = columns("prior_immunity.csv"), row_of("prior_immunity.csv", "iso3")
    share = np.array([prior["infected_share_2020"][at[c]] if c in at else np.nan
                      for c in codes], dtype=float)
    return {"band_population": population, "band_ifr": ifr,
            "prior_infected": np.nan_to_num(share, nan=0.0)}
