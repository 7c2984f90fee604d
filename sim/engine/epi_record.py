"""Records of the epidemic: daily infections and deaths by income group, and per country
at the end of the run.

Like :class:`sim.engine.record.Recorder`, a day's group and world sums are taken by one
compiled call (:func:`sim.engine.kernels.epi_record.epi_record_day`); its numpy reference
(``VAXSIM_BACKEND=numpy``) copies the (E, N) arrays into a block buffer and sums a whole
block in one vectorized pass (a single-member run would otherwise spend more time on a
dozen tiny sums a day than on the epidemic itself).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.fields import Fields
from sim.engine.kernels import backend
from sim.engine.segments import Segments
from sim.scenario.schema import INCOME_GROUPS

EPI_GROUP_FIELDS = Fields("infections", "deaths", "deaths_cum")
EPI_COUNTRY_FIELDS = Fields("infections_cum", "deaths_cum")
#: Age bands of ``bands`` records.
BANDS = ("0_19", "20_64", "65plus")


class EpiRecorder:
    """Fills the epidemic records day by day (group sums once per block of days).

    Attributes
    ----------
    groups : (E, D, G, 3) people per day by group (World, HIC … LIC) and field
        (``EPI_GROUP_FIELDS``: new infections, new deaths, cumulative deaths); complete up
        to the last flushed block
    countries_end : (E, N, 2) cumulative infections and deaths per country (last day)
    bands : (E, D, G, A) cumulative deaths by group (World, HIC … LIC) and age band
        (``BANDS``)
    """

    def __init__(self, group_index: np.ndarray, members: int, days: int,
                 block: int = 32) -> None:
        self.income = Segments(group_index, len(INCOME_GROUPS))
        self.groups = np.zeros((members, days, 1 + len(INCOME_GROUPS), len(EPI_GROUP_FIELDS)))
        self.countries_end = np.zeros((members, len(group_index), len(EPI_COUNTRY_FIELDS)))
        self.bands = np.zeros((members, days, 1 + len(INCOME_GROUPS), len(BANDS)))
        self.block = block
        self.last_day = days - 1
        #: Per day: True at the end of a block (and on the last day), when the reference
        #: flushes and per-country totals are written.
        self.ends = [(t + 1) % block == 0 or t == days - 1 for t in range(days)]
        self.compiled = backend() == "numba"  # day sums by the kernel: no buffer needed
        self.buffer = np.zeros((len(EPI_GROUP_FIELDS) + len(BANDS), 0 if self.compiled
                                else block, members, len(group_index)))
        self.first_day = 0
        self._kernel: Callable[..., None] | None = None
        if self.compiled:
            from sim.engine.kernels.epi_record import epi_record_day

            self._kernel = epi_record_day
        inc = self.income
        self.segments = (inc.order, inc.starts, inc.present, inc.slices is not None)
        #: Scratch of the compiled day: (2, N) and (2, 1 + G).
        self.work = (np.empty((2, len(group_index))), np.empty((2, 1 + len(INCOME_GROUPS))))

    def record(self, epi, t: int) -> None:
        """Store day ``t`` of :class:`~sim.engine.epidemic.EpiState` ``epi``."""
        if self._kernel is not None:
            self._kernel(t, self.ends[t], *self.day_arrays(epi), *self.segments, *self.work,
                         self.groups, self.bands, self.countries_end)
            return
        b = t - self.first_day
        buf = self.buffer[:, b]
        F = EPI_GROUP_FIELDS
        buf[F.infections], buf[F.deaths], buf[F.deaths_cum] = (epi.new_infections,
                                                               epi.new_deaths, epi.D)
        buf[len(F):] = epi.D_band.transpose(2, 0, 1)
        if self.ends[t]:
            self.flush(b + 1)
            self.countries_end[:, :, 0] = epi.infections_cum
            self.countries_end[:, :, 1] = epi.D

    @staticmethod
    def day_arrays(epi) -> tuple[np.ndarray, ...]:
        """The arrays of ``epi`` a day's records read: new infections, new deaths,
        cumulative deaths (E, N), by age band (E, N, A), cumulative infections (E, N).
        """
        return epi.new_infections, epi.new_deaths, epi.D, epi.D_band, epi.infections_cum

    def flush(self, n_days: int) -> None:
        """Sum the first ``n_days`` buffered days into group and world totals."""
        buf = self.buffer[:, :n_days]                                 # (F, b, E, N)
        F, _, E, N = buf.shape
        by_group = self.income.sum(buf.reshape(-1, N)).reshape(F, n_days, E, -1)
        days = slice(self.first_day, self.first_day + n_days)
        F0 = len(EPI_GROUP_FIELDS)
        self.groups[:, days, 1:] = by_group[:F0].transpose(2, 1, 3, 0)
        self.groups[:, days, 0] = by_group[:F0].sum(axis=-1).transpose(2, 1, 0)
        self.bands[:, days, 1:] = by_group[F0:].transpose(2, 1, 3, 0)
        self.bands[:, days, 0] = by_group[F0:].sum(axis=-1).transpose(2, 1, 0)
        self.first_day += n_days


def epi_recorder(world, params, block: int = 32) -> EpiRecorder | None:
    """A recorder for the batch, or None when it runs no epidemic."""
    if params.epidemic is None:
        return None
    return EpiRecorder(world.group_index, params.n_members, world.days, block)
