"""Compiled epidemic day: vaccination, waning, transmission and progression of
:mod:`sim.engine.epi_model` in one numba kernel, in the country-last layout.

The kernel takes the state with the country axis last and contiguous, ``S`` as
(E, A, K, N), ``Ex`` as (E, A, V, N) and so on (:class:`~sim.engine.epi_model.EpiState`
keeps its arrays in that memory order; :func:`sim.engine.epidemic.kernel_layout` gives
these views), so every inner loop runs over the N countries, straight and free of
branches, and the compiler turns it into vector instructions. The plain-numpy reference
is :func:`sim.engine.epi_model.day_reference`; tests compare the two on random states to
1e-10. Loops run member by member, so a member's numbers never depend on the others in
its batch (no reductions across members, no matrix products).

Speed (profiled: the infection of each status is most of a day): strains above a
member's highest active one are left out (they hold nobody, and nobody has immunity from
them: a strain is activated when first seeded), so are statuses empty in every country,
and the share infected per unit of force comes from a short polynomial for every country
at once, with ``expm1`` only for the few countries where the force is large.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.epidemic_lanes import country_totals_last, forces_last, travellers_last

#: Below this ``x h`` the share infected per unit of force comes from the polynomial.
SMALL_FORCE = 0.05


@jit
def _poly(y, h):
    """``h (1 − exp(−y)) / y`` by its Taylor polynomial in Estrin's form (for y below
    :data:`SMALL_FORCE`: relative error under 1e-12, no division).
    """
    y2 = y * y
    return h * ((1.0 - 0.5 * y) + y2 * ((1.0 / 6.0 - y * (1.0 / 24.0))
                                       + y2 * (1.0 / 120.0 - y * (1.0 / 720.0))))


@jit
def _share_per_rate(x, h, share):
    """``share[n] = (1 − exp(−x[n] h)) / x[n]`` for x ≥ 0 (h at x = 0): the share of a
    status infected in a step of length h, per unit of its total force x.

    Below x h = :data:`SMALL_FORCE` a Taylor polynomial in Estrin's form (relative error
    under 1e-12, no division) for every country, then ``expm1`` for the others.
    """
    N = x.shape[0]
    large = 0
    for n in range(N):
        y = x[n] * h
        share[n] = _poly(y, h)
        large += y >= SMALL_FORCE
    if large:
        for n in range(N):
            y = x[n] * h
            if y >= SMALL_FORCE:
                share[n] = -np.expm1(-y) / x[n]


@jit
def _infect(e, a, k, vmax, h, S, sus, lam, total, x, p):
    """Infect status k of band a in every country for one step.

    S : (E, A, K, N) (updated); sus : (E, K, V, N); lam : (A, V, N) force by strain.
    Adds all infections to ``total`` (N,) and writes ``p`` (N,): the status's new
    infections per unit of its total force (those by strain v are ``lam[a, v] sus[e, k, v]
    p``: :func:`_by_strain`); ``x`` (N,) scratch.
    """
    N = S.shape[3]
    # The total force and its share polynomial in one pass for up to four strains (same
    # sums, same order); expm1 afterwards for the countries where the force is large.
    large = 0
    if vmax == 1:
        for n in range(N):
            xn = lam[a, 0, n] * sus[e, k, 0, n]
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    elif vmax == 2:
        for n in range(N):
            xn = lam[a, 0, n] * sus[e, k, 0, n] + lam[a, 1, n] * sus[e, k, 1, n]
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    elif vmax == 3:
        for n in range(N):
            xn = (lam[a, 0, n] * sus[e, k, 0, n] + lam[a, 1, n] * sus[e, k, 1, n]) \
                + lam[a, 2, n] * sus[e, k, 2, n]
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    elif vmax == 4:
        for n in range(N):
            xn = ((lam[a, 0, n] * sus[e, k, 0, n] + lam[a, 1, n] * sus[e, k, 1, n])
                  + lam[a, 2, n] * sus[e, k, 2, n]) + lam[a, 3, n] * sus[e, k, 3, n]
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    else:
        for n in range(N):
            x[n] = ((lam[a, 0, n] * sus[e, k, 0, n] + lam[a, 1, n] * sus[e, k, 1, n])
                    + lam[a, 2, n] * sus[e, k, 2, n]) + lam[a, 3, n] * sus[e, k, 3, n]
        for v in range(4, vmax):
            for n in range(N):
                x[n] += lam[a, v, n] * sus[e, k, v, n]
        _share_per_rate(x, h, p)
        large = 0
    if large:
        for n in range(N):
            if x[n] * h >= SMALL_FORCE:
                p[n] = -np.expm1(-(x[n] * h)) / x[n]
    for n in range(N):
        s = S[e, a, k, n]
        q = s * p[n]                # new infections / x
        new = q * x[n]
        S[e, a, k, n] = s - new
        total[n] += new
        p[n] = q


#: Statuses whose infections by strain are added in one pass (:func:`_by_strain`).
GROUP = 5


@jit
def _by_strain(e, a, vmax, ks, ws, P, sus, fatal, lam, new_v, new_d, new_h):
    """Add the infections by strain of :data:`GROUP` statuses ``ks`` (int64) of band a,
    ``P`` (GROUP, N) from :func:`_infect`, to ``new_v``, those fated to die to ``new_d``
    and the survivors of the statuses with weight ``ws`` = 1 (vaccinated) to ``new_h``
    (V, N).

    Each status's terms are added in the order of ``ks``, as one pass per status would:
    the sums are the same to the last bit (a status left out has a zero row of ``P``
    and weight 0, and adds exact zeros). One pass reads and writes the three sums once
    for five statuses; it is bound by these loads and stores.
    """
    N = P.shape[1]
    k1, k2, k3, k4, k5 = ks[0], ks[1], ks[2], ks[3], ks[4]
    w1, w2, w3, w4, w5 = ws[0], ws[1], ws[2], ws[3], ws[4]
    for v in range(vmax):
        for n in range(N):
            lv = lam[a, v, n]
            b1 = lv * sus[e, k1, v, n] * P[0, n]
            b2 = lv * sus[e, k2, v, n] * P[1, n]
            b3 = lv * sus[e, k3, v, n] * P[2, n]
            b4 = lv * sus[e, k4, v, n] * P[3, n]
            b5 = lv * sus[e, k5, v, n] * P[4, n]
            d1 = b1 * fatal[e, a, k1, v, n]
            d2 = b2 * fatal[e, a, k2, v, n]
            d3 = b3 * fatal[e, a, k3, v, n]
            d4 = b4 * fatal[e, a, k4, v, n]
            d5 = b5 * fatal[e, a, k5, v, n]
            new_v[v, n] = ((((new_v[v, n] + b1) + b2) + b3) + b4) + b5
            new_d[v, n] = ((((new_d[v, n] + d1) + d2) + d3) + d4) + d5
            # b − d ≥ 0 exactly: fatal ≤ 1
            new_h[v, n] = ((((new_h[v, n] + (b1 - d1) * w1) + (b2 - d2) * w2)
                            + (b3 - d3) * w3) + (b4 - d4) * w4) + (b5 - d5) * w5


@jit
def _progress(e, a, v, k, S, Ex, Ix, shadow, fresh, chain, new_v, new_d, new_h, dead):
    """Move strain v's latent, infectious and newly infected people of band a along the
    E → I → out chain for one step; survivors become immune (status k, its class's fresh
    infection, or k + 2 hybrid), the fated add to ``dead`` (N,).
    """
    N = S.shape[3]
    c0, c1, c2, c3 = chain[e, v, 0], chain[e, v, 1], chain[e, v, 2], chain[e, v, 3]
    c4, c5, c6, c7 = chain[e, v, 4], chain[e, v, 5], chain[e, v, 6], chain[e, v, 7]
    for n in range(N):
        ev, iv, nv = Ex[e, a, v, n], Ix[e, a, v, n], new_v[v, n]
        fresh[e, a, v, n] = nv
        out = c2 * ev + c4 * iv + c7 * nv
        Ix[e, a, v, n] = c3 * iv + c1 * ev + c6 * nv
        Ex[e, a, v, n] = c0 * ev + c5 * nv
        # fated to die (0, 1) and vaccinated survivors (2, 3)
        lat, inf, nj = shadow[e, a, v, 0, n], shadow[e, a, v, 1, n], new_d[v, n]
        gone_d = c2 * lat + c4 * inf + c7 * nj
        shadow[e, a, v, 1, n] = c3 * inf + c1 * lat + c6 * nj
        shadow[e, a, v, 0, n] = c0 * lat + c5 * nj
        lat, inf, nj = shadow[e, a, v, 2, n], shadow[e, a, v, 3, n], new_h[v, n]
        gone_h = c2 * lat + c4 * inf + c7 * nj
        shadow[e, a, v, 3, n] = c3 * inf + c1 * lat + c6 * nj
        shadow[e, a, v, 2, n] = c0 * lat + c5 * nj
        # A difference of nearly equal flows: rounding must not leave an emptied status
        # below zero (the numpy reference clamps the same way).
        S[e, a, k, n] = max(S[e, a, k, n] + out - gone_d - gone_h, 0.0)
        S[e, a, k + 2, n] += gone_h
        dead[n] += gone_d


@jit
def _vaccinate_and_wane(e, a, nk, S, D_band, courses_seen, boosted_seen, courses_band,
                        boosted_band, band_pop, w, pc, pb):
    """Steps 1 and 2 for band a of member e: courses and boosters since the last step
    reach the band's statuses (``pc``, ``pb`` (N,) scratch: their shares), then fresh
    immunity wanes with probability ``w``.

    One pass for the vaccine statuses (0, 1, 2) and one for each strain's four (infection,
    waned, hybrid, hybrid waned): the moves of a status come in the reference's order
    (courses, boosters, waning), and no move mixes two such groups.
    """
    N = S.shape[3]
    changed = 0     # (a count, not a loop that stops: it vectorises)
    for n in range(N):
        changed += (courses_band[e, n, a] != courses_seen[e, a, n]) \
            | (boosted_band[e, n, a] != boosted_seen[e, a, n])
    if changed == 0:    # no new doses: waning alone, counters kept
        for n in range(N):
            m = S[e, a, 1, n] * w
            S[e, a, 1, n] -= m
            S[e, a, 2, n] += m
        for k in range(3, nk, 4):
            for n in range(N):
                m1, m2 = S[e, a, k, n] * w, S[e, a, k + 2, n] * w
                S[e, a, k, n] -= m1
                S[e, a, k + 1, n] += m1
                S[e, a, k + 2, n] -= m2
                S[e, a, k + 3, n] += m2
        return
    for n in range(N):
        dcourse = courses_band[e, n, a] - courses_seen[e, a, n]
        dboost = boosted_band[e, n, a] - boosted_seen[e, a, n]
        whole = band_pop[a, n] - D_band[e, a, n] - courses_seen[e, a, n]
        pc[n] = min(max(dcourse / whole, 0.0), 1.0) if whole > 0.0 else 0.0
        whole = courses_seen[e, a, n] - boosted_seen[e, a, n]
        pb[n] = min(max(dboost / whole, 0.0), 1.0) if whole > 0.0 else 0.0
        courses_seen[e, a, n] += dcourse
        boosted_seen[e, a, n] += dboost
    # naive -> vaccine (course); waned vaccine -> vaccine (booster); vaccine -> waned
    for n in range(N):
        m0, m2 = S[e, a, 0, n] * pc[n], S[e, a, 2, n] * pb[n]
        S[e, a, 0, n] -= m0
        s1 = (S[e, a, 1, n] + m0) + m2
        m1 = s1 * w
        S[e, a, 1, n] = s1 - m1
        S[e, a, 2, n] = (S[e, a, 2, n] - m2) + m1
    # infection u (fresh, waned) -> hybrid u (course); waned hybrid u -> hybrid u
    # (booster); then fresh -> waned
    for k in range(3, nk, 4):
        for n in range(N):
            c, b = pc[n], pb[n]
            fresh, waned = S[e, a, k, n], S[e, a, k + 1, n]
            m0, m1, m3 = fresh * c, waned * c, S[e, a, k + 3, n] * b
            fresh -= m0
            hyb = ((S[e, a, k + 2, n] + m0) + m1) + m3
            mf, mh = fresh * w, hyb * w
            S[e, a, k, n] = fresh - mf
            S[e, a, k + 1, n] = (waned - m1) + mf
            S[e, a, k + 2, n] = hyb - mh
            S[e, a, k + 3, n] = (S[e, a, k + 3, n] - m3) + mh


@jit
def epidemic_day(S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen,  # noqa: PLR0913
                 courses_band, boosted_band, force, mix, traffic, band_pop, wane, chain,
                 activity, eps, regional, region, n_regions, strains, active, sus, fatal,
                 substeps, vaccinated, first_status, infections, deaths, country_infections,
                 country_deaths,
                 D, infections_cum, recent_deaths, population, burden_days, X, prev, reg,
                 regw):
    """Run one day for every member, in place (country-last layout).

    Parameters
    ----------
    S : (E, A, K, N) people not infected, by band and immunity status (updated);
        K = 3 + 4 C: naive, vaccine, vaccine waned, then infection, infection waned,
        hybrid, hybrid waned acquired from a strain of each immunity class
    Ex, Ix : (E, A, V, N) latent and infectious by strain (updated)
    fresh : (E, A, V, N) infected in the last sub-step, by strain (updated)
    shadow : (E, A, V, 4, N) latent/infectious who will die, latent/infectious vaccinated
        survivors, by strain (updated)
    D_band : (E, A, N) dead (updated)
    courses_seen, boosted_seen : (E, A, N) dose counters at the last step (updated)
    courses_band, boosted_band : (E, N, A) the dose engine's courses and boosters so far
        (those given since the last step reach the band)
    force : (E, N) F_n c_n(t), per infectious person per day
    mix : (E, N) share of contacts with travellers m_n
    traffic : (E, N) outbound traffic weights
    band_pop : (A, N) people
    wane : (E,) daily probability that fresh immunity wanes
    chain : (E, V, 11) each strain's sub-step coefficients (its generation time:
        :func:`sim.engine.build.epi_chain.chain_table`)
    activity : (E, A); eps, regional : (E,)
    region : (N,) int64; n_regions : R
    strains : (E, V, 4); active : (E, V)
    sus : (E, K, V, N); fatal : (E, A, K, V, N)
    substeps : sub-steps per day
    vaccinated : (K,) bool, statuses that count as vaccinated
    first_status : (V,) int64 the fresh infection status of each strain's class (3 + 4 c;
        classes numbered in the order of their first strain)
    infections, deaths : (E, A, N) outputs, overwritten
    country_infections, country_deaths : (E, N) outputs (band sums), overwritten
    D : (E, N) dead, all bands (updated)
    infections_cum : (E, N) infections since day 0 (updated)
    recent_deaths : (E, N) deaths per person per day, exponential average over
        ``burden_days`` (updated); population : (N,) people
    X : (A, V, N), prev : (V, N), reg : (R, V), regw : (R,) scratch
    """
    E, A, K, N = S.shape
    V = Ex.shape[2]
    h = 1.0 / substeps
    world = np.empty(V)
    lam = np.zeros((A, V, N))
    T = np.zeros((V, N))
    new_v, new_d, new_h = np.zeros((V, N)), np.zeros((V, N)), np.zeros((V, N))
    total, dead = np.empty(N), np.empty(N)
    s1, s2 = np.empty(N), np.empty(N)
    P = np.empty((GROUP, N))
    ks, ws = np.zeros(GROUP, dtype=np.int64), np.zeros(GROUP)
    for e in range(E):
        # Strains are activated in slot order; those above the highest active one hold
        # nobody and exert no force, and the statuses acquired from them are empty:
        # leaving them out only drops exact zeros from sums.
        vmax = 0
        for v in range(V):
            if active[e, v] > 0.0:
                vmax = v + 1
        nk = 3     # statuses up to the highest class of an active strain
        for v in range(vmax):
            nk = max(nk, first_status[v] + 4)
        for a in range(A):
            _vaccinate_and_wane(e, a, nk, S, D_band, courses_seen, boosted_seen,
                                courses_band, boosted_band, band_pop, wane[e], s1, s2)
            for n in range(N):
                infections[e, a, n] = 0.0
                deaths[e, a, n] = 0.0
        for _ in range(substeps):
            # 3a. mean infectious over the step, and prevalence among travellers
            travellers_last(e, vmax, Ex, Ix, fresh, chain, band_pop, traffic, regional,
                            region, n_regions, active, X, prev, reg, regw, world, T)
            # 3b. force, infection and progression, band by band
            forces_last(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active,
                        lam, s1, s2)
            for a in range(A):
                new_v[:vmax] = 0.0
                new_d[:vmax] = 0.0
                new_h[:vmax] = 0.0
                total[:] = 0.0
                dead[:] = 0.0
                g = 0               # statuses in the group
                for k in range(nk):
                    held = 0        # (a count, not a loop that stops: it vectorises)
                    for n in range(N):
                        held += S[e, a, k, n] > 0.0
                    if held:        # most statuses of most strains hold nobody
                        _infect(e, a, k, vmax, h, S, sus, lam, total, s1, P[g])
                        ks[g], ws[g] = k, 1.0 if vaccinated[k] else 0.0
                        g += 1
                    if g == GROUP or (k == nk - 1 and g > 0):
                        for j in range(g, GROUP):   # (rows that add exact zeros)
                            P[j] = 0.0
                            ks[j], ws[j] = ks[0], 0.0
                        _by_strain(e, a, vmax, ks, ws, P, sus, fatal, lam, new_v, new_d,
                                   new_h)
                        g = 0
                for v in range(vmax):
                    _progress(e, a, v, first_status[v], S, Ex, Ix, shadow, fresh, chain,
                              new_v, new_d, new_h, dead)
                for n in range(N):
                    D_band[e, a, n] += dead[n]
                    infections[e, a, n] += total[n]
                    deaths[e, a, n] += dead[n]
        country_totals_last(e, infections, deaths, country_infections, country_deaths, D,
                            infections_cum, recent_deaths, population, burden_days)
