"""One module per ``vaxsim`` subcommand; each has ``register(subparsers)``.

To add a command, write ``sim/cli/commands/<name>.py`` with a ``register`` function that adds
its parser and sets ``func``, and list its command name(s) in :data:`sim.cli.main.COMMANDS`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

EXAMPLES = """\
examples:
  vaxsim run baseline                  # a shipped scenario, by name
  vaxsim compile                       # compile the kernels now (else the first run does)
  vaxsim run scenarios/baseline.yaml
  vaxsim run scenarios/nationalism.yaml --replicates 20 --seed 7 -o results/nat
  vaxsim run scenarios/nationalism.yaml --replicates 200 --workers 4   # on 4 processes
  vaxsim run scenarios/nationalism.yaml --replicates 200 --workers 1   # in this one
  vaxsim run scenarios/baseline.yaml --set days=365 --set uptake.hesitancy=0.3
  vaxsim compare scenarios/nationalism.yaml scenarios/baseline.yaml --replicates 5
  vaxsim report results/baseline/<time>
  vaxsim sweep scenarios/sweeps/hoarding_vs_pooling.yaml --executor processes
  vaxsim calibrate scenarios/baseline.yaml --params uptake.capacity.LIC.end
  vaxsim validate scenarios/*.yaml
  vaxsim schema > scenario.schema.json
  vaxsim viz scenarios/adaptive.yaml          # browser view on http://127.0.0.1:8765
"""


class InputError(Exception):
    """A user error: printed as one line, exit code 2."""


def add_output_options(p: argparse.ArgumentParser, table: bool = True) -> None:
    """``--quiet`` (no progress display, nothing on stdout but errors) and, for commands
    that print a table, ``--json`` (the table as JSON on stdout, nothing else there).
    """
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress display and no printed summary (errors still go to "
                   "stderr)")
    if table:
        p.add_argument("--json", action="store_true",
                       help="print the results as JSON on stdout (for scripts)")


def emit(args: argparse.Namespace, data: dict, lines: Sequence[str]) -> None:
    """Print ``data`` as JSON with ``--json``, else ``lines`` unless ``--quiet``."""
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, default=str))
    elif not args.quiet:
        for line in lines:
            print(line)


def default_out(name: str) -> Path:
    """A new, reserved ``results/<slug of name>/<timestamp>[-k]/`` (never reused; see
    :func:`sim.output.folder.new_results_dir`).
    """
    from sim.output.folder import new_results_dir

    return new_results_dir(name)


def given_out(output: str | None, force: bool = False) -> Path | None:
    """``-o``'s folder, checked before any work: new, empty, or (``--force``) a finished
    results folder to replace; None when ``-o`` was not given.
    """
    if output is None:
        return None
    from sim.output.folder import OutputError, check_target

    path = Path(output)
    try:
        check_target(path, force)
    except OutputError as exc:
        raise InputError(f"-o {exc}") from None
    return path


def add_folder_options(p: argparse.ArgumentParser, default: str) -> None:
    """``-o/--output`` and ``--force``."""
    p.add_argument("-o", "--output", help=f"results folder (default {default}); must be new "
                   "or empty, or a finished results folder with --force")
    p.add_argument("--force", action="store_true",
                   help="replace the finished results already in -o's folder")


def add_workers_option(p: argparse.ArgumentParser, what: str = "the replicates",
                       auto: bool = False) -> None:
    """``--workers N``: processes to run ``what`` in; with ``auto`` the default is ``auto``
    (:func:`workers_given`), else 1.
    """
    default = ("auto: one a core, but at least 8 replicates each, so one below 16"
               if auto else "1: this one")
    p.add_argument("--workers", type=_workers_value if auto else int,
                   default="auto" if auto else 1, metavar="N|auto" if auto else "N",
                   help=f"processes to run {what} in (default {default}); "
                   "the same results, sooner on a machine with cores to spare")


def _workers_value(text: str) -> int | str:
    """``--workers``'s value: ``auto`` or a whole number (:func:`workers_given` checks it)."""
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes "
                                         "(a whole number, or auto)") from None


def workers_given(args: argparse.Namespace, members: int = 1) -> int:
    """``--workers`` as a number: ``auto`` gives :func:`sim.output.forks.ensemble_workers`
    of ``members`` replicates.
    """
    if args.workers == "auto":
        from sim.output.forks import ensemble_workers

        return ensemble_workers(members)
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    return int(args.workers)


def add_set_option(p: argparse.ArgumentParser) -> None:
    """The repeatable ``--set KEY=VALUE`` option."""
    p.add_argument("--set", action="append", metavar="KEY=VALUE", default=[],
                   help="override a scenario field, e.g. --set uptake.hesitancy=0.3")


def compile_first(quiet: bool = False) -> None:
    """Before a run: when the compiled kernels are not in numba's cache for this machine
    yet (:func:`sim.engine.kernels.warm.is_warm`, a few ms), compile them in one process
    per core, saying so on stderr when it is a terminal and not ``quiet`` (as the progress
    display: scripts and logs get no extra lines): the first run on a fresh machine
    otherwise compiles them one by one inside the run, on one core. Nothing with
    ``VAXSIM_BACKEND=numpy``; a failure is a warning (the run then compiles as it goes).
    Nothing on one core either (the run's first calls compile as fast, and only what
    they need). Its worker processes have ended when it returns (the run may fork).
    """
    import os
    import sys

    from sim.engine.kernels import warm

    jobs = warm.default_jobs()
    if (jobs < 2 or os.environ.get("VAXSIM_BACKEND", "").lower() == "numpy"
            or warm.is_warm()):
        return  # one core: the run's own first calls compile just as fast (and less)
    quiet = quiet or not sys.stderr.isatty()
    if not quiet:
        print(f"vaxsim: compiling the simulation's kernels for this machine in {jobs} "
              f"process(es) (first run only, ~{warm.estimate(jobs)} s)", file=sys.stderr)
    try:
        report = warm.warm(jobs)
    except (OSError, warm.WarmError) as exc:
        print(f"vaxsim: warning: compiling ahead failed ({exc}); the run compiles the "
              "kernels as it goes", file=sys.stderr)
        return
    if not quiet:
        print(f"vaxsim: {report.line()}", file=sys.stderr)
