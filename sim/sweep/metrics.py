"""Per-member scalar metrics of a whole batch, straight from its trajectories.

A sweep runs thousands of members; building the tidy tables of :class:`sim.outcomes.results.Results`
for each would cost more than the simulation. :func:`batch_metrics` computes the common
metrics directly from the recorded arrays, vectorized over members, with the same names
as ``summary.json`` flattened with dots (``coverage_final.LIC``, ``doses_expired`` …) and
the same arithmetic as :func:`sim.outcomes.metrics.member_metrics`, so a sweep's numbers equal a
``vaxsim run`` of the same point. Any other metric that :func:`sim.outcomes.metrics.member_metrics`
knows is computed by it, on tables built for the batch (slower, but always consistent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.build.params import Params
from sim.engine.record import GROUPS, LEDGER_FIELDS, Trajectories
from sim.outcomes.results import Results
from sim.world.world import World

#: Ledger column (at the last day) behind each flow metric, as in sim.outcomes.metrics.
_FLOWS = {
    "doses_produced": "produced_cum",
    "doses_administered": "administered_cum",
    "doses_expired": "expired_cum",
    "doses_in_stock_end": "stock_countries",
    "doses_unsold_end": "stock_producers",
}


def _group_pops(world: World) -> np.ndarray:
    from sim.outcomes.results import group_populations

    return group_populations(world)


def _coverage(field_index: int) -> Callable[[Trajectories, World], np.ndarray]:
    def f(traj: Trajectories, world: World) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return traj.groups[:, -1, :, field_index] / _group_pops(world)
    return f


def fast_metrics(traj: Trajectories, world: World) -> dict[str, np.ndarray]:
    """Every vectorized metric: name → (E,) values."""
    out: dict[str, np.ndarray] = {}
    for prefix, index in (("coverage_final", 0), ("coverage_completed_final", 1)):
        cov = _coverage(index)(traj, world)                       # (E, G)
        for g, group in enumerate(GROUPS):
            out[f"{prefix}.{group}"] = cov[:, g]
    for name, column in _FLOWS.items():
        out[name] = traj.ledger[:, -1, LEDGER_FIELDS.index(column)]
    return out


FAST_METRICS = (
    *[f"coverage_final.{g}" for g in GROUPS],
    *[f"coverage_completed_final.{g}" for g in GROUPS],
    *_FLOWS,
)


def needs_tables(names: Iterable[str]) -> bool:
    """True if some metric is not vectorized here (it then needs per-country records)."""
    return any(n not in FAST_METRICS for n in names)


def batch_metrics(traj: Trajectories, world: World, params: Params, names: Sequence[str],
                  scenario: Any = None) -> pd.DataFrame:
    """Per-member metrics of one batch.

    Parameters
    ----------
    traj : the batch's trajectories (E members)
    world, params : what the batch ran on
    names : metric names (``summary.json`` keys flattened with dots)
    scenario : the base scenario, for metrics computed by ``sim.outcomes.metrics.member_metrics``

    Returns
    -------
    DataFrame
        E rows (members in batch order), one float column per name.
    """
    fast = fast_metrics(traj, world)
    out = {n: fast[n] for n in names if n in fast}
    missing = [n for n in names if n not in fast]
    if missing:
        from sim.outcomes.metrics import member_metrics

        table = member_metrics(Results(scenario, world, params, traj))
        for n in missing:
            out[n] = table[n].to_numpy(dtype=float)
    return pd.DataFrame({n: np.asarray(out[n], dtype=float) for n in names})


@cache
def _probe_names() -> tuple[str, ...]:
    """Metric names :func:`sim.outcomes.metrics.member_metrics` gives on a tiny two-country run."""
    import datetime as dt

    from sim.engine.build.params import build_params
    from sim.engine.run import simulate
    from sim.outcomes.metrics import member_metrics
    from sim.scenario.schema import Scenario

    n, days = 4, 10
    world = World(
        iso3=np.array(["AAA", "BBB", "CCC", "DDD"]), name=np.array(["A", "B", "C", "D"]),
        income_group=np.array(["HIC", "UMIC", "LMIC", "LIC"]),
        who_region=np.array(["EUR"] * n), continent=np.array(["Europe"] * n),
        group_index=np.arange(n), population=np.full(n, 1e6),
        gdp_per_capita=np.full(n, 1e4), pop_65plus_share=np.full(n, 0.1),
        producers=np.array(["AAA"]), home_of=np.array([0, -1, -1, -1]),
        production=np.full((1, days), 1e4), month_index=np.zeros(days, dtype=int),
        start=dt.date(2021, 1, 1), days=days)
    scenario = Scenario(name="probe", days=days)
    params = build_params(world, [scenario], [0])
    traj, _ = simulate(world, params)
    return tuple(member_metrics(Results(scenario, world, params, traj)).columns)


def available_metrics(requested: Iterable[str] = ()) -> list[str]:
    """Metric names a sweep may collect (the probe runs only if ``requested`` needs it)."""
    names = list(FAST_METRICS)
    if needs_tables(requested):
        try:
            names += [n for n in _probe_names() if n not in names]
        except Exception:  # noqa: BLE001 - a metric that fails on a toy world is not offered
            pass
    return names
