"""Severity rescaling after a fit: each income group's fatality factor scaled so its
deaths meet the central estimate of its last death target (``--rescale-severity``).

Deaths are nearly proportional to the fatality ratio — a fitted contact level sets the
infections, severity mostly decides how many of them die — so a multiplicative step per
group nearly meets the target; further steps absorb the feedback through policies that
react to deaths and, with ``epidemic.prior_follows_severity``, through 2020 infections
read through the same factor.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from sim.calibrate.fit import Evaluator, Fit, fit_table, horizon, trajectories
from sim.calibrate.parameters import with_values
from sim.calibrate.targets import CalibrationError
from sim.engine.record import GROUPS
from sim.engine.streams import replicate_seeds
from sim.scenario.schema import Scenario
from sim.world.world import World, build_world

#: Largest severity factor the scenario schema accepts (``epidemic.ifr_multiplier_groups``).
MAX_SEVERITY = 50.0


#: Relative miss of a group's central estimate at which rescaling stops.
RESCALE_TOLERANCE = 0.002


def rescale_severity(scenario: Scenario, targets: pd.DataFrame, *,
                     world: World | None = None, rounds: int = 8) -> tuple[Scenario, Fit]:
    """Scale each income group's severity so its deaths meet the central estimate.

    Deaths are proportional to the fatality ratio (a fitted contact level sets the
    infections; severity only decides how many of them die), so for each group with a
    death target, ``ifr_multiplier_groups.<g>`` is multiplied by observed / simulated on
    the group's last death-target date, pass after pass (at most ``rounds``) until every
    group is within :data:`RESCALE_TOLERANCE` of its estimate: the feedback through
    policies that react to deaths, and through 2020 infections when the prior follows
    severity, makes deaths not quite proportional.

    Returns
    -------
    (scenario with the rescaled factors, a :class:`Fit` of it with no parameters)

    Raises
    ------
    CalibrationError
        No death targets by income group, or the epidemic is off.
    """
    deaths = targets[(targets["metric"] == "deaths") & (targets["group"] != "World")]
    if deaths.empty or not scenario.epidemic.enabled:
        raise CalibrationError("rescaling severity needs death targets by income group "
                               "and the epidemic")
    last = deaths.sort_values("date").groupby("group").tail(1).set_index("group")
    short = horizon(scenario, targets)
    world = world if world is not None else build_world(short)
    for _ in range(rounds):
        ev = Evaluator(horizon(scenario, targets), world, targets, [],
                       replicate_seeds(scenario.seed, scenario.replicates))
        _, _, curves = ev.simulated_with_deaths(np.zeros((1, 0)))
        simulated = {str(g): float(curves[0, (row["date"] - pd.Timestamp(world.start)).days,
                                           GROUPS.index(str(g))])
                     for g, row in last.iterrows()}
        if all(abs(simulated[str(g)] / row["value"] - 1.0) <= RESCALE_TOLERANCE
               for g, row in last.iterrows()):
            break
        factors = dict(scenario.epidemic.ifr_multiplier_groups)
        for key, row in last.iterrows():
            group = str(key)
            if simulated[group] > 0:
                # At most the schema's bound: a world that cannot reach a group's target
                # (a few countries standing for a whole group) keeps a valid scenario.
                factors[group] = min(factors.get(group, 1.0) * row["value"]
                                     / simulated[group], MAX_SEVERITY)
        scenario = with_values(scenario, {"epidemic.ifr_multiplier_groups": factors})
    ev = Evaluator(horizon(scenario, targets), world, targets, [],
                   replicate_seeds(scenario.seed, scenario.replicates))
    sims, groups, curves = ev.simulated_with_deaths(np.zeros((1, 0)))
    loss = float(ev.losses(sims)[0])
    fit = Fit(params=[], initial=np.zeros(0), values=np.zeros(0), loss=loss,
              initial_loss=loss, table=fit_table(ev, sims[0]),
              trajectories=trajectories(world, groups[0], ev.group_pop, curves[0]),
              scenario=scenario, runs=ev.calls)
    return scenario, fit


def fit_with_rescaled_severity(fit: Fit, targets: pd.DataFrame, *,
                               world: World | None = None) -> tuple[Fit, dict[str, float]]:
    """``fit`` followed by :func:`rescale_severity`: the fit of the rescaled scenario
    (fitted severity parameters take their rescaled values; the loss and table are the
    rescaled scenario's) and the dotted overrides ``epidemic.ifr_multiplier_groups.<g>``
    to write with it.
    """
    scenario, refit = rescale_severity(fit.scenario, targets, world=world)
    factors = scenario.epidemic.ifr_multiplier_groups
    values = fit.values.copy()
    for i, p in enumerate(fit.params):
        head, _, group = p.path.rpartition(".")
        if head == "epidemic.ifr_multiplier_groups" and group in factors:
            values[i] = factors[group]
    out = dataclasses.replace(fit, values=values, scenario=scenario, loss=refit.loss,
                              table=refit.table, trajectories=refit.trajectories,
                              runs=fit.runs + refit.runs)
    return out, {f"epidemic.ifr_multiplier_groups.{g}": float(v) for g, v in factors.items()}
