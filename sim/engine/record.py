"""Stage 10, record: trajectories into preallocated arrays.

Daily: income-group and world totals, the dose ledger and producer totals. Every
``country_every`` days (and on the last day): per-country values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.params import Params
from sim.engine.segments import Segments
from sim.engine.state import State
from sim.scenario.schema import INCOME_GROUPS
from sim.world import World

GROUPS = ("World", *INCOME_GROUPS)
GROUP_FIELDS = ("first_dose", "completed", "doses_administered")
LEDGER_FIELDS = ("produced_cum", "administered_cum", "expired_cum", "stock_countries",
                 "stock_pool", "in_transit", "stock_producers")
COUNTRY_FIELDS = ("first_dose", "completed", "doses_administered", "doses_received",
                  "stock", "doses_expired", "orders_open")


@dataclass
class Trajectories:
    """What a batch recorded.

    Attributes
    ----------
    groups : (E, D, G, F) people / doses by group (``GROUPS``) and field (``GROUP_FIELDS``)
    ledger : (E, D, len(LEDGER_FIELDS)) doses
    produced_cum, exported_cum : (E, D, P) doses by producer
    country_days : (W,) day indices of the per-country records
    countries : (E, W, N, len(COUNTRY_FIELDS))
    """

    groups: np.ndarray
    ledger: np.ndarray
    produced_cum: np.ndarray
    exported_cum: np.ndarray
    country_days: np.ndarray
    countries: np.ndarray


class Recorder:
    """Fills :class:`Trajectories` day by day."""

    def __init__(self, world: World, params: Params, country_every: int = 7) -> None:
        E, D, N, P = params.n_members, world.days, world.n_countries, world.n_producers
        self.income = Segments(world.group_index, len(INCOME_GROUPS))
        days = np.arange(country_every - 1, D, country_every)
        if len(days) == 0 or days[-1] != D - 1:
            days = np.append(days, D - 1)
        self.slot = np.full(D, -1)
        self.slot[days] = np.arange(len(days))
        self.out = Trajectories(
            groups=np.zeros((E, D, len(GROUPS), len(GROUP_FIELDS))),
            ledger=np.zeros((E, D, len(LEDGER_FIELDS))),
            produced_cum=np.zeros((E, D, P)),
            exported_cum=np.zeros((E, D, P)),
            country_days=days,
            countries=np.zeros((E, len(days), N, len(COUNTRY_FIELDS))),
        )

    def record(self, state: State, t: int) -> None:
        """Store the state at the end of day ``t``."""
        out = self.out
        E = state.first.shape[0]
        stacked = np.stack([state.first, state.completed, state.administered_cum])  # (F,E,N)
        by_group = self.income.sum(stacked.reshape(-1, stacked.shape[-1]))
        by_group = by_group.reshape(len(GROUP_FIELDS), E, -1).transpose(1, 2, 0)  # (E,G,F)
        out.groups[:, t, 1:] = by_group
        out.groups[:, t, 0] = by_group.sum(axis=1)
        stock = state.stock.sum(axis=-1)
        out.ledger[:, t] = np.stack([
            state.produced_cum.sum(axis=1),
            state.administered_cum.sum(axis=1),
            state.expired_cum.sum(axis=1),
            stock.sum(axis=1),
            np.zeros(E),
            state.in_transit(),
            state.inventory.sum(axis=1),
        ], axis=1)
        out.produced_cum[:, t] = state.produced_cum
        out.exported_cum[:, t] = state.exported_cum
        w = self.slot[t]
        if w >= 0:
            out.countries[:, w] = np.stack([
                state.first, state.completed, state.administered_cum, state.received_cum,
                stock, state.expired_cum, state.orders_open], axis=-1)
