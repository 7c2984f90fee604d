"""``python -m sim`` is the ``vaxsim`` command."""

from sim.cli import main

raise SystemExit(main())
