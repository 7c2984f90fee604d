"""Force of infection of one member's sub-step, and its day's country totals, in the
country-last layout, shared by the deterministic and the stochastic epidemic kernels
(:mod:`sim.engine.kernels.epidemic`, :mod:`sim.engine.kernels.epidemic_stochastic`):
every loop over countries is innermost and free of branches, so the compiler turns it
into vector instructions.

The equations are :mod:`sim.engine.epi_model`'s (step 3); the plain-numpy reference is
:func:`sim.engine.epi_model.day_reference`.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


@jit
def travellers_last(e, vmax, Ex, Ix, fresh, chain, band_pop, traffic, regional, region,
                    n_regions, active, X, prev, reg, regw, world, T):
    """Mean infectiousness over the step and the prevalence among travellers, every
    country: :func:`infectious_range` then :func:`travellers_mix`.

    Parameters
    ----------
    e : member; vmax : strains ``0..vmax`` considered (those above hold nobody)
    Ex, Ix, fresh : (E, A, V, N) latent, infectious and last sub-step's newly infected
    chain : (E, V, 11) sub-step coefficients; columns 8, 9, 10 of strain v turn them into
        the step's mean infectious people over the strain's generation factor
        (:func:`sim.engine.build.epi_chain.chain_table`)
    band_pop : (A, N) people; traffic : (E, N) outbound traffic weights
    regional : (E,) share of travellers' contacts from the same region
    region : (N,) int; n_regions : R; active : (E, V)
    X : (A, V, N) written: mean infectious people (over the generation factor)
    prev : (V, N) written: prevalence; regw : (R,), world : (V,), reg : (R, V) scratch
    T : (V, N) written: prevalence among the travellers each country meets
    """
    infectious_range(e, vmax, Ex, Ix, fresh, chain, band_pop, active, X, prev, np.uint64(0),
                     np.uint64(band_pop.shape[1]))
    travellers_mix(e, vmax, traffic, regional, region, n_regions, prev, reg, regw, world, T)


@jit
def infectious_range(e, vmax, Ex, Ix, fresh, chain, band_pop, active, X, prev, lo, hi):
    """``X`` and ``prev`` of :func:`travellers_last` in countries ``lo <= n < hi``
    (unsigned): each country's own numbers, no sum across countries.
    """
    A = band_pop.shape[0]
    for v in range(vmax):
        on = active[e, v] > 0.0
        c8, c9, c10 = chain[e, v, 8], chain[e, v, 9], chain[e, v, 10]
        for n in range(lo, hi):
            prev[v, n] = 0.0
        for a in range(A):
            for n in range(lo, hi):
                x = c8 * Ix[e, a, v, n] + c9 * Ex[e, a, v, n] + c10 * fresh[e, a, v, n]
                x = x if on else 0.0
                X[a, v, n] = x
                prev[v, n] += x
        for n in range(lo, hi):
            pop = band_pop[0, n]
            for a in range(1, A):
                pop += band_pop[a, n]
            prev[v, n] = prev[v, n] / pop if pop > 0.0 else 0.0


@jit
def travellers_mix(e, vmax, traffic, regional, region, n_regions, prev, reg, regw, world, T):
    """``T`` of :func:`travellers_last` from every country's ``prev``: the sums over the
    world and its regions, country by country in order (so one task, after every
    country's :func:`infectious_range`).
    """
    N = prev.shape[1]
    for r in range(n_regions):
        regw[r] = 0.0
        for v in range(vmax):
            reg[r, v] = 0.0
    world_w = 0.0
    for n in range(N):
        world_w += traffic[e, n]
        regw[region[n]] += traffic[e, n]
    for v in range(vmax):
        for n in range(N):
            reg[region[n], v] += traffic[e, n] * prev[v, n]
    regional_mix(vmax, n_regions, regional[e], world_w, reg, regw, world)
    for v in range(vmax):
        for n in range(N):
            T[v, n] = reg[region[n], v]


@jit
def regional_mix(vmax, n_regions, regional, world_w, reg, regw, world):
    """Turn ``reg`` (R, V), each region's traffic-weighted prevalence sums (``regw`` (R,)
    their weights, ``world_w`` all), into the prevalence among the travellers a
    country of each region meets: ``regional`` of it from its region, the rest from the
    world (``world`` (V,) scratch).
    """
    for v in range(vmax):
        world[v] = 0.0
        for r in range(n_regions):
            world[v] += reg[r, v]
        world[v] = world[v] / world_w if world_w > 0.0 else 0.0
    for r in range(n_regions):
        for v in range(vmax):
            reg[r, v] = regional * (reg[r, v] / regw[r] if regw[r] > 0.0 else 0.0) \
                + (1.0 - regional) * world[v]


@jit
def forces_last(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active, lam,
                act_p, mixed):
    """Force of infection ``lam`` (A, ≥ vmax, N) of each strain on each band of every
    country (per person per day); strains ``vmax..`` are left untouched.

    force : (E, N) F_n c_n(t); mix : (E, N) m_n; activity : (E, A); eps : (E,);
    strains : (E, V, 4) (column 0: transmissibility); X, T from :func:`travellers_last`;
    act_p, mixed : (N,) scratch.
    """
    forces_range(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active, lam,
                 act_p, mixed, np.uint64(0), np.uint64(band_pop.shape[1]))


@jit
def forces_range(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active, lam,
                 act_p, mixed, lo, hi):
    """:func:`forces_last` in countries ``lo <= n < hi`` (unsigned)."""
    A = band_pop.shape[0]
    for n in range(lo, hi):
        act_p[n] = 0.0
    for a in range(A):
        for n in range(lo, hi):
            act_p[n] += activity[e, a] * band_pop[a, n]
    ep = eps[e]
    for v in range(vmax):
        if active[e, v] == 0.0:
            for a in range(A):
                for n in range(lo, hi):
                    lam[a, v, n] = 0.0
            continue
        for n in range(lo, hi):
            mixed[n] = 0.0
        for a in range(A):
            for n in range(lo, hi):
                mixed[n] += activity[e, a] * X[a, v, n]
        for n in range(lo, hi):
            mixed[n] = mixed[n] / act_p[n] if act_p[n] > 0.0 else 0.0
        tau = strains[e, v, 0]
        for a in range(A):
            act = activity[e, a]
            for n in range(lo, hi):
                bp = band_pop[a, n]
                own = X[a, v, n] / bp if bp > 0.0 else 0.0
                home = ep * own + (1.0 - ep) * mixed[n]
                mx = mix[e, n]
                lam[a, v, n] = force[e, n] * tau * act * ((1.0 - mx) * home + mx * T[v, n])


@jit
def country_totals_last(e, infections, deaths, country_infections, country_deaths, D,
                        infections_cum, recent_deaths, population, burden_days):
    """Band sums of member e's day: ``country_infections``, ``country_deaths`` (E, N)
    overwritten from ``infections``, ``deaths`` (E, A, N); deaths added to ``D`` (E, N),
    infections to ``infections_cum`` (E, N); ``recent_deaths`` (E, N) per person per day
    moved toward today's by 1 / ``burden_days`` (``population`` (N,) people).
    """
    country_totals_range(e, infections, deaths, country_infections, country_deaths, D,
                         infections_cum, recent_deaths, population, burden_days, np.uint64(0),
                         np.uint64(infections.shape[2]))


@jit
def country_totals_range(e, infections, deaths, country_infections, country_deaths, D,
                         infections_cum, recent_deaths, population, burden_days, lo, hi):
    """:func:`country_totals_last` in countries ``lo <= n < hi`` (unsigned)."""
    A = infections.shape[1]
    for n in range(lo, hi):
        country_infections[e, n] = infections[e, 0, n]
        country_deaths[e, n] = deaths[e, 0, n]
    for a in range(1, A):
        for n in range(lo, hi):
            country_infections[e, n] += infections[e, a, n]
            country_deaths[e, n] += deaths[e, a, n]
    for n in range(lo, hi):
        cd = country_deaths[e, n]
        D[e, n] += cd
        infections_cum[e, n] += country_infections[e, n]
        recent_deaths[e, n] += (cd / population[n] - recent_deaths[e, n]) / burden_days


@jit
def coverage_near(courses_band, people, coverage, on_exit):
    """Whether a country on a coverage exit (``on_exit`` (E, N) bool) has courses
    (``courses_band`` (E, N, A)) within a relative 1e-9 of its level ``coverage`` (E, N)
    share of ``people`` (N,): a cheap, conservative pre-test of the stage's exact one
    (:meth:`sim.engine.epidemic._Workspace.suppress`), which runs only when this is true.
    """
    E, N, A = courses_band.shape
    for e in range(E):
        for n in range(N):
            if on_exit[e, n]:
                c = 0.0
                for a in range(A):
                    c += courses_band[e, n, a]
                if c >= coverage[e, n] * max(people[n], 1e-300) * (1.0 - 1e-9):
                    return True
    return False
