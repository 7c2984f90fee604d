"""``Country``: a Mesa agent whose attributes are read-through views of engine arrays.

Nothing is copied: every property reads member 0 of the model's :class:`~sim.engine.state.
State` on the day it is asked, so agents and the engine can never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.scenario.adaptation import STRATEGIES

if TYPE_CHECKING:
    from sim.agents.model import VaccineDiplomacyModel


class Country(mesa.Agent):
    """One country of the world (index ``n`` into the engine's country axis).

    Attributes
    ----------
    n : index of the country in the world's arrays
    iso3, name, income_group, who_region : static labels
    population : people
    coverage : share of the population with at least one dose
    coverage_completed : share with a full course
    stock : doses in the country's stock
    orders_open : doses ordered and not yet allocated
    strategy : ``need``, ``hoard``, ``donate`` or ``pool``
    donated, received : doses given to / received from other countries bilaterally
        (``state.donated_cum`` / ``state.donations_received_cum``)
    pool_contributed, pool_received : doses given to / shipped by the pool
        (``state.pool_contributed_cum`` / ``state.pool_given``)
    influence : diplomatic influence index, doses given bilaterally decaying with the
        donation half-life (``state.influence``)
    deaths : cumulative deaths (``state.epi.D``; NaN when the scenario runs no epidemic)
    deaths_averted : the no-vaccine twin's cumulative deaths minus ``deaths`` (member 1)
    """

    model: VaccineDiplomacyModel

    def __init__(self, model: VaccineDiplomacyModel, n: int) -> None:
        super().__init__(model)
        w = model.world
        self.n = n
        self.iso3 = str(w.iso3[n])
        self.name = str(w.name[n])
        self.income_group = str(w.income_group[n])
        self.who_region = str(w.who_region[n])
        self.population = float(w.population[n])

    def _read(self, name: str) -> float:
        return float(getattr(self.model.state, name)[0, self.n])

    @property
    def coverage(self) -> float:
        """Share of the population with at least one dose."""
        return float(self.model.state.first[0, self.n]) / self.population

    @property
    def coverage_completed(self) -> float:
        """Share of the population with a full course."""
        return float(self.model.state.completed[0, self.n]) / self.population

    @property
    def stock(self) -> float:
        """Doses in stock (all shelf-life buckets)."""
        return float(self.model.state.stock[:, 0, self.n].sum())

    @property
    def orders_open(self) -> float:
        """Doses ordered and not yet allocated."""
        return float(self.model.state.orders_open[0, self.n])

    @property
    def strategy(self) -> str:
        """The country's current strategy."""
        return STRATEGIES[int(self.model.state.strategy[0, self.n])]

    @property
    def donated(self) -> float:
        """Doses donated bilaterally to other countries so far."""
        return self._read("donated_cum")

    @property
    def received(self) -> float:
        """Doses received as bilateral donations so far."""
        return self._read("donations_received_cum")

    @property
    def pool_contributed(self) -> float:
        """Doses given to the pool so far."""
        return self._read("pool_contributed_cum")

    @property
    def pool_received(self) -> float:
        """Doses the pool shipped to this country so far."""
        return self._read("pool_given")

    @property
    def influence(self) -> float:
        """Diplomatic influence index (doses given bilaterally, decaying)."""
        return self._read("influence")

    @property
    def deaths(self) -> float:
        """Cumulative deaths (NaN when the scenario runs no epidemic)."""
        epi = self.model.state.epi
        return float("nan") if epi is None else float(epi.D[0, self.n])

    @property
    def deaths_averted(self) -> float:
        """Deaths averted so far: the no-vaccine twin's cumulative deaths minus this run's
        (NaN without an epidemic or a twin).
        """
        epi = self.model.state.epi
        if epi is None or not self.model.has_twin:
            return float("nan")
        return float(epi.D[1, self.n] - epi.D[0, self.n])

    def __repr__(self) -> str:
        return f"Country({self.iso3}, {self.strategy}, coverage={self.coverage:.3f})"
