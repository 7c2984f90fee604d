"""The stochastic epidemic (``epidemic.mode: stochastic``) in plain numpy: the reference of
:func:`sim.engine.kernels.epidemic_stochastic.stochastic_day`, whose docstring gives the
model (whole people, binomial transitions with the deterministic day's probabilities).

Draws are the kernel's: the same uniforms at the same positions
(:func:`sim.engine.epi_random.cell_uniforms`) through the same binomial inversion
(:func:`sim.engine.kernels.epidemic_random.binomial_draws`), so both give the same people
on the same state. Also here: rounding a day-0 state or a seeding to whole people.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.epi_params import EpiParams
from sim.engine.build.epi_status import infection_status, vaccinated_statuses
from sim.engine.epi_model import EpiState, _flows, _ratio, _share, force_of_infection
from sim.engine.epi_random import cell_uniforms
from sim.engine.kernels.epidemic_random import (
    binomial_draws,
    infection_draw,
    n_stages,
    progression_draw,
)


def whole_people(epi: EpiState) -> None:
    """Round a day-0 state to whole people in place: every status, latent and infectious
    to the nearest whole number (naive people take the rounding, so a band holds its
    rounded population); those fated to die among the infectious likewise.
    """
    for name in ("Ex", "Ix", "shadow", "D_band"):
        arr = getattr(epi, name)
        arr[:] = np.floor(arr + 0.5)
    band = epi.S.sum(axis=3)
    epi.S[..., 1:] = np.floor(epi.S[..., 1:] + 0.5)
    epi.S[..., 0] = np.maximum(np.floor(band + 0.5) - epi.S[..., 1:].sum(axis=3), 0.0)
    epi.shadow[:] = np.minimum(epi.shadow, np.stack([epi.Ex, epi.Ix] * 2, axis=-1))


def stochastic_reference(epi: EpiState, day: dict[str, np.ndarray], ep: EpiParams,
                         sus: np.ndarray, fatal: np.ndarray,
                         t: int) -> tuple[np.ndarray, np.ndarray]:
    """One stochastic day ``t`` in plain numpy (``day``, ``sus``, ``fatal`` as for
    :func:`sim.engine.epi_model.day_reference`; member keys ``ep.keys``).

    Returns
    -------
    (infections, deaths) : (E, N, A) whole people today
    """
    P = ep.band_population
    S = epi.S
    E, N, A, K = S.shape
    V = epi.Ix.shape[3]
    ns = n_stages(ep.substeps)

    def draw(n, p, stage, j):
        return binomial_draws(n, p, cell_uniforms(ep.keys, t, stage, ns, (N, A), j))

    flows = _flows(ep.n_classes)
    shares = (_share(day["dcourse"], P - epi.D_band - epi.courses_seen),
              _share(day["dboost"], epi.courses_seen - epi.boosted_seen),
              np.broadcast_to(ep.wane[:, None, None], S.shape[:3]))
    for stage, flow in enumerate(("course", "boost", "wane")):
        for src, dst in zip(*flows[flow], strict=True):
            m = draw(S[..., src], shares[stage], stage, src)
            S[..., src] -= m
            S[..., dst] += m
    epi.courses_seen += day["dcourse"]
    epi.boosted_seen += day["dboost"]
    c = [epi.chain[:, None, None, :, i] for i in range(11)]            # (E, 1, 1, V) each
    h = 1.0 / ep.substeps
    vaccinated = vaccinated_statuses(ep.n_classes)
    infections = np.zeros(S.shape[:3])
    deaths = np.zeros(S.shape[:3])
    for step in range(ep.substeps):
        si, sp = 3 + 2 * step, 4 + 2 * step
        lam = force_of_infection(epi, day, ep)                        # (E, N, A, V)
        new_v, new_d, new_h = (np.zeros(epi.Ix.shape) for _ in range(3))
        for k in range(K):
            rate = lam * sus[:, :, None, k, :]                         # (E, N, A, V)
            x = np.zeros(S.shape[:3])
            for v in range(V):
                x = x + rate[..., v]
            last = np.where(rate > 0, np.arange(V), -1).max(axis=3)
            go = (S[..., k] > 0) & (x > 0)
            new = np.where(go, draw(S[..., k], -np.expm1(-x * h), si, infection_draw(k, 0, 0)),
                           0.0)
            S[..., k] -= new
            infections += new
            left, xr = new, x
            for v in range(V):
                on = (rate[..., v] > 0) & (left > 0)
                b = np.where(v == last, left,
                             draw(left, _ratio(rate[..., v], xr), si,
                                  infection_draw(k, 1, v)))
                b = np.where(on, b, 0.0)
                xr = np.where(on, xr - rate[..., v], xr)
                left = left - b
                d = np.where(on, draw(b, fatal[..., k, v], si, infection_draw(k, 2, v)), 0.0)
                new_v[..., v] += b
                new_d[..., v] += d
                if vaccinated[k]:
                    new_h[..., v] += b - d
        epi.fresh[:] = new_v
        for v in range(V):
            sh = epi.shadow[..., v, :]
            lat = (sh[..., 0], sh[..., 2], epi.Ex[..., v] - sh[..., 0] - sh[..., 2])
            inf = (sh[..., 1], sh[..., 3], epi.Ix[..., v] - sh[..., 1] - sh[..., 3])
            fresh = (new_d[..., v], new_h[..., v], new_v[..., v] - new_d[..., v]
                     - new_h[..., v])
            ex, ix, out = np.zeros(S.shape[:3]), np.zeros(S.shape[:3]), []
            for kind in range(3):
                j = progression_draw(v, kind, 0)
                ls, li, lo = _chain(draw, lat[kind], c[0][..., v], c[1][..., v], sp, j)
                is_ = draw(inf[kind], c[3][..., v], sp, j + 2)
                fs, fi, fo = _chain(draw, fresh[kind], c[5][..., v], c[6][..., v], sp,
                                    j + 3)
                out.append(lo + (inf[kind] - is_) + fo)
                ex, ix = ex + (ls + fs), ix + (is_ + li + fi)
                if kind < 2:
                    sh[..., 2 * kind], sh[..., 2 * kind + 1] = ls + fs, is_ + li + fi
            epi.Ex[..., v], epi.Ix[..., v] = ex, ix
            k = infection_status(int(ep.strain_class[v]))     # the strain's class
            S[..., k + 2] += out[1]
            S[..., k] += out[2]
            epi.D_band += out[0]
            deaths += out[0]
    return infections, deaths


def _chain(draw, x, stay, move, stage, j):
    """(stay, moved on, out) of x people, as the kernel's ``_chain`` (draws j, j + 1)."""
    s = draw(x, stay, stage, j)
    p = np.where(stay < 1.0, np.minimum(_ratio(move, 1.0 - stay), 1.0), 0.0)
    m = draw(x - s, p, stage, j + 1)
    return s, m, x - s - m
