"""Words for a sweep's parameters and metrics: labels with units, the unit a metric is
formatted in (:mod:`sim.outcomes.formatting`), what a count counts, file-name slugs; used
by the sweep's plots, report and command line.
"""

from __future__ import annotations

import re

from sim.outcomes import formatting
from sim.output.plots.palette import GROUP_LABELS

#: At most this many metrics of a sweep get plots (the first of its list with a value).
MAX_METRICS = 6
#: Labels of parameters the shipped sweeps vary; others are spelled out from their path.
PARAM_LABELS = {
    "procurement.groups.HIC.multiple": "High-income hoarding (courses ordered per person)",
    "procurement.groups.HIC.priority": "High-income market tier (0 = served first)",
    "procurement.groups.LIC.budget_share": "Low-income vaccine budget (share of GDP)",
    "pool.tier_share": "Pool first tier (share of population, pro rata)",
    "production.multiplier": "Manufacturing output (× shipped schedule)",
    "uptake.hesitancy": "Vaccine hesitancy (share of people)",
    "uptake.capacity.LIC.end": "Low-income vaccination capacity (share of people per day)",
    "donation.groups.HIC.share": "High-income donation (share of spare doses given)",
    "epidemic.emergence.enabled": "Emergent variants (on or off)",
    "epidemic.emergence.per_billion_infections": "Emergent variants per billion infections",
    "epidemic.emergence.escape": "Emergent variants' escape, infection (share of "
                                 "protection evaded)",
    "epidemic.emergence.escape_death": "Emergent variants' escape, death (share of "
                                       "protection evaded)",
    "epidemic.emergence.severity": "Emergent variants' severity (× parent's fatality)",
    "epidemic.emergence.transmissibility": "Emergent variants' transmissibility "
                                           "(× parent's R0)",
}

def param_label(path: str) -> str:
    """Words for a parameter path: ``pool.tier_share`` → "Pool first tier (share …)"."""
    if path in PARAM_LABELS:
        return PARAM_LABELS[path]
    parts = [GROUP_LABELS.get(p, p).replace("_", " ") for p in path.split(".")]
    return f"{parts[-1].capitalize()} ({', '.join(parts[:-1])})" if len(parts) > 1 \
        else parts[0].capitalize()


def metric_unit(name: str) -> str:
    """The :mod:`sim.outcomes.formatting` unit of a sweep metric."""
    if name.startswith(("coverage", "donated_share")):
        return "share"
    if name.startswith("concentration"):
        return "signed_index"
    if name.startswith("gini"):
        return "index"
    if "per_million" in name:
        return "per_million"
    if name.startswith("hic_lic"):
        return "ratio"
    if ".countries_met" in name:
        return "countries"
    return "count"


def metric_label(name: str) -> str:
    """Axis label of a metric, with its unit."""
    kind, _, group = name.partition(".")
    where = GROUP_LABELS.get(group, group)
    if kind == "coverage_final":
        return f"{where}: people with ≥1 dose at the end (%)"
    if kind == "coverage_completed_final":
        return f"{where}: people with a full course at the end (%)"
    if kind == "gini_coverage":
        return "Gini of coverage, population-weighted (index)"
    if kind == "gini_coverage_unweighted":
        return "Gini of coverage, countries unweighted (index)"
    unit = metric_unit(name)
    text = kind.replace("_", " ").capitalize() + (f", {where}" if where else "")
    return f"{text} ({formatting.AXIS_UNITS[unit] or count_noun(name)})"


def count_noun(name: str) -> str:
    """What a count metric counts: ``people`` (deaths, infections) or ``doses``."""
    return "people" if name.startswith(("deaths", "infections")) else "doses"


def slug(name: str) -> str:
    """A file-name-safe form of a metric name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
