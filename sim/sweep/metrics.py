"""Per-member scalar metrics of a whole batch, straight from its trajectories.

A sweep runs thousands of members; building the tidy tables of
:class:`sim.outcomes.results.Results` for each would cost more than the simulation.
:func:`batch_metrics` computes the common metrics (:data:`FAST_METRICS`) directly from
the recorded arrays, vectorized over members, with the names and arithmetic of the
metrics registry (:mod:`sim.outcomes.registry`), so a sweep's numbers equal a ``vaxsim
run`` of the same point. Any other registered metric is computed by the registry on the
batch's :class:`~sim.outcomes.results.Results` (tables built lazily: slower, always
consistent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.engine.build.epi_params import BANDS
from sim.engine.build.params import Params
from sim.engine.record import GROUP_FIELDS, GROUPS, LEDGER_FIELDS, Trajectories
from sim.outcomes.registry import declared_metrics, member_metrics
from sim.outcomes.results import Results, group_populations
from sim.scenario.paths import suggest
from sim.scenario.schema import Scenario
from sim.world.world import World

#: Ledger column (at the last day) behind each flow metric of the registry's flows family.
_FLOWS = {
    "doses_produced": "produced_cum",
    "doses_administered": "administered_cum",
    "doses_expired": "expired_cum",
    "doses_in_stock_end": "stock_countries",
    "doses_unsold_end": "stock_producers",
}
#: Coverage metric prefix -> the group field it divides by the population.
_COVERAGE = {"coverage_final": "first_dose", "coverage_completed_final": "completed"}

def death_fast_metrics(traj: Trajectories, world: World,
                       counterfactual: Trajectories | None = None) -> dict[str, np.ndarray]:
    """Deaths at the end by group and age band and, with the no-vaccine twins, deaths
    averted: name → (E,) people (``*_per_million``: per million inhabitants of the
    group; NaN for a group with no one in this world). NaN when the epidemic is off (or,
    for the averted ones, when no twins ran); same arithmetic as
    :func:`sim.outcomes.metrics.death_metrics` and
    :func:`sim.outcomes.epidemic_metrics.epidemic_member_metrics`.
    """
    members = traj.groups.shape[0]
    nan = np.full((members, len(GROUPS)), np.nan)
    deaths = nan if traj.epi_groups is None else traj.epi_groups[:, -1, :, 2]   # (E, G)
    novax = (nan if counterfactual is None or counterfactual.epi_groups is None
             else counterfactual.epi_groups[:, -1, :, 2])
    averted = novax - deaths
    pops = group_populations(world)
    per_million = np.divide(1e6, pops, out=np.full(pops.shape, np.nan), where=pops > 0)
    out = {"deaths": deaths[:, 0], "deaths_averted": averted[:, 0],
           "deaths_no_vaccine": novax[:, 0]}
    nan_bands = np.full((members, len(BANDS)), np.nan)
    bands = nan_bands if traj.epi_bands is None else traj.epi_bands[:, -1, 0]   # World
    cf_bands = (nan_bands if counterfactual is None or counterfactual.epi_bands is None
                else counterfactual.epi_bands[:, -1, 0])
    for i, band in enumerate(BANDS):
        out[f"deaths_by_band.{band}"] = bands[:, i]
        out[f"deaths_averted_by_band.{band}"] = cf_bands[:, i] - bands[:, i]
    for g, group in enumerate(GROUPS):
        out[f"deaths_by_group.{group}"] = deaths[:, g]
        out[f"deaths_averted_by_group.{group}"] = averted[:, g]
        out[f"deaths_per_million.{group}"] = deaths[:, g] * per_million[g]
        out[f"deaths_averted_per_million.{group}"] = averted[:, g] * per_million[g]
    return out


#: Metrics that need each member's no-vaccine twin in the same batch.
AVERTED_METRICS = (
    "deaths_averted", "deaths_no_vaccine",
    *[f"deaths_averted_by_band.{b}" for b in BANDS],
    *[f"deaths_averted_by_group.{g}" for g in GROUPS],
    *[f"deaths_averted_per_million.{g}" for g in GROUPS],
)

#: Metrics computed from the last day's arrays alone.
FAST_METRICS = (
    *[f"{prefix}.{g}" for prefix in _COVERAGE for g in GROUPS],
    *_FLOWS,
    "deaths",
    *[f"deaths_by_group.{g}" for g in GROUPS],
    *[f"deaths_by_band.{b}" for b in BANDS],
    *[f"deaths_per_million.{g}" for g in GROUPS],
    *AVERTED_METRICS,
)


def fast_metrics(traj: Trajectories, world: World) -> dict[str, np.ndarray]:
    """Every metric of :data:`FAST_METRICS`: name → (E,) values."""
    out: dict[str, np.ndarray] = {}
    pops = group_populations(world)
    for prefix, field_name in _COVERAGE.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = traj.groups[:, -1, :, GROUP_FIELDS.index(field_name)] / pops   # (E, G)
        for g, group in enumerate(GROUPS):
            out[f"{prefix}.{group}"] = cov[:, g]
    for name, column in _FLOWS.items():
        out[name] = traj.ledger[:, -1, LEDGER_FIELDS.index(column)]
    return out


def scenario_key(scenario: Scenario) -> tuple[str, str, bool]:
    """What a batch's metrics read from its scenario rather than from each member's
    parameters (:func:`batch_metrics` passes one scenario to
    :class:`~sim.outcomes.results.Results`): the outcome definitions (targets, their
    measure, reporting dates), the start date and whether an epidemic runs. Members run
    together must agree on it, so sweep points that differ in it are never batched
    together (:func:`sim.sweep.runner.point_groups`).
    """
    return (scenario.outcomes.model_dump_json(), scenario.start.isoformat(),
            scenario.epidemic.enabled)


def needs_twins(names: Iterable[str]) -> bool:
    """True if some metric is a deaths-averted one (the batch then runs the twins)."""
    return any(n in AVERTED_METRICS for n in names)


def needs_tables(names: Iterable[str]) -> bool:
    """True if some metric is not in :data:`FAST_METRICS` (it needs per-country records)."""
    return any(n not in FAST_METRICS for n in names)


def batch_metrics(traj: Trajectories, world: World, params: Params, names: Sequence[str],
                  scenario: Scenario | None = None, *, fast: bool = True,
                  counterfactual: Trajectories | None = None) -> pd.DataFrame:
    """Per-member metrics of one batch.

    Parameters
    ----------
    traj : the batch's trajectories (E members)
    world, params : what the batch ran on
    names : metric names (``summary.json`` keys flattened with dots)
    scenario : the batch's base scenario, for metrics outside :data:`FAST_METRICS`
    fast : compute :data:`FAST_METRICS` from the arrays (False: every metric through the
        registry's tables, the reference the fast path is tested against)
    counterfactual : the members' no-vaccine twins (same order), for deaths averted

    Returns
    -------
    DataFrame
        E rows (members in batch order), one float column per name; NaN where a member's
        run does not give the metric (its mechanism is off at that point).
    """
    quick = fast_metrics(traj, world) if fast else {}
    if fast and any(n.startswith("deaths") for n in names):
        quick |= death_fast_metrics(traj, world, counterfactual)
    out = {n: quick[n] for n in names if n in quick}
    missing = [n for n in names if n not in quick]
    if missing:
        if scenario is None:
            raise ValueError(f"metrics {missing} need the batch's scenario")
        table = member_metrics(Results(scenario, world, params, traj, counterfactual))
        nan = np.full(traj.ledger.shape[0], np.nan)
        for n in missing:
            out[n] = table[n].to_numpy(dtype=float) if n in table else nan
    return pd.DataFrame({n: np.asarray(out[n], dtype=float) for n in names})


def check_metrics(names: Sequence[str], scenario: Scenario, world: World) -> None:
    """Raise ValueError naming the first metric a run of ``scenario`` cannot give."""
    known = declared_metrics(scenario, world)
    for i, name in enumerate(names):
        if name not in known:
            raise ValueError(f"metrics[{i}]: unknown metric '{name}'" + suggest(name, known))
