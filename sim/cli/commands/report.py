"""``vaxsim report``: rebuild the self-contained report.html of a run, comparison or
sweep folder.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.cli.commands import InputError, add_output_options

EXAMPLES = """\
examples:
  vaxsim report results/baseline/20250101-120000
  vaxsim report results/compare/20250101-120000       # and each scenario's own report
  vaxsim report results/sensitivity/20250101-120000 --plots
"""


def cmd_report(args: argparse.Namespace) -> int:
    """Rewrite ``DIR/report.html`` from the files in the folder."""
    folder = Path(args.folder)
    if folder_kind(folder) is None:
        raise InputError(f"{folder}: not a results folder (no summary.json, comparison.json "
                         "or sweep.yaml with metrics.parquet)")
    path = rebuild(folder, plots=args.plots)
    if not args.quiet:
        print(path)
    return 0


def folder_kind(folder: str | Path) -> str | None:
    """``run``, ``compare`` or ``sweep`` by the files in ``folder``; None if none."""
    folder = Path(folder)
    if (folder / "summary.json").is_file():
        return "run"
    if (folder / "comparison.json").is_file():
        return "compare"
    if (folder / "sweep.yaml").is_file() and (folder / "metrics.parquet").is_file():
        return "sweep"
    return None


def rebuild(folder: str | Path, plots: bool = False) -> Path:
    """Rewrite the report of a run, comparison or sweep folder; with ``plots`` redraw a
    sweep's plots first (a run's plots need its engine arrays; they stay as written).
    """
    folder = Path(folder)
    kind = folder_kind(folder)
    from sim.output.compare import write_comparison_report
    from sim.output.report import write_report

    if kind == "run":
        return write_report(folder)
    if kind == "compare":
        meta = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        for sub in meta["names"]:
            if (folder / sub / "summary.json").is_file():
                write_report(folder / sub)
        return write_comparison_report(folder)
    if kind == "sweep":
        from sim.sweep.report import write_report as write_sweep_report
        from sim.sweep.runner import load_sweep_results

        res = load_sweep_results(folder)
        if plots or not (folder / "plots").is_dir():
            from sim.sweep.plots import plot_sweep

            res.files = plot_sweep(res, folder / "plots")
        else:
            res.files = sorted((folder / "plots").glob("*.png"))
        return write_sweep_report(res, folder / "report.html")
    raise ValueError(f"{folder}: not a run, comparison or sweep folder (no summary.json, "
                     "comparison.json or sweep.yaml with metrics.parquet)")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report``."""
    p = sub.add_parser("report", help="rebuild the report.html of a results folder",
                       description="Rebuild report.html in a folder written by `vaxsim run` "
                       "(from summary.json, scenario.yaml and plots/*.png), `vaxsim compare` "
                       "(comparison.json, comparison.csv, plots and each scenario's folder) "
                       "or `vaxsim sweep` (sweep.yaml, points and metrics). Self-contained: "
                       "images embedded, opens offline.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", help="a results folder written by run, compare or sweep")
    p.add_argument("--plots", action="store_true",
                   help="sweep folders: redraw the plots too (run plots need the engine's "
                   "arrays and are kept as written)")
    add_output_options(p, table=False)
    p.set_defaults(func=cmd_report)
