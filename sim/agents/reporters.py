"""Model-level reporters of the Mesa layer: coverage by income group, Gini, deaths and
deaths averted (against the model's no-vaccine twin, member 1), doses donated bilaterally
and delivered by the pool, strategy counts, computed from the engine's arrays (member 0)
without touching agents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.adaptive import strategy_counts
from sim.engine.build.epi_params import BANDS
from sim.outcomes.inequality import gini
from sim.scenario.adaptation import STRATEGIES
from sim.scenario.schema import INCOME_GROUPS

if TYPE_CHECKING:
    from sim.agents.model import VaccineDiplomacyModel


def _mask(model: VaccineDiplomacyModel, group: str) -> np.ndarray | slice:
    """(N,) mask of an income group's countries (``World``: all), made once per model and
    group (the world does not change during a run; reporters run every day).
    """
    masks = model.__dict__.setdefault("_group_masks", {})
    if group not in masks:
        masks[group] = slice(None) if group == "World" else model.world.income_group == group
    return masks[group]


def _population(model: VaccineDiplomacyModel, group: str) -> float:
    """Population of an income group (or ``World``), summed once per model and group."""
    pops = model.__dict__.setdefault("_group_population", {})
    if group not in pops:
        pops[group] = model.world.population[_mask(model, group)].sum()
    return pops[group]


def coverage(model: VaccineDiplomacyModel, group: str) -> float:
    """First-dose coverage of an income group (or ``World``)."""
    first, pop = model.state.first[0], _population(model, group)
    return float(first[_mask(model, group)].sum() / pop) if pop > 0 else 0.0


def coverage_gini(model: VaccineDiplomacyModel) -> float:
    """Population-weighted Gini of first-dose coverage across countries (NaN while no one
    is vaccinated), as :func:`sim.outcomes.inequality.gini`.
    """
    return float(gini(model.state.first[0] / model.world.population, model.world.population))


def deaths(model: VaccineDiplomacyModel) -> float:
    """Cumulative deaths in the world: ``state.epi.D`` of member 0 (NaN when the scenario
    runs no epidemic).
    """
    epi = getattr(model.state, "epi", None)
    return float("nan") if epi is None else float(np.sum(epi.D[0]))


def deaths_averted(model: VaccineDiplomacyModel, group: str = "World") -> float:
    """Deaths averted so far in an income group (or ``World``): the no-vaccine twin's
    cumulative deaths minus the run's (``state.epi.D`` of members 1 and 0); NaN without
    an epidemic or when the model runs no twin.
    """
    epi = getattr(model.state, "epi", None)
    if epi is None or not model.has_twin:
        return float("nan")
    mask = _mask(model, group)
    return float(np.sum(epi.D[1][mask]) - np.sum(epi.D[0][mask]))


def deaths_averted_band(model: VaccineDiplomacyModel, band: int) -> float:
    """Deaths averted so far in age band ``band`` (index into ``BANDS``: 0-19, 20-64,
    65+), all countries: from ``state.epi.D_band`` of the twin and the run.
    """
    epi = getattr(model.state, "epi", None)
    if epi is None or not model.has_twin or getattr(epi, "D_band", None) is None:
        return float("nan")
    return float(epi.D_band[1, :, band].sum() - epi.D_band[0, :, band].sum())


def donated(model: VaccineDiplomacyModel) -> float:
    """Doses donated bilaterally so far, all donors (``state.donated_cum`` of member 0)."""
    return float(model.state.donated_cum[0].sum())


def pool_delivered(model: VaccineDiplomacyModel) -> float:
    """Doses the pool has shipped to its participants so far (``state.pool_given``)."""
    return float(model.state.pool_given[0].sum())


def model_reporters() -> dict[str, Callable[[VaccineDiplomacyModel], float]]:
    """Reporters for ``mesa.DataCollector``: ``coverage_<group>``, ``gini``, ``deaths``,
    ``deaths_averted``, ``deaths_averted_<group>`` and ``deaths_averted_<band>`` (0_19,
    20_64, 65plus), ``donated``, ``pool_delivered``,
    ``n_<strategy>``.

    Each reads one entry of :func:`day_values`, which computes them all once per model
    day (the same expressions as the functions above, so the same values bit for bit).
    """
    return {name: _reader(name) for name in _names()}


def _reader(name: str) -> Callable[[VaccineDiplomacyModel], float]:
    return lambda m: day_values(m)[name]


def _names() -> list[str]:
    """The model reporters' names, in the order the data collector's columns take."""
    groups = ("World", *INCOME_GROUPS)
    return [*(f"coverage_{g}" for g in groups), "gini", "deaths",
            *("deaths_averted" if g == "World" else f"deaths_averted_{g}" for g in groups),
            *(f"deaths_averted_{band}" for band in BANDS), "donated", "pool_delivered",
            *(f"n_{s}" for s in STRATEGIES)]


def day_values(model: VaccineDiplomacyModel) -> dict[str, float]:
    """Every model reporter's value on the model's current day, computed once a day.

    A Mesa collect calls 21 reporters; the strategy counts they share are counted once
    here, and each group's mask and population once per model. The values are those of
    :func:`coverage`, :func:`coverage_gini`, :func:`deaths`, :func:`deaths_averted`,
    :func:`deaths_averted_band`, :func:`donated`, :func:`pool_delivered` and
    :func:`sim.engine.adaptive.strategy_counts`, bit for bit (tested).
    """
    state = model.state
    key = (id(state), state.day)
    cached = model.__dict__.get("_reporter_day")
    if cached is not None and cached[0] == key:
        return cached[1]
    groups = ("World", *INCOME_GROUPS)
    out: dict[str, float] = {f"coverage_{g}": coverage(model, g) for g in groups}
    out["gini"] = coverage_gini(model)
    out["deaths"] = deaths(model)
    for g in groups:
        out["deaths_averted" if g == "World" else f"deaths_averted_{g}"] = (
            deaths_averted(model, g))
    for i, band in enumerate(BANDS):
        out[f"deaths_averted_{band}"] = deaths_averted_band(model, i)
    out["donated"] = donated(model)
    out["pool_delivered"] = pool_delivered(model)
    counts = strategy_counts(state.strategy)[0]
    for i, s in enumerate(STRATEGIES):
        out[f"n_{s}"] = int(counts[i])
    model.__dict__["_reporter_day"] = (key, out)
    return out


def _member0(name: str) -> Callable[[VaccineDiplomacyModel], np.ndarray]:
    return lambda m: getattr(m.state, name)[0]


def _deaths(model: VaccineDiplomacyModel) -> np.ndarray:
    epi = getattr(model.state, "epi", None)
    return np.full(model.world.n_countries, np.nan) if epi is None else epi.D[0]


def _deaths_averted(model: VaccineDiplomacyModel) -> np.ndarray:
    epi = getattr(model.state, "epi", None)
    if epi is None or not model.has_twin:
        return np.full(model.world.n_countries, np.nan)
    return epi.D[1] - epi.D[0]


#: Agent reporters (:class:`sim.agents.collector.ArrayCollector`): each reads the (N,)
#: array of every country at once; the values equal the :class:`Country` attributes of
#: the same names.
AGENT_ARRAYS: dict[str, Callable[[VaccineDiplomacyModel], np.ndarray]] = {
    "iso3": lambda m: m.world.iso3,
    "income_group": lambda m: m.world.income_group,
    "coverage": lambda m: m.state.first[0] / m.world.population,
    "stock": lambda m: m.state.stock[:, 0].sum(axis=0),
    "strategy": lambda m: np.asarray(STRATEGIES)[m.state.strategy[0]],
    "donated": _member0("donated_cum"),
    "received": _member0("donations_received_cum"),
    "pool_contributed": _member0("pool_contributed_cum"),
    "pool_received": _member0("pool_given"),
    "influence": _member0("influence"),
    "deaths": _deaths,
    "deaths_averted": _deaths_averted,
}
