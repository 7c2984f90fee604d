"""The no-vaccine counterfactual: extra members of the same batch, split off afterwards.

``deaths averted = deaths without vaccine − deaths with it``, member by member. The
counterfactual members run the same scenario with the same seeds and
``epidemic.vaccine_effect: false``: doses are produced, traded and given exactly as in
the real members (the dose machinery sees no difference, so every non-epidemic random
stream is shared), but they protect no one. The pairs differ only through vaccination.

Two ways to run the twins, with identical results:

- **epidemic only** (:class:`EpidemicTwin`, the usual case): a twin's doses are its real
  member's by construction (same seed, allocation weighed by the real member's burden,
  :func:`twin_params`), so only its epidemic is run, fed each day the real member's
  courses and boosters. Half the dose engine's work is saved.
- **full twins** (:func:`twin_params`): when countries imitate others at policy reviews,
  the payoff reads each member's own deaths, so a twin's doses can differ from its real
  member's; twins then run as extra members of the same batch, split off afterwards.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.engine.adaptive import IMITATE
from sim.engine.build.params import Params
from sim.engine.epi_record import EpiRecorder
from sim.engine.epidemic import start_epidemic, step_epidemic
from sim.engine.flows import FLOW_COLUMNS
from sim.engine.kernels import backend_from_env, pinned
from sim.engine.record import Trajectories, buffer_days
from sim.engine.run import Simulation
from sim.scenario.schema import Scenario
from sim.world.world import World


def without_vaccine(scenario: Scenario) -> Scenario:
    """``scenario`` with vaccination's epidemiological effect switched off."""
    epi = scenario.epidemic.model_copy(update={"vaccine_effect": False})
    return scenario.model_copy(update={"epidemic": epi})


def has_twin(scenario: Scenario) -> bool:
    """True when deaths averted are defined and asked for: the epidemic runs, vaccines
    protect, and ``outputs.deaths_averted`` is on.
    """
    return (scenario.epidemic.enabled and scenario.epidemic.vaccine_effect
            and scenario.outputs.deaths_averted)


def with_twins(scenarios: list[Scenario], seeds) -> tuple[list[Scenario], list[int]]:
    """Members followed by their no-vaccine twins, member ``i`` and twin ``E + i`` sharing
    seed ``seeds[i]`` (a member without an epidemic gets itself as twin: nothing to avert).
    """
    twins = [without_vaccine(s) if has_twin(s) else s for s in scenarios]
    return [*scenarios, *twins], [*seeds, *seeds]


def twin_params(world, scenarios: list[Scenario], seeds: list[int]):
    """Parameters of ``scenarios``' members followed by their no-vaccine twins
    (:func:`with_twins`), each twin weighing allocation by its real member's epidemic
    (``Params.burden_member``), so doses move identically and deaths averted compare the
    same allocation with and without the vaccine's effect.
    """
    from sim.engine.build.params import build_params

    batch = build_params(world, *with_twins(scenarios, seeds))
    real_of = np.tile(np.arange(len(seeds)), 2)
    return dataclasses.replace(batch, burden_member=real_of)


def split_members(traj: Trajectories, real: int) -> tuple[Trajectories, Trajectories]:
    """(first ``real`` members, the rest) of a batch's trajectories."""
    def take(members: slice) -> Trajectories:
        out = {}
        for f in dataclasses.fields(traj):
            v = getattr(traj, f.name)
            if f.name == "country_days" or v is None:
                out[f.name] = v
            elif f.name == "flows":  # (K, 6) rows led by the member index
                first = members.start or 0
                last = traj.groups.shape[0] if members.stop is None else members.stop
                member = FLOW_COLUMNS.member
                keep = (v[:, member] >= first) & (v[:, member] < last)
                rows = v[keep].copy()
                rows[:, member] -= first
                out[f.name] = rows
            else:
                out[f.name] = v[members]
        return Trajectories(**out)

    return take(slice(0, real)), take(slice(real, None))


def doses_shared(params: Params) -> bool:
    """True when every no-vaccine twin's doses are its real member's by construction, so
    its epidemic alone can be run (:class:`EpidemicTwin`): no country imitates others at
    policy reviews (imitation compares payoffs that read the member's own deaths).
    """
    return params.epidemic is not None and not bool((params.rule == IMITATE).any())


class EpidemicTwin:
    """The no-vaccine twins of a batch's members, as an epidemic only.

    Each day, after the real batch's :meth:`Simulation.step`, :meth:`step` runs stage 8
    (:func:`sim.engine.epidemic.step_epidemic`) on the twins' own epidemic state with the
    real members' courses and boosters by age band, then records it. Valid only when
    :func:`doses_shared` holds; the results are those of twins run as full members.

    Attributes
    ----------
    params : the real members' parameters with the twins' ``epidemic.vaccine_effect``
    epi : the twins' :class:`~sim.engine.epidemic.EpiState` (E members)
    recorder : their epidemic records
    """

    def __init__(self, world: World, params: Params, scenarios: list[Scenario]) -> None:
        ep = params.epidemic
        assert ep is not None, "an epidemic twin needs an epidemic"
        twin = np.array([has_twin(s) for s in scenarios])
        # without_vaccine() changes only this field of the built parameters.
        ep = dataclasses.replace(ep, vaccine_effect=np.where(twin, 0.0, ep.vaccine_effect))
        self.params = dataclasses.replace(params, epidemic=ep)
        self.epi = start_epidemic(world, self.params)
        self.world = world
        E, N = params.n_members, world.n_countries
        self.recorder = EpiRecorder(world.group_index, E, world.days, buffer_days(E, N))
        self.kernels = pinned(backend_from_env())

    def step(self, state, t: int) -> None:
        """Day ``t`` of the twins' epidemic, given the real batch's ``state`` at the end of
        its day ``t`` (stages 9-10 change no course or booster).
        """
        view = SimpleNamespace(epi=self.epi, courses_band=state.courses_band,
                               boosted_band=state.boosted_band)
        with self.kernels:
            step_epidemic(view, self.world, self.params, t)
        self.recorder.record(self.epi, t)

    def trajectories(self, real: Trajectories) -> Trajectories:
        """The twins' trajectories: their epidemic records; their doses are ``real``'s
        (the same arrays, shared), and no per-country dose records.
        """
        r = self.recorder
        return dataclasses.replace(real, countries=real.countries[:0], epi_groups=r.groups,
                                   epi_countries_end=r.countries_end, epi_bands=r.bands)


def run_with_twin(sim: Simulation, twin: EpidemicTwin | None,
                  progress: Callable[[int], None] | None = None) -> None:
    """Run ``sim`` (and ``twin``, day by day beside it) to the end."""
    while not sim.done:
        t = sim.state.day
        sim.step()
        if twin is not None:
            twin.step(sim.state, t)
        if progress is not None and (sim.state.day % 30 == 0 or sim.done):
            progress(sim.state.day)
    if sim.state.products is not None:  # as sim.engine.run.simulate records them
        sim.recorder.out.products = sim.state.products.world_received


def keep_detail(params: Params, kept: int, first: int = 0) -> Params:
    """``params`` recording donor → recipient flows only for members ``first + i < kept``
    (and where the scenario asks for them: ``donation.record_flows``), like the
    per-country records (``outputs.country_members``).
    """
    d = params.diplomacy
    mine = first + np.arange(params.n_members) < kept
    return dataclasses.replace(params, diplomacy=dataclasses.replace(
        d, record_flows=d.record_flows & mine))


def simulate_members(world, scenario: Scenario, params: Params, seeds, country_every: int,
                     kept: int, progress=None) -> tuple[Trajectories, Trajectories | None]:
    """Run one batch of ``scenario``'s members (``params`` built for ``seeds``) with their
    no-vaccine twins when :func:`has_twin`: (members' trajectories, twins' or None).
    Full twins record no flows (a twin's doses are its member's, or no one reads them).
    """
    from sim.engine.run import simulate

    if not has_twin(scenario):
        traj, _ = simulate(world, params, country_every, progress, country_members=kept)
        return traj, None
    if doses_shared(params):
        sim = Simulation.start(world, params, country_every, kept)
        twin = EpidemicTwin(world, params, [scenario] * len(seeds))
        run_with_twin(sim, twin, progress)
        return sim.recorder.out, twin.trajectories(sim.recorder.out)
    batch = twin_params(world, [scenario] * len(seeds), list(seeds))
    flows = np.concatenate([params.diplomacy.record_flows, np.zeros(len(seeds), bool)])
    batch = dataclasses.replace(batch, diplomacy=dataclasses.replace(batch.diplomacy,
                                                                     record_flows=flows))
    traj, _ = simulate(world, batch, country_every, progress, country_members=kept)
    return split_members(traj, len(seeds))


#: Runs picklable calls elsewhere (e.g. worker processes), yielding their results in the
#: calls' order.
ChunkRunner = Callable[[Sequence[Callable[[], Any]]], Iterator[Any]]


def run_chunk(world: World, scenario: Scenario, seeds: list[int], first: int, kept: int,
              country_every: int, progress: Callable[[int], None] | None = None
              ) -> tuple[Trajectories, Trajectories | None]:
    """Run members ``first .. first + len(seeds) - 1`` of ``scenario``'s ensemble (with
    their twins): (members' trajectories, twins' or None). Per-country records and flows
    are kept for members below ``kept`` only (a recorder keeps at least one member; the
    stack drops what is beyond ``kept``). Picklable with its arguments, so a chunk can
    run in another process.
    """
    from sim.engine.build.params import build_params

    n = len(seeds)
    k = min(max(kept - first, 1), n)
    chunk = keep_detail(build_params(world, [scenario] * n, seeds), kept, first)
    return simulate_members(world, scenario, chunk, seeds, country_every, k, progress)


def _chunk_progress(progress: Callable[[int], None] | None, i: int, n: int, days: int
                    ) -> Callable[[int], None] | None:
    """Chunk ``i`` of ``n``'s day count as days of the whole run."""
    if progress is None:
        return None
    return lambda d: progress((i * days + d) // n)


def simulate_with_counterfactual(world, scenario: Scenario, seeds, country_every: int = 7,
                                 progress=None, *, one: Params | None = None,
                                 workers: int = 1, run_chunks: ChunkRunner | None = None):
    """Run ``scenario``'s members and, when it has an epidemic and asks for deaths averted
    (``outputs.deaths_averted``, the default), their no-vaccine twins: as an epidemic
    only beside the real batch (:class:`EpidemicTwin`) or, when doses may differ, as
    extra members of one batch. A large ensemble runs in chunks of members
    (:mod:`sim.engine.ensemble`), with the same results.

    one : the first member's parameters (``build_params(world, [scenario], seeds[:1])``)
        when the caller has them already: they size the chunks and, for one member, are
        the batch's
    workers, run_chunks : with ``workers`` > 1 and a ``run_chunks`` (picklable calls ->
        their results in the calls' order, e.g. :func:`sim.output.processes.in_order`
        over a process pool), the members are cut into at least ``workers`` chunks and
        the chunks run there; progress then moves as chunks finish. The results are the
        same bit for bit (a member's results do not depend on its batch).

    Returns
    -------
    (params, trajectories, counterfactual) : parameters and trajectories of the real
        members only; the twins' trajectories, or None when the epidemic is off
    """
    from sim.engine.build.params import build_params
    from sim.engine.ensemble import EPI_FIELDS, MemberStack, chunk_members, chunks

    seeds = list(seeds)
    E = len(seeds)
    kept = min(E, scenario.outputs.country_members)  # twins keep none
    if one is None:
        one = build_params(world, [scenario], seeds[:1])
    params = keep_detail(one if E == 1 else build_params(world, [scenario] * E, seeds), kept)
    twins = has_twin(scenario)
    parallel = workers > 1 and run_chunks is not None and E > 1
    parts = chunks(E, chunk_members(world, one, E, twins, workers if parallel else 1))
    if len(parts) == 1:
        traj, counterfactual = simulate_members(world, scenario, params, seeds, country_every,
                                                kept, progress)
        return params, traj, counterfactual
    shared = doses_shared(params)
    real = MemberStack(E, kept)
    twin = MemberStack(E, 0, EPI_FIELDS if shared else None) if twins else None
    calls = [functools.partial(run_chunk, world, scenario, seeds[part], part.start, kept,
                               country_every) for part in parts]
    if parallel:
        assert run_chunks is not None
        done = run_chunks(calls)
    else:
        done = (call(progress=_chunk_progress(progress, i, len(parts), world.days))
                for i, call in enumerate(calls))
    for i, (traj, cf) in enumerate(done):
        real.add(traj)
        if twin is not None and cf is not None:
            twin.add(cf)
        del traj, cf
        if parallel and progress is not None:
            progress((i + 1) * world.days // len(parts))
    out = real.result()
    if twin is None:
        return params, out, None
    return params, out, twin.result(
        dataclasses.replace(out, countries=out.countries[:0]) if shared else None)
