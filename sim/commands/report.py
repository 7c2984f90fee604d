"""``vaxsim report``: rebuild the self-contained report.html of a run, comparison or
sweep folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands import InputError, add_output_options

EXAMPLES = """\
examples:
  vaxsim report results/baseline/20250101-120000
  vaxsim report results/compare/20250101-120000       # and each scenario's own report
  vaxsim report results/sensitivity/20250101-120000 --plots
"""


def cmd_report(args: argparse.Namespace) -> int:
    """Rewrite ``DIR/report.html`` from the files in the folder."""
    from sim.report import folder_kind, rebuild

    folder = Path(args.folder)
    if folder_kind(folder) is None:
        raise InputError(f"{folder}: not a results folder (no summary.json, comparison.json "
                         "or sweep.yaml with metrics.parquet)")
    path = rebuild(folder, plots=args.plots)
    if not args.quiet:
        print(path)
    return 0


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
