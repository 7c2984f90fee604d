"""``vaxsim history``: run a scenario (by default the baseline) over 2021-22 and set it
beside the observed series, or show the history check of an existing results folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.commands import InputError, add_set_option

EXAMPLES = """\
examples:
  vaxsim history                                   # the baseline over 2021-22
  vaxsim history --days 365                        # 2021 only
  vaxsim history scenarios/nationalism.yaml --replicates 10
  vaxsim history results/baseline/20250101-120000  # a finished run's history.csv
  vaxsim history --csv history.csv                 # also write the table
"""


def _table(args: argparse.Namespace):  # noqa: ANN202 (a pandas DataFrame)
    import pandas as pd

    target = Path(args.scenario)
    if target.is_dir():
        if not (target / "history.csv").is_file():
            raise InputError(f"{target}: no history.csv (run it with this version of vaxsim)")
        table = pd.read_csv(target / "history.csv")
        table["date"] = pd.to_datetime(table["date"]).dt.date
        return table
    from sim.api import run
    from sim.outcomes.history import history_table
    from sim.output.progress import Progress
    from sim.scenario import load_scenario

    scenario = load_scenario(target, [f"days={args.days}", *args.set])
    with Progress(scenario.name, {"simulate": scenario.days}) as progress:
        results = run(scenario, seed=args.seed, replicates=args.replicates,
                      progress=lambda d: progress.set("simulate", d))
    return history_table(results)


def cmd_history(args: argparse.Namespace) -> int:
    """Print the history check (and write it with --csv)."""
    from sim.outcomes.history import history_rows

    table = _table(args)
    if table.empty:
        raise InputError(f"{args.scenario}: no observed figure falls inside the run's dates")
    rows = history_rows(table)
    head = ("series", "group", "date", "observed", "model", "error", "source")
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print("error: model minus observed (percentage points for coverage, relative otherwise); "
          "(est.) marks an observed figure derived in sim/data/SOURCES.md")
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"written: {args.csv}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``history``."""
    p = sub.add_parser("history", help="compare a run with the observed 2021-22 series",
                       description="Set a run beside what was observed in 2021: coverage by "
                       "income group, doses administered, COVAX deliveries, India's and "
                       "China's exports, China's donations, licensees' output and "
                       "Vietnam's receipts, each with its source and the model's error; "
                       "and, out of sample, 2022's coverage and doses.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml",
                   help="scenario YAML file (default scenarios/baseline.yaml) or a results "
                   "folder")
    p.add_argument("--days", type=int, default=730,
                   help="days to run (default 730: 2021 and 2022, whose coverage is an "
                   "out-of-sample check)")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument("--replicates", type=int, help="override the number of replicates")
    p.add_argument("--csv", help="also write the table to this CSV file")
    add_set_option(p)
    p.set_defaults(func=cmd_history)
