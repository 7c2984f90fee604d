"""The dynamic state of a batch: a dataclass of arrays, ensemble axis first.

Shapes: E members, N countries, P producers, B shelf-life buckets, L delivery-lag days,
I days of the dose interval. Small ring and bucket axes come first where the engine walks
them plane by plane (each plane an (E, N) array). Units are doses unless a name says people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.epidemic import EpiState, start_epidemic
from sim.engine.params import Params
from sim.world import World


@dataclass
class State:
    """Arrays that change from day to day.

    Attributes
    ----------
    day : index of the next day to simulate
    inventory : (E, P) doses made but not yet sold (manufacturers' stock)
    orders_open : (E, N) doses ordered and not yet allocated
    transit : (E, L, N) doses allocated, by ring slot (day mod L) of their arrival
    stock : (B, E, N) doses in country stock by bucket of remaining shelf life, 0 oldest
    first : (E, N) people with at least one dose
    completed : (E, N) people with a full course
    due : (E, N) people whose completing dose is due
    due_ring : (I, E, N) first doses given on each of the last I days (ring buffer)
    produced_cum : (E, P) doses made since day 0
    exported_cum : (E, P) doses sold to countries outside the producer's home
    allocated_cum : (E, N) doses allocated to each country (in transit or received)
    received_cum : (E, N) doses delivered into country stock
    administered_cum : (E, N) doses given
    expired_cum : (E, N) doses that passed shelf life in stock
    strategy : (E, N) int, strategy code (index into ``sim.scenario.adaptation.STRATEGIES``)
    epi : epidemic compartments (:class:`sim.engine.epidemic.EpiState`), None when off
    """

    day: int
    inventory: np.ndarray
    orders_open: np.ndarray
    transit: np.ndarray
    stock: np.ndarray
    first: np.ndarray
    completed: np.ndarray
    due: np.ndarray
    due_ring: np.ndarray
    produced_cum: np.ndarray
    exported_cum: np.ndarray
    allocated_cum: np.ndarray
    received_cum: np.ndarray
    administered_cum: np.ndarray
    expired_cum: np.ndarray
    strategy: np.ndarray
    epi: EpiState | None = None

    def copy(self) -> State:
        """A deep copy."""
        return State(**{k: (v.copy() if hasattr(v, "copy") else v)
                        for k, v in vars(self).items()})

    # Derived totals (E,) used by the ledger and invariants.
    def stock_countries(self) -> np.ndarray:
        """(E,) doses in country stock."""
        return self.stock.sum(axis=(0, 2))

    def in_transit(self) -> np.ndarray:
        """(E,) doses on their way."""
        return self.transit.sum(axis=(1, 2))


def initial_state(world: World, params: Params) -> State:
    """All-zero state on day 0, with every advance order open."""
    E, N, P = params.n_members, world.n_countries, world.n_producers
    s = params.structure
    zeros = lambda *shape: np.zeros(shape)  # noqa: E731
    return State(
        day=0,
        inventory=zeros(E, P),
        orders_open=params.order_total.astype(float).copy(),
        transit=zeros(E, s.delivery_lag, N),
        stock=zeros(s.shelf_buckets, E, N),
        first=zeros(E, N),
        completed=zeros(E, N),
        due=zeros(E, N),
        due_ring=zeros(s.dose_interval, E, N),
        produced_cum=zeros(E, P),
        exported_cum=zeros(E, P),
        allocated_cum=zeros(E, N),
        received_cum=zeros(E, N),
        administered_cum=zeros(E, N),
        expired_cum=zeros(E, N),
        strategy=params.strategy_initial.copy(),
        epi=start_epidemic(world, params),
    )
