"""The day loop: a fixed order of vectorized stages over (E, N) arrays.

Order of stages in one day (see docs/DESIGN.md):

1. production         :func:`sim.engine.production.produce`, plant outages
                      :func:`sim.engine.shocks.cut_outages`, demand surges
                      :func:`sim.engine.shocks.surge_orders`, licensees' fill-finish
                      :func:`sim.engine.licensing.fill_finish` (in that order:
                      :func:`sim.engine.production.supply`)
2-3. export policy and market clearing, every ``market.clearing_days`` days: the
                      pool's contracts first :func:`sim.engine.contracts.deliver_contracts`,
                      then partners :func:`sim.engine.partners.sell_to_partners`, then the tiers
                      with the pool as a buyer :func:`sim.engine.pool.clear_with_pool`
4. pooling            :func:`sim.engine.pool.allocate_pool`
5. bilateral donation :func:`sim.engine.donation.donate`
6. delivery and uptake   :func:`sim.engine.uptake.deliver`, :func:`~sim.engine.uptake.administer`
                      (donations: :func:`sim.engine.donation.deliver_gifts`)
7. expiry             :func:`sim.engine.uptake.expire`; doses by product
                      :func:`sim.engine.products.track_products` (6-7 compiled in one
                      call: :func:`sim.engine.dose_day.dose_stages`)
8. epidemic           :func:`sim.engine.epidemic.step_epidemic`
9. policy review      :func:`sim.engine.review.review`
10. record            :class:`sim.engine.record.Recorder`
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.engine.build.params import Params
from sim.engine.contracts import deliver_contracts
from sim.engine.donation import donate
from sim.engine.dose_day import dose_stages
from sim.engine.epidemic import step_epidemic
from sim.engine.flows import NO_FLOWS
from sim.engine.kernels import backend_from_env, pinned
from sim.engine.market import MarketPlan
from sim.engine.partners import sell_to_partners
from sim.engine.pool import allocate_pool, clear_with_pool
from sim.engine.production import supply
from sim.engine.record import Recorder, Trajectories
from sim.engine.review import review
from sim.engine.state import State, initial_state
from sim.world.world import World


@dataclass
class Simulation:
    """A batch being run: world, member parameters, state and recorder.

    Examples
    --------
    >>> sim = Simulation.start(world, params)   # doctest: +SKIP
    >>> while not sim.done:                     # doctest: +SKIP
    ...     sim.step()
    """

    world: World
    params: Params
    state: State
    market: MarketPlan
    recorder: Recorder
    nothing: np.ndarray  # (E, N) zeros: the allocation on days the market does not clear
    #: The kernels' backend, read from the environment when the batch starts.
    kernels: pinned = field(default_factory=lambda: pinned(backend_from_env()))
    #: Per day: whether some member holds a pool round and a donation round (the stages
    #: are not called on other days, where they would do nothing).
    rounds: list[tuple[bool, bool]] = field(init=False)

    def __post_init__(self) -> None:
        d = self.params.diplomacy
        self.rounds = [(d.pool_day(t), d.donation_day(t)) for t in range(self.world.days)]

    @classmethod
    def start(cls, world: World, params: Params, country_every: int = 7,
              country_members: int | None = None) -> Simulation:
        """A batch on day 0."""
        return cls(world, params, initial_state(world, params), MarketPlan.build(world, params),
                   Recorder(world, params, country_every, country_members=country_members),
                   np.zeros((params.n_members, world.n_countries)))

    @property
    def done(self) -> bool:
        """True once every day has run."""
        return self.state.day >= self.world.days

    def step(self) -> None:
        """Run one day: every stage in order, then record."""
        with self.kernels:
            self._stages()

    def _stages(self) -> None:
        t, state, world, params = self.state.day, self.state, self.world, self.params
        licensed = supply(state, world, params, t)  # production to fill-finish
        market = None  # today's clearing
        if t % params.structure.clearing_days == 0:
            contracted = deliver_contracts(state, world, params, t)
            partners = sell_to_partners(state, params, t)
            allocated = market = clear_with_pool(state, world, params, self.market, t)
        else:
            contracted, partners, allocated = None, None, self.nothing
        log = getattr(self.recorder, "flows", NO_FLOWS)  # a recorder may keep no ledger
        pool_round, donation_round = self.rounds[t]
        pooled = allocate_pool(state, world, params, t, log) if pool_round else None
        gifts = donate(state, world, params, t, log) if donation_round else None
        # Each is None unless its mechanism acted today.
        for extra in (contracted, partners, licensed, pooled):
            if extra is not None:
                allocated = allocated + extra
        dose_stages(state, world, params, allocated, gifts, market, partners, licensed, t)
        step_epidemic(state, world, params, t)
        review(state, world, params, t)
        self.recorder.record(state, t)
        state.day += 1


def simulate(world: World, params: Params, country_every: int = 7,
             progress: Callable[[int], None] | None = None, *,
             country_members: int | None = None) -> tuple[Trajectories, State]:
    """Run a batch to the end.

    Parameters
    ----------
    world : static arrays (N countries, P producers, D days)
    params : E members' parameters
    country_every : keep per-country records every this many days
    country_members : keep per-country records of the first this many members only
        (default all; no-vaccine twins need none)
    progress : called with the number of days done, now and then

    Returns
    -------
    (trajectories, final state)
    """
    sim = Simulation.start(world, params, country_every, country_members)
    while not sim.done:
        sim.step()
        if progress is not None and (sim.state.day % 30 == 0 or sim.done):
            progress(sim.state.day)
    if sim.state.products is not None:
        sim.recorder.out.products = sim.state.products.world_received
    return sim.recorder.out, sim.state
