"""The ``vaxsim`` command: parses arguments, calls the layers below, prints, sets exit codes.

Each subcommand lives in ``sim/cli/commands/<name>.py``. Exit codes: 0 success, 2 bad input
(one line on stderr naming file, line and key path), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sim.cli.commands import EXAMPLES, InputError

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (
    "sim.cli.commands.run",
    "sim.cli.commands.validate",
    "sim.cli.commands.sweep",
    "sim.cli.commands.compare",
    "sim.cli.commands.report",
    "sim.cli.commands.history",
    "sim.cli.commands.calibrate",
    "sim.cli.commands.viz",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vaxsim``."""
    from sim import __version__

    parser = argparse.ArgumentParser(
        prog="vaxsim",
        description="Agent-based policy simulator of vaccine diplomacy: run scenarios of "
        "production, hoarding, pooling, donation and licensing, and compare equity outcomes.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"vaxsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
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
