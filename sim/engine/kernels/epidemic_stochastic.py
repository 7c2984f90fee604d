"""Compiled stochastic epidemic day: the model of :mod:`sim.engine.epi_model` with whole
people and binomial transitions (``epidemic.mode: stochastic``).

Every flow of the deterministic day becomes a draw with the same probability, so the
mean of many replicates follows the deterministic model:

1. **Vaccination.** Each status a course (booster) moves from loses ``Bin(people, share)``
   where ``share`` is the deterministic day's (courses over the unvaccinated living).
2. **Waning.** Each fresh status loses ``Bin(people, wane)`` to its waned one.
3. **Transmission**, per sub-step of length h: status k loses ``Bin(S_k, 1 − exp(−h x_k))``
   infected (x_k its total force), split between strains by sequential binomials in
   proportion to each strain's force (the last strain with force takes the rest), and
   of strain v's infected ``Bin(b, fatal_kv)`` are fated to die.
4. **Progression.** Latent, infectious and newly infected people (each of the three
   kinds: fated to die, vaccinated survivors, other survivors) move along the
   E → I → out chain with the deterministic sub-step's probabilities (the chain
   coefficients: stay, move on, go out), by two sequential binomials; those who go out
   die, or become hybrid or infection immune.

Draws come from :mod:`sim.engine.kernels.epidemic_random` at fixed positions (stage,
country, band, draw), so a member's epidemic depends only on its key and its own state.
The plain-numpy reference is :func:`sim.engine.epi_stochastic.stochastic_reference`.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg
from sim.engine.kernels.epidemic import held_span
from sim.engine.kernels.epidemic_lanes import country_totals_last, forces_last, travellers_last
from sim.engine.kernels.epidemic_random import (
    draw_binomial,
    infection_draw,
    position,
    progression_draw,
    uniform,
)


@jit
def _chain(x, stay, move, u0, u1):
    """(stay, moved on, out) of x people: ``Bin(x, stay)`` stay, of the rest
    ``Bin(rest, move / (1 − stay))`` move on, the others go out.
    """
    s = draw_binomial(x, stay, u0)
    m = 0.0
    if stay < 1.0:
        m = draw_binomial(x - s, min(move / (1.0 - stay), 1.0), u1)
    return s, m, x - s - m


@jit
def _vaccinate(e, n, a, t, ns, N, A, key, S, p, stage, src, dst, nsrc):
    """Move ``Bin(S[src[i]], p)`` to ``dst[i]`` for i < nsrc (draw j = source status)."""
    if p <= 0.0:
        return
    for i in range(nsrc):
        k = src[i]
        m = draw_binomial(S[e, n, a, k], p, uniform(key, position(t, stage, ns, n, N, a, A, k)))
        S[e, n, a, k] -= m
        S[e, n, a, dst[i]] += m


@jit
def stochastic_day(S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen,  # noqa: PLR0913
                   courses_band, boosted_band, force, mix, traffic, band_pop, wane, chain,
                   activity, eps, regional, region, n_regions, strains, active, sus, fatal,
                   substeps, vaccinated, first_status, keys, t, infections, deaths,
                   country_infections,
                   country_deaths, D, infections_cum, recent_deaths, population,
                   burden_days, X, prev, reg, regw):
    """Run one stochastic day for every member, in place.

    Arguments are :func:`sim.engine.kernels.epidemic_driver.run_day`'s (compartments
    hold whole people; ``first_status`` (V,) the fresh infection status of each strain's
    immunity class), plus ``keys`` (E,) uint64 member keys of the ``"epidemic"`` stream,
    and ``t`` the day index, but indexed (E, N, ...) like the numpy reference (views of
    the same memory): ``S`` (E, N, A, K), ``Ex`` (E, N, A, V), ``sus`` (E, N, K, V),
    ``fatal`` (E, N, A, K, V), ``infections`` (E, N, A) and so on. ``band_pop`` (A, N),
    ``X`` (A, V, N) and ``prev`` (V, N) are as the deterministic kernel's, which shares
    the force of infection.
    """
    E, N, A, K = S.shape
    V = Ex.shape[3]
    h = 1.0 / substeps
    ns = 3 + 2 * substeps
    world = np.empty(V)
    lam = np.zeros((N, A, V))
    has_force = np.zeros(N, np.bool_)
    lam_last, T = np.zeros((A, V, N)), np.zeros((V, N))
    act_p, mixed = np.empty(N), np.empty(N)
    # The force of infection reads the latent and infectious country-last.
    Ex_last, Ix_last = Ex.transpose((0, 2, 3, 1)), Ix.transpose((0, 2, 3, 1))
    fresh_last = fresh.transpose((0, 2, 3, 1))
    rate = np.empty(V)
    new_v, new_d, new_h = np.zeros(V), np.zeros(V), np.zeros(V)
    src, dst = np.empty(K, np.int64), np.empty(K, np.int64)
    for e in range(E):
        key = keys[e]
        vmax, nk = held_span(e, active, first_status)     # strains, statuses held
        nc = (nk - 3) // 4
        for n in range(N):
            for a in range(A):
                # 1. courses: naive -> vaccine, infection c (fresh, waned) -> hybrid c
                dcourse = courses_band[e, n, a] - courses_seen[e, n, a]
                dboost = boosted_band[e, n, a] - boosted_seen[e, n, a]
                whole = band_pop[a, n] - D_band[e, n, a] - courses_seen[e, n, a]
                p = min(nonneg(dcourse / whole), 1.0) if whole > 0.0 else 0.0
                src[0], dst[0] = 0, 1
                for u in range(nc):
                    k = 3 + 4 * u
                    src[1 + 2 * u], dst[1 + 2 * u] = k, k + 2
                    src[2 + 2 * u], dst[2 + 2 * u] = k + 1, k + 2
                _vaccinate(e, n, a, t, ns, N, A, key, S, p, 0, src, dst, 1 + 2 * nc)
                # boosters: waned vaccine -> vaccine, waned hybrid c -> hybrid c
                whole = courses_seen[e, n, a] - boosted_seen[e, n, a]
                p = min(nonneg(dboost / whole), 1.0) if whole > 0.0 else 0.0
                src[0], dst[0] = 2, 1
                for u in range(nc):
                    src[1 + u], dst[1 + u] = 6 + 4 * u, 5 + 4 * u
                _vaccinate(e, n, a, t, ns, N, A, key, S, p, 1, src, dst, 1 + nc)
                courses_seen[e, n, a] += dcourse
                boosted_seen[e, n, a] += dboost
                # 2. waning: every fresh status to its waned one
                src[0], dst[0] = 1, 2
                for i in range(2 * nc):
                    src[1 + i], dst[1 + i] = 3 + 2 * i, 4 + 2 * i
                _vaccinate(e, n, a, t, ns, N, A, key, S, wane[e], 2, src, dst,
                           1 + 2 * nc)
                infections[e, n, a] = 0.0
                deaths[e, n, a] = 0.0
        for step in range(substeps):
            travellers_last(e, vmax, Ex_last, Ix_last, fresh_last, chain, band_pop, traffic,
                            regional, region, n_regions, active, X, prev, reg, regw, world, T)
            si, sp = 3 + 2 * step, 4 + 2 * step
            forces_last(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active,
                        lam_last, act_p, mixed)
            for n in range(N):
                has_force[n] = False
                for a in range(A):
                    for v in range(vmax):
                        lam[n, a, v] = lam_last[a, v, n]
                        has_force[n] = has_force[n] or lam[n, a, v] > 0.0
            for n in range(N):
                for a in range(A):
                    for v in range(vmax):
                        new_v[v] = new_d[v] = new_h[v] = 0.0
                    new_tot = 0.0
                    for k in range(nk if has_force[n] else 0):
                        s = S[e, n, a, k]
                        if s <= 0.0:
                            continue
                        x = 0.0
                        last = -1
                        for v in range(vmax):
                            rate[v] = lam[n, a, v] * sus[e, n, k, v]
                            x += rate[v]
                            if rate[v] > 0.0:
                                last = v
                        if x <= 0.0:
                            continue
                        new = draw_binomial(s, -np.expm1(-x * h), uniform(
                            key, position(t, si, ns, n, N, a, A, infection_draw(k, 0, 0))))
                        S[e, n, a, k] = s - new
                        new_tot += new
                        left, xr = new, x
                        for v in range(vmax):
                            if rate[v] <= 0.0 or left <= 0.0:
                                continue
                            b = left if v == last else draw_binomial(
                                left, rate[v] / xr, uniform(
                                    key, position(t, si, ns, n, N, a, A,
                                                  infection_draw(k, 1, v))))
                            xr -= rate[v]
                            left -= b
                            d = draw_binomial(b, fatal[e, n, a, k, v], uniform(
                                key, position(t, si, ns, n, N, a, A,
                                              infection_draw(k, 2, v))))
                            new_v[v] += b
                            new_d[v] += d
                            if vaccinated[k]:
                                new_h[v] += b - d
                    dead = 0.0
                    for v in range(vmax):
                        c = chain[e, v]
                        fresh[e, n, a, v] = new_v[v]
                        ed, eh = shadow[e, n, a, v, 0], shadow[e, n, a, v, 2]
                        id_, ih = shadow[e, n, a, v, 1], shadow[e, n, a, v, 3]
                        lat = (ed, eh, Ex[e, n, a, v] - ed - eh)
                        inf = (id_, ih, Ix[e, n, a, v] - id_ - ih)
                        newly = (new_d[v], new_h[v], new_v[v] - new_d[v] - new_h[v])
                        ex = ix = 0.0
                        for kind in range(3):   # fated to die, vaccinated, other survivors
                            j = progression_draw(v, kind, 0)
                            ls, li, lo = _chain(lat[kind], c[0], c[1], uniform(
                                key, position(t, sp, ns, n, N, a, A, j)), uniform(
                                key, position(t, sp, ns, n, N, a, A, j + 1)))
                            is_ = draw_binomial(inf[kind], c[3], uniform(
                                key, position(t, sp, ns, n, N, a, A, j + 2)))
                            fs, fi, fo = _chain(newly[kind], c[5], c[6], uniform(
                                key, position(t, sp, ns, n, N, a, A, j + 3)), uniform(
                                key, position(t, sp, ns, n, N, a, A, j + 4)))
                            out = lo + (inf[kind] - is_) + fo
                            if kind == 0:
                                shadow[e, n, a, v, 0], shadow[e, n, a, v, 1] = ls + fs, \
                                    is_ + li + fi
                                dead += out
                            elif kind == 1:
                                shadow[e, n, a, v, 2], shadow[e, n, a, v, 3] = ls + fs, \
                                    is_ + li + fi
                                S[e, n, a, first_status[v] + 2] += out
                            else:
                                S[e, n, a, first_status[v]] += out
                            ex += ls + fs
                            ix += is_ + li + fi
                        Ex[e, n, a, v] = ex
                        Ix[e, n, a, v] = ix
                    D_band[e, n, a] += dead
                    infections[e, n, a] += new_tot
                    deaths[e, n, a] += dead
        country_totals_last(e, infections.transpose((0, 2, 1)), deaths.transpose((0, 2, 1)),
                            country_infections, country_deaths, D, infections_cum,
                            recent_deaths, population, burden_days)
