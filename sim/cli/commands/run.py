"""``vaxsim run``: run one scenario and write its results folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.commands import EXAMPLES, add_set_option, default_out, progress_bar


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results folder."""
    from sim.api import deterministic_note, run
    from sim.outcomes.metrics import summary_rows
    from sim.output.folder import save_results
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.set)
    note = deterministic_note(scenario, args.replicates or scenario.replicates)
    if note:
        print(note, file=sys.stderr)
    update, close = progress_bar(scenario.days, scenario.name)
    try:
        results = run(scenario, seed=args.seed, replicates=args.replicates, progress=update)
    finally:
        close()
    out = save_results(results, Path(args.output) if args.output else default_out(scenario.name),
                       plots=False if args.no_plots else None)
    s = results.summary
    print(f"{s['scenario']}: {s['days']} days from {s['start']}, "
          f"{s['replicates']} replicate(s), seed {s['seed']}")
    rows = summary_rows(s)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>10}")
    print(f"results: {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``run``."""
    p = sub.add_parser("run", help="run a scenario and write results with plots",
                       description="Run a scenario (all its replicates in one batch) and "
                       "write results: summary.json, parquet tables, plots/*.png.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("-o", "--output", help="results folder (default results/<name>/<time>/)")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument("--replicates", type=int, help="override the number of replicates")
    add_set_option(p)
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.set_defaults(func=cmd_run)
