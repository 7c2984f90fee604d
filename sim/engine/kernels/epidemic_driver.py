"""The compiled epidemic day: :mod:`sim.engine.kernels.epidemic`'s band steps and
:mod:`sim.engine.kernels.epidemic_lanes`' forces and totals, member by member, sub-step by
sub-step (the model: :mod:`sim.engine.epi_model`, its numpy reference
:func:`sim.engine.epi_model.day_reference`).

Every pass of a day below the travellers' sums works on a range of countries
``lo <= n < hi``: a country's numbers never depend on another's except through the
travellers' prevalence, whose world and regional sums run over all countries in order.
The bounds are unsigned (``np.uint64``): numba keeps a negative-index check in loops over
``range(lo, hi)`` with a signed variable start, and they then stop vectorising (2.4x
slower, measured).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.epidemic import GROUP, _vaccinate_and_wane, band_substep, held_span
from sim.engine.kernels.epidemic_lanes import (
    country_totals_range,
    forces_range,
    infectious_range,
    travellers_mix,
)


@jit
def epidemic_day(S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen,  # noqa: PLR0913
                 courses_band, boosted_band, force, mix, traffic, band_pop, wane, chain,
                 activity, eps, regional, region, n_regions, strains, active, sus, fatal,
                 substeps, vaccinated, first_status, infections, deaths, country_infections,
                 country_deaths, D, infections_cum, recent_deaths, population, burden_days, X,
                 prev, reg, regw):
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
    sus : (E, K, V, N); fatal : (E, K + A, V, N) in factors: each status's band-free
        ratio, then each band's IFR × severity (:mod:`sim.engine.kernels.immunity`)
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
    lo, hi = np.uint64(0), np.uint64(N)
    world = np.empty(V)
    lam = np.zeros((A, V, N))
    T = np.zeros((V, N))
    sp, sr = np.zeros((2, V, N)), np.zeros((2, V, N))
    total, dead = np.empty(N), np.empty(N)
    s1, s2 = np.empty(N), np.empty(N)
    P = np.empty((2, GROUP, N))
    ks, gs = np.zeros((2, GROUP), dtype=np.int64), np.zeros(2, dtype=np.int64)
    for e in range(E):
        vmax, nk = held_span(e, active, first_status)     # strains, statuses held
        for a in range(A):
            _vaccinate_and_wane(e, a, nk, S, D_band, courses_seen, boosted_seen,
                                courses_band, boosted_band, band_pop, wane[e], s1, s2, lo, hi)
            for n in range(lo, hi):
                infections[e, a, n] = 0.0
                deaths[e, a, n] = 0.0
        for _ in range(substeps):
            # 3a. mean infectious over the step, and prevalence among travellers
            infectious_range(e, vmax, Ex, Ix, fresh, chain, band_pop, active, X, prev, lo, hi)
            travellers_mix(e, vmax, traffic, regional, region, n_regions, prev, reg, regw,
                           world, T)
            # 3b. force, infection and progression, band by band
            forces_range(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active,
                         lam, s1, s2, lo, hi)
            for a in range(A):
                band_substep(e, a, nk, vmax, h, S, Ex, Ix, shadow, fresh, D_band, sus, fatal,
                             chain, vaccinated, first_status, lam, infections, deaths, sp,
                             sr, total, dead, s1, P, ks, gs, lo, hi)
        country_totals_range(e, infections, deaths, country_infections, country_deaths, D,
                             infections_cum, recent_deaths, population, burden_days, lo, hi)
