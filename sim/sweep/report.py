"""``report.html`` of a sweep: one self-contained page (plots inlined as base64 PNG).

A one-page brief (the sweep's question, the highest and lowest point of its first
metric, the most influential parameter of a sobol sweep, its main plot), then what was
swept and how, the points' results (mean over replicates per point, best and
worst points of the first metric), the contrast of two arms when the sweep file declares
one, Sobol indices when computed, and every plot.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.outcomes import formatting
from sim.sweep.store import write_text

if TYPE_CHECKING:
    from sim.sweep.runner import SweepResults


def _table(df: pd.DataFrame, params: list[str], metrics: list[str]) -> str:
    """Points as a table: parameters in words, metrics formatted by unit."""
    from sim.output.report import table_html
    from sim.sweep.labels import metric_label, metric_unit, param_label

    header = ["point", *(param_label(p) for p in params),
              *(metric_label(m) for m in metrics)]
    rows = [[str(int(r["point"])), *(formatting.setting(r[p])
                                     for p in params),
             *(formatting.value(r[m], metric_unit(m)) for m in metrics)]
            for _, r in df.iterrows()]
    return table_html(header, rows)


def _sobol_table(table: pd.DataFrame) -> str:
    from sim.output.report import table_html
    from sim.sweep.labels import metric_label, param_label

    cols = [c for c in table.columns if c not in ("metric", "parameter")]
    rows = [[metric_label(r["metric"]).rsplit(" (", 1)[0], param_label(r["parameter"]),
             *(f"{r[c]:.3f}" for c in cols)] for _, r in table.iterrows()]
    return table_html(["metric", "parameter", *cols], rows)


def _contrast_headlines(table: pd.DataFrame, res: SweepResults) -> list[Any]:
    """The brief's headlines of a contrast: its first metric's paired difference at (up
    to two) settings of the other parameters.
    """
    from sim.output.report import Headline
    from sim.sweep.contrast import contrast_settings
    from sim.sweep.labels import metric_label, metric_unit

    c = res.spec.contrast
    assert c is not None
    first = res.spec.contrast_metrics[0]
    others = contrast_settings(table)
    out = []
    for _, r in table[table["metric"] == first].head(2).iterrows():
        where = ", ".join(f"{p} = {r[p]}" for p in others)
        out.append(Headline(
            f"{c.parameter} {c.treatment!r} minus {c.control!r}"
            + (f", at {where}" if where else ""),
            formatting.difference(r["diff_mean"], r["diff_lo"], r["diff_hi"],
                                  metric_unit(first)),
            f"{metric_label(first)}, paired by replicate"))
    return out


def _sampled_headlines(res: SweepResults) -> list[Any]:
    """The brief's headlines of a contrast crossed with sampled worlds: its first metric's
    mean difference over the worlds, and the parameter that moves it most.
    """
    from sim.output.report import Headline
    from sim.sweep.labels import metric_label, metric_unit, param_label
    from sim.sweep.uncertainty import driver_words

    c = res.spec.contrast
    worlds, drivers = res.contrast_summary(), res.contrast_drivers()
    assert c is not None and worlds is not None and drivers is not None
    first = worlds.iloc[0]
    metric = first["metric"]
    out = [Headline(
        f"{c.parameter} {c.treatment!r} minus {c.control!r}, over "
        f"{int(first['worlds'])} sampled worlds",
        formatting.difference(first["diff_mean"], first["diff_lo"], first["diff_hi"],
                              metric_unit(metric)),
        f"{metric_label(metric)}; lower in {first['share_worlds_lower']:.0%} of the worlds")]
    top = drivers[(drivers["metric"] == metric) & drivers["prcc"].notna()]
    if not top.empty:
        d = top.iloc[0]
        significant = bool(d["p_holm"] < 0.05)
        out.append(Headline(
            f"largest partial rank correlation with it: {param_label(d['parameter'])}",
            driver_words(d), "significant at 5% after Holm's adjustment for the parameters"
            if significant else "not significant at 5% after Holm's adjustment: no sampled "
            "parameter clearly moves it"))
    return out


def _sampled_section(table: pd.DataFrame, res: SweepResults) -> str:
    """A contrast crossed with sampled worlds: its summary over the worlds, the parameters
    that move it, and (folded) the difference in every world.
    """
    from sim.output.report import esc, table_html
    from sim.sweep.labels import metric_label, metric_unit, param_label
    from sim.sweep.uncertainty import driver_words, worlds_range_words

    c = res.spec.contrast
    worlds, drivers = res.contrast_summary(), res.contrast_drivers()
    assert c is not None and worlds is not None and drivers is not None
    label = {m: metric_label(m).rsplit(" (", 1)[0] for m in worlds["metric"]}
    rows = []
    for _, r in worlds.iterrows():
        unit = metric_unit(r["metric"])
        rows.append([label[r["metric"]],
                     formatting.difference(r["diff_mean"], r["diff_lo"], r["diff_hi"], unit),
                     worlds_range_words(r, unit),
                     f"{r['share_worlds_lower']:.0%} of {int(r['worlds'])}"])
    summary = table_html(["metric", f"mean over worlds [{100 * c.level:g}% interval]",
                          "worlds' 2.5–97.5% range", "worlds where lower"], rows)
    moved = table_html(["metric", "parameter", "partial rank correlation"],
                       [[label[d["metric"]], param_label(d["parameter"]), driver_words(d)]
                        for _, d in drivers.iterrows()])
    return (f"<h2>Contrast over sampled worlds: {esc(param_label(c.parameter))}</h2>"
            f"<p class=meta>{esc(c.parameter)} = {esc(repr(c.treatment))} against "
            f"{esc(repr(c.control))} in each of the {int(worlds['worlds'].max())} sampled "
            "worlds (draws of the other parameters), paired by replicate (common random "
            "numbers). The interval says how precisely the sample pins down the mean "
            "effect; the worlds' range says how much the effect depends on the sampled "
            "parameters (it does not narrow with more worlds); the share of worlds where "
            "the treatment is lower is the probability, over the sampled ranges, that it "
            "lowers the metric.</p>" + summary
            + "<p class=meta>Which parameters move the difference: each one's partial rank "
            "correlation coefficient (PRCC) with the worlds' differences, the others' "
            "monotone effects removed, and Student's t test of no correlation.</p>"
            + moved + "<details><summary>Every world</summary>"
            + _contrast_section(table, res) + "</details>")


def _contrast_section(table: pd.DataFrame, res: SweepResults) -> str:
    """The contrast's table: treatment minus control for each metric and setting of the
    other parameters, with its interval and how often the treatment was lower.
    """
    from sim.output.report import esc, table_html
    from sim.sweep.contrast import contrast_settings
    from sim.sweep.labels import metric_label, metric_unit, param_label

    c = res.spec.contrast
    assert c is not None
    others = contrast_settings(table)
    rows = []
    for _, r in table.iterrows():
        unit = metric_unit(r["metric"])
        rows.append([metric_label(r["metric"]).rsplit(" (", 1)[0],
                     *(formatting.setting(r[p])
                       for p in others),
                     formatting.value(r["control_mean"], unit),
                     formatting.value(r["treatment_mean"], unit),
                     formatting.difference(r["diff_mean"], r["diff_lo"], r["diff_hi"], unit),
                     f"{r['share_treatment_lower']:.0%} of {int(r['replicates'])}"])
    arms = f"{c.parameter} = {c.treatment!r} against {c.control!r}"
    header = ["metric", *(param_label(p) for p in others), f"control ({c.control!r})",
              f"treatment ({c.treatment!r})",
              f"difference [{100 * c.level:g}% interval]", "pairs where lower"]
    return (f"<h2>Contrast: {esc(param_label(c.parameter))}, paired by replicate</h2>"
            f"<p class=meta>{esc(arms)}: the points that differ only in this parameter are "
            "paired, and so are their replicates, which share their seeds (common random "
            "numbers): each difference is the policy's, not noise. Means over replicates; "
            "the interval is Student's t on the mean paired difference.</p>"
            + table_html(header, rows))


def render(res: SweepResults) -> str:
    """The report as an HTML string (the run report's page, CSS and brief)."""
    from sim.output.report import Headline, brief_html, esc, image_tag, page
    from sim.sweep.labels import metric_label, metric_unit, param_label, slug
    from sim.sweep.plots import caption

    spec = res.spec
    params_html = "".join(
        f"<li>{esc(param_label(p))} (<code>{esc(p)}</code>): "
        + (f"values {esc(', '.join(f'{x:g}' if isinstance(x, float) else str(x) for x in v.choices))}"  # noqa: E501
           if not v.is_range else
           f"{v.low:g} to {v.high:g}{' (log)' if v.log else ''}"
           + (f", {v.steps} steps" if v.steps else ""))
        + "</li>" for p, v in spec.parameters.items())
    summary = res.summary()
    params = res.parameters
    metrics = list(spec.metrics)
    first = metrics[0]
    unit = metric_unit(first)
    best, worst = summary.loc[summary[first].idxmax()], summary.loc[summary[first].idxmin()]
    where = lambda r: ", ".join(  # noqa: E731
        f"{param_label(p).split(' (')[0]} "
        + (str(r[p]) if isinstance(r[p], bool | np.bool_) else f"{r[p]:.3g}") for p in params)
    lines = [Headline(f"highest, at {where(best)}", formatting.value(best[first], unit),
                      metric_label(first)),
             Headline(f"lowest, at {where(worst)}", formatting.value(worst[first], unit),
                      metric_label(first))]
    contrasts = res.contrast_table()
    if contrasts is not None:
        lines += (_sampled_headlines(res) if spec.crossed
                  else _contrast_headlines(contrasts, res))
    if res.sensitivity is not None:
        st = res.sensitivity_table()
        st = st[st["metric"] == first]
        if not st.empty:
            top = st.loc[st["ST"].idxmax()]
            lines.append(Headline(f"share of the variance of {metric_label(first)} due to "
                                  f"{param_label(top['parameter'])} (total Sobol index)",
                                  f"{top['ST']:.2f}", "most influential parameter"))
    figure = next((p for p in res.files if Path(p).stem.endswith(slug(first))), None)
    question = (spec.description or "").split(". ")[0].strip()
    parts = [
        brief_html(f"Sweep: {spec.name}", question, lines, figure,
                   caption(Path(figure).stem, metrics) if figure else "",
                   f"{spec.method}, {len(res.points)} points × {spec.replicates} "
                   f"replicate(s); values are means over replicates."),
        f"<p>{esc(spec.description)}</p>",
        f"<p>Base scenario <code>{esc(str(spec.base_data.get('name', '')))}</code>; method "
        f"<b>{esc(spec.method)}</b>; {len(res.points)} points × {spec.replicates} "
        f"replicate(s) = {len(res.metrics)} members in batches of "
        f"{spec.batch_for(len(res.metrics))}; "
        f"seed {spec.seed}.</p><h2>Parameters</h2><ul>{params_html}</ul>",
        f"<h2>Results by point (mean over replicates)</h2>"
        f"<p>Highest {esc(metric_label(first))}:</p>"
        f"{_table(summary.nlargest(5, first), params, metrics)}"
        f"<p>Lowest {esc(metric_label(first))}:</p>"
        f"{_table(summary.nsmallest(5, first), params, metrics)}",
    ]
    if len(summary) <= 60:
        parts.append(f"<details><summary>All points</summary>"
                     f"{_table(summary, params, metrics)}</details>")
    if contrasts is not None:
        parts.append(_sampled_section(contrasts, res) if spec.crossed
                     else _contrast_section(contrasts, res))
    if res.sensitivity is not None:
        parts.append("<h2>Sobol sensitivity</h2><p>" + esc(res.sensitivity["method"])
                     + "</p>" + _sobol_table(res.sensitivity_table()))
    parts.append("<h2>Plots</h2>" + "".join(image_tag(Path(p), caption(Path(p).stem, metrics))
                                            for p in res.files if p != figure))
    return page(f"vaxsim sweep: {spec.name}", "\n".join(parts))


def write_report(res: SweepResults, path: Path) -> Path:
    """Write ``report.html`` atomically."""
    write_text(Path(path), render(res))
    return Path(path)
