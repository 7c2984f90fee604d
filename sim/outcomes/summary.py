"""``summary.json``: the median of every per-member metric over members, nested by
name, with 5th and 95th percentiles, and the lines printed after a run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.engine.record import GROUPS
from sim.outcomes.diplomacy_metrics import diplomacy_summary
from sim.outcomes.epidemic_metrics import epidemic_rows
from sim.outcomes.registry import member_metrics

if TYPE_CHECKING:
    from sim.outcomes.results import Results


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def _number(v: Any) -> float | None:
    """A JSON-safe float: NaN and ±inf become None (null: undefined or not reached)."""
    v = float(v)
    return v if math.isfinite(v) else None


def _targets_list(metrics: dict[str, Any], results: Results) -> list[dict[str, Any]]:
    """``targets`` as a list of {coverage, by, measure, countries_met, countries_total,
    population_share_met} (met counts null when the date is after the run's end).
    """
    flat = metrics.pop("targets", {})
    out = []
    for i, t in enumerate(results.scenario.outcomes.targets):
        row = flat.get(str(i), {})
        out.append({"coverage": t.coverage, "by": t.by.isoformat(),
                    "measure": results.scenario.outcomes.target_measure,
                    "countries_met": row.get("countries_met"),
                    "countries_total": row.get("countries_total"),
                    "population_share_met": row.get("population_share_met")})
    return out


def summarize(results: Results) -> dict[str, Any]:
    """The content of ``summary.json``."""
    per_member = member_metrics(results)
    median = {k: _number(v) for k, v in per_member.median().items()}
    s = results.scenario
    metrics = _nest(median)
    metrics["targets"] = _targets_list(metrics, results)
    metrics.update(diplomacy_summary(results))
    out: dict[str, Any] = {
        "scenario": s.name,
        "description": s.description,
        "seed": s.seed,
        "replicates": int(results.params.n_members),
        "start": s.start.isoformat(),
        "days": s.days,
        "conventions": {
            "coverage": "share of population with at least one dose, unless 'completed'",
            "gini_coverage": "population-weighted Gini of country coverage (people as "
                             "units; Lorenz curve of vaccinated people against population)",
            "gini_coverage_unweighted": "Gini of country coverage with countries as units",
            "concentration_index": "coverage ranked by GDP per capita, population-weighted; "
                                   "> 0 means the rich are better covered",
            "hic_lic_ratio": "high-income / low-income coverage; null if LIC coverage is 0",
        },
        "metrics": metrics,
    }
    if results.params.n_members > 1:
        q = per_member.quantile([0.05, 0.95])
        quant = _nest({
            k: {"p05": _number(q.loc[0.05, k]), "p95": _number(q.loc[0.95, k])}
            for k in per_member.columns})
        quant.pop("targets", None)
        out["quantiles"] = quant
    return out


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) pairs of the key metrics, for printing and the report.

    Metrics a run does not have (older results, no epidemic, no donations) are left out.
    """
    m = summary["metrics"]
    rows = [(f"coverage ≥1 dose, {g}", _pct(m["coverage_final"][g])) for g in GROUPS]
    for key in ("doses_produced", "doses_administered", "doses_expired", "doses_in_stock_end"):
        rows.append((key.replace("_", " "), f"{m[key] / 1e9:.2f} bn"))

    def num(v: float | None, fmt: str) -> str:
        return "n/a" if v is None else format(v, fmt)

    if "gini_coverage" in m:
        rows += [("Gini of coverage, population-weighted", num(m["gini_coverage"], ".3f")),
                 ("Gini of coverage, countries unweighted",
                  num(m["gini_coverage_unweighted"], ".3f")),
                 ("concentration index (by GDP per capita)",
                  num(m["concentration_index"], "+.3f")),
                 ("HIC / LIC coverage ratio", num(m["hic_lic_ratio"], ".1f") + "×"
                  if m["hic_lic_ratio"] is not None else "n/a")]
    for t in m.get("targets", []):
        label = f"{100 * t['coverage']:.0f}% {t['measure'].replace('_', ' ')} by {t['by']}"
        if t["countries_met"] is None:
            rows.append((label, "after run end"))
        else:
            rows.append((label, f"{t['countries_met']:.0f}/{t['countries_total']:.0f} "
                         f"countries, {_pct(t['population_share_met'])} of people"))
    if "deaths_per_million" in m:
        rows.append(("deaths per million, World", num(m["deaths_per_million"]["World"], ".0f")))
    if "deaths_averted_per_million" in m:
        rows.append(("deaths averted per million, World",
                     num(m["deaths_averted_per_million"]["World"], ".0f")))
    if "donated_share_of_supply" in m:
        rows.append(("donated share of LIC supply", _pct(m["donated_share_of_supply"]["LIC"])))
    return rows + epidemic_rows(m)
