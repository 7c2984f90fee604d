"""The Solara app module ``vaxsim viz`` serves (``solara run sim.agents.app``).

The scenario and options come from environment variables set by ``vaxsim viz``:
``VAXSIM_VIZ_SCENARIO`` (path), ``VAXSIM_VIZ_DAYS``, ``VAXSIM_VIZ_COUNTRIES`` and
``VAXSIM_VIZ_SETS`` (``;``-separated ``key.path=value``).
"""

import os

from sim.agents.viz import make_page

_days = os.environ.get("VAXSIM_VIZ_DAYS")
page = make_page(os.environ.get("VAXSIM_VIZ_SCENARIO", "scenarios/baseline.yaml"),
                 days=int(_days) if _days else None,
                 countries=os.environ.get("VAXSIM_VIZ_COUNTRIES") or None,
                sets=os.environ.get("VAXSIM_VIZ_SETS") or None)
