"""``VaccineDiplomacyModel``: a ``mesa.Model`` that steps the vectorized engine a day at a time.

The model wraps :class:`sim.engine.run.Simulation` for a single member (E = 1): the same
code path as :func:`sim.run`, so stepping the model to the end gives exactly the tables
of ``sim.run`` on the same scenario and seed (:meth:`VaccineDiplomacyModel.results`).
Agents are views; the engine's day stays vectorized.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np

from sim.agents.collector import ArrayCollector
from sim.agents.country import Country
from sim.agents.knobs import apply_knobs
from sim.agents.reporters import AGENT_ARRAYS, model_reporters
from sim.engine.build.params import Params, build_params
from sim.engine.counterfactual import has_twin, split_members, twin_params
from sim.engine.run import Simulation
from sim.engine.state import State
from sim.outcomes.results import Results
from sim.scenario.schema import Scenario
from sim.scenario.shipped import shipped_dir
from sim.world.world import World, build_world

#: The scenario the model runs when given none.
DEFAULT_SCENARIO = shipped_dir() / "baseline.yaml"


class VaccineDiplomacyModel(mesa.Model):
    """A scenario run as a Mesa model: one ``step()`` is one simulated day.

    Parameters
    ----------
    config : a scenario YAML path or a loaded :class:`~sim.scenario.schema.Scenario`
    rng : the run's seed (an int); ``None`` draws a fresh one (Mesa's convention, used
        by ``mesa.batch_run``'s ``iterations``); the seed is kept as ``model.seed``
    days : run length override
    countries : comma-separated ISO3 codes or groups to keep, e.g. ``"USA,IND,NGA"``
    hoard_multiple, export_policy, adaptation_rule, theta, pool_tier, donation_share,
    sets : policy knobs, see :func:`sim.agents.knobs.apply_knobs`
    world : a ready-made world (hand-built test worlds); default: built from the scenario
    collect_agents : collect the agent reporters every day (whole arrays, see
        :class:`sim.agents.collector.ArrayCollector`)
    counterfactual : also step the no-vaccine twin (member 1 of the engine's batch, same
        seed; doses flow as in the run but protect no one), so deaths averted are known
        every day; on by default when the epidemic runs, off halves the cost of a step

    Attributes
    ----------
    config : the resolved scenario (Mesa reserves ``model.scenario`` for its own use)
    world, params, sim : the engine's world, member parameters and simulation
    datacollector : model reporters ``coverage_<group>``, ``gini``, ``deaths``,
        ``deaths_averted``, ``deaths_averted_<group>``, ``donated``, ``pool_delivered``,
        ``n_<strategy>``; agent reporters ``coverage``, ``stock``, ``strategy``,
        ``donated``, ``deaths``, ``deaths_averted``, ...
    has_twin : True when the engine's member 1 is the no-vaccine twin

    Examples
    --------
    >>> model = VaccineDiplomacyModel("scenarios/baseline.yaml", rng=7, days=60)  # doctest: +SKIP
    >>> while model.running:                                                      # doctest: +SKIP
    ...     model.step()
    >>> model.agents.select(lambda c: c.coverage > 0.1).get("iso3")              # doctest: +SKIP
    """

    config: Scenario
    world: World
    params: Params
    sim: Simulation

    def __init__(self, config: Scenario | str | Path = DEFAULT_SCENARIO, *,
                 rng: int | None = None, days: int | None = None,
                 countries: str | None = None, hoard_multiple: float | None = None,
                 export_policy: str | None = None, adaptation_rule: str | None = None,
                 theta: float | None = None, sets: str | None = None,
                 pool_tier: float | None = None, donation_share: float | None = None,
                 world: World | None = None, collect_agents: bool = True,
                 counterfactual: bool = True) -> None:
        super().__init__(rng=rng)
        if isinstance(rng, int | np.integer):
            self.seed = int(rng)
        else:
            self.seed = int(self.rng.integers(np.iinfo(np.int32).max))
        if not isinstance(config, Scenario):
            from sim.scenario import load_scenario

            config = load_scenario(config)
        config = apply_knobs(config, hoard_multiple=hoard_multiple,
                             export_policy=export_policy, adaptation_rule=adaptation_rule,
                             theta=theta, countries=countries, sets=sets,
                             pool_tier=pool_tier, donation_share=donation_share,
                             check_references=world is None)
        updates = {"seed": self.seed, "replicates": 1}
        if days is not None:
            updates["days"] = int(days)
        self.config = config.model_copy(update=updates)
        self.world = world if world is not None else build_world(self.config)
        self.params = build_params(self.world, [self.config], [self.seed])
        self.has_twin = counterfactual and has_twin(self.config)
        batch = (twin_params(self.world, [self.config], [self.seed])
                 if self.has_twin else self.params)
        self.sim = Simulation.start(self.world, batch, self.config.outputs.country_every_days)
        ids = [Country(self, n).unique_id for n in range(self.world.n_countries)]
        self.datacollector = ArrayCollector(
            model_reporters=model_reporters(),
            agent_arrays=AGENT_ARRAYS if collect_agents else None, agent_ids=np.array(ids))
        self.running = True
        self.datacollector.collect(self)

    @property
    def state(self) -> State:
        """The engine's state (member 0 is this model's run)."""
        return self.sim.state

    @property
    def day(self) -> int:
        """Days simulated so far."""
        return self.sim.state.day

    def step(self) -> None:
        """Simulate one day (every engine stage), then collect the reporters."""
        if self.sim.done:
            self.running = False
            return
        self.sim.step()
        self.datacollector.collect(self)
        self.running = not self.sim.done

    def country(self, iso3: str) -> Country:
        """The agent of one country."""
        return self.agents.select(lambda c: c.iso3 == iso3).to_list()[0]

    def results(self) -> Results:
        """The run's :class:`~sim.outcomes.results.Results` (complete once ``running`` is False)."""
        if not self.sim.done:
            raise RuntimeError(f"the run is on day {self.day} of {self.world.days}; "
                               "step until model.running is False first")
        traj, twin = self.sim.recorder.out, None
        if self.has_twin:
            traj, twin = split_members(traj, 1)
        return Results(self.config, self.world, self.params, traj, twin)
