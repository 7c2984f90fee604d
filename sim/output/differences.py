"""What each scenario of a comparison changes against the first (the reference), paired
replicate by replicate (:mod:`sim.outcomes.paired`): the ``differences.csv`` table, its
printed rows and its report section.

Every scenario of a comparison runs with one seed and replicate count, so replicate ``r``
of each shares its random numbers with replicate ``r`` of the reference: the mean paired
difference and its 95% interval say what the policy changes, with far less noise than
the scenarios' own 5–95% bands suggest (most of their spread is shared).

Deaths averted are not differenced for display. Each scenario's are counted against its
own no-vaccine twin, which is given the same doses without protection and so ends
suppression when the scenario's coverage reaches the exit levels
(``epidemic.suppression.coverage``): the twins of two policies differ wherever the
policies move those dates. The difference in deaths is the policy's effect on lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.outcomes import formatting
from sim.outcomes.paired import DIFFERENCE_COLUMNS, paired_differences
from sim.outcomes.results import Results
from sim.output.plots.palette import GROUP_LABELS
from sim.output.report import esc, metric_rows, table_html

#: Groups whose deaths the differences show, in order.
DEATH_GROUPS = ("World", "HIC", "UMIC", "LMIC", "LIC")
#: Columns of ``differences.csv``.
COLUMNS = ("scenario", "reference", *DIFFERENCE_COLUMNS)


def difference_metrics(key_metrics: Sequence[Sequence[str]]) -> list[tuple[str, str, str]]:
    """(key, label, unit) of the differences shown: the comparison's key metrics but
    deaths averted (see the module's docstring), then deaths by income group.
    """
    rows = [(k, label, unit) for k, label, unit in key_metrics
            if not k.startswith("deaths_averted")]
    rows += [(f"deaths_by_group.{g}", f"Deaths, {GROUP_LABELS[g].lower()}"
              if g != "World" else "Deaths, World", "count") for g in DEATH_GROUPS]
    return rows


def difference_table(names: Sequence[str], results: Sequence[Results]) -> pd.DataFrame:
    """Every metric of every scenario after the first, minus the first's, replicate by
    replicate (:func:`sim.outcomes.paired.paired_differences`); empty with one scenario.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: scenario, reference, metric, the two means, pairs, mean
        difference, its 95% interval, the pairs' 2.5–97.5% spread, share of pairs lower.
    """
    frames = []
    ref = results[0]
    for name, res in zip(names[1:], results[1:], strict=True):
        d = paired_differences(ref.per_member, res.per_member, ref.params.seeds,
                               res.params.seeds)
        frames.append(d.assign(scenario=name, reference=names[0]))
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def difference_rows(table: pd.DataFrame, names: Sequence[str],
                    metrics: Sequence[Sequence[str]]) -> list[list[str]]:
    """Rows (label, one cell per scenario in ``names``) of ``metrics`` ((key, label,
    unit)), each cell "mean difference [95% interval]"
    (:func:`sim.outcomes.formatting.difference`); metrics no scenario has are skipped.
    """
    def cell(r: pd.Series, unit: str) -> str:
        return formatting.difference(r["diff_mean"], r["diff_lo"], r["diff_hi"], unit)

    return metric_rows(table, names, metrics, "diff_mean", cell, missing=formatting.MISSING)


def difference_note(reference: str, replicates: int) -> str:
    """What the differences are, in a sentence or three (the table's caption)."""
    pairs = (f"mean over {replicates} pairs [95% confidence interval of the mean]"
             if replicates > 1 else "one replicate each, so no interval")
    return (f"Each scenario minus {reference}, replicate by replicate: replicate r of every "
            f"scenario runs with the same seed and so the same random numbers, and the "
            f"difference is the policy's, not noise ({pairs}). Deaths averted are not "
            f"differenced: each scenario's are counted against its own no-vaccine twin, "
            f"which ends suppression when that scenario's coverage reaches the exit levels, "
            f"so two policies' twins differ; the difference in deaths is the policy's "
            f"effect on lives.")


def differences_section(table: pd.DataFrame, meta: dict[str, Any]) -> str:
    """The report section (HTML) of ``differences.csv``; empty with one scenario."""
    names = list(meta["names"])
    if len(names) < 2 or table.empty:
        return ""
    rows = difference_rows(table, names[1:], difference_metrics(meta["key_metrics"]))
    return (f"<h2>Differences from {esc(names[0])}, paired by replicate</h2>"
            + table_html(("metric", *names[1:]), rows)
            + f"<p class=meta>{esc(difference_note(names[0], meta['replicates']))}</p>")


#: The brief's paired differences: (metric, label, unit), the first two a comparison has.
BRIEF_DIFFERENCES = (("deaths_by_group.World", "deaths, World", "count"),
                     ("coverage_final.LIC", "≥1-dose coverage, low income", "share"),
                     ("coverage_final.World", "≥1-dose coverage, World", "share"))


def brief_differences(table: pd.DataFrame, names: Sequence[str], replicates: int) -> str:
    """The brief's line per scenario after the first: its paired difference from the
    first in world deaths and low-income coverage (HTML; empty with one scenario).
    """
    if len(names) < 2 or table.empty:
        return ""
    shown = [m for m in BRIEF_DIFFERENCES if (table["metric"] == m[0]).any()][:2]
    items = []
    for name in names[1:]:
        sub = table[table["scenario"] == name].set_index("metric")
        parts = [f"{label} " + formatting.difference(
                     sub.at[key, "diff_mean"], sub.at[key, "diff_lo"], sub.at[key, "diff_hi"],
                     unit) for key, label, unit in shown if key in sub.index]
        if parts:
            items.append(f"<li><b>{esc(name)}</b> minus {esc(names[0])}: "
                         f"{esc('; '.join(parts))}</li>")
    what = ("mean of the paired replicates [95% interval]" if replicates > 1
            else "one replicate")
    return (f"<p class=meta>What each scenario changes, paired by replicate ({what}):</p>"
            f"<ul>{''.join(items)}</ul>" if items else "")
