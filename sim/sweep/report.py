"""``report.html`` of a sweep: one self-contained page (plots inlined as base64 PNG).

What was swept and how, the points' results (mean over replicates per point, best and
worst points of the first metric), Sobol indices when computed, and every plot.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

from sim.sweep.store import write_text

if TYPE_CHECKING:
    from sim.sweep.runner import SweepResults

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:0.9em;margin:0.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
img{max-width:100%;margin:0.5em 0 1.5em;border:1px solid #eee}code{background:#f6f6f6}"""


def _table(df, floatfmt: str = "{:.4g}") -> str:
    return df.to_html(index=False, float_format=floatfmt.format, border=0)


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(Path(path).stem)}" src="data:image/png;base64,{data}">'


def render(res: SweepResults) -> str:
    """The report as an HTML string."""
    spec = res.spec
    e = html.escape
    params = "".join(
        f"<li><code>{e(p)}</code>: "
        + (f"values {e(str(v.values))}" if not v.is_range else
           f"{v.low:g} to {v.high:g}{' (log)' if v.log else ''}"
           + (f", {v.steps} steps" if v.steps else ""))
        + "</li>" for p, v in spec.parameters.items())
    summary = res.summary()
    first = spec.metrics[0]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Sweep {e(spec.name)}"
        f"</title><style>{CSS}</style></head><body>",
        f"<h1>Sweep: {e(spec.name)}</h1><p>{e(spec.description)}</p>",
        f"<p>Base scenario <code>{e(str(spec.base.get('name', '')))}</code>; method "
        f"<b>{e(spec.method)}</b>; {len(res.points)} points × {spec.replicates} "
        f"replicate(s) = {len(res.metrics)} members in batches of {spec.batch_size}; "
        f"seed {spec.seed}.</p><h2>Parameters</h2><ul>{params}</ul>",
        f"<h2>Results by point (mean over replicates)</h2>"
        f"<p>Highest {e(first)}:</p>{_table(summary.nlargest(5, first))}"
        f"<p>Lowest {e(first)}:</p>{_table(summary.nsmallest(5, first))}",
    ]
    if len(summary) <= 60:
        parts.append(f"<details><summary>All points</summary>{_table(summary)}</details>")
    if res.sensitivity is not None:
        parts.append("<h2>Sobol sensitivity</h2><p>" + e(res.sensitivity["method"])
                     + "</p>" + _table(res.sensitivity_table(), "{:.3f}"))
    parts.append("<h2>Plots</h2>" + "".join(_img(p) for p in res.files))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(res: SweepResults, path: Path) -> Path:
    """Write ``report.html`` atomically."""
    write_text(Path(path), render(res))
    return Path(path)
