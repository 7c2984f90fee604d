"""The no-vaccine counterfactual: extra members of the same batch, split off afterwards.

``deaths averted = deaths without vaccine − deaths with it``, member by member. The
counterfactual members run the same scenario with the same seeds and
``epidemic.vaccine_effect: false``: doses are produced, traded and given exactly as in
the real members (the dose machinery sees no difference, so every non-epidemic random
stream is shared), but they protect no one. The pairs differ only through vaccination.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.engine.flows import FLOW_COLUMNS
from sim.engine.record import Trajectories
from sim.scenario.schema import Scenario


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


def simulate_with_counterfactual(world, scenario: Scenario, seeds, country_every: int = 7,
                                 progress=None):
    """Run ``scenario``'s members and, when it has an epidemic and asks for deaths averted
    (``outputs.deaths_averted``, the default), their no-vaccine twins in one batch.

    Returns
    -------
    (params, trajectories, counterfactual) : parameters and trajectories of the real
        members only; the twins' trajectories, or None when the epidemic is off
    """
    from sim.engine.build.params import build_params
    from sim.engine.run import simulate

    params = build_params(world, [scenario] * len(seeds), seeds)
    kept = min(len(seeds), scenario.outputs.country_members)  # twins keep none
    if not has_twin(scenario):
        traj, _ = simulate(world, params, country_every, progress, country_members=kept)
        return params, traj, None
    batch = twin_params(world, [scenario] * len(seeds), list(seeds))
    traj, _ = simulate(world, batch, country_every, progress, country_members=kept)
    real, counterfactual = split_members(traj, len(seeds))
    return params, real, counterfactual
