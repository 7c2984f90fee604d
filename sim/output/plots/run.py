"""What the equity plots of one run need, computed once from its results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.outcomes import coverage as readers

if TYPE_CHECKING:
    from sim.outcomes.results import Results


@dataclass(frozen=True)
class EquityInputs:
    """Inputs of the equity plots.

    Attributes
    ----------
    gini : member, date, gini_weighted, gini_unweighted
    attainment : (label, date, target attainment table) per outcome target
    coverage_end : (E, N) ≥1-dose coverage on the last recorded day
    population : (N,) people
    coverage_map : median ≥1-dose coverage over members by ISO3
    end : last recorded day
    per_member : :func:`sim.outcomes.registry.member_metrics`
    """

    gini: pd.DataFrame
    attainment: list[tuple[str, pd.Timestamp, pd.DataFrame]]
    coverage_end: np.ndarray
    population: np.ndarray
    coverage_map: pd.Series
    end: pd.Timestamp
    per_member: pd.DataFrame


def target_label(coverage: float, by: object, measure: str) -> str:
    """E.g. ``40% (completed) by 2021-12-31``."""
    return f"{100 * coverage:.0f}% ({measure.replace('_', ' ')}) by {by}"


def equity_inputs(results: Results) -> EquityInputs:
    """Compute :class:`EquityInputs` of ``results``."""
    out = results.scenario.outcomes
    column = {"first_dose": "coverage_first", "completed": "coverage_completed"}[
        out.target_measure]
    attainment = [(target_label(t.coverage, t.by, out.target_measure), pd.Timestamp(t.by),
                   readers.target_attainment(results, t.coverage, column))
                  for t in out.targets]
    panel = results.panel("coverage_first")
    end, cov = panel.at()
    return EquityInputs(
        gini=readers.gini_over_time(results),
        attainment=attainment,
        coverage_end=cov,
        population=panel.population,
        coverage_map=pd.Series(np.median(cov, axis=0), index=panel.iso3),
        end=end,
        per_member=results.per_member,
    )
