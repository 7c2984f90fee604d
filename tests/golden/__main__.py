"""``python -m tests.golden [--update]``: check or regenerate the golden summaries."""

from tests.golden import main

raise SystemExit(main())
