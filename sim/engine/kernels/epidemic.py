"""Compiled epidemic day: vaccination, waning, transmission and progression of
:mod:`sim.engine.epi_model` in one numba kernel over (E, N, A, ...) arrays.

The plain-numpy reference is :func:`sim.engine.epi_model.day_reference`; tests compare the
two on random states to 1e-10. Loops run member by member, so a member's numbers never
depend on the others in its batch (no reductions across members, no matrix products).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit

_VACCINATED = np.array([False, True, True, False, False, True, True])


@jit
def _infected_share(y):
    """``1 − exp(−y)`` for y ≥ 0: a Taylor polynomial below 0.05 (relative error under
    1e-10, and about a third of the cost of ``exp``), ``exp`` above.
    """
    if y < 0.05:
        return y * (1.0 - y * (0.5 - y * (1.0 / 6.0 - y * (1.0 / 24.0 - y * (
            1.0 / 120.0 - y / 720.0)))))
    return 1.0 - np.exp(-y)


@jit
def epidemic_day(S, Ex, Ix, shadow, D_band, courses_seen, boosted_seen,  # noqa: PLR0913
                 dcourse, dboost, force, mix, traffic, band_pop, wane, chain, activity,
                 eps, regional, region, n_regions, strains, active, sus, fatal, substeps,
                 vaccinated, infections, deaths, country_infections, country_deaths, D,
                 X, prev, reg, regw):
    """Run one day for every member, in place.

    Parameters
    ----------
    S : (E, N, A, K) people not infected, by band and immunity status (updated)
    Ex, Ix : (E, N, A, V) latent and infectious by strain (updated)
    shadow : (E, N, A, 4) latent/infectious who will die, latent/infectious vaccinated
        survivors (updated)
    D_band : (E, N, A) dead (updated)
    courses_seen, boosted_seen : (E, N, A) dose counters at the last step (updated)
    dcourse, dboost : (E, N, A) courses and boosters given since the last step
    force : (E, N) F_n c_n(t), per infectious person per day
    mix : (E, N) share of contacts with travellers m_n
    traffic : (E, N) outbound traffic weights
    band_pop : (N, A) people
    wane : (E,) daily probability that fresh immunity wanes
    chain : (E, 10) sub-step coefficients (:func:`sim.engine.build.epi_params.chain_table`)
    activity : (E, A); eps, regional : (E,)
    region : (N,) int64; n_regions : R
    strains : (E, V, 4); active : (E, V)
    sus : (E, N, K, V); fatal : (E, N, A, K, V)
    substeps : sub-steps per day
    vaccinated : (K,) bool, statuses that count as vaccinated
    infections, deaths : (E, N, A) outputs, overwritten
    country_infections, country_deaths : (E, N) outputs (band sums), overwritten
    D : (E, N) dead, all bands (updated)
    X : (N, A, V), prev : (N, V), reg : (R, V), regw : (R,) scratch
    """
    E, N, A, K = S.shape
    V = Ex.shape[3]
    h = 1.0 / substeps
    world = np.empty(V)
    lam = np.empty((A, V))
    new_v = np.empty(V)
    live = np.empty(V, dtype=np.int64)
    removed = np.empty(2)
    for e in range(E):
        c = chain[e]
        w = wane[e]
        for n in range(N):
            for a in range(A):
                # 1. vaccination, boosters
                whole = band_pop[n, a] - D_band[e, n, a] - courses_seen[e, n, a]
                p = 0.0
                if whole > 0.0:
                    p = min(max(dcourse[e, n, a] / whole, 0.0), 1.0)
                m0, m3, m4 = S[e, n, a, 0] * p, S[e, n, a, 3] * p, S[e, n, a, 4] * p
                S[e, n, a, 0] -= m0
                S[e, n, a, 3] -= m3
                S[e, n, a, 4] -= m4
                S[e, n, a, 1] += m0
                S[e, n, a, 5] += m3 + m4
                whole = courses_seen[e, n, a] - boosted_seen[e, n, a]
                p = 0.0
                if whole > 0.0:
                    p = min(max(dboost[e, n, a] / whole, 0.0), 1.0)
                m2, m6 = S[e, n, a, 2] * p, S[e, n, a, 6] * p
                S[e, n, a, 2] -= m2
                S[e, n, a, 6] -= m6
                S[e, n, a, 1] += m2
                S[e, n, a, 5] += m6
                courses_seen[e, n, a] += dcourse[e, n, a]
                boosted_seen[e, n, a] += dboost[e, n, a]
                # 2. waning
                m1, m3, m5 = S[e, n, a, 1] * w, S[e, n, a, 3] * w, S[e, n, a, 5] * w
                S[e, n, a, 1] -= m1
                S[e, n, a, 3] -= m3
                S[e, n, a, 5] -= m5
                S[e, n, a, 2] += m1
                S[e, n, a, 4] += m3
                S[e, n, a, 6] += m5
                infections[e, n, a] = 0.0
                deaths[e, n, a] = 0.0
        for _ in range(substeps):
            # 3a. mean infectious over the step, and prevalence among travellers
            for r in range(n_regions):
                regw[r] = 0.0
                for v in range(V):
                    reg[r, v] = 0.0
            world_w = 0.0
            for n in range(N):
                pop = 0.0
                for a in range(A):
                    pop += band_pop[n, a]
                world_w += traffic[e, n]
                regw[region[n]] += traffic[e, n]
                for v in range(V):
                    tot = 0.0
                    if active[e, v] > 0.0:
                        for a in range(A):
                            x = c[8] * Ix[e, n, a, v] + c[9] * Ex[e, n, a, v]
                            X[n, a, v] = x
                            tot += x
                    else:
                        for a in range(A):
                            X[n, a, v] = 0.0
                    prev[n, v] = tot / pop if pop > 0.0 else 0.0
                    reg[region[n], v] += traffic[e, n] * prev[n, v]
            for v in range(V):
                world[v] = 0.0
                for r in range(n_regions):
                    world[v] += reg[r, v]
                world[v] = world[v] / world_w if world_w > 0.0 else 0.0
            for r in range(n_regions):
                for v in range(V):
                    reg[r, v] = regional[e] * (reg[r, v] / regw[r] if regw[r] > 0.0 else 0.0) \
                        + (1.0 - regional[e]) * world[v]
            # 3b. infection and progression, country by country
            for n in range(N):
                act_p = 0.0
                for a in range(A):
                    act_p += activity[e, a] * band_pop[n, a]
                mx = mix[e, n]
                r = region[n]
                for v in range(V):
                    if active[e, v] == 0.0:
                        for a in range(A):
                            lam[a, v] = 0.0
                        continue
                    mixed = 0.0
                    for a in range(A):
                        mixed += activity[e, a] * X[n, a, v]
                    mixed = mixed / act_p if act_p > 0.0 else 0.0
                    for a in range(A):
                        own = X[n, a, v] / band_pop[n, a] if band_pop[n, a] > 0.0 else 0.0
                        home = eps[e] * own + (1.0 - eps[e]) * mixed
                        lam[a, v] = force[e, n] * strains[e, v, 0] * activity[e, a] * (
                            (1.0 - mx) * home + mx * reg[r, v])
                for a in range(A):
                    new_tot = 0.0
                    new_d = 0.0
                    new_h = 0.0
                    for v in range(V):
                        new_v[v] = 0.0
                    lam_a = lam[a]
                    m = 0
                    for v in range(V):  # strains with a force of infection here
                        if lam_a[v] > 0.0:
                            live[m] = v
                            m += 1
                    for k in range(K):
                        s = S[e, n, a, k]
                        if s <= 0.0:
                            continue
                        sus_k = sus[e, n, k]
                        x = 0.0
                        for j in range(m):
                            v = live[j]
                            x += lam_a[v] * sus_k[v]
                        if x <= 0.0:
                            continue
                        new = s * _infected_share(x * h)
                        S[e, n, a, k] = s - new
                        new_tot += new
                        per = new / x
                        fatal_k = fatal[e, n, a, k]
                        dk = 0.0
                        for j in range(m):
                            v = live[j]
                            b = lam_a[v] * sus_k[v] * per
                            new_v[v] += b
                            dk += b * fatal_k[v]
                        new_d += dk
                        if vaccinated[k]:
                            new_h += new - dk
                    out = 0.0
                    for v in range(V):
                        ev, iv, nv = Ex[e, n, a, v], Ix[e, n, a, v], new_v[v]
                        out += c[2] * ev + c[4] * iv + c[7] * nv
                        Ix[e, n, a, v] = c[3] * iv + c[1] * ev + c[6] * nv
                        Ex[e, n, a, v] = c[0] * ev + c[5] * nv
                    for j in range(2):
                        nj = new_d if j == 0 else new_h
                        lat, inf = shadow[e, n, a, 2 * j], shadow[e, n, a, 2 * j + 1]
                        removed[j] = c[2] * lat + c[4] * inf + c[7] * nj
                        shadow[e, n, a, 2 * j + 1] = c[3] * inf + c[1] * lat + c[6] * nj
                        shadow[e, n, a, 2 * j] = c[0] * lat + c[5] * nj
                    # Survivors out of infection; the shadows are part of ``out``, so the
                    # difference is >= 0 but for rounding, which must not go below zero.
                    S[e, n, a, 3] = max(S[e, n, a, 3] + (out - removed[0] - removed[1]), 0.0)
                    S[e, n, a, 5] += removed[1]
                    D_band[e, n, a] += removed[0]
                    infections[e, n, a] += new_tot
                    deaths[e, n, a] += removed[0]
        for n in range(N):
            ci = 0.0
            cd = 0.0
            for a in range(A):
                ci += infections[e, n, a]
                cd += deaths[e, n, a]
            country_infections[e, n] = ci
            country_deaths[e, n] = cd
            D[e, n] += cd
