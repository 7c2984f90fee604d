"""Model-level reporters of the Mesa layer: coverage by income group, Gini, deaths, doses
donated bilaterally and delivered by the pool, strategy counts, computed from the engine's
arrays (member 0) without touching agents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.adaptive import strategy_counts
from sim.outcomes.inequality import gini
from sim.scenario.adaptation import STRATEGIES
from sim.scenario.schema import INCOME_GROUPS

if TYPE_CHECKING:
    from sim.agents.model import VaccineDiplomacyModel


def coverage(model: VaccineDiplomacyModel, group: str) -> float:
    """First-dose coverage of an income group (or ``World``)."""
    w, first = model.world, model.state.first[0]
    mask = slice(None) if group == "World" else w.income_group == group
    pop = w.population[mask].sum()
    return float(first[mask].sum() / pop) if pop > 0 else 0.0


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


def donated(model: VaccineDiplomacyModel) -> float:
    """Doses donated bilaterally so far, all donors (``state.donated_cum`` of member 0)."""
    return float(model.state.donated_cum[0].sum())


def pool_delivered(model: VaccineDiplomacyModel) -> float:
    """Doses the pool has shipped to its participants so far (``state.pool_given``)."""
    return float(model.state.pool_given[0].sum())


def model_reporters() -> dict[str, Callable[[VaccineDiplomacyModel], float]]:
    """Reporters for ``mesa.DataCollector``: ``coverage_<group>``, ``gini``, ``deaths``,
    ``donated``, ``pool_delivered``, ``n_<strategy>``.
    """
    out: dict[str, Callable] = {f"coverage_{g}": (lambda m, g=g: coverage(m, g))
                                for g in ("World", *INCOME_GROUPS)}
    out["gini"] = coverage_gini
    out["deaths"] = deaths
    out["donated"] = donated
    out["pool_delivered"] = pool_delivered
    for i, s in enumerate(STRATEGIES):
        out[f"n_{s}"] = lambda m, i=i: int(strategy_counts(m.state.strategy)[0, i])
    return out


#: Agent reporters for ``mesa.DataCollector`` (attribute names of :class:`Country`).
AGENT_REPORTERS = {"iso3": "iso3", "income_group": "income_group", "coverage": "coverage",
                   "stock": "stock", "strategy": "strategy", "donated": "donated",
                   "received": "received", "pool_contributed": "pool_contributed",
                   "pool_received": "pool_received", "influence": "influence",
                   "deaths": "deaths"}
