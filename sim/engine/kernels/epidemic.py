"""Compiled epidemic day: vaccination, waning, transmission and progression of
:mod:`sim.engine.epi_model` in one numba kernel over (E, N, A, ...) arrays.

The plain-numpy reference is :func:`sim.engine.epi_model.day_reference`; tests compare the
two on random states to 1e-10. Loops run member by member, so a member's numbers never
depend on the others in its batch (no reductions across members, no matrix products).

Speed (profiled: the infection of each non-empty status is almost all of a day): strains
above a member's highest active one are left out (they hold nobody, and nobody has
immunity from them: a strain is activated when first seeded), the share infected per
unit of force comes from a short polynomial without a division, and with at most four
strains (immunity tables padded by :func:`pad_strains`) each strain's sums stay in
registers (:func:`_infect4`).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.epidemic_force import country_totals, forces, travellers


@jit
def _share_per_rate(x, h):
    """``(1 − exp(−x h)) / x`` for x ≥ 0 (h at x = 0): the share of a status infected
    in a step of length h, per unit of its total force x.

    Below x h = 0.05 a Taylor polynomial in Estrin's form (relative error under 1e-12,
    short dependency chains, no division), ``expm1`` above.
    """
    y = x * h
    if y < 0.05:
        y2 = y * y
        return h * ((1.0 - 0.5 * y) + y2 * ((1.0 / 6.0 - y * (1.0 / 24.0))
                                            + y2 * (1.0 / 120.0 - y * (1.0 / 720.0))))
    return -np.expm1(-y) / x


def pad_strains(table: np.ndarray) -> np.ndarray:
    """``table`` with its last (strain) axis padded with zeros to at least 4 columns, so
    :func:`epidemic_day` can take its 4-strain fast path; C-contiguous.
    """
    V = table.shape[-1]
    if V >= 4:
        return np.ascontiguousarray(table)
    out = np.zeros((*table.shape[:-1], 4))
    out[..., :V] = table
    return out


@jit
def _infect(Sa, su, fa, la, vacc, nk, vmax, h, new_v, new_d, new_h, rate):
    """Infect statuses ``0..nk`` of one band for one step (any number of strains).

    Sa : (K,) people by status (updated); su : (K, V) susceptibility; fa : (K, V)
    fatality; la : (V,) force by strain; vacc : (K,) 1.0 for vaccinated statuses.
    Adds infections, those fated to die and vaccinated survivors by strain to ``new_v``,
    ``new_d``, ``new_h`` (V,); returns the infections. ``rate`` (V,) is scratch.
    """
    total = 0.0
    for k in range(nk):
        s = Sa[k]
        if s <= 0.0:  # most strains' statuses are empty
            continue
        x = 0.0
        for v in range(vmax):
            rate[v] = la[v] * su[k, v]
            x += rate[v]
        per = s * _share_per_rate(x, h)   # new infections / x
        new = per * x
        Sa[k] = s - new
        total += new
        vk = vacc[k]
        for v in range(vmax):
            b = rate[v] * per
            d = b * fa[k, v]
            new_v[v] += b
            new_d[v] += d
            new_h[v] += vk * (b - d)   # >= 0 exactly: fatal <= 1
    return total


@jit
def _infect4(Sa, su, fa, la, vacc, nk, h, new_v, new_d, new_h, out):
    """:func:`_infect` for at most 4 strains, arrays padded to 4 strain columns: the same
    arithmetic in the same order, with every strain's sums in registers. ``out[0]`` is
    set to the infections.
    """
    l0, l1, l2, l3 = la[0], la[1], la[2], la[3]
    n0 = n1 = n2 = n3 = d0 = d1 = d2 = d3 = h0 = h1 = h2 = h3 = total = 0.0
    for k in range(nk):
        s = Sa[k]
        if s <= 0.0:  # most strains' statuses are empty
            continue
        r0, r1, r2, r3 = l0 * su[k, 0], l1 * su[k, 1], l2 * su[k, 2], l3 * su[k, 3]
        x = r0 + r1 + r2 + r3
        per = s * _share_per_rate(x, h)
        new = per * x
        Sa[k] = s - new
        total += new
        vk = vacc[k]
        b0, b1, b2, b3 = r0 * per, r1 * per, r2 * per, r3 * per
        e0, e1, e2, e3 = b0 * fa[k, 0], b1 * fa[k, 1], b2 * fa[k, 2], b3 * fa[k, 3]
        n0, n1, n2, n3 = n0 + b0, n1 + b1, n2 + b2, n3 + b3
        d0, d1, d2, d3 = d0 + e0, d1 + e1, d2 + e2, d3 + e3
        h0, h1 = h0 + vk * (b0 - e0), h1 + vk * (b1 - e1)
        h2, h3 = h2 + vk * (b2 - e2), h3 + vk * (b3 - e3)
    new_v[0], new_v[1], new_v[2], new_v[3] = n0, n1, n2, n3
    new_d[0], new_d[1], new_d[2], new_d[3] = d0, d1, d2, d3
    new_h[0], new_h[1], new_h[2], new_h[3] = h0, h1, h2, h3
    out[0] = total


@jit
def epidemic_day(S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen,  # noqa: PLR0913
                 courses_band, boosted_band, force, mix, traffic, band_pop, wane, chain,
                 activity, eps, regional, region, n_regions, strains, active, sus, fatal,
                 substeps, vaccinated, infections, deaths, country_infections, country_deaths,
                 D, infections_cum, recent_deaths, population, burden_days, X, prev, reg,
                 regw):
    """Run one day for every member, in place.

    Parameters
    ----------
    S : (E, N, A, K) people not infected, by band and immunity status (updated);
        K = 3 + 4 V: naive, vaccine, vaccine waned, then infection, infection waned,
        hybrid, hybrid waned acquired from each strain
    Ex, Ix : (E, N, A, V) latent and infectious by strain (updated)
    fresh : (E, N, A, V) infected in the last sub-step, by strain (updated)
    shadow : (E, N, A, V, 4) latent/infectious who will die, latent/infectious vaccinated
        survivors, by strain (updated)
    D_band : (E, N, A) dead (updated)
    courses_seen, boosted_seen : (E, N, A) dose counters at the last step (updated)
    courses_band, boosted_band : (E, N, A) the dose engine's courses and boosters so far
        (those given since the last step reach the band)
    force : (E, N) F_n c_n(t), per infectious person per day
    mix : (E, N) share of contacts with travellers m_n
    traffic : (E, N) outbound traffic weights
    band_pop : (N, A) people
    wane : (E,) daily probability that fresh immunity wanes
    chain : (E, V, 11) each strain's sub-step coefficients (its generation time:
        :func:`sim.engine.build.epi_chain.chain_table`)
    activity : (E, A); eps, regional : (E,)
    region : (N,) int64; n_regions : R
    strains : (E, V, 4); active : (E, V)
    sus : (E, N, K, V); fatal : (E, N, A, K, V)
    substeps : sub-steps per day
    vaccinated : (K,) bool, statuses that count as vaccinated
    infections, deaths : (E, N, A) outputs, overwritten
    country_infections, country_deaths : (E, N) outputs (band sums), overwritten
    D : (E, N) dead, all bands (updated)
    infections_cum : (E, N) infections since day 0 (updated)
    recent_deaths : (E, N) deaths per person per day, exponential average over
        ``burden_days`` (updated); population : (N,) people
    X : (N, A, V), prev : (N, V), reg : (R, V), regw : (R,) scratch
    """
    E, N, A, K = S.shape
    V = Ex.shape[3]
    h = 1.0 / substeps
    world = np.empty(V)
    lam = np.zeros((N, A, max(V, 4)))
    has_force = np.zeros(N, np.bool_)
    out4 = np.empty(1)
    four = sus.shape[3] >= 4 and fatal.shape[4] >= 4  # padded (pad_strains)
    new_v = np.zeros(max(V, 4))
    new_d = np.zeros(max(V, 4))
    new_h = np.zeros(max(V, 4))
    rate = np.empty(V)
    vacc = np.empty(K)
    for k in range(K):
        vacc[k] = 1.0 if vaccinated[k] else 0.0
    for e in range(E):
        # Strains are activated in slot order; those above the highest active one hold
        # nobody and exert no force, and the statuses acquired from them are empty:
        # leaving them out only drops exact zeros from sums.
        vmax = 0
        for v in range(V):
            if active[e, v] > 0.0:
                vmax = v + 1
        nk = 3 + 4 * vmax
        lam[:] = 0.0
        w = wane[e]
        for n in range(N):
            for a in range(A):
                # 1. vaccination: naive -> vaccine, infection u (fresh, waned) -> hybrid u
                dcourse = courses_band[e, n, a] - courses_seen[e, n, a]
                dboost = boosted_band[e, n, a] - boosted_seen[e, n, a]
                whole = band_pop[n, a] - D_band[e, n, a] - courses_seen[e, n, a]
                p = 0.0
                if whole > 0.0:
                    p = min(max(dcourse / whole, 0.0), 1.0)
                if p > 0.0:
                    m = S[e, n, a, 0] * p
                    S[e, n, a, 0] -= m
                    S[e, n, a, 1] += m
                    for k in range(3, nk, 4):
                        mi, mw = S[e, n, a, k] * p, S[e, n, a, k + 1] * p
                        S[e, n, a, k] -= mi
                        S[e, n, a, k + 1] -= mw
                        S[e, n, a, k + 2] += mi
                        S[e, n, a, k + 2] += mw
                # boosters: waned vaccine -> vaccine, waned hybrid u -> hybrid u
                whole = courses_seen[e, n, a] - boosted_seen[e, n, a]
                p = 0.0
                if whole > 0.0:
                    p = min(max(dboost / whole, 0.0), 1.0)
                if p > 0.0:
                    m = S[e, n, a, 2] * p
                    S[e, n, a, 2] -= m
                    S[e, n, a, 1] += m
                    for k in range(3, nk, 4):
                        m = S[e, n, a, k + 3] * p
                        S[e, n, a, k + 3] -= m
                        S[e, n, a, k + 2] += m
                courses_seen[e, n, a] += dcourse
                boosted_seen[e, n, a] += dboost
                # 2. waning: every fresh status to its waned one
                m = S[e, n, a, 1] * w
                S[e, n, a, 1] -= m
                S[e, n, a, 2] += m
                for k in range(3, nk, 2):
                    m = S[e, n, a, k] * w
                    S[e, n, a, k] -= m
                    S[e, n, a, k + 1] += m
                infections[e, n, a] = 0.0
                deaths[e, n, a] = 0.0
        for _ in range(substeps):
            # 3a. mean infectious over the step, and prevalence among travellers
            travellers(e, vmax, Ex, Ix, fresh, chain, band_pop, traffic, regional, region,
                       n_regions, active, X, prev, reg, regw, world)
            # 3b. infection and progression, country by country
            forces(e, vmax, X, reg, band_pop, force, mix, activity, eps, region, strains,
                   active, lam, has_force)
            for n in range(N):
                for a in range(A):
                    new_tot = 0.0
                    for v in range(vmax):
                        new_v[v] = 0.0
                        new_d[v] = 0.0
                        new_h[v] = 0.0
                    if has_force[n] and vmax <= 4 and four:
                        _infect4(S[e, n, a], sus[e, n], fatal[e, n, a], lam[n, a], vacc, nk, h,
                                 new_v, new_d, new_h, out4)
                        new_tot = out4[0]
                    elif has_force[n]:
                        new_tot = _infect(S[e, n, a], sus[e, n], fatal[e, n, a], lam[n, a], vacc,
                                          nk, vmax, h, new_v, new_d, new_h, rate)
                    dead = 0.0
                    for v in range(vmax):
                        c0, c1, c2, c3 = chain[e, v, 0], chain[e, v, 1], chain[e, v, 2], \
                            chain[e, v, 3]
                        c4, c5, c6, c7 = chain[e, v, 4], chain[e, v, 5], chain[e, v, 6], \
                            chain[e, v, 7]
                        ev, iv, nv = Ex[e, n, a, v], Ix[e, n, a, v], new_v[v]
                        fresh[e, n, a, v] = nv
                        out = c2 * ev + c4 * iv + c7 * nv
                        Ix[e, n, a, v] = c3 * iv + c1 * ev + c6 * nv
                        Ex[e, n, a, v] = c0 * ev + c5 * nv
                        # fated to die (0, 1) and vaccinated survivors (2, 3)
                        lat, inf, nj = shadow[e, n, a, v, 0], shadow[e, n, a, v, 1], new_d[v]
                        gone_d = c2 * lat + c4 * inf + c7 * nj
                        shadow[e, n, a, v, 1] = c3 * inf + c1 * lat + c6 * nj
                        shadow[e, n, a, v, 0] = c0 * lat + c5 * nj
                        lat, inf, nj = shadow[e, n, a, v, 2], shadow[e, n, a, v, 3], new_h[v]
                        gone_h = c2 * lat + c4 * inf + c7 * nj
                        shadow[e, n, a, v, 3] = c3 * inf + c1 * lat + c6 * nj
                        shadow[e, n, a, v, 2] = c0 * lat + c5 * nj
                        # A difference of nearly equal flows: rounding must not leave an
                        # emptied status below zero (the numpy reference clamps the same way).
                        k = 3 + 4 * v
                        S[e, n, a, k] = max(S[e, n, a, k] + out - gone_d - gone_h, 0.0)
                        S[e, n, a, k + 2] += gone_h
                        dead += gone_d
                    D_band[e, n, a] += dead
                    infections[e, n, a] += new_tot
                    deaths[e, n, a] += dead
        country_totals(e, infections, deaths, country_infections, country_deaths, D,
                       infections_cum, recent_deaths, population, burden_days)
