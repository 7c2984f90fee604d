"""Build sim/data/countries.csv from the raw extracts in sim/data/build/raw/.

Offline and deterministic: it reads only the small CSV files beside this script, whose
origins are listed in sim/data/SOURCES.md ("Countries" section). Run from anywhere:

    python sim/data/build/build_countries.py

Rules (each one is also written in SOURCES.md):

* Universe: the economies of the World Bank FY2022 income classification (plus Venezuela,
  unclassified in FY2022, with its FY2021 group from ``fills.csv``) that are WHO member
  states (``who_regions.csv``) or one of the territories of ``who_regions_territories.csv``.
* population: World Bank WDI SP.POP.TOTL, 2021.
* gdp_per_capita_usd: World Bank WDI NY.GDP.PCAP.CD, 2021; where 2021 is missing, the
  latest year the same extract holds, if it is 2014 or later (the year is kept in the raw
  file and listed in SOURCES.md); otherwise a value from ``fills.csv`` (named source);
  otherwise the country is left out.
* pop_65plus_share: World Bank WDI SP.POP.65UP.TO.ZS, 2021, divided by 100. A country
  without a 2021 value is left out.
* continent: country_converter's bundled table (``coco_countries.csv``); its "America" is
  split into North America (UN regions Northern America, Central America, Caribbean) and
  South America (UN region South America).

Writes countries.csv atomically (temp file, then rename) and prints what it left out.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csv_io import write_rows  # noqa: E402  (sibling module, script-runnable)

DATA = Path(__file__).resolve().parents[1]
RAW = Path(__file__).resolve().parent / "raw"

INCOME_CODES = {"HIC": "HIC", "UMC": "UMIC", "LMC": "LMIC", "LIC": "LIC"}
OLDEST_GDP_YEAR = 2014  # latest-available-year fill goes back at most to this year
COLUMNS = ["iso3", "name", "who_region", "continent", "income_group", "population",
           "gdp_per_capita_usd", "pop_65plus_share"]


def _read(name: str) -> list[dict[str, str]]:
    with open(RAW / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _by_iso(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["iso3"]: r for r in rows}


def _continent(row: dict[str, str]) -> str:
    if row["continent"] != "America":
        return row["continent"]
    return "South America" if row["un_region"] == "South America" else "North America"


def build() -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    """Return (rows of countries.csv, [(iso3, reason left out)])."""
    income = {iso: INCOME_CODES[r["group_code"]]
              for iso, r in _by_iso(_read("wb_income_fy2022.csv")).items()}
    who = {r["iso3"]: r["who_region"] for r in _read("who_regions.csv")}
    who.update({r["iso3"]: r["who_region"] for r in _read("who_regions_territories.csv")})
    pop = _by_iso(_read("wdi_population_2021.csv"))
    gdp = _by_iso(_read("wdi_gdp_per_capita.csv"))
    p65 = _by_iso(_read("wdi_pop65_share.csv"))
    coco = _by_iso(_read("coco_countries.csv"))
    fills: dict[tuple[str, str], str] = {(r["iso3"], r["column"]): r["value"]
                                         for r in _read("fills.csv")}
    for (iso, column), value in fills.items():
        if column == "income_group":
            income[iso] = value

    rows: list[dict[str, object]] = []
    left_out: list[tuple[str, str]] = []
    for iso in sorted(set(income) | set(who)):
        if iso not in income:
            left_out.append((iso, "not in the World Bank classification"))
            continue
        if iso not in who:
            left_out.append((iso, "territory without a WHO region assignment here"))
            continue
        if iso not in pop:
            left_out.append((iso, "no WDI population 2021"))
            continue
        if iso in gdp and int(gdp[iso]["year"]) >= OLDEST_GDP_YEAR:
            gdp_pc = float(gdp[iso]["gdp_per_capita_usd"])
        elif (iso, "gdp_per_capita_usd") in fills:
            gdp_pc = float(fills[(iso, "gdp_per_capita_usd")])
        else:
            left_out.append((iso, "no WDI GDP per capita since 2014 and no fill"))
            continue
        if iso not in p65 or p65[iso]["year"] != "2021":
            left_out.append((iso, "no WDI share aged 65+ for 2021"))
            continue
        rows.append({
            "iso3": iso,
            "name": coco[iso]["name"],
            "who_region": who[iso],
            "continent": _continent(coco[iso]),
            "income_group": income[iso],
            "population": int(pop[iso]["population_2021"]),
            "gdp_per_capita_usd": round(gdp_pc, 2),
            "pop_65plus_share": round(float(p65[iso]["pop_65plus_pct"]) / 100.0, 5),
        })
    return rows, left_out


def main() -> None:
    rows, left_out = build()
    write_rows(rows, DATA / "countries.csv", COLUMNS)
    total = sum(int(r["population"]) for r in rows)
    print(f"countries.csv: {len(rows)} rows, population {total / 1e9:.3f} bn")
    for group in INCOME_CODES.values():
        pop = sum(int(r["population"]) for r in rows if r["income_group"] == group)
        print(f"  {group:5s} {pop / 1e9:.3f} bn")
    for iso, reason in left_out:
        print(f"  left out {iso}: {reason}")


if __name__ == "__main__":
    main()
