"""``summary.json``: the median of every per-member metric over members, nested by
name, with 5th and 95th percentiles, and the lines printed after a run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.engine.record import GROUPS
from sim.outcomes import formatting
from sim.outcomes.epidemic_metrics import epidemic_rows

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
    from sim.outcomes.diplomacy_metrics import diplomacy_summary  # pandas: not for summary_rows

    per_member = results.per_member
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
        # Targets as a list, as in ``metrics``: each target's 5-95% of countries met and
        # of the share of people living in them.
        by_target = quant.pop("targets", {})
        quant["targets"] = [by_target.get(str(i), {}) for i in range(len(metrics["targets"]))]
        out["quantiles"] = quant
    return out


def _band(quantiles: dict[str, Any], key: str) -> tuple[Any, Any]:
    """(p05, p95) of ``key`` in a target's quantiles (None, None without them)."""
    b = quantiles.get(key) or {}
    return b.get("p05"), b.get("p95")


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) pairs of the key metrics, for printing and the report;
    with several replicates each value is "median [5–95%]" (:mod:`sim.outcomes.formatting`).

    Metrics a run does not have (older results, no epidemic, no donations) are left out.
    """
    m = summary["metrics"]
    q = summary.get("quantiles") or {}

    def cell(path: str, unit: str) -> str:
        mid, band = m, q
        for part in path.split("."):
            mid = mid.get(part) if isinstance(mid, dict) else None
            band = band.get(part, {}) if isinstance(band, dict) else {}
        return formatting.with_band(mid, band.get("p05"), band.get("p95"), unit)

    rows = [(f"coverage ≥1 dose, {g}", cell(f"coverage_final.{g}", "share")) for g in GROUPS]
    for key in ("doses_produced", "doses_administered", "doses_expired", "doses_in_stock_end"):
        rows.append((key.replace("_", " "), cell(key, "count")))
    if "gini_coverage" in m:
        rows += [("Gini of coverage, population-weighted", cell("gini_coverage", "index")),
                 ("Gini of coverage, countries unweighted",
                  cell("gini_coverage_unweighted", "index")),
                 ("concentration index (by GDP per capita)",
                  cell("concentration_index", "signed_index")),
                 ("HIC / LIC coverage ratio", cell("hic_lic_ratio", "ratio"))]
    bands = q.get("targets") or []
    for i, t in enumerate(m.get("targets", [])):
        label = f"{100 * t['coverage']:.0f}% {t['measure'].replace('_', ' ')} by {t['by']}"
        if t["countries_met"] is None:
            rows.append((label, "after run end"))
            continue
        b = bands[i] if i < len(bands) else {}
        met = formatting.with_band(t["countries_met"], *_band(b, "countries_met"), "countries")
        people = formatting.with_band(t["population_share_met"],
                                      *_band(b, "population_share_met"), "share")
        count, _, band = met.partition(" ")
        rows.append((label, f"{count}/{formatting.countries(t['countries_total'])} countries"
                     f"{' ' + band if band else ''}, {people} of people"))
    if "deaths_per_million" in m:
        rows.append(("deaths per million, World", cell("deaths_per_million.World",
                                                       "per_million")))
    if "deaths_averted_per_million" in m:
        rows.append(("deaths averted per million, World",
                     cell("deaths_averted_per_million.World", "per_million")))
    if "donated_share_of_supply" in m:
        rows.append(("donated share of LIC supply", cell("donated_share_of_supply.LIC",
                                                         "share")))
    return rows + epidemic_rows(m, cell, summary.get("days"))
