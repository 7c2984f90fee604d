"""The day loop: a fixed order of vectorized stages over (E, N) arrays.

Order of stages in one day (see DESIGN.md):

1. production         :func:`sim.engine.production.produce`
2-3. export policy and market clearing, every ``market.clearing_days`` days
                      :func:`sim.engine.market.clear_market`
6. delivery and uptake   :func:`sim.engine.uptake.deliver`, :func:`~sim.engine.uptake.administer`
7. expiry             :func:`sim.engine.uptake.expire`
8. epidemic           :func:`sim.engine.epidemic.step_epidemic`
9. policy review      :func:`sim.engine.review.review`
10. record            :class:`sim.engine.record.Recorder`

Stages 4-5 (pooling, donation) slot in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.engine.epidemic import step_epidemic
from sim.engine.market import MarketPlan, clear_market
from sim.engine.params import Params
from sim.engine.production import produce
from sim.engine.record import Recorder, Trajectories
from sim.engine.review import review
from sim.engine.state import State, initial_state
from sim.engine.uptake import administer, deliver, expire
from sim.world import World


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

    @classmethod
    def start(cls, world: World, params: Params, country_every: int = 7) -> Simulation:
        """A batch on day 0."""
        return cls(world, params, initial_state(world, params), MarketPlan.build(world, params),
                   Recorder(world, params, country_every),
                   np.zeros((params.n_members, world.n_countries)))

    @property
    def done(self) -> bool:
        """True once every day has run."""
        return self.state.day >= self.world.days

    def step(self) -> None:
        """Run one day: every stage in order, then record."""
        t, state, world, params = self.state.day, self.state, self.world, self.params
        produce(state, world, params, t)
        if t % params.structure.clearing_days == 0:
            allocated = clear_market(state, world, params, self.market, t)
        else:
            allocated = self.nothing
        deliver(state, allocated, t)
        administer(state, world, params, t)
        expire(state, params, t)
        step_epidemic(state, world, params, t)
        review(state, world, params, t)
        self.recorder.record(state, t)
        state.day += 1


def simulate(world: World, params: Params, country_every: int = 7,
             progress: Callable[[int], None] | None = None) -> tuple[Trajectories, State]:
    """Run a batch to the end.

    Parameters
    ----------
    world : static arrays (N countries, P producers, D days)
    params : E members' parameters
    country_every : keep per-country records every this many days
    progress : called with the number of days done, now and then

    Returns
    -------
    (trajectories, final state)
    """
    sim = Simulation.start(world, params, country_every)
    while not sim.done:
        sim.step()
        if progress is not None and (sim.state.day % 30 == 0 or sim.done):
            progress(sim.state.day)
    return sim.recorder.out, sim.state
