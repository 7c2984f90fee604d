"""Builder of the ``vaccination`` section: eligibility, priority and boosters by age band
as per-member arrays (E members, N countries, A = 3 bands: 0-19, 20-64, 65+).

The day stage that uses them is :mod:`sim.engine.bands` (inside dose administration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.build.willingness_draw import band_willingness
from sim.scenario.schema import Scenario
from sim.world.lookup import most_specific, named
from sim.world.world import World

OLDEST_FIRST, UNIFORM = 0, 1
NEVER = 10**9


@dataclass(frozen=True)
class VaccinationParams:
    """Per-member arrays of the ``vaccination`` section.

    Attributes
    ----------
    willing_band : (E, N, A) people willing to be vaccinated per band
    children_day : (E, N) int, first day the 0-19 band is eligible
    priority : (E, N) int, OLDEST_FIRST or UNIFORM
    booster_day : (E, N, A) int, first day a band may be boosted (NEVER: not in this run)
    booster_uptake : (E,) share of people with a course who take a booster
    interval_weeks : (E,) int weeks between a completed course and a booster
    memory_weeks : W, weeks of course counts kept (the longest interval + 2)
    vaccine_peak : (E, 2) peak protection of a course against infection and death
    band_share : (N, A) share of each country's population in each band (to spread dated
        hesitancy changes over the bands, :meth:`sim.engine.build.params.Params.willing_band_on`)
    band_hesitancy : (E, A) relative hesitancy of each band (``uptake.hesitancy_by_age``;
        :func:`sim.engine.build.willingness_draw.band_willingness`)
    """

    willing_band: np.ndarray
    children_day: np.ndarray
    priority: np.ndarray
    booster_day: np.ndarray
    booster_uptake: np.ndarray
    interval_weeks: np.ndarray
    memory_weeks: int
    vaccine_peak: np.ndarray
    band_share: np.ndarray | None = None
    band_hesitancy: np.ndarray | None = None

    def eligible(self, t: int, willing_band: np.ndarray | None = None) -> np.ndarray:
        """(E, N, A) willing people eligible on day ``t``; ``willing_band`` (E, N, A)
        replaces :attr:`willing_band` when willingness changes over time.
        """
        out = (self.willing_band if willing_band is None else willing_band).copy()
        out[:, :, 0] *= self.children_day <= t
        return out


def _days(world: World, values: dict) -> np.ndarray:
    """(N,) int day index of the most specific date of ``values`` (continent < WHO region <
    income group < ISO3) per country, else NEVER.
    """
    days = {k: _day(world, d) for k, d in values.items()}
    return most_specific(world, days, NEVER, dtype=np.int64)


def _day(world: World, d) -> int:
    return NEVER if d is None else (d - world.start).days


def build_vaccination(world: World, scenarios: Sequence[Scenario],
                      willing: np.ndarray) -> VaccinationParams:
    """Stack the members' ``vaccination`` sections; ``willing`` (E, N) shares."""
    E, N = willing.shape
    bands = world.band_population
    if bands is None:  # no age data: one band holds everyone, no boosters
        bands = np.zeros((N, 3))
        bands[:, 1] = world.population
    weeks = np.array([-(-s.vaccination.boosters.interval_days // 7) for s in scenarios],
                     dtype=np.int64)
    children, priority, boost = [], [], []
    for s in scenarios:
        v = s.vaccination
        children.append(_days(world, v.children_from))
        codes = {k: OLDEST_FIRST if p == "oldest_first" else UNIFORM
                 for k, p in v.priority_countries.items()}
        priority.append(most_specific(world, codes, OLDEST_FIRST if v.priority
                                      == "oldest_first" else UNIFORM, dtype=np.int64))
        start = _days(world, v.boosters.start)
        if world.band_population is None:
            start[:] = NEVER
        day = np.repeat(start[:, None], 3, axis=1)
        r = v.boosters.restraint
        held = named(world, r.countries)
        for b, name in enumerate(("0_19", "20_64", "65plus")):
            if name in r.bands:
                day[held, b] = np.maximum(day[held, b], _day(world, r.until))
        boost.append(day)
    vp = [s.epidemic.immunity.vaccine for s in scenarios]
    by_age = [s.uptake.hesitancy_by_age for s in scenarios]
    relative = np.array([[h.age_0_19, h.age_20_64, h.age_65plus] for h in by_age],
                        dtype=float)
    return VaccinationParams(
        willing_band=band_willingness(willing, relative, bands) * bands[None],
        children_day=np.array(children, dtype=np.int64),
        priority=np.array(priority, dtype=np.int64),
        booster_day=np.array(boost, dtype=np.int64),
        booster_uptake=np.array([s.vaccination.boosters.uptake for s in scenarios]),
        interval_weeks=weeks,
        memory_weeks=int(weeks.max()) + 2,
        vaccine_peak=np.array([[p.infection, p.death] for p in vp]),
        band_share=bands / np.maximum(bands.sum(axis=1, keepdims=True), 1e-300),
        band_hesitancy=relative,
    )
