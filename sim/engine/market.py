"""Stages 2 and 3, export policy and market clearing: who gets today's output.

1. *Export policy.* A producer under ``domestic_first`` first serves the open orders of
   its home countries until each has been allocated ``coverage_target`` × courses ×
   population; under an active ``ban`` it serves all home orders and exports nothing.
   For ``resume_days`` after the ban a rising share of its stock is kept for abroad
   (:func:`export_share`): once per clearing, before the market,
   :func:`serve_home_while_resuming` serves its home orders first from the rest; in the
   market itself it is then open.
   Home shares are pro rata to the home countries' outstanding need.
2. *Market clearing.* What every non-banned producer has left is one world supply.
   Open orders are served tier by tier (``priority`` 0 first: early orders at high
   prices); within a tier, pro rata to the outstanding order. What is not sold stays in
   the manufacturers' inventory for the next day.

A producer's exports are its sales to countries outside its home; each buyer's purchase
from the world market is split over producers in proportion to what they offered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.engine.build.params import Params
from sim.engine.kernels import backend
from sim.engine.segments import Segments
from sim.engine.state import State
from sim.world.world import World


@dataclass(frozen=True)
class MarketPlan:
    """Per-batch constants of market clearing.

    Attributes
    ----------
    home : segments of countries by home producer (K = P)
    home_producer : (N,) producer index of each country's home, 0 where it has none
    has_home : (N,) bool
    tier_masks : (K, E, N) bool, one mask per priority tier in use, in serving order
    """

    home: Segments
    home_producer: np.ndarray
    has_home: np.ndarray
    tier_masks: np.ndarray

    @classmethod
    def build(cls, world: World, params: Params) -> MarketPlan:
        """Precompute the masks and segments of ``world`` and ``params``."""
        tiers = np.unique(params.priority)
        return cls(
            home=Segments(world.home_of, world.n_producers),
            home_producer=np.maximum(world.home_of, 0),
            has_home=world.home_of >= 0,
            tier_masks=np.stack([params.priority == k for k in tiers]),
        )

    def split(self, before: np.ndarray) -> tuple[MarketPlan, MarketPlan]:
        """(tiers served before the pool, the others): this plan with its masks cut by
        ``before`` (E, N) bool, made once per batch and kept.
        """
        key = before.tobytes()
        cached = self.__dict__.get("_split")
        if cached is None or cached[0] != key:
            cached = (key, replace(self, tier_masks=self.tier_masks & before[None]),
                      replace(self, tier_masks=self.tier_masks & ~before[None]))
            object.__setattr__(self, "_split", cached)
        return cached[1], cached[2]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Num / den, 0 where den is 0."""
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def banned_today(params: Params, t: int) -> np.ndarray:
    """(E, P) bool: producers whose export ban covers day ``t``."""
    return (params.export_policy == 2) & (params.ban_start <= t) & (t <= params.ban_end)


def export_share(params: Params, t: int) -> np.ndarray:
    """(E, P) share of its unsold stock each producer may offer abroad on day ``t``.

    0 during a ban; after it, ``(t - ban_end) / resume_days`` until it reaches 1 (India's
    exports resumed slowly from October 2021, home first); 1 otherwise.
    """
    after = t - params.ban_end
    resume = params.resume_days if params.resume_days is not None else 0.0
    ramp = np.where((params.export_policy == 2) & (after > 0) & (after < resume),
                    after / np.maximum(resume, 1.0), 1.0)
    return np.where(banned_today(params, t), 0.0, ramp)


def ban_arrays(params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``export_policy``, ``ban_start``, ``ban_end`` (E, P) and ``resume_days`` (E, P)
    float (0: none) as the compiled kernels take them; made on first use and kept with
    the batch's parameters.
    """
    cached = params.__dict__.get("_ban_arrays")
    if cached is None:
        resume = np.zeros(params.ban_end.shape) if params.resume_days is None else \
            np.ascontiguousarray(params.resume_days, dtype=float)
        cached = (params.export_policy, params.ban_start, params.ban_end, resume)
        object.__setattr__(params, "_ban_arrays", cached)
    return cached


def export_share_today(params: Params, t: int) -> np.ndarray:
    """:func:`export_share` by the backend in use (the compiled
    :func:`sim.engine.kernels.market.export_share` or the numpy above).
    """
    if backend() == "numpy":
        return export_share(params, t)
    from sim.engine.kernels.market import export_share as kernel

    return kernel(t, *ban_arrays(params))


def resuming(params: Params, t: int) -> np.ndarray:
    """(E, P) share of its stock a producer whose exports are resuming after a ban offers
    abroad on day ``t`` (:func:`export_share` strictly between 0 and 1), else 0.
    """
    share = export_share(params, t)
    return np.where((share > 0) & (share < 1), share, 0.0)


def serve_home_while_resuming(state: State, world: World, params: Params, plan: MarketPlan,
                              t: int) -> np.ndarray | None:
    """Once per market clearing, before the world market: a producer whose exports are
    resuming serves its home countries' open orders first from ``1 - share`` of its stock;
    the market then treats it as open (what home did not take may go abroad). Returns
    (E, N) doses allocated to home countries, None on days no producer is resuming.
    """
    share = resuming(params, t)
    if not share.any():
        return None
    inventory0, exported0 = state.inventory.copy(), state.exported_cum.copy()
    hp = plan.home_producer
    mine = (share[:, hp] > 0) & plan.has_home                    # (E, N) home of a resumer
    home_need = np.where(mine, state.orders_open, 0.0)
    demand = plan.home.sum(home_need)                            # (E, P)
    served = np.minimum(state.inventory * (1.0 - share), demand)
    served = np.where(share > 0, served, 0.0)
    alloc = home_need * _ratio(served, demand)[:, hp]
    state.inventory = np.maximum(state.inventory - served, 0.0)
    record_home_sales(state, inventory0, exported0)
    state.allocated_cum += alloc
    state.orders_open = np.maximum(state.orders_open - alloc, 0.0)
    return alloc


def clear(state: State, world: World, params: Params, plan: MarketPlan, t: int) -> np.ndarray:
    """:func:`clear_market` by the backend in use: the compiled kernel
    (:func:`sim.engine.kernels.market.clear_market`) or the numpy reference.
    """
    if backend() == "numpy":
        return clear_market(state, world, params, plan, t)
    from sim.engine.kernels.market import clear_market as kernel

    banned = banned_today(params, t)
    home = plan.home
    out = np.empty_like(state.orders_open)
    sold_before = state.inventory.copy(), state.exported_cum.copy()
    kernel(state.inventory, state.orders_open, state.allocated_cum, state.exported_cum,
           np.where(banned, 0.0, 1.0), banned, banned | (params.export_policy == 1),
           params.export_target, float(params.structure.doses_per_course), world.population,
           plan.home_producer, plan.has_home, home.order, home.starts, home.present,
           home.slices is not None, plan.tier_masks, out)
    record_home_sales(state, *sold_before)
    return out


def record_home_sales(state: State, inventory0: np.ndarray, exported0: np.ndarray) -> None:
    """Add to ``home_delivered_cum`` what producers sold since ``inventory0`` (E, P) and
    did not export (since ``exported0``): their sales to their own home countries.
    """
    state.home_delivered_cum += np.maximum(
        (inventory0 - state.inventory) - (state.exported_cum - exported0), 0.0)


def clear_market(state: State, world: World, params: Params, plan: MarketPlan,
                 t: int) -> np.ndarray:
    """Allocate manufacturers' inventory to open orders on day ``t`` (numpy reference).

    Updates ``inventory``, ``orders_open``, ``exported_cum`` and ``home_delivered_cum``.

    Returns
    -------
    allocated : (E, N) doses allocated to each country today (they enter transit)
    """
    banned = banned_today(params, t)
    inventory0, exported0 = state.inventory.copy(), state.exported_cum.copy()
    protects = banned | (params.export_policy == 1)
    hp = plan.home_producer
    protected_n = protects[:, hp] & plan.has_home
    allocated_so_far = state.allocated_cum  # orders may change at reviews
    target = params.export_target[:, hp] * params.structure.doses_per_course * world.population
    home_need = np.where(
        banned[:, hp],
        state.orders_open,
        np.minimum(state.orders_open, np.maximum(target - allocated_so_far, 0.0)),
    )
    home_need = np.where(protected_n, home_need, 0.0)
    demand_home = plan.home.sum(home_need)                       # (E, P)
    served_home = np.minimum(state.inventory, demand_home)
    alloc_home = home_need * _ratio(served_home, demand_home)[:, hp]
    state.inventory -= served_home

    offered = np.where(banned, 0.0, state.inventory)             # (E, P)
    supply = offered.sum(axis=1)                                 # (E,)
    remaining = supply.copy()
    wanted = state.orders_open - alloc_home
    alloc = np.zeros_like(wanted)
    for mask in plan.tier_masks:
        tier_orders = np.where(mask, wanted, 0.0)
        demand = tier_orders.sum(axis=1)
        fill = np.minimum(1.0, _ratio(remaining, demand))
        alloc += tier_orders * fill[:, None]
        remaining = np.maximum(remaining - fill * demand, 0.0)
    sold_share = _ratio(supply - remaining, supply)              # (E,)
    sold = offered * sold_share[:, None]
    state.inventory -= sold
    home_bought = plan.home.sum(alloc)                           # (E, P)
    state.exported_cum += np.maximum(sold - offered * _ratio(home_bought, supply[:, None]), 0.0)
    record_home_sales(state, inventory0, exported0)
    total = alloc_home + alloc
    state.allocated_cum += total
    state.orders_open = np.maximum(state.orders_open - total, 0.0)
    return total
