"""Build sim/data/producers.csv and production.csv (products: build_products.py).

Every number below is either quoted from a source named in
sim/data/SOURCES.md, section "Production" (the comment gives the short key) or derived from
such numbers by the arithmetic written here. Run from anywhere:

    python sim/data/build/build_production.py

Writes the two CSV files atomically next to this folder's parent.
"""

from __future__ import annotations

import calendar
import csv
import os
import tempfile
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
M = 1e6

MONTHS_2021 = [f"2021-{m:02d}" for m in range(1, 13)]
MONTHS_2022 = [f"2022-{m:02d}" for m in range(1, 13)]

EU27 = (
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX "
    "MLT NLD POL PRT ROU SVK SVN ESP SWE"
).split()

# ---------------------------------------------------------------- products
# Products (platform, course, price, shelf life, protection) are built by build_products.py.
from build_products import (  # noqa: E402
    BBIBP,
    CANSINO,
    CHADOX1,
    COMIRNATY,
    CORONAVAC,
    COVAXIN,
    JANSSEN,
    SPIKEVAX,
    SPUTNIK,
)
from build_products import PLATFORM as PRODUCTS  # noqa: E402

# ---------------------------------------------------------------- producers
PRODUCERS = [
    ("CHN", "China", ["CHN"], [CORONAVAC, BBIBP, CANSINO]),
    ("IND", "India", ["IND"], [CHADOX1, COVAXIN]),
    ("EU", "European Union", EU27, [COMIRNATY, SPIKEVAX, CHADOX1, JANSSEN]),
    ("USA", "United States", ["USA"], [COMIRNATY, SPIKEVAX, JANSSEN]),
    ("RUS", "Russian Federation", ["RUS"], [SPUTNIK]),
    ("KOR", "Republic of Korea", ["KOR"], [CHADOX1, SPIKEVAX]),
    ("ZAF", "South Africa", ["ZAF"], [JANSSEN]),
    ("BRA", "Brazil (Fiocruz only)", ["BRA"], [CHADOX1]),
    ("AUS", "Australia", ["AUS"], [CHADOX1]),
]

# ------------------------------------------------- 2021 annual totals (doses)
# WTO-IMF tracker, total supply by producing economy, as of 2021-12-31 [WTO21]
TRACKER_2021 = {
    "EU": 2677.0 * M,
    "USA": 1117.0 * M,
    "RUS": 253.5 * M,
    "KOR": 189.7 * M,
    "ZAF": 82.3 * M,
    # approx. from the tracker's cumulative shares [FACTS]: China 43.5% and
    # India 14.9% of 11.5 bn (EU cum. 66.8% - 23.3% = 43.5%; US cum. 91.4% -
    # 9.7% = 81.7%, minus EU cum. 66.8% = 14.9%)
    "CHN": 0.435 * 11500 * M,
    "IND": 0.149 * 11500 * M,
}
WORLD_2021 = 11500 * M  # [WTO21]

# ------------------------------------------- 2021 monthly shapes (raw, M doses)
# Airfinity data as published by the Global Commission for Post-Pandemic Policy
# monthly notes [GCPPP-04..GCPPP-12, GCPPP-2201]; Jan-Feb from Airfinity's
# cumulative-to-2021-03-03 figures [AF0303] spread evenly over the 62 days
# 2021-01-01..03-03 (31/62 and 28/62 of it, the 3 March days ignored);
# March = mean of February and April unless a March figure is cited.


def _janfeb(cum_0303: float) -> tuple[float, float]:
    return cum_0303 * 31 / 62, cum_0303 * 28 / 62


_w_jan, _w_feb = _janfeb(413.0)            # world 413 M by 2021-03-03 [AF0303]
WORLD_RAW_2021 = [
    _w_jan, _w_feb, (_w_feb + 420.0) / 2,  # Mar = mean(Feb, Apr)
    420.0,    # Apr (to 26 Apr) [GCPPP-05]
    822.0,    # May [GCPPP-05]
    1220.0,   # Jun ">1.22 bn" [GCPPP-06]
    1120.0,   # Jul "<1.12 bn" [GCPPP-07]
    366.0 / 0.29,  # Aug: Sinovac 366 M = "nearly 29%" of total [GCPPP-08]
    1580.0,   # Sep "nearly 1.58 bn" [GCPPP-09]
    1430.0,   # Oct [GCPPP-10]
    990.0,    # Nov "just below one billion" [GCPPP-11] (0.99 bn taken)
    1590.0,   # Dec 1.59 bn [GCPPP-2201]
]

_c_jan, _c_feb = _janfeb(141.6)            # China 141.6 M by 03-03 [AF0303]

# China Sep/Oct are not published; derived from the world totals. With others
# (all producers but CHN, EU, IND, USA) assumed equal in Sep and Oct (= o):
#   Sep: 1580  = CHN_sep + EU_sep + IND_sep + USA_sep + o
#   Oct: 1430  = 0.6 * CHN_sep + EU_oct + IND_oct + USA_oct + o   (China "fell back by 40%")
_EU_SEP, _EU_OCT = 369.0 / 1.345, 369.0                 # [GCPPP-10]
_IND_SEP, _IND_OCT = 130.0 * 1.65, 130.0 * 1.65 * 1.35  # [GCPPP-08..10]
_US_SEP, _US_OCT = 154.0 * 0.53, 79.8                   # [GCPPP-09, GCPPP-10]
_A = 1580.0 - _EU_SEP - _IND_SEP - _US_SEP              # = CHN_sep + o
_B = 1430.0 - _EU_OCT - _IND_OCT - _US_OCT              # = 0.6 CHN_sep + o
CHN_SEP = (_A - _B) / 0.4
OTHERS_SEP_OCT = _A - CHN_SEP
# Nov: "China and India neck and neck", "EU close behind" (taken as 0.9x), "US
# about half" (0.5x), others unchanged: 990 = c * (1 + 1 + 0.9 + 0.5) + o
NOV_C = (990.0 - OTHERS_SEP_OCT) / 3.4

CHN_RAW_2021 = [
    _c_jan, _c_feb, (_c_feb + 164.0) / 2,
    164.0,            # Apr [GCPPP-05]
    454.0,            # May [GCPPP-05]
    0.60 * 1220.0,    # Jun: "almost 60%" of 1.22 bn [GCPPP-06]
    0.48 * 1120.0,    # Jul: 48% of 1.12 bn [GCPPP-07]
    0.49 * (366.0 / 0.29),  # Aug: "almost 50%" of world [GCPPP-08]
    CHN_SEP,          # Sep: derived, see above
    0.6 * CHN_SEP,    # Oct: derived, see above
    NOV_C,            # Nov: derived, see above [GCPPP-11]
    665.8,            # Dec [GCPPP-2201]
]

_e_jan, _e_feb = _janfeb(70.5)  # Germany+Belgium 70.5 M by 03-03 [AF0303]
EU_RAW_2021 = [
    _e_jan, _e_feb, (_e_feb + 69.0) / 2,
    69.0,               # Apr [GCPPP-05]
    140.0,              # May [GCPPP-05]
    214.0,              # Jun [GCPPP-06]
    271.6,              # Jul [GCPPP-07]
    271.6 * 0.70,       # Aug: "30% fall" [GCPPP-08]
    _EU_SEP,            # Sep: Oct 369 M was "up 34.5%" [GCPPP-10]
    _EU_OCT,            # Oct [GCPPP-10]
    0.9 * NOV_C,        # Nov: "close behind" China/India -> 0.9x (estimate) [GCPPP-11]
    432.9,              # Dec [GCPPP-2201]
]

_u_jan, _u_feb = _janfeb(103.0)  # USA 103 M by 03-03 [AF0303]
USA_RAW_2021 = [
    _u_jan, _u_feb,
    132.0,              # Mar: US makers' March output 132 M (WSJ via Daily Beast) [DB0321]
    71.0,               # Apr [GCPPP-05]
    105.0,              # May [GCPPP-05]
    39.0,               # Jun [GCPPP-06]
    80.7,               # Jul [GCPPP-07]
    154.0,              # Aug [GCPPP-08]
    154.0 * 0.53,       # Sep: "47% lower than August" [GCPPP-09]
    79.8,               # Oct [GCPPP-10]
    0.5 * NOV_C,        # Nov: "about half" the top three (estimate) [GCPPP-11]
    144.8,              # Dec [GCPPP-2201]
]

_i_jan, _i_feb = _janfeb(42.4)  # India 42.4 M by 03-03 [AF0303]
IND_RAW_2021 = [
    _i_jan, _i_feb, (_i_feb + 76.0) / 2,
    76.0,               # Apr [GCPPP-05]
    62.6,               # May [GCPPP-05]
    120.0,              # Jun [GCPPP-06]
    136.1,              # Jul [GCPPP-07]
    130.0,              # Aug: Serum Institute alone 130 M (lower bound) [GCPPP-08]
    130.0 * 1.65,       # Sep: "65% rise" [GCPPP-09]
    130.0 * 1.65 * 1.35,  # Oct: "up 35% on September" [GCPPP-10]
    NOV_C,              # Nov: = China, derived (see CHN) [GCPPP-11]
    195.9,              # Dec: not published; Jan-2022 level (145.9 + 50) used,
                        # Jan 2022 being "a healthy increase" [GCPPP-2201]
]


def _cum_interp(anchors: list[tuple[date, float]], months: list[str]) -> list[float]:
    """Monthly increments of a cumulative series linear in time between anchors
    (flat before the first and after the last anchor)."""

    def cum(d: date) -> float:
        if d <= anchors[0][0]:
            return anchors[0][1]
        for (d0, v0), (d1, v1) in zip(anchors, anchors[1:]):
            if d <= d1:
                return v0 + (v1 - v0) * (d - d0).days / (d1 - d0).days
        return anchors[-1][1]

    out = []
    for ym in months:
        y, m = int(ym[:4]), int(ym[5:])
        start = date(y, m, 1)
        end = date(y + (m == 12), m % 12 + 1, 1)
        out.append(cum(end) - cum(start))
    return out


# Russia: planned/reported cumulative output [RU-GOL, RU-MAN]
RUS_RAW_2021 = _cum_interp(
    [
        (date(2021, 1, 1), 0.0),
        (date(2021, 4, 1), 30.5),    # Golikova: 30.5 M by end of Q1 (plan)
        (date(2021, 7, 1), 88.0),    # Golikova: 88 M in H1 (plan)
        (date(2021, 10, 1), 170.0),  # Manturov: ~170 M Jan..Oct 1
        (date(2022, 1, 1), 320.0),   # Manturov: ~150 M more planned by year end
    ],
    MONTHS_2021,
)

# Brazil, Fiocruz/Bio-Manguinhos AstraZeneca doses processed locally [FIO-*]
BRA_2021 = [
    x * M
    for x in _cum_interp(
        [
            (date(2021, 3, 15), 0.0),     # local production began in March 2021
            (date(2021, 7, 23), 74.2),    # 78.2 delivered, 74.2 processed locally
            (date(2021, 9, 24), 97.0),    # ~101 delivered minus 4 imported (SII)
            (date(2021, 10, 29), 117.0),  # 121 delivered minus 4 imported
            (date(2021, 12, 20), 159.5),  # + 42.5 M promised "until December 20"
        ],
        MONTHS_2021,
    )
]

# Australia, CSL: 3.33 M released or in final testing on 2021-03-24, then an
# average of one million doses a week [CSL-0324, ABC]
AUS_2021 = [0.0, 0.0, 3.33 * M] + [
    calendar.monthrange(2021, m)[1] / 7 * M for m in range(4, 13)
]


def _scaled(raw: list[float], total: float) -> list[float]:
    s = sum(raw)
    return [x / s * total for x in raw]


def production_2021() -> dict[str, list[float]]:
    out = {
        "CHN": _scaled(CHN_RAW_2021, TRACKER_2021["CHN"]),
        "IND": _scaled(IND_RAW_2021, TRACKER_2021["IND"]),
        "EU": _scaled(EU_RAW_2021, TRACKER_2021["EU"]),
        "USA": _scaled(USA_RAW_2021, TRACKER_2021["USA"]),
        "RUS": _scaled(RUS_RAW_2021, TRACKER_2021["RUS"]),
        # no monthly series found: world shape [estimate]
        "KOR": _scaled(WORLD_RAW_2021, TRACKER_2021["KOR"]),
        "ZAF": _scaled(WORLD_RAW_2021, TRACKER_2021["ZAF"]),
        "BRA": BRA_2021,
        "AUS": AUS_2021,
    }
    return out


# --------------------------------------------------------------------- 2022
def world_2022() -> list[float]:
    """World monthly production 2022 (doses).

    Jan: 729.6 M [GCPPP-2201]. Cumulative production (Airfinity family):
    10.9 bn at 2021-12-31 [GCPPP-12] + 0.7296 = 11.6296 bn at 2022-01-31;
    "almost 12.0 bn" at 2022-02-24 [PHRMA]; "about 13 bn" at 2022-04-09 [SCMP].
    From 2022-04-09 production is taken equal to doses administered (OWID):
    11.79 M/day to 2022-04-23 [OWID-0423]; (12.09 - 11.45) bn over 2022-04-23..
    2022-07-04 [OWID-0423, OWID-0704]; 5.74 M/day from 2022-07-04 to the end
    of 2022 [OWID-0704].
    """
    d_apr9 = date(2022, 4, 9)
    d_apr23 = date(2022, 4, 23)
    d_jul4 = date(2022, 7, 4)
    d_end = date(2023, 1, 1)
    c_apr9 = 13.0e3
    c_apr23 = c_apr9 + 11.79 * (d_apr23 - d_apr9).days
    c_jul4 = c_apr23 + (12090.0 - 11450.0)
    c_end = c_jul4 + 5.74 * (d_end - d_jul4).days
    anchors = [
        (date(2022, 1, 1), 10900.0),
        (date(2022, 2, 1), 10900.0 + 729.6),
        (date(2022, 2, 24), 12000.0),
        (d_apr9, c_apr9),
        (d_apr23, c_apr23),
        (d_jul4, c_jul4),
        (d_end, c_end),
    ]
    return [x * M for x in _cum_interp(anchors, MONTHS_2022)]


def production_2022(p2021: dict[str, list[float]]) -> dict[str, list[float]]:
    world = world_2022()
    out: dict[str, list[float]] = {}
    jan_big4 = {"CHN": 45.0, "EU": 235.0, "IND": 145.9 + 50.0, "USA": 148.0}  # [GCPPP-2201]
    rest_jan = 729.6 - sum(jan_big4.values())
    rest_2021 = WORLD_2021 / M - sum(TRACKER_2021[k] / M for k in jan_big4)
    for code, series in p2021.items():
        total21 = sum(series)
        share = total21 / WORLD_2021
        if code in jan_big4:
            jan = jan_big4[code] * M
        else:
            jan = rest_jan * (total21 / M) / rest_2021 * M
        months = [jan] + [share * w for w in world[1:]]
        if code == "ZAF":  # Aspen lines idle from April 2022 [FT0501]
            months = months[:3] + [0.0] * 9
        if code == "AUS":  # CSL AstraZeneca production wound down [ABC] (estimate)
            months = [0.0] * 12
        out[code] = months
    return out


# ------------------------------------------------------------------ writing
def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def main() -> None:
    p21 = production_2021()
    p22 = production_2022(p21)

    _write_csv(
        DATA / "producers.csv",
        ["producer", "name", "home", "products", "platforms"],
        [
            [
                code,
                name,
                ";".join(home),
                ";".join(prods),
                ";".join(sorted({PRODUCTS[p][0] for p in prods})),
            ]
            for code, name, home, prods in PRODUCERS
        ],
    )

    rows = []
    for code, *_ in PRODUCERS:
        for ym, v in zip(MONTHS_2021 + MONTHS_2022, p21[code] + p22[code]):
            rows.append([code, ym, f"{v:.1f}"])
    _write_csv(DATA / "production.csv", ["producer", "month", "doses"], rows)

    for code, *_ in PRODUCERS:
        print(f"{code:4s} 2021 {sum(p21[code]) / 1e9:6.3f} bn   2022 {sum(p22[code]) / 1e9:6.3f} bn")
    w21 = sum(sum(v) for v in p21.values())
    w22 = sum(sum(v) for v in p22.values())
    dec = sum(v[11] for v in p21.values())
    print(f"all  2021 {w21 / 1e9:6.3f} bn   2022 {w22 / 1e9:6.3f} bn   Dec-2021 {dec / 1e9:.3f} bn")
    print("world 2022 (all producers, incl. unlisted):", f"{sum(world_2022()) / 1e9:.3f} bn")


if __name__ == "__main__":
    main()
