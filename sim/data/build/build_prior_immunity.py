"""Build sim/data/prior_immunity.csv: share of each country infected before 2021-01-01.

Offline and deterministic; reads ``sim/data/excess_deaths_2021.csv`` (The Economist's
excess-deaths model), ``sim/data/age_bands.csv`` and ``sim/data/countries.csv``. Method (also
in SOURCES.md, "Prior immunity"):

    ifr_population = sum_b pop_b ifr_b / population          (age_bands.csv, 3 bands)
    infected_share_2020 = clip(excess_2020 / (population × ifr_population), 0, CAP)

where ``excess_2020`` is the cumulative excess deaths of the model's week nearest 2021-01-01
(2021-01-04). ``infected_share_low`` / ``_high`` use the 95% bounds of the same estimate.
Negative excess (fewer deaths than expected) gives 0. Above ``CAP`` the ratio mostly
measures a fatality ratio above the age-based one (health-care access; Levin et al. 2022
found IFR in developing countries about twice that of high-income countries at the same
age), not more infections, so it is capped. Countries with no estimate get 0 and basis
``no_estimate``.

    python sim/data/build/build_prior_immunity.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csv_io import read_rows, write_rows  # noqa: E402  (sibling module, script-runnable)

DATA = Path(__file__).resolve().parents[1]
CAP = 0.5  # assumption: at most half a population infected by 2021-01-01
DATE_2020 = "2021-01-04"  # the source's weekly date nearest 2021-01-01
BANDS = ("0_19", "20_64", "65plus")
COLUMNS = ["iso3", "excess_2020", "excess_2020_low", "excess_2020_high", "ifr_population",
           "infected_share_uncapped", "infected_share_2020", "infected_share_low",
           "infected_share_high", "basis"]


def _read(name: str) -> list[dict[str, str]]:
    return read_rows(DATA / name)


def _share(deaths: float, people: float) -> float:
    return min(max(deaths / people, 0.0), CAP)


def build() -> list[dict[str, object]]:
    """Rows of prior_immunity.csv, one per country of countries.csv."""
    excess = {r["iso3"]: r for r in _read("excess_deaths_2021.csv") if r["date"] == DATE_2020}
    bands = {r["iso3"]: r for r in _read("age_bands.csv")}
    rows = []
    for c in _read("countries.csv"):
        iso, pop = c["iso3"], float(c["population"])
        b = bands[iso]
        ifr = sum(float(b[f"pop_{k}"]) * float(b[f"ifr_{k}"]) for k in BANDS) / pop
        e = excess.get(iso)
        if e is None:
            rows.append({"iso3": iso, "excess_2020": "", "excess_2020_low": "",
                         "excess_2020_high": "", "ifr_population": f"{ifr:.6g}",
                         "infected_share_uncapped": "", "infected_share_2020": 0.0,
                         "infected_share_low": 0.0, "infected_share_high": 0.0,
                         "basis": "no_estimate"})
            continue
        mid, lo, hi = (float(e[k]) for k in ("excess_cum", "excess_cum_lo95",
                                             "excess_cum_hi95"))
        raw = mid / (pop * ifr)
        basis = "negative_excess" if mid < 0 else "capped" if raw > CAP else "estimate"
        rows.append({"iso3": iso, "excess_2020": e["excess_cum"], "excess_2020_low": e["excess_cum_lo95"],
                     "excess_2020_high": e["excess_cum_hi95"], "ifr_population": f"{ifr:.6g}",
                     "infected_share_uncapped": f"{raw:.4f}",
                     "infected_share_2020": f"{_share(mid, pop * ifr):.4f}",
                     "infected_share_low": f"{_share(lo, pop * ifr):.4f}",
                     "infected_share_high": f"{_share(hi, pop * ifr):.4f}", "basis": basis})
    return rows


def main() -> None:
    """Build prior_immunity.csv and print the population-weighted share by income group."""
    rows = build()
    write_rows(rows, DATA / "prior_immunity.csv", COLUMNS)
    group = {c["iso3"]: (c["income_group"], float(c["population"]))
             for c in _read("countries.csv")}
    infected: dict[str, float] = {}
    people: dict[str, float] = {}
    for r in rows:
        g, pop = group[r["iso3"]]
        infected[g] = infected.get(g, 0.0) + float(r["infected_share_2020"]) * pop
        people[g] = people.get(g, 0.0) + pop
    print(", ".join(f"{g}: {infected[g] / people[g]:.1%}" for g in sorted(people)))
    for basis in ("capped", "negative_excess", "no_estimate"):
        print(f"{basis}:", " ".join(r["iso3"] for r in rows if r["basis"] == basis))


if __name__ == "__main__":
    main()
