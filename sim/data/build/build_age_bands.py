"""Build sim/data/age_bands.csv: population and infection fatality ratio by age band.

Three bands per country: 0-19, 20-64 and 65+. Offline and deterministic: it reads only the
raw extracts beside this script (origins in sim/data/SOURCES.md, "Age bands"):

* ``raw/wpp2024_population_by_age.csv`` — UN World Population Prospects 2024 (medium
  variant), both sexes, 5-year age groups 0-4 … 100+, for 2020 and 2030, as shipped in the
  ``starsim-data`` 2.0.0 wheel (``demographics-2024.h5``);
* ``raw/wpp2019_population_by_age_2020.csv`` — UN WPP 2019 estimates for 2020, both sexes,
  the same age groups (fallback for the ten countries the 2024 extract lacks, and the
  cross-check of ``tests/data/test_age_bands.py``);
* ``raw/odriscoll_ifr_by_age.csv`` — O'Driscoll et al. 2021 (Nature 590:140), ensemble
  age-specific IFR in percent, 5-year groups to 80+ (mean of the male and female medians).

Method (also in SOURCES.md):

1. Age distribution in 2021: for each 5-year group ``g``, ``n_g(2021) = 0.9 n_g(2020) +
   0.1 n_g(2030)`` from WPP 2024 (linear interpolation between its snapshots); where WPP 2024
   is missing, WPP 2019's 2020 estimate.
2. Band populations: the band's share of the distribution times the World Bank 2021 total
   population of ``countries.csv``, so the three bands add up to the population the model
   already uses (rounded to whole persons; the rounding remainder goes to 20-64).
3. Band IFR: the population-weighted mean of O'Driscoll's group IFRs over the band's 5-year
   groups, ``ifr_b = sum_{g in b} n_g ifr_g / sum_{g in b} n_g``; every group from 80-84 to
   100+ takes O'Driscoll's 80+ value.

Regenerate the WPP 2024 extract from the wheel (needs h5py; not a vaxsim dependency)::

    python sim/data/build/build_age_bands.py --extract-wpp2024 path/to/demographics-2024.h5

Then build (standard library only)::

    python sim/data/build/build_age_bands.py
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csv_io import read_rows, write_rows  # noqa: E402  (sibling module, script-runnable)

DATA = Path(__file__).resolve().parents[1]
RAW = Path(__file__).resolve().parent / "raw"

#: 5-year age groups of both WPP extracts (lower bounds; the last is open, 100+).
GROUPS = [f"{a}_{a + 4}" for a in range(0, 100, 5)] + ["100plus"]
#: Age bands: name -> lower bounds of the 5-year groups they hold.
BANDS = {"0_19": range(0, 20, 5), "20_64": range(20, 65, 5), "65plus": range(65, 105, 5)}
INTERP_2021 = 0.1  # weight of the 2030 snapshot in the 2021 interpolation
COLUMNS = (["iso3", "pop_0_19", "pop_20_64", "pop_65plus", "ifr_0_19", "ifr_20_64",
            "ifr_65plus", "age_source"])


def _group_of(lower: int) -> str:
    return "100plus" if lower >= 100 else f"{lower}_{lower + 4}"


def wpp2024_2021() -> dict[str, list[float]]:
    """iso3 -> persons in each of the 21 groups in 2021 (WPP 2024, interpolated)."""
    snap: dict[tuple[str, int], list[float]] = {}
    for r in read_rows(RAW / "wpp2024_population_by_age.csv"):
        snap[r["iso3"], int(r["year"])] = [float(r[g]) for g in GROUPS]
    out = {}
    for iso, year in snap:
        if year == 2020:
            a, b = snap[iso, 2020], snap[iso, 2030]
            out[iso] = [(1 - INTERP_2021) * x + INTERP_2021 * y for x, y in zip(a, b)]
    return out


def wpp2019_2020() -> dict[str, list[float]]:
    """iso3 -> persons (thousands) in each of the 21 groups in 2020 (WPP 2019 estimates)."""
    return {r["iso3"]: [float(r[g]) for g in GROUPS]
            for r in read_rows(RAW / "wpp2019_population_by_age_2020.csv")}


def odriscoll_ifr() -> dict[str, float]:
    """5-year group -> IFR (fraction); 80+ applied to every group from 80-84 up."""
    rows = {r["age_group"]: float(r["ifr_percent"]) / 100.0
            for r in read_rows(RAW / "odriscoll_ifr_by_age.csv")}
    return {_group_of(a): rows["80+" if a >= 80 else f"{a}-{a + 4}"] for a in range(0, 105, 5)}


def band_table(dist: list[float], ifr: dict[str, float]) -> dict[str, tuple[float, float]]:
    """band -> (share of the population, population-weighted IFR) for one distribution."""
    total = sum(dist)
    by_group = dict(zip(GROUPS, dist))
    out = {}
    for band, lowers in BANDS.items():
        groups = [_group_of(a) for a in lowers]
        n = sum(by_group[g] for g in groups)
        out[band] = (n / total, sum(by_group[g] * ifr[g] for g in groups) / n)
    return out


def build() -> list[dict[str, object]]:
    """Rows of age_bands.csv, one per country of countries.csv."""
    primary, fallback, ifr = wpp2024_2021(), wpp2019_2020(), odriscoll_ifr()
    rows = []
    for c in read_rows(DATA / "countries.csv"):
        iso, pop = c["iso3"], int(c["population"])
        if iso in primary:
            dist, source = primary[iso], "wpp2024"
        elif iso in fallback:
            dist, source = fallback[iso], "wpp2019"
        else:
            raise SystemExit(f"{iso}: no age distribution in either WPP extract")
        table = band_table(dist, ifr)
        young = round(pop * table["0_19"][0])
        old = round(pop * table["65plus"][0])
        rows.append({"iso3": iso, "pop_0_19": young, "pop_20_64": pop - young - old,
                     "pop_65plus": old,
                     **{f"ifr_{b}": f"{table[b][1]:.6g}" for b in BANDS},
                     "age_source": source})
    return rows


def extract_wpp2024(h5_path: Path) -> None:
    """Write raw/wpp2024_population_by_age.csv from starsim-data's demographics-2024.h5."""
    import h5py  # only for regenerating the raw extract

    locations = read_rows(h5_path.parent / "locations.csv")
    iso_of = {r["location"].replace(" ", "_").replace("'", ""): r["iso3"]
              for r in locations if r["level"] == "0"}
    with h5py.File(h5_path, "r") as f:
        spec = json.loads(f["population"].attrs["spec"])
        years = spec["years"]
        out = []
        for name in sorted(f["population"]):
            persons = f["population"][name][...].sum(axis=1)  # (year, age): both sexes
            for year in (2020, 2030):
                out.append({"iso3": iso_of[name], "year": year,
                            **{g: round(float(v)) for g, v in
                               zip(GROUPS, persons[years.index(year)])}})
    out.sort(key=lambda r: (r["iso3"], r["year"]))
    write_rows(out, RAW / "wpp2024_population_by_age.csv", ["iso3", "year", *GROUPS])


def extract_wpp2019(csv_path: Path, coco_tsv: Path) -> None:
    """Write raw/wpp2019_population_by_age_2020.csv from WPP 2019's F07_1 table (CSV export).

    Rows of type "Country/Area", estimates for 2020, thousands of persons as printed (the
    table's space thousands separator removed); UN M49 codes mapped to ISO3 with
    country_converter's ``country_data.tsv`` (ISOnumeric column).
    """
    with open(coco_tsv, encoding="utf-8") as f:
        coco = list(csv.DictReader(f, delimiter="\t"))
    iso_of = {int(r["ISOnumeric"]): r["ISO3"] for r in coco if r["ISOnumeric"].isdigit()}
    labels = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
              "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89",
              "90-94", "95-99", "100+"]
    out = []
    for r in read_rows(csv_path):
        if r["Type"] != "Country/Area" or r["Reference date (as of 1 July)"] != "2020":
            continue
        code = int(r["Country code"])
        if code not in iso_of:
            continue
        out.append({"iso3": iso_of[code], "name": r["Region, subregion, country or area *"],
                    **{g: r[lab].replace(" ", "").replace("\u00a0", "")
                       for g, lab in zip(GROUPS, labels)}})
    out.sort(key=lambda r: r["iso3"])
    write_rows(out, RAW / "wpp2019_population_by_age_2020.csv", ["iso3", "name", *GROUPS])


def main() -> None:
    """Build age_bands.csv (or regenerate the WPP 2024 raw extract) and print totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract-wpp2024", type=Path, metavar="H5",
                        help="regenerate the raw WPP 2024 extract from demographics-2024.h5")
    parser.add_argument("--extract-wpp2019", type=Path, nargs=2, metavar=("CSV", "COCO_TSV"),
                        help="regenerate the raw WPP 2019 extract from the F07_1 CSV export "
                             "and country_converter's country_data.tsv")
    args = parser.parse_args()
    if args.extract_wpp2019:
        extract_wpp2019(*args.extract_wpp2019)
        return
    if args.extract_wpp2024:
        extract_wpp2024(args.extract_wpp2024)
        return
    rows = build()
    write_rows(rows, DATA / "age_bands.csv", COLUMNS)
    pop = {b: sum(int(r[f"pop_{b}"]) for r in rows) for b in BANDS}
    total = sum(pop.values())
    print(f"{len(rows)} countries, {total / 1e9:.3f} bn people; "
          + ", ".join(f"{b}: {p / total:.1%}" for b, p in pop.items()))
    print("from WPP 2019:", ", ".join(r["iso3"] for r in rows if r["age_source"] == "wpp2019"))


if __name__ == "__main__":
    main()
