"""Shipped reference data (CSV files beside this module; provenance in SOURCES.md).

Each loader reads its file once and returns a fresh copy, so callers may modify it.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DATA_DIR = Path(__file__).resolve().parent


@cache
def _read(name: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(DATA_DIR / name, keep_default_na=False, na_values=[""])


@cache
def codes(name: str, column: str) -> frozenset[str]:
    """The values of one column of a shipped CSV file (e.g. ``codes("countries.csv",
    "iso3")``), read with the standard library: checking a scenario's codes needs no
    pandas.
    """
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return frozenset(row[column] for row in csv.DictReader(f))


def rows(name: str, columns: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Chosen columns of a shipped CSV file, one tuple per row, read with the standard
    library (no pandas): for checks that must stay light, like ``vaxsim validate``.
    """
    return _rows(name, columns)


@cache
def _rows(name: str, columns: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return tuple(tuple(row[c] for c in columns) for row in csv.DictReader(f))


def countries() -> pd.DataFrame:
    """One row per country: iso3, name, who_region, continent, income_group, population,
    gdp_per_capita_usd, pop_65plus_share (see SOURCES.md).
    """
    return _read("countries.csv").copy()


def producers() -> pd.DataFrame:
    """One row per producer entity: producer, name, home (';'-separated ISO3), products,
    platforms.
    """
    return _read("producers.csv").copy()


def production() -> pd.DataFrame:
    """Monthly output: producer, month (YYYY-MM), doses."""
    return _read("production.csv").copy()


def products() -> pd.DataFrame:
    """Vaccine products: platform, doses per course, efficacy, price, shelf life."""
    return _read("products.csv").copy()


def product_mix() -> pd.DataFrame:
    """Each producer's 2021 output by product: producer, product, share."""
    return _read("product_mix.csv").copy()


def blocs() -> pd.DataFrame:
    """Blocs of countries: bloc, name, members (';'-separated ISO3), as_of, source."""
    return _read("blocs.csv").copy()


def ties() -> pd.DataFrame:
    """Documented bilateral ties: a, b (ISO3), kind, source."""
    return _read("ties.csv").copy()


def age_bands() -> pd.DataFrame:
    """One row per country: iso3, pop_0_19, pop_20_64, pop_65plus (persons, 2021; they add up
    to countries.csv population), ifr_0_19, ifr_20_64, ifr_65plus (infection fatality ratio,
    fraction), age_source (wpp2024 or wpp2019).
    """
    return _read("age_bands.csv").copy()


def prior_immunity() -> pd.DataFrame:
    """One row per country: iso3, excess_2020 (excess deaths by 2021-01-04, with _low/_high
    95% bounds), ifr_population, infected_share_2020 (fraction infected before 2021, capped,
    with _low/_high), infected_share_uncapped, basis (estimate, capped, negative_excess,
    no_estimate).
    """
    return _read("prior_immunity.csv").copy()


@cache
def _excess() -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(DATA_DIR / "excess_deaths_2021.csv", comment="#", keep_default_na=False,
                       na_values=["", "NA"])


def excess_deaths() -> pd.DataFrame:
    """The Economist's cumulative excess deaths: iso3, date (weeks nearest 2021-01-01,
    2021-07-01, 2022-01-01), excess_cum, excess_cum_lo95, excess_cum_hi95 (deaths),
    reported_covid_cum (NaN where the source has none).
    """
    return _excess().copy()
