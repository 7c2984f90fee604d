"""The ``vaccination`` section of a scenario: who gets doses first, when children become
eligible, and boosters (dated eligibility, uptake, and restraint in some groups).

All of it acts inside the dose engine (:mod:`sim.engine.uptake`): boosters draw on the same
country stock as first and completing doses, so a booster given is a first dose not given.
Age bands are ``0_19``, ``20_64`` and ``65plus``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from sim.scenario.types import Share, Strict, count

BANDS = ("0_19", "20_64", "65plus")
Band = Literal["0_19", "20_64", "65plus"]
Priority = Literal["oldest_first", "uniform"]


def _children_from() -> dict[str, dt.date | None]:
    # Adolescents first became eligible in May-June 2021 in most high-income countries
    # (FDA 12-15 EUA 2021-05-10; EMA 2021-05-28); China vaccinated 12-17 from July 2021
    # and 3-11 from late October 2021; most LMIC/LIC programmes had not reached children
    # by the end of 2021 (WHO SAGE roadmap, Jan 2022, ranks children lowest priority).
    # Model assumption: the whole 0-19 band opens on these dates.
    return {"HIC": dt.date(2021, 6, 1), "UMIC": dt.date(2021, 10, 1),
            "CHN": dt.date(2021, 7, 15),
            "LMIC": dt.date(2022, 3, 1), "LIC": dt.date(2022, 6, 1)}


def _booster_start() -> dict[str, dt.date | None]:
    # Israel from 2021-07-30, the UK from 2021-09-16, the US from 2021-09-22, most of the
    # EU in autumn 2021; China from October 2021 (Our World in Data booster series).
    # Lower-income groups: model assumption (few boosters before 2022).
    return {"HIC": dt.date(2021, 9, 15), "UMIC": dt.date(2021, 11, 1),
            "LMIC": dt.date(2022, 1, 1), "LIC": dt.date(2022, 3, 1)}


class Restraint(Strict):
    """Delay boosters for some age bands in some countries (the doses stay in stock, where
    the donation and pool rules can give them away).
    """

    countries: list[str] = Field(
        default_factory=list, description="ISO3 codes or group codes (HIC, EUR, ...) that "
        "hold back")
    bands: list[Band] = Field(default_factory=lambda: ["0_19", "20_64"],  # type: ignore[arg-type]
                              description="bands whose boosters are delayed")
    until: dt.date = Field(dt.date(2022, 3, 1), description="first day they may be boosted")


class Boosters(Strict):
    """Booster eligibility and demand."""

    start: dict[str, dt.date | None] = Field(
        default_factory=_booster_start,
        description="first booster day by income group / region / ISO3 (null: never)")
    interval_days: count(28, 730) = Field(
        182, description="days after a completed course before a booster (6 months: the "
        "UK's JCVI and US CDC advice of autumn 2021)")
    uptake: Share = Field(0.8, description="share of people with a course who take a "
                          "booster when eligible (estimate)")
    restraint: Restraint = Field(default_factory=Restraint)


class Vaccination(Strict):
    """Who is vaccinated first, children's eligibility and boosters."""

    priority: Priority = Field(
        "oldest_first", description="oldest_first: 65+, then 20-64, then 0-19; uniform: "
        "in proportion to the eligible willing in each band")
    priority_countries: dict[str, Priority] = Field(
        default_factory=dict, description="per group code or ISO3")
    children_from: dict[str, dt.date | None] = Field(
        default_factory=_children_from,
        description="first day the 0-19 band is eligible, by group code or ISO3 (null: "
        "never)")
    boosters: Boosters = Field(default_factory=Boosters)
