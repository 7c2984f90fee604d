"""Build sim/data/observed_deaths.csv: 2021 excess deaths by income group, the death
targets of ``vaxsim calibrate``.

Offline and deterministic; reads ``sim/data/excess_deaths_2021.csv`` (The Economist's
excess-deaths model, cumulative per country) and ``sim/data/countries.csv``. For each
income group, over the countries of countries.csv that have an estimate, and for the
first half of 2021 (to the source's 2021-06-28) and the whole year (to 2022-01-03):

    value = Σ excess_cum(end) − Σ excess_cum(2021-01-04)                (central)
    low   = Σ excess_cum_lo95(end) − Σ excess_cum_lo95(2021-01-04)
    high  = Σ excess_cum_hi95(end) − Σ excess_cum_hi95(2021-01-04)

The whole-year rows are dated 2021-12-31 (the source's weeks cover 2021-01-04 to
2022-01-03, 364 days; the model counts deaths from its start, 2021-01-01, so the windows
are offset by three days), the first-half rows 2021-06-28. Regional totals of the same
file are not targets: they are the out-of-sample check.

    python sim/data/build/build_death_targets.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csv_io import read_rows, write_rows  # noqa: E402  (sibling module, script-runnable)

DATA = Path(__file__).resolve().parents[1]
GROUPS = ("HIC", "UMIC", "LMIC", "LIC")
START = "2021-01-04"
#: source date closing each window -> target date
ENDS = {"2021-06-28": "2021-06-28", "2022-01-03": "2021-12-31"}
COLUMNS = ["date", "group", "metric", "value", "low", "high", "weight", "source"]
#: Weight in the calibration loss: the whole year counts twice the first half (the year is
#: what the fit is judged by; the half year only places the waves in time).
WEIGHT = {"2021-06-28": 1.0, "2021-12-31": 2.0}
SOURCE = "Economist excess deaths, 2021-01-04 to {end}"


def build() -> list[dict[str, object]]:
    """One row per window and income group: excess deaths since 2021-01-04, central and
    95% range."""
    group = {r["iso3"]: r["income_group"] for r in read_rows(DATA / "countries.csv")}
    keys = ("excess_cum", "excess_cum_lo95", "excess_cum_hi95")
    sums = {(g, d, k): 0.0 for g in GROUPS for d in (START, *ENDS) for k in keys}
    for r in read_rows(DATA / "excess_deaths_2021.csv"):
        if r["iso3"] in group and r["date"] in (START, *ENDS):
            for k in keys:
                sums[group[r["iso3"]], r["date"], k] += float(r[k])

    def since_start(g: str, end: str, k: str) -> int:
        return round(sums[g, end, k] - sums[g, START, k])

    return [{"date": date, "group": g, "metric": "deaths",
             "value": since_start(g, end, "excess_cum"),
             "low": since_start(g, end, "excess_cum_lo95"),
             "high": since_start(g, end, "excess_cum_hi95"), "weight": WEIGHT[date],
             "source": SOURCE.format(end=end)} for end, date in ENDS.items() for g in GROUPS]


def main() -> None:
    """Write observed_deaths.csv and print it."""
    rows = build()
    write_rows(rows, DATA / "observed_deaths.csv", COLUMNS)
    for r in rows:
        print(f"{r['group']:<5} {r['value'] / 1e6:6.3f} M  [{r['low'] / 1e6:.3f}, "
              f"{r['high'] / 1e6:.3f}]")


if __name__ == "__main__":
    main()
