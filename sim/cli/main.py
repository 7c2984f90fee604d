"""The ``vaxsim`` command: parses arguments, calls the layers below, prints, sets exit codes.

Each subcommand lives in ``sim/cli/commands/<name>.py``. Exit codes (:data:`EXIT_CODES`,
also in ``vaxsim --help``): 0 success, 1 runtime failure, 2 bad input, 130 interrupted.
Every failure is one line on stderr; ``--debug`` (anywhere on the command line, or
``VAXSIM_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import warnings
from collections.abc import Sequence

from sim.cli.commands import EXAMPLES, InputError

EXIT_CODES = """\
exit codes:
  0    success
  1    runtime failure (a bug, a full disk, too little memory): one line on stderr
  2    bad input: a scenario, sweep, option or folder that cannot be used (one line
       naming file, line and key path)
  130  interrupted (Ctrl-C); a run that did not finish leaves no finished results folder

  Add --debug to see the traceback of a failure instead of its one-line message.
"""

#: Subcommand name -> its module, in the order ``--help`` lists them.
COMMANDS = {
    "run": "sim.cli.commands.run",
    "validate": "sim.cli.commands.validate",
    "schema": "sim.cli.commands.validate",
    "sweep": "sim.cli.commands.sweep",
    "compare": "sim.cli.commands.compare",
    "report": "sim.cli.commands.report",
    "history": "sim.cli.commands.history",
    "calibrate": "sim.cli.commands.calibrate",
    "viz": "sim.cli.commands.viz",
    "compile": "sim.cli.commands.compile",
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The argument parser of ``vaxsim``.

    When ``argv`` names a subcommand, only that subcommand's module is imported and
    registered (``vaxsim validate`` does not import the modules of ``run``, ``viz`` and
    the rest: ~20 ms); otherwise (no command, ``--help``, a mistyped command) every
    subcommand is, so help and "invalid choice" messages list them all.
    """
    from sim import __version__

    parser = argparse.ArgumentParser(
        prog="vaxsim",
        description="Agent-based policy simulator of vaccine diplomacy: run scenarios of "
        "production, hoarding, pooling, donation and licensing, and compare equity outcomes.",
        epilog=EXAMPLES + "\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"vaxsim {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of a failure (anywhere on the line)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules(argv):
        importlib.import_module(module).register(sub)
    return parser


def _modules(argv: Sequence[str]) -> list[str]:
    """The subcommand modules to register for ``argv``: the named command's alone when
    the first word that is not an option names one (top-level options take no value),
    else all of them, in :data:`COMMANDS` order.
    """
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in COMMANDS and not {"-h", "--help", "--version"} & set(
            argv[:list(argv).index(first)]):
        return [COMMANDS[first]]
    return list(dict.fromkeys(COMMANDS.values()))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``vaxsim``; returns the exit code (:data:`EXIT_CODES`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("VAXSIM_DEBUG", "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    try:
        return _main(argv, debug)
    except KeyboardInterrupt:
        if debug:
            raise
        print("vaxsim: interrupted", file=sys.stderr)
        return 130


def entry() -> int:
    """The ``vaxsim`` process: :func:`main` on ``sys.argv``, then the garbage collector's
    objects frozen, so that the interpreter's shutdown does not walk them all once more
    (0.55-0.70 s of every ``vaxsim run`` measured after its last line of work, 0.13-0.18 s
    frozen). Only for a process about to end: tests and other callers use :func:`main`.
    """
    code = main()
    gc.freeze()
    return code


def _main(argv: list[str], debug: bool) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if not debug:  # numerical warnings are not for users; outputs are checked finite
        warnings.filterwarnings("ignore", category=RuntimeWarning)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        raise
    except BrokenPipeError:  # e.g. `vaxsim schema | head`: the reader left
        sys.stderr.close()
        return 1
    except Exception as exc:  # noqa: BLE001 - every failure: one line (exit 2 or 1)
        if debug:
            raise
        return _failed(exc)


#: The bad-input errors (exit 2) besides :class:`InputError`: (module, class). Looked up
#: only among modules already imported when a command fails (an error of a module never
#: imported cannot have been raised), so that ``vaxsim run`` does not import the scenario
#: schema (pydantic, ~0.4 s) before it forks its results server.
INPUT_ERRORS = (("sim.scenario.loader", "ScenarioError"), ("sim.output.names", "OutputError"))


def _failed(exc: Exception) -> int:
    """Print a command's failure as one line on stderr; return its exit code."""
    bad_input = (InputError, *(getattr(sys.modules[m], name) for m, name in INPUT_ERRORS
                               if m in sys.modules))
    if isinstance(exc, bad_input):
        print(f"vaxsim: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    if isinstance(exc, MemoryError):
        print("vaxsim: error: out of memory (try fewer replicates, countries or days)",
              file=sys.stderr)
        return 1
    print(f"vaxsim: error: {type(exc).__name__}: {_one_line(exc)} "
          "(run again with --debug for the traceback)", file=sys.stderr)
    return 1


def _one_line(exc: BaseException) -> str:
    """The first line of an exception's message, at most 300 characters."""
    text = (str(exc).strip().splitlines() or [""])[0]
    return text if len(text) <= 300 else text[:297] + "..."


if __name__ == "__main__":
    raise SystemExit(main())
