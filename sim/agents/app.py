"""The Solara app module ``vaxsim viz`` serves (``solara run sim.agents.app``).

The scenario and options come from environment variables set by ``vaxsim viz``:
``VAXSIM_VIZ_SCENARIO`` (path), ``VAXSIM_VIZ_DAYS`` and ``VAXSIM_VIZ_COUNTRIES``.
"""

import os

from sim.agents.viz import make_page

_days = os.environ.get("VAXSIM_VIZ_DAYS")
page = make_page(os.environ.get("VAXSIM_VIZ_SCENARIO", "scenarios/baseline.yaml"),
                 days=int(_days) if _days else None,
                 countries=os.environ.get("VAXSIM_VIZ_COUNTRIES") or None)
