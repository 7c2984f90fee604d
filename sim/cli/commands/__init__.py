"""One module per ``vaxsim`` subcommand; each has ``register(subparsers)``.

To add a command, write ``sim/cli/commands/<name>.py`` with a ``register`` function that adds
its parser and sets ``func``, and list the module in :data:`sim.cli.main.COMMANDS`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

EXAMPLES = """\
examples:
  vaxsim run scenarios/baseline.yaml
  vaxsim run scenarios/nationalism.yaml --replicates 20 --seed 7 -o results/nat
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


def progress_bar(total: int, label: str, unit: str = "day"
                 ) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A tqdm bar on stderr (silent when stderr is not a terminal).

    Returns ``(update, close)``; ``update(done)`` sets the count done so far.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit=unit, file=sys.stderr, disable=None, leave=False)

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def default_out(name: str) -> Path:
    """``results/<name>/<timestamp>/``."""
    return Path("results") / name / dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def add_set_option(p: argparse.ArgumentParser) -> None:
    """The repeatable ``--set KEY=VALUE`` option."""
    p.add_argument("--set", action="append", metavar="KEY=VALUE", default=[],
                   help="override a scenario field, e.g. --set uptake.hesitancy=0.3")
