"""Build sim/data/observed_deaths.csv: 2021 excess deaths by income group, the death
targets of ``vaxsim calibrate``.

Offline and deterministic; reads ``sim/data/excess_deaths_2021.csv`` (The Economist's
excess-deaths model, cumulative per country) and ``sim/data/countries.csv``. For each
income group, over the countries of countries.csv that have an estimate:

    value = Σ excess_cum(2022-01-03) − Σ excess_cum(2021-01-04)        (central)
    low   = Σ excess_cum_lo95(2022-01-03) − Σ excess_cum_lo95(2021-01-04)
    high  = Σ excess_cum_hi95(2022-01-03) − Σ excess_cum_hi95(2021-01-04)

dated 2021-12-31 (the source's weeks cover 2021-01-04 to 2022-01-03, 364 days; the model
counts deaths from its start, 2021-01-01, so the two windows are offset by three days).
Only whole-year 2021 rows are targets: the first-half totals and the regional totals of
the same file stay out of the fit as checks (tests/test_historical_deaths.py).

    python sim/data/build/build_death_targets.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csv_io import read_rows, write_rows  # noqa: E402  (sibling module, script-runnable)

DATA = Path(__file__).resolve().parents[1]
GROUPS = ("HIC", "UMIC", "LMIC", "LIC")
START, END, DATE = "2021-01-04", "2022-01-03", "2021-12-31"
COLUMNS = ["date", "group", "metric", "value", "low", "high", "source"]
SOURCE = "Economist excess deaths, 2021-01-04 to 2022-01-03"


def build() -> list[dict[str, object]]:
    """One row per income group: 2021 excess deaths, central and 95% range."""
    group = {r["iso3"]: r["income_group"] for r in read_rows(DATA / "countries.csv")}
    sums = {(g, d, k): 0.0 for g in GROUPS for d in (START, END)
            for k in ("excess_cum", "excess_cum_lo95", "excess_cum_hi95")}
    for r in read_rows(DATA / "excess_deaths_2021.csv"):
        if r["iso3"] in group and r["date"] in (START, END):
            for k in ("excess_cum", "excess_cum_lo95", "excess_cum_hi95"):
                sums[group[r["iso3"]], r["date"], k] += float(r[k])

    def year(g: str, k: str) -> int:
        return round(sums[g, END, k] - sums[g, START, k])

    return [{"date": DATE, "group": g, "metric": "deaths", "value": year(g, "excess_cum"),
             "low": year(g, "excess_cum_lo95"), "high": year(g, "excess_cum_hi95"),
             "source": SOURCE} for g in GROUPS]


def main() -> None:
    """Write observed_deaths.csv and print it."""
    rows = build()
    write_rows(rows, DATA / "observed_deaths.csv", COLUMNS)
    for r in rows:
        print(f"{r['group']:<5} {r['value'] / 1e6:6.3f} M  [{r['low'] / 1e6:.3f}, "
              f"{r['high'] / 1e6:.3f}]")


if __name__ == "__main__":
    main()
