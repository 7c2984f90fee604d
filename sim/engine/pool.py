"""Stages 3-4, the pool (COVAX-style): it buys on the market at its own priority, takes
dose donations, and allocates to its participants in two phases.

*Buying.* The pool's open orders (``state.pool_orders_open``, limited by its pledged
funding) are served after countries in market tiers below ``pool.priority`` and before the
others: :func:`clear_with_pool` clears the market for the earlier tiers, lets the pool buy
from what non-banned producers have left, then clears the later tiers.

*Allocating* (every ``pool.every_days``), :func:`allocate_pool`:

1. Participants with surplus give ``state.pool_share`` of it to the pool.
2. Phase 1, pro rata to population until each participant has received the first tier
   (``tier_share`` × courses × population) from the pool.
3. Phase 2, by need: what is left goes pro rata to the remaining supply gap (weighted by
   epidemic ``burden`` when given), never above the gap.

A shipment never lifts a recipient's stock plus doses on their way above ``absorb_days``
of its absorptive capacity. With ``pool.proportional`` no participant ever receives more
than its population share (among participants) of all doses the pool has had: what it
cannot absorb yet waits in the pool for it. Shipments enter the normal delivery pipeline.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.dose_plans import gift_marks, stock_used
from sim.engine.flows import FlowLog
from sim.engine.kernels import backend
from sim.engine.market import (
    MarketPlan,
    ban_arrays,
    banned_today,
    clear,
    serve_home_while_resuming,
)
from sim.engine.need import (
    burden_weight,
    gifts_moving,
    on_hand,
    supply_gap,
    surplus,
    take_oldest,
)
from sim.engine.state import State
from sim.engine.uptake import capacity
from sim.world.world import World


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def pool_buy(state: State, params: Params, t: int,
             tier_orders: np.ndarray | None = None) -> np.ndarray:
    """The pool buys from producers' unsold, exportable stock; return (E,) doses bought.

    tier_orders : (E,) open orders of the countries in the pool's own tier; the pool
        takes only its pro rata share of the supply beside them.
    """
    d = params.diplomacy
    funds_left = np.maximum(d.pool_budget[:, t] - state.pool_bought_cum, 0.0)
    want = np.where(d.pool_on, np.minimum(state.pool_orders_open, funds_left), 0.0)
    offered = np.where(banned_today(params, t), 0.0, state.inventory)       # (E, P)
    supply = offered.sum(axis=1)
    others = 0.0 if tier_orders is None else tier_orders
    fill = np.minimum(1.0, _ratio(supply, want + others))
    take = offered * np.minimum(1.0, _ratio(want * fill, supply))[:, None]
    bought = take.sum(axis=1)
    state.inventory -= take
    state.exported_cum += take  # the pool is outside every producer's home
    state.pool_stock += bought
    state.pool_bought_cum += bought
    state.pool_orders_open = np.maximum(state.pool_orders_open - bought, 0.0)
    return bought


def clear_with_pool(state: State, world: World, params: Params, plan: MarketPlan,
                    t: int) -> np.ndarray:
    """Market clearing with the pool as a buyer at its priority; (E, N) allocated today.

    Producers resuming exports after a ban first serve their home countries
    (:func:`sim.engine.market.serve_home_while_resuming`). Tiers below the pool's are
    served first; the pool then takes its pro rata share beside the countries of its own
    tier, who share the rest with the later tiers as usual.
    """
    d = params.diplomacy
    # Every member clears in the same two passes, pool or not (a member without a pool
    # has no tier before it): a member's arithmetic must not depend on whether another
    # member of its batch runs a pool.
    early, late = plan.split(d.pool_before & d.pool_on[:, None])
    if backend() == "numba":
        return _clear_with_pool_compiled(state, world, params, plan, early, late, t)
    home = serve_home_while_resuming(state, world, params, plan, t)
    allocated = clear(state, world, params, early, t)
    if home is not None:
        allocated = allocated + home
    if d.any_pool:  # without a pool in any member, pool_buy would add exact zeros
        pool_buy(state, params, t, (state.orders_open * d.pool_same).sum(axis=1))
    return allocated + clear(state, world, params, late, t)


def _clear_with_pool_compiled(state: State, world: World, params: Params, plan: MarketPlan,
                              early: MarketPlan, late: MarketPlan, t: int) -> np.ndarray:
    """:func:`clear_with_pool` in one compiled call
    (:func:`sim.engine.kernels.market.clear_with_pool`); the numpy stages above are its
    reference.
    """
    from sim.engine.kernels.market import clear_with_pool as kernel

    d, home = params.diplomacy, plan.home
    out = np.empty_like(state.orders_open)
    kernel(t, d.any_pool, *ban_arrays(params), params.export_target,
           float(params.structure.doses_per_course), world.population, plan.home_producer,
           plan.has_home, home.order, home.starts, home.present, home.slices is not None,
           early.tier_masks, late.tier_masks, d.pool_on, d.pool_budget, d.pool_same,
           state.inventory, state.orders_open, state.allocated_cum, state.exported_cum,
           state.home_delivered_cum, state.pool_stock, state.pool_bought_cum,
           state.pool_orders_open, out)
    return out


def waterfill(avail: np.ndarray, weight: np.ndarray, cap: np.ndarray,
              rounds: int = 6) -> np.ndarray:
    """Share ``avail`` (E,) pro rata to ``weight`` (E, N), none above ``cap`` (E, N).

    What a capped country cannot take is shared again among the others, ``rounds`` times.
    """
    x = np.zeros_like(cap)
    left = avail.astype(float).copy()
    for _ in range(rounds):
        room = cap - x
        w = np.where(room > 0, weight, 0.0)
        # Shares in [0, 1] first, then times what is left (left / total can overflow).
        add = np.minimum(room, _ratio(w, w.sum(axis=1, keepdims=True)) * left[:, None])
        add = np.maximum(add, 0.0)
        x += add
        left = np.maximum(left - add.sum(axis=1), 0.0)
    return x


def allocate_pool(state: State, world: World, params: Params, t: int, log: FlowLog,
                  burden: np.ndarray | None = None) -> np.ndarray | None:
    """Take contributions, then allocate pool stock; return (E, N) doses shipped today
    (None on days without a pool round).

    burden : optional (E, N) weight of each gap in phase 2; by default the epidemic's
        :func:`~sim.engine.epidemic.need_weight` (none without an epidemic).
    """
    d = params.diplomacy
    if not d.pool_day(t):
        return None
    if backend() == "numpy":
        active = d.pool_on & (t % d.pool_every == 0)                    # (E,)
        if not active.any():
            return None
        return allocate_pool_numpy(state, world, params, t, log, active, burden)
    from sim.engine.kernels.pool import allocate_pool as kernel

    start, slope = params.capacity_per_day
    gift, ship = np.empty_like(state.pool_given), np.empty_like(state.pool_given)
    if not kernel(t, d.pool_on, d.pool_every, state.pool_share, state.pool_member,
                  d.keep_doses, d.buffer_days, d.pool_absorb_days, d.pool_proportional,
                  d.pool_tier_doses, world.population,
                  float(params.structure.doses_per_course), params.willing_people_on(t),
                  *burden_arguments(state, params, burden), start, slope,
                  params.capacity_ramp, state.stock, stock_used(state), state.transit,
                  state.gift_transit, gifts_moving(state), gift_marks(state),
                  state.administered_cum, state.pool_stock,
                  state.pool_bought_cum, state.pool_contributed_cum, state.pool_given,
                  state.allocated_cum, gift, ship):
        return None   # no member's round today: nothing changed
    log.add_vector(t, gift, to_pool=True)
    log.add_vector(t, ship, to_pool=False)
    return ship


def burden_arguments(state: State, params: Params,
                     burden: np.ndarray | None) -> tuple[int, np.ndarray, np.ndarray]:
    """How the pool and donation kernels weigh need: (mode, (E, N) array, (E,) member
    rows) for :func:`sim.engine.kernels.pool.need_weight_row`. A given ``burden`` (E, N)
    is used as it is; else the kernel weighs by the epidemic's recent deaths as
    :func:`sim.engine.need.burden_weight` does (a no-vaccine twin by its real member's,
    ``params.burden_member``); without an epidemic need is not weighed.
    """
    from sim.engine.kernels.pool import DEATHS_BURDEN, GIVEN_BURDEN, NO_BURDEN

    E = state.pool_given.shape[0]
    member = params.burden_member
    if member is None:
        member = np.arange(E)
    if burden is not None:
        return GIVEN_BURDEN, burden, member
    epi = getattr(state, "epi", None)
    if epi is None:
        return NO_BURDEN, state.pool_given, member
    return DEATHS_BURDEN, epi.recent_deaths, member


def allocate_pool_numpy(state: State, world: World, params: Params, t: int, log: FlowLog,
                        active: np.ndarray, burden: np.ndarray | None) -> np.ndarray:
    """:func:`allocate_pool` in numpy (the kernel's reference), on a day ``active`` (E,)
    members hold a pool round.
    """
    d = params.diplomacy
    gift = state.pool_share * surplus(state, world, params, t) * active[:, None]
    if gift.any():
        take_oldest(state, gift)
        state.pool_stock += gift.sum(axis=1)
        state.pool_contributed_cum += gift
        log.add_vector(t, gift, to_pool=True)
    member = (state.pool_member > 0) & active[:, None]
    avail = np.where(active, state.pool_stock, 0.0)
    room = np.maximum(d.pool_absorb_days[:, None] * capacity(world, params, t)
                      - on_hand(state), 0.0)
    if d.pool_proportional.any():
        had = state.pool_bought_cum + state.pool_contributed_cum.sum(axis=1)     # (E,)
        pop = np.where(member, world.population, 0.0)
        share = pop / np.maximum(pop.sum(axis=1, keepdims=True), 1.0)
        fair = np.maximum(share * had[:, None] - state.pool_given, 0.0)
        room = np.where(d.pool_proportional[:, None], np.minimum(room, fair), room)
    tier = np.where(member, np.minimum(np.maximum(d.pool_tier_doses - state.pool_given, 0.0),
                                       room), 0.0)
    first = waterfill(avail, world.population * (tier > 0), tier)
    gap = np.maximum(supply_gap(state, params) - first, 0.0)
    if burden is None:
        burden = burden_weight(state, world, params)
    need = np.where(member, gap if burden is None else gap * burden, 0.0)
    cap = np.where(member, np.minimum(gap, room - first), 0.0)
    second = waterfill(avail - first.sum(axis=1), need, cap)
    ship = first + second
    shipped = ship.sum(axis=1)
    state.pool_stock = np.maximum(state.pool_stock - shipped, 0.0)
    state.pool_given += ship
    state.allocated_cum += ship
    log.add_vector(t, ship, to_pool=False)
    return ship
