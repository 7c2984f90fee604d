"""``vaxsim report``: rebuild a results folder's self-contained report.html."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.commands import InputError

EXAMPLES = """\
examples:
  vaxsim report results/baseline/20250101-120000
"""


def cmd_report(args: argparse.Namespace) -> int:
    """Rewrite ``DIR/report.html`` from its summary.json, scenario.yaml and plots."""
    from sim.output.report import write_report

    folder = Path(args.folder)
    if not (folder / "summary.json").is_file():
        raise InputError(f"{folder}: not a results folder (no summary.json)")
    print(write_report(folder))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report``."""
    p = sub.add_parser("report", help="rebuild a results folder's report.html",
                       description="Rebuild report.html in a results folder from its "
                       "summary.json, scenario.yaml and plots/*.png (self-contained: "
                       "images embedded, opens offline).",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", help="a results folder written by `vaxsim run`")
    p.set_defaults(func=cmd_report)
