"""``python -m sim`` is the ``vaxsim`` command."""

from sim.cli.main import entry

raise SystemExit(entry())
