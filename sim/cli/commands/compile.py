"""``vaxsim compile``: compile the simulation's kernels for this machine now, in parallel
(:mod:`sim.engine.kernels.warm`); ``vaxsim run`` does it on a fresh machine's first run.
"""

from __future__ import annotations

import argparse
import sys

from sim.cli.commands import EXAMPLES


def cmd_compile(args: argparse.Namespace) -> int:
    """Compile (or find compiled) every kernel a run needs; one line per kernel on
    stderr, a summary on stdout unless ``--quiet``.
    """
    from sim.engine.kernels.warm import WarmError, warm

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if args.jobs is not None and args.jobs < 1:
        from sim.cli.commands import InputError

        raise InputError(f"--jobs must be at least 1, not {args.jobs}")
    try:
        report = warm(args.jobs, progress=None if args.quiet else say, force=args.force)
    except WarmError as exc:
        print(f"vaxsim: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(report.line())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``compile``."""
    p = sub.add_parser("compile", help="compile the simulation's kernels for this machine now",
                       description="Compile the numba kernels a run needs into their cache, "
                       "one process per core (a fresh machine's first run otherwise compiles "
                       "them one by one: ~2.5 min on one core). Quick when they are compiled "
                       "already; `vaxsim run` calls it on its first run.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    p.add_argument("--force", action="store_true",
                   help="ask numba for every kernel even when the cache is known to be warm")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_compile)
