"""Doses by age band inside the dose engine: eligibility, priority and boosters.

A country's first doses, completing doses and boosters come out of the same stock
(:func:`sim.engine.uptake.administer`); this module says who gets them:

- **eligibility**: the 0-19 band only from its ``vaccination.children_from`` date;
- **priority** per country: ``oldest_first`` fills 65+, then 20-64, then 0-19 (each up to
  its willing eligible people); ``uniform`` shares in proportion to the room in each band;
- **boosters**: from ``boosters.start`` (per country, later for restrained bands), a band's
  demand is ``uptake × courses completed interval_days ago − boosters given``; courses
  completed are remembered weekly.

Shapes: E members, N countries, A = 3 bands (0-19, 20-64, 65+), W weeks of memory.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.vaccination_params import OLDEST_FIRST, UNIFORM, VaccinationParams
from sim.engine.kernels import backend

__all__ = ["OLDEST_FIRST", "UNIFORM", "VaccinationParams", "allocate", "allocate_reference",
           "booster_demand"]


def allocate(amount: np.ndarray, room: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Split ``amount`` (E, N) people over bands with ``room`` (E, N, A) by ``priority``.

    Returns (E, N, A), never more than ``room`` per band nor ``amount`` in total. Runs
    the compiled :func:`sim.engine.kernels.bands.allocate_bands` unless the backend is
    numpy (:func:`allocate_reference`).

    Examples
    --------
    >>> room = np.array([[[10.0, 10.0, 10.0]]])
    >>> allocate(np.array([[15.0]]), room, np.array([[OLDEST_FIRST]]))
    array([[[ 0.,  5., 10.]]])
    >>> allocate(np.array([[15.0]]), room, np.array([[UNIFORM]]))
    array([[[5., 5., 5.]]])
    """
    if backend() == "numpy":
        return allocate_reference(amount, room, priority)
    from sim.engine.kernels.bands import allocate_bands

    out = np.empty(room.shape)
    allocate_bands(np.ascontiguousarray(amount), np.ascontiguousarray(room),
                   np.ascontiguousarray(priority), out)
    return out


def allocate_reference(amount: np.ndarray, room: np.ndarray,
                       priority: np.ndarray) -> np.ndarray:
    """Numpy reference of :func:`allocate`."""
    room = np.maximum(room, 0.0)
    oldest = np.empty_like(room)
    left = amount.copy()
    for b in (2, 1, 0):
        np.minimum(left, room[:, :, b], out=oldest[:, :, b])
        left -= oldest[:, :, b]
    total = room.sum(axis=2)
    share = np.minimum(np.divide(amount, total, out=np.zeros_like(amount), where=total > 0),
                       1.0)
    return np.where((priority == OLDEST_FIRST)[:, :, None], oldest, room * share[:, :, None])


def booster_demand(state, vp: VaccinationParams, t: int) -> np.ndarray:
    """(E, N, A) boosters wanted on day ``t``; also records this week's courses."""
    W = state.course_weeks.shape[0]
    week = t // 7
    if t % 7 == 0:
        state.course_weeks[week % W] = state.courses_band
    past = week - vp.interval_weeks                                      # (E,)
    then = state.course_weeks[past % W, np.arange(len(past))]            # (E, N, A)
    open_ = (vp.booster_day <= t) & (past >= 0)[:, None, None]
    want = vp.booster_uptake[:, None, None] * then - state.boosted_band
    return np.where(open_, np.maximum(want, 0.0), 0.0)
