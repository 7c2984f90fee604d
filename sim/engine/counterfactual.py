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
    if (not scenario.epidemic.enabled or not scenario.epidemic.vaccine_effect
            or not scenario.outputs.deaths_averted):
        traj, _ = simulate(world, params, country_every, progress, country_members=kept)
        return params, traj, None
    twin = without_vaccine(scenario)
    batch = build_params(world, [scenario] * len(seeds) + [twin] * len(seeds),
                         [*seeds, *seeds])
    # Twins weigh allocation by their real member's epidemic, so doses move identically.
    real_of = np.tile(np.arange(len(seeds)), 2)
    batch = dataclasses.replace(batch, burden_member=real_of)
    traj, _ = simulate(world, batch, country_every, progress, country_members=kept)
    real, counterfactual = split_members(traj, len(seeds))
    return params, real, counterfactual
