"""Self-contained HTML reports: one run's folder, or a comparison of scenarios.

A report embeds every PNG as base64 and uses inline CSS only, so it opens offline and
can be mailed as one file: it references no external URL (no CDN, no web font).

Examples
--------
>>> write_report("results/baseline/20250101-120000")   # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 1px solid #ccc; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: .3em .8em; border-bottom: 1px solid #e3e3e3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9em; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: .85em; }
@media print { figure { page-break-inside: avoid; } }
"""

#: Captions of known plots, by file stem; others get their stem as caption.
CAPTIONS = {
    "coverage_by_group": "Coverage by income group over time.",
    "history_check": "History check: the run's supply series against the observed 2021 "
                     "figures (sources in sim/data/SOURCES.md; open markers are estimates).",
    "gini_over_time": "Inequality of coverage across countries: Gini, both conventions.",
    "lorenz": "Lorenz curve of vaccinated people against population at the end.",
    "coverage_map": "Coverage by country at the end.",
    "coverage_ranking": "Countries with the highest and lowest coverage at the end.",
    "doses_per_100": "Doses administered per 100 people: highest and lowest countries.",
    "target_attainment": "Countries and people meeting the dated coverage targets.",
    "dose_ledger": "Where every produced dose is.",
    "deaths_by_group": "Deaths and deaths averted per million by income group.",
    "compare_coverage": "Coverage by income group, scenarios side by side.",
    "compare_lorenz": "Lorenz curves of the scenarios at the end.",
    "compare_metrics": "Key metrics by scenario (median, 5–95% whiskers).",
    "compare_deaths": "Deaths averted per million by scenario.",
}
#: Plots first in the report, in this order; any others follow alphabetically.
ORDER = ("coverage_by_group", "gini_over_time", "lorenz", "coverage_map", "target_attainment",
         "coverage_ranking", "doses_per_100", "dose_ledger", "deaths_by_group")


def image_tag(path: Path) -> str:
    """A figure with ``path`` embedded as a base64 PNG data URI."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = CAPTIONS.get(path.stem, path.stem.replace("_", " "))
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def ordered_plots(paths: Iterable[Path]) -> list[Path]:
    """Known plots in :data:`ORDER`, then the rest by name."""
    paths = sorted(paths, key=lambda p: p.name)
    rank = {s: i for i, s in enumerate(ORDER)}
    return sorted(paths, key=lambda p: rank.get(p.stem, len(ORDER)))


def table_html(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table; cells after the first are right-aligned."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i else ""}>{html.escape(str(c))}</td>'
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    """A complete HTML document."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"{body}<p class=meta>Written by vaxsim on {stamp}.</p></body></html>\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def history_section(rows: Sequence[dict[str, Any]] | None) -> list[str]:
    """The report's "History check" section: the run beside the observed 2021 series."""
    parts = ["<h2>History check</h2>"]
    if not rows:
        parts.append("<p class=meta>No observed figure (sim/data/observed.csv, history.csv) "
                     "falls inside this run's dates, or the run lacks what they measure.</p>")
        return parts
    parts.append("<p class=meta>The run beside what was observed in 2021 (sources in "
                 "sim/data/SOURCES.md; (est.) marks a derived figure). Error: model minus "
                 "observed, in percentage points for coverage, relative otherwise. A "
                 "counterfactual scenario is expected to differ: the check reads as how far "
                 "it is from history.</p>")
    keys = ("series", "group", "date", "observed", "model", "error", "source")
    parts.append(table_html(keys, [[r[k] for k in keys] for r in rows]))
    return parts


def run_report(summary: dict[str, Any], scenario_yaml: str, plots: Iterable[Path]) -> str:
    """The HTML of one run's report.

    Parameters
    ----------
    summary : content of ``summary.json``
    scenario_yaml : the resolved scenario
    plots : PNG files to embed
    """
    from sim.outcomes.metrics import summary_rows

    s = summary
    band = (f"; medians of {s['replicates']} replicates (5–95% ranges in summary.json)"
            if s.get("replicates", 1) > 1 else "")
    parts = [
        f"<h1>{html.escape(s['scenario'])}</h1>",
        f"<p class=meta>{s['days']} days from {html.escape(s['start'])}, "
        f"{s.get('replicates', 1)} replicate(s), seed {s['seed']}{band}.</p>",
        f"<p>{html.escape(s.get('description') or '')}</p>",
        "<h2>Key metrics</h2>",
        table_html(("metric", "value"), summary_rows(s)),
    ]
    conventions = s.get("conventions")
    if conventions:
        parts.append("<p class=meta>" + "<br>".join(
            f"<b>{html.escape(k)}</b>: {html.escape(v)}" for k, v in conventions.items())
            + "</p>")
    parts += history_section(s.get("history_check"))
    parts.append("<h2>Plots</h2>")
    parts += [image_tag(p) for p in ordered_plots(plots)]
    parts += ["<h2>Resolved scenario</h2>", f"<pre>{html.escape(scenario_yaml)}</pre>"]
    return page(f"vaxsim: {s['scenario']}", "\n".join(parts))


def write_report(folder: str | Path) -> Path:
    """(Re)write ``folder/report.html`` from the folder's summary.json, scenario.yaml and
    plots/*.png; return its path.
    """
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    scenario = folder / "scenario.yaml"
    text = scenario.read_text(encoding="utf-8") if scenario.exists() else "(missing)"
    html_text = run_report(summary, text, (folder / "plots").glob("*.png"))
    return write_atomic(folder / "report.html", html_text)


def comparison_report(names: Sequence[str], table_rows: Sequence[Sequence[str]],
                      plots: Iterable[Path], runs: Sequence[tuple[str, str]],
                      note: str) -> str:
    """The HTML of a comparison report.

    Parameters
    ----------
    names : scenario names (table columns)
    table_rows : (metric, value per scenario …)
    plots : PNG files to embed
    runs : (scenario name, relative path of its own results folder)
    note : seeds, replicates, overrides
    """
    links = "".join(f'<li>{html.escape(n)}: <a href="{html.escape(p)}/report.html">'
                    f"{html.escape(p)}/report.html</a></li>" for n, p in runs)
    body = "\n".join([
        f"<h1>Comparison: {html.escape(' vs '.join(names))}</h1>",
        f"<p class=meta>{html.escape(note)}</p>",
        "<h2>Key metrics</h2>",
        "<p class=meta>median [5th–95th percentile] over replicates</p>",
        table_html(("metric", *names), table_rows),
        "<h2>Plots</h2>",
        *[image_tag(p) for p in sorted(plots, key=lambda p: p.name)],
        f"<h2>Each scenario's own report</h2><ul>{links}</ul>",
    ])
    return page(f"vaxsim comparison: {', '.join(names)}", body)
