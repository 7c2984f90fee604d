"""``python -m sim`` is the ``vaxsim`` command."""

from sim.cli.main import main

raise SystemExit(main())
