"""Self-contained HTML reports of a run, a comparison or a sweep folder.

A report embeds every PNG as base64 and uses inline CSS only, so it opens offline and
can be mailed as one file: it references no external URL (no CDN, no web font). Every
piece of text from a file or a user goes through :func:`esc`, the one escape helper.

A report is a list of sections, each a function of the folder's :class:`RunInput`
returning HTML ("" to leave it out). It opens with a one-page **brief**: the scenario's
question, three headline numbers with their 5–95% bands, and the map. Other modules add
sections by appending to :data:`RUN_SECTIONS` (comparisons:
:data:`sim.output.compare.COMPARE_SECTIONS`).

Examples
--------
>>> write_report("results/baseline/20250101-120000")   # doctest: +SKIP

Comparison reports are built in :mod:`sim.output.compare` and sweep reports in
:mod:`sim.sweep.report` from the helpers here; ``vaxsim report`` rebuilds any of them.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.outcomes import formatting

CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45;
       overflow-wrap: break-word; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 1px solid #ccc; }
.meta { color: #555; }
.scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: .3em .8em; border-bottom: 1px solid #e3e3e3; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto;
                                         border: 1px solid #eee; }
figcaption { color: #555; font-size: .9em; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: .85em;
      white-space: pre-wrap; }
.brief { border: 2px solid #3C5488; border-radius: 6px; padding: .5em 1.2em 1em;
         margin-bottom: 2em; page-break-after: always; }
.brief .question { font-size: 1.25em; font-weight: 600; margin: .3em 0 .6em; }
.headlines { display: flex; flex-wrap: wrap; gap: 1em; margin: .8em 0; }
.headline { flex: 1 1 14em; background: #f3f5fa; border-radius: 4px; padding: .6em .9em; }
.headline .value { font-size: 1.6em; font-weight: 700; font-variant-numeric: tabular-nums; }
.headline .band { color: #444; font-size: .95em; }
.headline .label { color: #333; font-size: .9em; }
@media print { figure { page-break-inside: avoid; } }
"""


def esc(text: object) -> str:
    """``text`` as HTML text or attribute value (the one escape helper of reports)."""
    return html.escape(str(text), quote=True)


def image_tag(path: Path, caption: str | None = None) -> str:
    """A figure with ``path`` embedded as a base64 PNG data URI, with its caption."""
    from sim.output.plots import CAPTIONS

    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    caption = caption or CAPTIONS.get(path.stem) or PLOT_CAPTIONS.get(path.stem) \
        or path.stem.replace("_", " ").capitalize() + "."
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


#: Captions of comparison and sweep plots (run plots have theirs in sim.output.plots.CAPTIONS).
PLOT_CAPTIONS = {
    "compare_coverage": "Coverage by income group, scenarios side by side.",
    "compare_lorenz": "Lorenz curves of the scenarios at the end.",
    "compare_metrics": "Key metrics by scenario (median, 5–95% whiskers).",
    "compare_deaths": "Deaths averted per million by scenario, each against its own "
                      "no-vaccine twin.",
    "compare_differences": "What each scenario changes against the first: deaths and "
                           "coverage by income group, mean paired difference and its 95% "
                           "interval.",
}


def ordered_plots(paths: Iterable[Path]) -> list[Path]:
    """Known plots in :data:`sim.output.plots.PLOT_STEMS` order, then the rest by name."""
    from sim.output.plots import PLOT_STEMS

    paths = sorted(paths, key=lambda p: p.name)
    rank = {s: i for i, s in enumerate(PLOT_STEMS)}
    return sorted(paths, key=lambda p: rank.get(p.stem, len(PLOT_STEMS)))


def table_html(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table (in a box that scrolls rather than widen the page); cells after the
    first are right-aligned.
    """
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i else ""}>{esc(c)}</td>'
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>" \
           "</table></div>"


def metric_rows(table: Any, names: Sequence[str], metrics: Sequence[Sequence[str]],
                column: str, cell: Callable[[Any, str], str],
                missing: str = "—") -> list[list[str]]:
    """Rows (label, one cell per scenario in ``names``) of ``metrics`` ((key, label,
    unit)) from a long table (``scenario``, ``metric``, ``column``, ...): ``cell(row,
    unit)`` where a scenario has the metric, ``missing`` where it does not; metrics whose
    ``column`` is undefined in every scenario are left out.
    """
    rows = []
    for key, label, unit in metrics:
        sub = table[table["metric"] == key].set_index("scenario")
        if sub.empty or sub[column].isna().all():
            continue
        rows.append([label, *(cell(sub.loc[n], unit) if n in sub.index else missing
                              for n in names)])
    return rows


def page(title: str, body: str) -> str:
    """A complete HTML document."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
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


# --------------------------------------------------------------------------- the brief
@dataclass(frozen=True)
class Headline:
    """One headline number: label, formatted value, formatted band ("" if none)."""

    label: str
    value: str
    band: str


#: Candidate headline metrics, in order of preference: (dotted key, label, unit). The
#: brief shows the first three a run has.
HEADLINES = (
    ("coverage_final.LIC", "Low-income countries: people with ≥1 dose at the end", "share"),
    ("deaths_averted_per_million.World", "Deaths averted per million people (world)",
     "per_million"),
    ("gini_coverage", "Inequality of coverage between countries (Gini, 0 = equal)", "index"),
    ("doses_donated_bilateral", "Doses donated bilaterally", "count"),
    ("coverage_final.World", "World: people with ≥1 dose at the end", "share"),
    ("doses_expired", "Doses expired unused", "count"),
)


def _lookup(tree: dict[str, Any] | None, key: str) -> Any:
    node: Any = tree or {}
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def headlines(summary: dict[str, Any], n: int = 3) -> list[Headline]:
    """The first ``n`` of :data:`HEADLINES` the run has, with 5–95% bands when it has
    several replicates.
    """
    out = []
    for key, label, unit in HEADLINES:
        mid = _lookup(summary.get("metrics"), key)
        if mid is None or (unit == "count" and not mid):
            continue
        q = _lookup(summary.get("quantiles"), key) or {}
        reps = summary.get("replicates", 1)
        if q.get("p05") is not None and q.get("p95") is not None:
            text = formatting.with_band(mid, q["p05"], q["p95"], unit)
            value, _, rest = text.partition(" [")
            band = (f"5–95% over {reps} replicates: {rest.rstrip(']')}" if rest
                    else f"the same in all {reps} replicates")
        else:
            value, band = formatting.value(mid, unit), "one replicate: no band"
        out.append(Headline(label, value, band))
        if len(out) == n:
            break
    return out


def brief_html(title: str, question: str, lines: Sequence[Headline], map_png: Path | None,
               map_caption: str = "", note: str = "") -> str:
    """The one-page brief: question, headline numbers with bands, the map."""
    cards = "".join(f"<div class=headline><div class=value>{esc(h.value)}</div>"
                    f"<div class=band>{esc(h.band)}</div>"
                    f"<div class=label>{esc(h.label)}</div></div>" for h in lines)
    parts = [f"<section class=brief><h1>{esc(title)}</h1>",
             f"<p class=question>{esc(question)}</p>" if question else "",
             f"<div class=headlines>{cards}</div>" if cards else "",
             f"<p class=meta>{esc(note)}</p>" if note else "",
             image_tag(map_png, map_caption or None) if map_png is not None else "",
             "</section>"]
    return "".join(parts)


# --------------------------------------------------------------------------- run report
@dataclass
class RunInput:
    """What a run report is built from (all read from the results folder)."""

    folder: Path
    summary: dict[str, Any]
    scenario_yaml: str
    plots: list[Path] = field(default_factory=list)

    @property
    def question(self) -> str:
        """The scenario's ``question`` (else its description's first sentence).

        The YAML is read with libyaml's safe loader where PyYAML has it (as the scenario
        loader does): the pure-Python one took ~0.06 s of the ~0.09 s the report takes,
        written after the last plot, while the other core idles.
        """
        import yaml

        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            doc = yaml.load(self.scenario_yaml, Loader=loader) or {}  # noqa: S506 (safe)
        except yaml.YAMLError:
            doc = {}
        q = (doc.get("question") if isinstance(doc, dict) else None) or ""
        if not q:
            desc = " ".join((self.summary.get("description") or "").split())
            q = desc.split(". ")[0].rstrip(".") + "." if desc else ""
        return q


def map_of(plots: Iterable[Path]) -> Path | None:
    """The brief's map: the diplomacy map when the run has flows, else the coverage map."""
    by_stem = {p.stem: p for p in plots}
    return by_stem.get("diplomacy_map") or by_stem.get("coverage_map")


def brief_section(r: RunInput) -> str:
    """The one-page brief of a run."""
    s = r.summary
    reps = s.get("replicates", 1)
    note = (f"{s['days']} days from {s['start']}; {reps} replicate(s), seed {s['seed']}"
            + ("; values are medians, bands the 5–95% range over replicates." if reps > 1
               else "."))
    return brief_html(s["scenario"], r.question, headlines(s), map_of(r.plots), note=note)


def metrics_section(r: RunInput) -> str:
    """Key metrics table and conventions."""
    from sim.outcomes.summary import summary_rows

    s = r.summary
    parts = [f"<h2>Key metrics</h2><p>{esc(s.get('description') or '')}</p>",
             table_html(("metric", "value" if s.get("replicates", 1) == 1
                         else "median [5–95%]"), summary_rows(s))]
    conventions = s.get("conventions")
    if conventions:
        parts.append("<p class=meta>" + "<br>".join(
            f"<b>{esc(k)}</b>: {esc(v)}" for k, v in conventions.items()) + "</p>")
    return "".join(parts)


def plots_section(r: RunInput) -> str:
    """Every plot but the brief's map, in report order."""
    shown = map_of(r.plots)
    figs = [image_tag(p) for p in ordered_plots(r.plots) if p != shown]
    return "<h2>Plots</h2>" + "".join(figs) if figs else ""


def scenario_section(r: RunInput) -> str:
    """The resolved scenario, re-runnable."""
    return f"<h2>Resolved scenario</h2><pre>{esc(r.scenario_yaml)}</pre>"


#: Sections of a run report, in order; append to add one.
def history_section(r: RunInput) -> str:
    """The "History check" section: the run beside the observed 2021 series
    (``summary["history_check"]``, :mod:`sim.outcomes.history`).
    """
    rows = r.summary.get("history_check")
    head = "<h2>History check</h2>"
    if not rows:
        return head + ("<p class=meta>No observed figure (sim/data/observed.csv, history.csv) "
                       "falls inside this run's dates, or the run lacks what they "
                       "measure.</p>")
    keys = ("series", "group", "date", "observed", "model", "error", "source")
    return head + (
        "<p class=meta>The run beside what was observed in 2021 and, out of sample (never "
        "fitted), in 2022 (sources in "
        "sim/data/SOURCES.md; (est.) marks a derived figure). Error: model minus observed, "
        "in percentage points for coverage, relative otherwise. A counterfactual scenario is "
        "expected to differ: the check reads as how far it is from history.</p>"
        + table_html(keys, [[r_[k] for k in keys] for r_ in rows]))


RUN_SECTIONS: list[Callable[[RunInput], str]] = [brief_section, metrics_section,
                                                  history_section, plots_section,
                                                  scenario_section]


def run_report(summary: dict[str, Any], scenario_yaml: str, plots: Iterable[Path],
               folder: Path | None = None) -> str:
    """The HTML of one run's report (see :data:`RUN_SECTIONS`)."""
    r = RunInput(Path(folder or "."), summary, scenario_yaml, list(plots))
    return page(f"vaxsim: {summary['scenario']}",
                "\n".join(section(r) for section in RUN_SECTIONS))


def write_report(folder: str | Path) -> Path:
    """(Re)write ``folder/report.html`` from the folder's summary.json, scenario.yaml and
    plots/*.png; return its path.
    """
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    scenario = folder / "scenario.yaml"
    text = scenario.read_text(encoding="utf-8") if scenario.exists() else "(missing)"
    html_text = run_report(summary, text, (folder / "plots").glob("*.png"), folder)
    return write_atomic(folder / "report.html", html_text)
