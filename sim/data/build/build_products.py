"""Build sim/data/products.csv and sim/data/product_mix.csv.

Every number is quoted from a source named in sim/data/SOURCES.md, section "Products" (the
comment gives the short key), or derived by the arithmetic written here; a derived value
is an **estimate** and SOURCES.md says how it was made. Run from anywhere:

    python sim/data/build/build_products.py

Writes the two CSV files atomically next to this folder's parent.
"""

from __future__ import annotations

from pathlib import Path

from csv_io import write_rows

DATA = Path(__file__).resolve().parents[1]

COMIRNATY = "Pfizer-BioNTech Comirnaty"
SPIKEVAX = "Moderna Spikevax"
CHADOX1 = "Oxford-AstraZeneca ChAdOx1 (Vaxzevria/Covishield)"
JANSSEN = "Janssen Ad26.COV2.S"
CORONAVAC = "Sinovac CoronaVac"
BBIBP = "Sinopharm BBIBP"
CANSINO = "CanSino Ad5-nCoV"
COVAXIN = "Bharat Covaxin"
SPUTNIK = "Gamaleya Sputnik V"
NOVAVAX = "Novavax NVX-CoV2373 (Nuvaxovid/Covovax)"

# product: platform, doses per course, price (US$/dose), shelf life (days)   [KDCA/PMC, FACTS]
PLATFORM = {
    COMIRNATY: ("mRNA", 2, 19.50, 180),
    SPIKEVAX: ("mRNA", 2, 15.00, 210),
    CHADOX1: ("viral_vector", 2, 4.00, 180),
    JANSSEN: ("viral_vector", 1, 10.00, 90),
    CORONAVAC: ("inactivated", 2, 10.00, 365),
    BBIBP: ("inactivated", 2, 12.50, 730),
    CANSINO: ("viral_vector", 1, 12.50, 365),
    COVAXIN: ("inactivated", 2, 12.50, 180),
    SPUTNIK: ("viral_vector", 2, 12.50, 180),
    NOVAVAX: ("protein_subunit", 2, 12.50, 180),
}

# Protection of a full primary course (two doses, or one of a one-dose product) against
# [infection, death] by variant class: (ancestral/Alpha, Delta, Omicron).
# Sourced values (key in SOURCES.md "Products"):
SOURCED = {
    COMIRNATY: {"inf": (0.95, 0.88, 0.655), "death": (0.967, 0.96, 0.907)},
    # inf: FACTS (trial), LB21 (Delta), AND22 (Omicron, 2-4 weeks); death: HAAS21,
    # STOWE21 (Delta, hospitalisation), EMI22 (Omicron BA.2, aged 65+)
    SPIKEVAX: {"inf": (0.941, None, 0.751), "death": (None, None, None)},  # BADEN21, AND22
    CHADOX1: {"inf": (0.70, 0.67, 0.489), "death": (None, 0.92, None)},  # FACTS, LB21, AND22;
    # STOWE21
    JANSSEN: {"inf": (0.66, None, None), "death": (None, None, None)},  # FACTS
    CORONAVAC: {"inf": (0.659, None, None), "death": (0.863, None, 0.748)},  # JARA21, EMI22
    BBIBP: {"inf": (0.781, None, None), "death": (None, None, None)},  # ALKAABI21
    CANSINO: {"inf": (0.65, None, None), "death": (None, None, None)},  # FACTS
    COVAXIN: {"inf": (0.778, 0.652, None), "death": (None, None, None)},  # ELLA21
    SPUTNIK: {"inf": (0.92, None, None), "death": (None, None, None)},  # PMC9047600
    NOVAVAX: {"inf": (0.896, None, None), "death": (None, None, None)},  # HEATH21
}

#: Estimates: a missing value takes its platform's reference product's ratio to that
#: product's ancestral value (mRNA and protein: Comirnaty; vector: ChAdOx1, against death
#: Comirnaty's; inactivated: CoronaVac, for Delta Comirnaty's); a missing ancestral
#: protection against death is max(0.90, against infection) [FACTS: "about 90% for most
#: platforms"].
REFERENCE = {"mRNA": COMIRNATY, "protein_subunit": COMIRNATY, "viral_vector": CHADOX1,
             "inactivated": CORONAVAC}


def _ratio(product: str, kind: str, c: int) -> float:
    """Ratio of a reference product's protection against variant class c to ancestral."""
    v = SOURCED[product][kind]
    if v[c] is None:
        return _ratio(COMIRNATY, kind, c)
    return v[c] / (v[0] if v[0] is not None else max(0.90, SOURCED[product]["inf"][0]))


def protection(product: str) -> dict[str, tuple[float, float, float]]:
    """[infection, death] protection by variant class, sourced or estimated."""
    platform = PLATFORM[product][0]
    ref = REFERENCE[platform]
    out = {}
    for kind in ("inf", "death"):
        v = list(SOURCED[product][kind])
        if v[0] is None:
            v[0] = max(0.90, SOURCED[product]["inf"][0])
        for c in (1, 2):
            if v[c] is None:
                r = ref if SOURCED[ref][kind][c] is not None else COMIRNATY
                if kind == "death" and platform == "viral_vector" and c == 2:
                    r = COMIRNATY
                v[c] = round(v[0] * _ratio(r, kind, c), 3)
        out[kind] = (v[0], v[1], v[2])
    return out


# Share of each producer's 2021 output by product (product_mix.csv), as production.csv
# counts doses (a one-dose product's dose twice), with the basis of each row: "sourced"
# (a cited split), "single" (the producer made one product) or "estimate" (a hand split,
# made as SOURCES.md, "product_mix.csv", says: company 2021 totals shared over the plants).
MIX = {
    "CHN": ({CORONAVAC: 0.51, BBIBP: 0.47, CANSINO: 0.02}, "estimate", "UNICEF22"),
    "IND": ({CHADOX1: 0.883, COVAXIN: 0.117}, "sourced", "FE1117"),
    "EU": ({COMIRNATY: 0.65, SPIKEVAX: 0.15, CHADOX1: 0.12, JANSSEN: 0.08}, "estimate",
           "UNICEF22; MODERNA-2021; AXIOS-2110"),
    "USA": ({COMIRNATY: 0.55, SPIKEVAX: 0.35, JANSSEN: 0.10}, "estimate",
            "UNICEF22; MODERNA-2021; AXIOS-2110"),
    "RUS": ({SPUTNIK: 1.0}, "single", "producers.csv"),
    "KOR": ({CHADOX1: 0.5, SPIKEVAX: 0.5}, "estimate", "producers.csv; equal split assumed"),
    "ZAF": ({JANSSEN: 1.0}, "single", "producers.csv"),
    "BRA": ({CHADOX1: 1.0}, "single", "producers.csv"),
    "AUS": ({CHADOX1: 1.0}, "single", "producers.csv"),
}

PRODUCT_COLUMNS = [
    "product", "platform", "doses_per_course", "efficacy_infection", "efficacy_death",
    "price_usd", "shelf_life_days", "infection_delta", "infection_omicron", "death_delta",
    "death_omicron",
]


def main() -> None:
    rows: list[dict[str, object]] = []
    for name, (platform, course, price, shelf) in PLATFORM.items():
        p = protection(name)
        rows.append({"product": name, "platform": platform, "doses_per_course": course,
                     "efficacy_infection": p["inf"][0], "efficacy_death": p["death"][0],
                     "price_usd": price, "shelf_life_days": shelf,
                     "infection_delta": p["inf"][1], "infection_omicron": p["inf"][2],
                     "death_delta": p["death"][1], "death_omicron": p["death"][2]})
    write_rows(rows, DATA / "products.csv", PRODUCT_COLUMNS)
    mix = [{"producer": p, "product": q, "share": s, "basis": basis, "source": source}
           for p, (m, basis, source) in MIX.items() for q, s in m.items()]
    write_rows(mix, DATA / "product_mix.csv",
               ["producer", "product", "share", "basis", "source"])


if __name__ == "__main__":
    main()
