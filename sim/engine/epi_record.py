"""Records of the epidemic: daily infections and deaths by income group, and per country
at the end of the run.
"""

from __future__ import annotations

import numpy as np

from sim.engine.segments import Segments
from sim.scenario.schema import INCOME_GROUPS

EPI_GROUP_FIELDS = ("infections", "deaths", "deaths_cum")
EPI_COUNTRY_FIELDS = ("infections_cum", "deaths_cum")


class EpiRecorder:
    """Fills the epidemic records day by day.

    Attributes
    ----------
    groups : (E, D, G, 3) people per day by group (World, HIC … LIC) and field
        (``EPI_GROUP_FIELDS``: new infections, new deaths, cumulative deaths)
    countries_end : (E, N, 2) cumulative infections and deaths per country (last day)
    """

    def __init__(self, group_index: np.ndarray, members: int, days: int) -> None:
        self.income = Segments(group_index, len(INCOME_GROUPS))
        self.groups = np.zeros((members, days, 1 + len(INCOME_GROUPS), len(EPI_GROUP_FIELDS)))
        self.countries_end = np.zeros((members, len(group_index), len(EPI_COUNTRY_FIELDS)))

    def record(self, epi, t: int) -> None:
        """Store day ``t`` of :class:`~sim.engine.epidemic.EpiState` ``epi``."""
        g = self.groups[:, t]
        for f, x in enumerate((epi.new_infections, epi.new_deaths, epi.D)):
            g[:, 1:, f] = self.income.sum(x)
            g[:, 0, f] = g[:, 1:, f].sum(axis=1)
        self.countries_end[:, :, 0] = epi.infections_cum
        self.countries_end[:, :, 1] = epi.D


def epi_recorder(world, params) -> EpiRecorder | None:
    """A recorder for the batch, or None when it runs no epidemic."""
    if params.epidemic is None:
        return None
    return EpiRecorder(world.group_index, params.n_members, world.days)
