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
def _by_strain(e, vmax, ks, P, sus, fatal, sp, sr):
    """Add the infections by strain of :data:`GROUP` statuses ``ks`` (int64), per unit
    of their strain's force, to ``sp`` (V, N): ``Σ sus[e, k, v] P[k]``, and those fated
    to die, per unit of force and of the band's IFR × severity, to ``sr`` (V, N):
    ``Σ sus[e, k, v] P[k] fatal[e, k, v]`` (``P`` (GROUP, N) from :func:`_infect`;
    ``fatal[e, k]`` the status's band-free ratio, :mod:`sim.engine.kernels.immunity`).

    The force and the band's factor are applied once per strain afterwards
    (:func:`_progress`), not per status. Each status's terms are added in the order of
    ``ks`` (a status left out has a zero row of ``P`` and adds exact zeros). One pass
    reads and writes the two sums once for five statuses; it is bound by its loads.
    """
    N = P.shape[1]
    k1, k2, k3, k4, k5 = ks[0], ks[1], ks[2], ks[3], ks[4]
    for v in range(vmax):
        for n in range(N):
            t1 = sus[e, k1, v, n] * P[0, n]
            t2 = sus[e, k2, v, n] * P[1, n]
            t3 = sus[e, k3, v, n] * P[2, n]
            t4 = sus[e, k4, v, n] * P[3, n]
            t5 = sus[e, k5, v, n] * P[4, n]
            sp[v, n] = ((((sp[v, n] + t1) + t2) + t3) + t4) + t5
            sr[v, n] = ((((sr[v, n] + t1 * fatal[e, k1, v, n]) + t2 * fatal[e, k2, v, n])
                         + t3 * fatal[e, k3, v, n]) + t4 * fatal[e, k4, v, n]) \
                + t5 * fatal[e, k5, v, n]


@jit
def _flush(e, vmax, g, ks, P, sus, fatal, sp, sr):
    """:func:`_by_strain` of the first ``g`` statuses of ``ks``, ``P`` (the other rows
    made to add exact zeros).
    """
    for j in range(g, GROUP):
        P[j] = 0.0
        ks[j] = ks[0]
    _by_strain(e, vmax, ks, P, sus, fatal, sp, sr)


@jit
def _progress(e, a, v, S, Ex, Ix, shadow, fresh, chain, lam, fatal, sp, sr, dead):
    """Move strain v's latent, infectious and newly infected people of band a along the
    E → I → out chain for one step; survivors become immune, the fated add to ``dead`` (N,).

    The newly infected come from the sums of :func:`_by_strain`, ``sp``, ``sr``
    (2, V, N): [not vaccinated, vaccinated] statuses, times the force ``lam`` (A, V, N)
    and, for the fated, the band's IFR × severity ``fatal[e, K + a]`` (≤ 1). As
    ``sr ≤ sp`` term by term, the vaccinated survivors are ≥ 0 exactly.
    """
    N = S.shape[3]
    K = S.shape[2]
    c0, c1, c2, c3 = chain[e, v, 0], chain[e, v, 1], chain[e, v, 2], chain[e, v, 3]
    c4, c5, c6, c7 = chain[e, v, 4], chain[e, v, 5], chain[e, v, 6], chain[e, v, 7]
    k = 3 + 4 * v
    for n in range(N):
        lv, f = lam[a, v, n], fatal[e, K + a, v, n]
        nv = lv * (sp[0, v, n] + sp[1, v, n])
        nd = lv * (f * (sr[0, v, n] + sr[1, v, n]))
        nh = lv * sp[1, v, n] - lv * (f * sr[1, v, n])
        ev, iv = Ex[e, a, v, n], Ix[e, a, v, n]
        fresh[e, a, v, n] = nv
        out = c2 * ev + c4 * iv + c7 * nv
        Ix[e, a, v, n] = c3 * iv + c1 * ev + c6 * nv
        Ex[e, a, v, n] = c0 * ev + c5 * nv
        # fated to die (0, 1) and vaccinated survivors (2, 3)
        lat, inf = shadow[e, a, v, 0, n], shadow[e, a, v, 1, n]
        gone_d = c2 * lat + c4 * inf + c7 * nd
        shadow[e, a, v, 1, n] = c3 * inf + c1 * lat + c6 * nd
        shadow[e, a, v, 0, n] = c0 * lat + c5 * nd
        lat, inf = shadow[e, a, v, 2, n], shadow[e, a, v, 3, n]
        gone_h = c2 * lat + c4 * inf + c7 * nh
        shadow[e, a, v, 3, n] = c3 * inf + c1 * lat + c6 * nh
        shadow[e, a, v, 2, n] = c0 * lat + c5 * nh
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
                 substeps, vaccinated, infections, deaths, country_infections, country_deaths,
                 D, infections_cum, recent_deaths, population, burden_days, X, prev, reg,
                 regw):
    """Run one day for every member, in place (country-last layout).

    Parameters
    ----------
    S : (E, A, K, N) people not infected, by band and immunity status (updated);
        K = 3 + 4 V: naive, vaccine, vaccine waned, then infection, infection waned,
        hybrid, hybrid waned acquired from each strain
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
    sus : (E, K, V, N); fatal : (E, K + A, V, N) in factors: each status's band-free
        ratio, then each band's IFR × severity (:mod:`sim.engine.kernels.immunity`)
    substeps : sub-steps per day
    vaccinated : (K,) bool, statuses that count as vaccinated
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
    sp, sr = np.zeros((2, V, N)), np.zeros((2, V, N))
    total, dead = np.empty(N), np.empty(N)
    s1, s2 = np.empty(N), np.empty(N)
    P = np.empty((2, GROUP, N))
    ks = np.zeros((2, GROUP), dtype=np.int64)
    gs = np.zeros(2, dtype=np.int64)
    for e in range(E):
        # Strains are activated in slot order; those above the highest active one hold
        # nobody and exert no force, and the statuses acquired from them are empty:
        # leaving them out only drops exact zeros from sums.
        vmax = 0
        for v in range(V):
            if active[e, v] > 0.0:
                vmax = v + 1
        nk = 3 + 4 * vmax
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
                sp[:, :vmax] = 0.0
                sr[:, :vmax] = 0.0
                total[:] = 0.0
                dead[:] = 0.0
                gs[:] = 0           # statuses in each group: not vaccinated, vaccinated
                for k in range(nk):
                    held = 0        # (a count, not a loop that stops: it vectorises)
                    for n in range(N):
                        held += S[e, a, k, n] > 0.0
                    if held:        # most statuses of most strains hold nobody
                        c = 1 if vaccinated[k] else 0
                        g = gs[c]
                        _infect(e, a, k, vmax, h, S, sus, lam, total, s1, P[c, g])
                        ks[c, g] = k
                        gs[c] = g + 1
                        if g + 1 == GROUP:
                            _by_strain(e, vmax, ks[c], P[c], sus, fatal, sp[c], sr[c])
                            gs[c] = 0
                for c in range(2):
                    if gs[c] > 0:
                        _flush(e, vmax, gs[c], ks[c], P[c], sus, fatal, sp[c], sr[c])
                for v in range(vmax):
                    _progress(e, a, v, S, Ex, Ix, shadow, fresh, chain, lam, fatal, sp, sr,
                              dead)
                for n in range(N):
                    D_band[e, a, n] += dead[n]
                    infections[e, a, n] += total[n]
                    deaths[e, a, n] += dead[n]
        country_totals_last(e, infections, deaths, country_infections, country_deaths, D,
                            infections_cum, recent_deaths, population, burden_days)
