"""Compiled epidemic day's band steps: vaccination, waning, transmission and progression
of :mod:`sim.engine.epi_model` for one band of one member, in the country-last layout,
on a range of countries ``lo <= n < hi`` (unsigned bounds); the day's driver is
:func:`sim.engine.kernels.epidemic_driver.run_day`.

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
them: a strain is activated when first seeded), so are statuses empty in every country of the range,
and the share infected per unit of force comes from a short polynomial for every country
at once, with ``expm1`` only for the few countries where the force is large.
"""

from __future__ import annotations

import numpy as np
from numba.extending import overload

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg

#: Below this ``x h`` the share infected per unit of force comes from the polynomial.
SMALL_FORCE = 0.05


def at(t, v, n):
    """``t[v, n]`` of a (V, N) table, ``t[v]`` of a country-free (V,) one: kernels that
    read a status's table through it compile once for each (numba specialises them by the
    table's rank), so a country-free status's pass reads one number a strain instead of
    a row.
    """
    return t[v] if t.ndim == 1 else t[v, n]


@overload(at, inline="always")
def _at(t, v, n):
    if t.ndim == 1:
        return lambda t, v, n: t[v]
    return lambda t, v, n: t[v, n]


@jit
def held_span(e, active, first_status):
    """(vmax, nk) of member e: strains up to its highest active one, and statuses up to
    the highest immunity class among them (``first_status`` (V,) int64). Strains are
    activated in slot order and classes numbered in the order of their first strain:
    strains above vmax hold nobody and exert no force, and the statuses from nk on are
    empty, so leaving them out only drops exact zeros from sums.
    """
    vmax = 0
    for v in range(active.shape[1]):
        if active[e, v] > 0.0:
            vmax = v + 1
    nk = 3
    for v in range(vmax):
        nk = max(nk, first_status[v] + 4)
    return vmax, nk


@jit
def _poly(y, h):
    """``h (1 − exp(−y)) / y`` by its Taylor polynomial in Estrin's form (for y below
    :data:`SMALL_FORCE`: relative error under 1e-12, no division).
    """
    y2 = y * y
    return h * ((1.0 - 0.5 * y) + y2 * ((1.0 / 6.0 - y * (1.0 / 24.0))
                                       + y2 * (1.0 / 120.0 - y * (1.0 / 720.0))))


@jit
def _share_per_rate(x, h, share, lo, hi):
    """``share[n] = (1 − exp(−x[n] h)) / x[n]`` for x ≥ 0 (h at x = 0), countries
    ``lo <= n < hi``: the share of a status infected in a step of length h, per unit of
    its total force x.

    Below x h = :data:`SMALL_FORCE` a Taylor polynomial in Estrin's form (relative error
    under 1e-12, no division) for every country, then ``expm1`` for the others.
    """
    large = 0
    for n in range(lo, hi):
        y = x[n] * h
        share[n] = _poly(y, h)
        large += y >= SMALL_FORCE
    if large:
        for n in range(lo, hi):
            y = x[n] * h
            if y >= SMALL_FORCE:
                share[n] = -np.expm1(-y) / x[n]


@jit
def _infect(e, a, k, vmax, h, S, su, lam, total, x, p, lo, hi):
    """Infect status k of band a in countries ``lo <= n < hi`` for one step.

    S : (E, A, K, N) (updated); su : the status's susceptibility, (V, N) or (V,) when
    country-free (:func:`at`); lam : (A, V, N) force by strain. Adds all infections to
    ``total`` (N,) and writes ``p`` (N,): the status's new infections per unit of its
    total force (those by strain v are ``lam[a, v] su[v] p``: :func:`_by_strain`); ``x``
    (N,) scratch.
    """
    # The total force and its share polynomial in one pass for up to four strains (same
    # sums, same order); expm1 afterwards for the countries where the force is large.
    large = 0
    if vmax == 1:
        for n in range(lo, hi):
            xn = lam[a, 0, n] * at(su, 0, n)
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    elif vmax == 2:
        for n in range(lo, hi):
            xn = lam[a, 0, n] * at(su, 0, n) + lam[a, 1, n] * at(su, 1, n)
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    elif vmax == 3:
        for n in range(lo, hi):
            xn = (lam[a, 0, n] * at(su, 0, n) + lam[a, 1, n] * at(su, 1, n)) \
                + lam[a, 2, n] * at(su, 2, n)
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    elif vmax == 4:
        for n in range(lo, hi):
            xn = ((lam[a, 0, n] * at(su, 0, n) + lam[a, 1, n] * at(su, 1, n))
                  + lam[a, 2, n] * at(su, 2, n)) + lam[a, 3, n] * at(su, 3, n)
            x[n] = xn
            p[n] = _poly(xn * h, h)
            large += xn * h >= SMALL_FORCE
    else:
        for n in range(lo, hi):
            x[n] = ((lam[a, 0, n] * at(su, 0, n) + lam[a, 1, n] * at(su, 1, n))
                    + lam[a, 2, n] * at(su, 2, n)) + lam[a, 3, n] * at(su, 3, n)
        for v in range(4, vmax):
            for n in range(lo, hi):
                x[n] += lam[a, v, n] * at(su, v, n)
        _share_per_rate(x, h, p, lo, hi)
        large = 0
    if large:
        for n in range(lo, hi):
            if x[n] * h >= SMALL_FORCE:
                p[n] = -np.expm1(-(x[n] * h)) / x[n]
    for n in range(lo, hi):
        s = S[e, a, k, n]
        q = s * p[n]                # new infections / x
        new = min(q * x[n], s)      # s p x can round above s when p x ~ 1 (huge forces)
        S[e, a, k, n] = s - new
        total[n] += new
        p[n] = q


#: Statuses whose infections by strain are added in one pass (:func:`_by_strain`).
GROUP = 5


@jit
def _by_strain(vmax, ks, P, sus, fatal, sp, sr, lo, hi):
    """Add the infections by strain of :data:`GROUP` statuses ``ks`` (int64), per unit
    of their strain's force, to ``sp`` (V, N): ``Σ sus[k, v] P[k]``, and those fated
    to die, per unit of force and of the band's IFR × severity, to ``sr`` (V, N):
    ``Σ sus[k, v] P[k] fatal[k, v]``, in countries ``lo <= n < hi`` (``P`` (GROUP, N)
    from :func:`_infect`; ``sus``, ``fatal`` a member's (K, V, N) rows, or (K, V) when
    the statuses are country-free (:func:`at`); ``fatal[k]`` the status's band-free
    ratio, :mod:`sim.engine.kernels.immunity`).

    The force and the band's factor are applied once per strain afterwards
    (:func:`_progress`), not per status. Each status's terms are added in the order of
    ``ks`` (a status left out has a zero row of ``P`` and adds exact zeros). One pass
    reads and writes the two sums once for five statuses.
    """
    s1, s2, s3, s4, s5 = sus[ks[0]], sus[ks[1]], sus[ks[2]], sus[ks[3]], sus[ks[4]]
    f1, f2, f3, f4, f5 = fatal[ks[0]], fatal[ks[1]], fatal[ks[2]], fatal[ks[3]], \
        fatal[ks[4]]
    for v in range(vmax):
        for n in range(lo, hi):
            t1 = at(s1, v, n) * P[0, n]
            t2 = at(s2, v, n) * P[1, n]
            t3 = at(s3, v, n) * P[2, n]
            t4 = at(s4, v, n) * P[3, n]
            t5 = at(s5, v, n) * P[4, n]
            sp[v, n] = ((((sp[v, n] + t1) + t2) + t3) + t4) + t5
            sr[v, n] = ((((sr[v, n] + t1 * at(f1, v, n)) + t2 * at(f2, v, n))
                         + t3 * at(f3, v, n)) + t4 * at(f4, v, n)) \
                + t5 * at(f5, v, n)


@jit
def _flush(e, vmax, c, g, ks, P, sus, fatal, sp, sr, lo, hi):
    """:func:`_by_strain` of the first ``g`` statuses of ``ks``, ``P`` (the other rows
    made to add exact zeros) of group ``c``: vaccinated (1) read member e's rows of
    ``sus``, ``fatal`` (E, K, V, N), the others (0) read them as country-free scalars.
    """
    for j in range(g, GROUP):
        for n in range(lo, hi):
            P[j, n] = 0.0
        ks[j] = ks[0]
    if c:
        _by_strain(vmax, ks, P, sus[e], fatal[e], sp, sr, lo, hi)
    else:
        _by_strain(vmax, ks, P, sus[e, :, :, 0], fatal[e, :, :, 0], sp, sr, lo, hi)


@jit
def _progress(e, a, v, k, S, Ex, Ix, shadow, fresh, chain, lam, fatal, sp, sr, dead, lo,
              hi):
    """Move strain v's latent, infectious and newly infected people of band a in
    countries ``lo <= n < hi`` along the E → I → out chain for one step; survivors become
    immune (status k, their class's fresh infection, or k + 2 hybrid), the fated add to
    ``dead`` (N,).

    The newly infected come from the sums of :func:`_by_strain`, ``sp``, ``sr``
    (2, V, N): [not vaccinated, vaccinated] statuses, times the force ``lam`` (A, V, N)
    and, for the fated, the band's IFR × severity ``fatal[e, K + a]`` (≤ 1). As
    ``sr ≤ sp`` term by term, the vaccinated survivors are ≥ 0 exactly.
    """
    K = S.shape[2]
    c0, c1, c2, c3 = chain[e, v, 0], chain[e, v, 1], chain[e, v, 2], chain[e, v, 3]
    c4, c5, c6, c7 = chain[e, v, 4], chain[e, v, 5], chain[e, v, 6], chain[e, v, 7]
    for n in range(lo, hi):
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
        S[e, a, k, n] = nonneg(S[e, a, k, n] + out - gone_d - gone_h)
        S[e, a, k + 2, n] += gone_h
        dead[n] += gone_d


@jit
def _vaccinate_and_wane(e, a, nk, S, D_band, courses_seen, boosted_seen, courses_band,
                        boosted_band, band_pop, w, pc, pb, lo, hi):
    """Steps 1 and 2 for band a of member e in countries ``lo <= n < hi``: courses and
    boosters since the last step reach the band's statuses (``pc``, ``pb`` (N,) scratch:
    their shares), then fresh immunity wanes with probability ``w``.

    One pass for the vaccine statuses (0, 1, 2) and one for each strain's four (infection,
    waned, hybrid, hybrid waned): the moves of a status come in the reference's order
    (courses, boosters, waning), and no move mixes two such groups. A country without
    new doses takes the same values from either branch (its shares are exact zeros).
    """
    changed = 0     # (a count, not a loop that stops: it vectorises)
    for n in range(lo, hi):
        changed += (courses_band[e, n, a] != courses_seen[e, a, n]) \
            | (boosted_band[e, n, a] != boosted_seen[e, a, n])
    if changed == 0:    # no new doses: waning alone, counters kept
        for n in range(lo, hi):
            m = S[e, a, 1, n] * w
            S[e, a, 1, n] -= m
            S[e, a, 2, n] += m
        for k in range(3, nk, 4):
            for n in range(lo, hi):
                m1, m2 = S[e, a, k, n] * w, S[e, a, k + 2, n] * w
                S[e, a, k, n] -= m1
                S[e, a, k + 1, n] += m1
                S[e, a, k + 2, n] -= m2
                S[e, a, k + 3, n] += m2
        return
    for n in range(lo, hi):
        dcourse = courses_band[e, n, a] - courses_seen[e, a, n]
        dboost = boosted_band[e, n, a] - boosted_seen[e, a, n]
        whole = band_pop[a, n] - D_band[e, a, n] - courses_seen[e, a, n]
        pc[n] = min(nonneg(dcourse / whole), 1.0) if whole > 0.0 else 0.0
        whole = courses_seen[e, a, n] - boosted_seen[e, a, n]
        pb[n] = min(nonneg(dboost / whole), 1.0) if whole > 0.0 else 0.0
        courses_seen[e, a, n] += dcourse
        boosted_seen[e, a, n] += dboost
    # naive -> vaccine (course); waned vaccine -> vaccine (booster); vaccine -> waned
    for n in range(lo, hi):
        m0, m2 = S[e, a, 0, n] * pc[n], S[e, a, 2, n] * pb[n]
        S[e, a, 0, n] -= m0
        s1 = (S[e, a, 1, n] + m0) + m2
        m1 = s1 * w
        S[e, a, 1, n] = s1 - m1
        S[e, a, 2, n] = (S[e, a, 2, n] - m2) + m1
    # infection u (fresh, waned) -> hybrid u (course); waned hybrid u -> hybrid u
    # (booster); then fresh -> waned
    for k in range(3, nk, 4):
        for n in range(lo, hi):
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
def band_substep(e, a, nk, vmax, h, S, Ex, Ix, shadow, fresh, D_band, sus, fatal,  # noqa: PLR0913
                 chain, vaccinated, first_status, lam, infections, deaths, sp, sr, total, dead,
                 x, P, ks, gs, lo, hi):
    """One sub-step of band a of member e in countries ``lo <= n < hi`` (unsigned: see
    :mod:`sim.engine.kernels.epidemic_driver`): infection of each status, infections by
    strain, progression; the band's infections and deaths added to ``D_band``,
    ``infections``, ``deaths`` (E, A, N).

    nk, vmax : statuses and strains considered (those above hold nobody); h : step length;
    lam : (A, V, N) force from :func:`~sim.engine.kernels.epidemic_lanes.forces_range`;
    fatal : (E, K + A, V, N) in factors (:mod:`sim.engine.kernels.immunity`);
    sp, sr : (2, V, N), total, dead, x : (N,), P : (2, GROUP, N) scratch (only columns
    ``lo..hi`` used: tasks on other countries may share them); ks : (2, GROUP) int64,
    gs : (2,) int64 scratch of this task alone. Statuses not vaccinated and vaccinated
    are summed apart (index 0, 1), five a pass (:func:`_by_strain`). Other arguments:
    those of :func:`~sim.engine.kernels.epidemic_driver.run_day`.

    The statuses not vaccinated (naive, infection, infection waned) have a susceptibility
    and a death ratio that do not depend on the country (a course's protection, the only
    country-dependent one, reaches vaccinated statuses only): their passes read the
    first country's number of each strain (``sus[e, k, :, 0]``), not the rows. At E ≥ 64,
    where a day is bound by memory bandwidth, that is 86 kB less read per member-day
    (of ~430 kB; a no-vaccine twin, whose vaccinated statuses stay empty, reads no row).
    """
    for c in range(2):
        for v in range(vmax):
            for n in range(lo, hi):
                sp[c, v, n] = 0.0
                sr[c, v, n] = 0.0
        gs[c] = 0
    for n in range(lo, hi):
        total[n] = 0.0
        dead[n] = 0.0
    for k in range(nk):
        held = 0        # (a count, not a loop that stops: it vectorises)
        for n in range(lo, hi):
            held += S[e, a, k, n] > 0.0
        # Most statuses of most strains hold nobody. Skipping one only drops exact zeros
        # (none of its countries holds anyone), so the sums do not depend on (lo, hi).
        if held:
            c = 1 if vaccinated[k] else 0
            g = gs[c]
            if c:
                _infect(e, a, k, vmax, h, S, sus[e, k], lam, total, x, P[c, g], lo, hi)
            else:       # country-free: one number a strain (the row's first)
                _infect(e, a, k, vmax, h, S, sus[e, k, :, 0], lam, total, x, P[c, g], lo, hi)
            ks[c, g] = k
            gs[c] = g + 1
            if g + 1 == GROUP:
                _flush(e, vmax, c, GROUP, ks[c], P[c], sus, fatal, sp[c], sr[c], lo, hi)
                gs[c] = 0
    for c in range(2):
        if gs[c] > 0:
            _flush(e, vmax, c, gs[c], ks[c], P[c], sus, fatal, sp[c], sr[c], lo, hi)
    for v in range(vmax):
        _progress(e, a, v, first_status[v], S, Ex, Ix, shadow, fresh, chain, lam, fatal, sp,
                  sr, dead, lo, hi)
    for n in range(lo, hi):
        D_band[e, a, n] += dead[n]
        infections[e, a, n] += total[n]
        deaths[e, a, n] += dead[n]
