"""The ``vaxsim`` command: parses arguments, calls the layers below, prints, sets exit codes.

Exit codes: 0 success, 2 bad input (one line on stderr naming file, line and key path),
1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

EXAMPLES = """\
examples:
  vaxsim run scenarios/baseline.yaml
  vaxsim run scenarios/nationalism.yaml --replicates 20 --seed 7 -o results/nat
  vaxsim run scenarios/baseline.yaml --set days=365 --set uptake.hesitancy=0.3
  vaxsim validate scenarios/*.yaml
  vaxsim schema > scenario.schema.json
"""


class InputError(Exception):
    """A user error: printed as one line, exit code 2."""


def _progress(total: int, label: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A tqdm bar on stderr (silent when stderr is not a terminal)."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="day", file=sys.stderr, disable=None,
               leave=False)

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def default_out(name: str) -> Path:
    """``results/<name>/<timestamp>/``."""
    return Path("results") / name / dt.datetime.now().strftime("%Y%m%d-%H%M%S")


# --------------------------------------------------------------------------- commands
def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results folder."""
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.set or [])
    from sim.api import run
    from sim.metrics import summary_rows

    update, close = _progress(scenario.days, scenario.name)
    try:
        results = run(scenario, seed=args.seed, replicates=args.replicates, progress=update)
    finally:
        close()
    out = results.save(Path(args.output) if args.output else default_out(scenario.name),
                       plots=False if args.no_plots else None)
    s = results.summary
    print(f"{s['scenario']}: {s['days']} days from {s['start']}, "
          f"{s['replicates']} replicate(s), seed {s['seed']}")
    width = max(len(label) for label, _ in summary_rows(s))
    for label, value in summary_rows(s):
        print(f"  {label:<{width}}  {value:>10}")
    print(f"results: {out}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files; one line per file."""
    from sim.scenario import ScenarioError, load_scenario

    bad = 0
    for f in args.files:
        try:
            s = load_scenario(f, args.set or [])
            print(f"{f}: ok ({s.name}, {s.days} days from {s.start})")
        except ScenarioError as exc:
            print(f"vaxsim: error: {exc}", file=sys.stderr)
            bad += 1
    return 2 if bad else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the scenario JSON schema."""
    from sim.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vaxsim``."""
    parser = argparse.ArgumentParser(
        prog="vaxsim",
        description="Agent-based policy simulator of vaccine diplomacy: run scenarios of "
        "production, hoarding, pooling, donation and licensing, and compare equity outcomes.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"vaxsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario and write results with plots",
                       description="Run a scenario (all its replicates in one batch) and "
                       "write results: summary.json, parquet tables, plots/*.png.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("-o", "--output", help="results folder (default results/<name>/<time>/)")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument("--replicates", type=int, help="override the number of replicates")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario field, e.g. --set uptake.hesitancy=0.3")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("files", nargs="+", help="scenario YAML files")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a field")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the scenario file JSON schema")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``vaxsim``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from sim.scenario.loader import ScenarioError

    try:
        return int(args.func(args) or 0)
    except (ScenarioError, InputError) as exc:
        print(f"vaxsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vaxsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
