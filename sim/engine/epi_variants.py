"""Variants in the epidemic: scheduled variants seeded in their origin on their day, and
emergent ones (stage 8, :mod:`sim.engine.epidemic`).

**Emergence.** Each day a member's chance of a new variant is ``1 − exp(−r × today's
infections)`` (all countries), from its own ``"emergence"`` stream: a counter-based hash of
the member's key and the day, so two policy arms with the same seed draw the same
uniforms (common random numbers) and differ only where their infections differ. The origin
is drawn in proportion to each country's infections today; the variant takes the factors
of the strain most common there, times the scenario's ``emergence`` factors, keeps its
generation time, and is seeded there. Its survivors hold the immunity class of its slot
(each emergent slot is a class of its own: :mod:`sim.engine.build.epi_status`).
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.epi_params import EpiParams
from sim.engine.build.epi_status import vaccinated_statuses
from sim.engine.epi_model import EpiState
from sim.engine.epi_random import uniforms


def seed(epi: EpiState, ep: EpiParams, n: int, v: int, share: np.ndarray) -> None:
    """Infect ``share`` (E,) of country ``n``'s people with strain ``v`` (into latent),
    taken from every status in proportion; activates the strain. In stochastic mode the
    people moved, and those fated to die among them, are rounded to whole people.
    """
    whole = ep.mode == "stochastic"
    take = np.minimum(share[:, None] * ep.band_population[n][None],
                      epi.S[:, n].sum(axis=2))                          # (E, A)
    total = epi.S[:, n].sum(axis=2)
    frac = np.divide(take, total, out=np.zeros_like(take), where=total > 0)
    moved = epi.S[:, n] * frac[:, :, None]
    if whole:
        moved = np.minimum(np.floor(moved + 0.5), epi.S[:, n])
        take = moved.sum(axis=2)
    epi.S[:, n] -= moved
    epi.Ex[:, n, :, v] += take
    fatal = np.minimum(ep.ifr[:, n] * epi.strains[:, v, 3, None], 1.0)  # (E, A)
    dying = take * fatal
    survivors = moved[:, :, vaccinated_statuses(ep.n_classes)].sum(axis=2) * (1.0 - fatal)
    if whole:
        dying = np.floor(dying + 0.5)
        survivors = np.minimum(np.floor(survivors + 0.5), take - dying)
    epi.shadow[:, n, :, v, 0] += dying
    epi.shadow[:, n, :, v, 2] += survivors
    epi.active[:, v] = np.where(share > 0, 1.0, epi.active[:, v])
    epi.changed()


def emerge(epi: EpiState, ep: EpiParams, infections: np.ndarray, t: int) -> None:
    """Let new variants emerge (see the module docstring)."""
    # Each member by its own cap and start day: a batch's extra slots or earlier starts are
    # other members' and must not change this one.
    free = (epi.emerged < ep.emergence_max) & (t >= ep.emergence_from)
    if t < ep.emergence_start or not (free & (ep.emergence_rate > 0)).any():
        return
    E, N = infections.shape
    u = uniforms(ep.emergence_keys, t, 2, 1)[:, :, 0]                   # (2, E)
    total = infections.sum(axis=1)
    happens = free & (u[0] < -np.expm1(-ep.emergence_rate * total))
    for e in np.flatnonzero(happens):
        cdf = np.cumsum(infections[e])
        n = min(int(np.searchsorted(cdf, u[1, e] * cdf[-1], side="right")), N - 1)
        parent = int(epi.Ix[e, n].sum(axis=0).argmax())
        v = ep.n_scheduled + int(epi.emerged[e])
        f = ep.emergence_factors[e]
        p = epi.strains[e, parent]
        epi.strains[e, v] = [p[0] * f[0], 1 - (1 - p[1]) * (1 - f[1]),
                             1 - (1 - p[2]) * (1 - f[2]), p[3] * f[3]]
        epi.chain[e, v] = epi.chain[e, parent]          # the parent's generation time
        epi.ve_course[0, e, :, v] = epi.ve_course[0, e, :, parent] * (1 - f[1])
        epi.ve_course[1, e, :, v] = epi.ve_course[1, e, :, parent] * (1 - f[2])
        epi.emerged[e] += 1
        epi.changed()
        share = np.zeros(E)
        share[e] = ep.emergence_seed[e]
        seed(epi, ep, n, v, share)
