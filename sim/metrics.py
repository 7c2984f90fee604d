"""Outcome metrics: pure functions of results tables, per member, then summarized.

With several members (replicates), ``summary.json`` reports each metric's median over
members and, under ``quantiles``, its 5th and 95th percentiles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.record import GROUPS

if TYPE_CHECKING:
    from sim.results import Results


def coverage_at(groups: pd.DataFrame, date: Any | None = None,
                column: str = "coverage_first") -> pd.DataFrame:
    """(members × groups) coverage on ``date`` (default: the last day)."""
    date = groups["date"].max() if date is None else pd.Timestamp(date)
    day = groups[groups["date"] == date]
    return day.pivot(index="member", columns="group", values=column)[list(GROUPS)]


def ledger_end(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger's last day, one row per member."""
    return ledger[ledger["date"] == ledger["date"].max()].set_index("member")


def member_metrics(results: Results) -> pd.DataFrame:
    """One row per member, one column per scalar metric (nested ones flattened with '.')."""
    cov = coverage_at(results.groups).add_prefix("coverage_final.")
    cov_c = coverage_at(results.groups, column="coverage_completed").add_prefix(
        "coverage_completed_final.")
    end = ledger_end(results.ledger)
    flows = pd.DataFrame({
        "doses_produced": end["produced_cum"],
        "doses_administered": end["administered_cum"],
        "doses_expired": end["expired_cum"],
        "doses_in_stock_end": end["stock_countries"],
        "doses_unsold_end": end["stock_producers"],
    })
    return pd.concat([cov, cov_c, flows], axis=1)


def _nest(flat: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def summarize(results: Results) -> dict[str, Any]:
    """The content of ``summary.json``."""
    per_member = member_metrics(results)
    median = {k: float(v) for k, v in per_member.median().items()}
    s = results.scenario
    out: dict[str, Any] = {
        "scenario": s.name,
        "description": s.description,
        "seed": s.seed,
        "replicates": int(results.params.n_members),
        "start": s.start.isoformat(),
        "days": s.days,
        "metrics": _nest(median),
    }
    if results.params.n_members > 1:
        q = per_member.quantile([0.05, 0.95])
        out["quantiles"] = _nest({
            k: {"p05": float(q.loc[0.05, k]), "p95": float(q.loc[0.95, k])}
            for k in per_member.columns})
    return out


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) pairs of the key metrics, for printing."""
    m = summary["metrics"]
    rows = [(f"coverage ≥1 dose, {g}", f"{100 * m['coverage_final'][g]:.1f}%") for g in GROUPS]
    for key in ("doses_produced", "doses_administered", "doses_expired", "doses_in_stock_end"):
        rows.append((key.replace("_", " "), f"{m[key] / 1e9:.2f} bn"))
    return rows


def ledger_residual(ledger: pd.DataFrame) -> np.ndarray:
    """Relative error of produced = administered + expired + stocks + transit, per row."""
    rhs = ledger[["administered_cum", "expired_cum", "stock_countries", "stock_pool",
                  "in_transit", "stock_producers"]].sum(axis=1)
    return (np.abs(ledger["produced_cum"] - rhs) / np.maximum(ledger["produced_cum"], 1.0)
            ).to_numpy()
