"""Force of infection of one member's sub-step, and its day's country totals, shared by
the deterministic and the stochastic epidemic kernels (:mod:`sim.engine.kernels.epidemic`,
:mod:`sim.engine.kernels.epidemic_stochastic`).

The equations are :mod:`sim.engine.epi_model`'s (step 3); the plain-numpy reference is
:func:`sim.engine.epi_model.day_reference`.
"""

from __future__ import annotations

from sim.engine.kernels import jit


@jit
def travellers(e, vmax, Ex, Ix, fresh, chain, band_pop, traffic, regional, region, n_regions,
               active, X, prev, reg, regw, world):
    """Mean infectiousness over the step and the prevalence among travellers.

    Parameters
    ----------
    e : member; vmax : strains ``0..vmax`` considered (those above hold nobody)
    Ex, Ix, fresh : (E, N, A, V) latent, infectious and last sub-step's newly infected people
    chain : (E, V, 11) sub-step coefficients; columns 8, 9, 10 of strain v turn them into
        the step's mean infectious people over the strain's generation factor
        (:func:`sim.engine.build.epi_chain.chain_table`)
    band_pop : (N, A) people; traffic : (E, N) outbound traffic weights
    regional : (E,) share of travellers' contacts from the same region
    region : (N,) int; n_regions : R; active : (E, V)
    X : (N, A, V) written: mean infectious people (over the generation factor)
    prev : (N, V), regw : (R,), world : (V,) scratch
    reg : (R, V) written: prevalence among the travellers each region meets
    """
    N, A = band_pop.shape
    for r in range(n_regions):
        regw[r] = 0.0
        for v in range(vmax):
            reg[r, v] = 0.0
    world_w = 0.0
    for n in range(N):
        pop = 0.0
        for a in range(A):
            pop += band_pop[n, a]
        world_w += traffic[e, n]
        regw[region[n]] += traffic[e, n]
        for v in range(vmax):
            tot = 0.0
            if active[e, v] > 0.0:
                c8, c9, c10 = chain[e, v, 8], chain[e, v, 9], chain[e, v, 10]
                for a in range(A):
                    x = c8 * Ix[e, n, a, v] + c9 * Ex[e, n, a, v] + c10 * fresh[e, n, a, v]
                    X[n, a, v] = x
                    tot += x
            else:
                for a in range(A):
                    X[n, a, v] = 0.0
            prev[n, v] = tot / pop if pop > 0.0 else 0.0
            reg[region[n], v] += traffic[e, n] * prev[n, v]
    for v in range(vmax):
        world[v] = 0.0
        for r in range(n_regions):
            world[v] += reg[r, v]
        world[v] = world[v] / world_w if world_w > 0.0 else 0.0
    for r in range(n_regions):
        for v in range(vmax):
            reg[r, v] = regional[e] * (reg[r, v] / regw[r] if regw[r] > 0.0 else 0.0) \
                + (1.0 - regional[e]) * world[v]


@jit
def forces(e, vmax, X, reg, band_pop, force, mix, activity, eps, region, strains, active,
           lam, any_force):
    """Force of infection ``lam`` (N, A, ≥ vmax) of each strain on each band of every
    country (per person per day); strains ``vmax..`` are left untouched. ``any_force``
    (N,) bool is set where some strain has force. One call per sub-step: numba passes
    each array as a structure, so a call per country would cost more than its work.

    force : (E, N) F_n c_n(t); mix : (E, N) m_n; activity : (E, A); eps : (E,);
    strains : (E, V, 4) (column 0: transmissibility); X, reg from :func:`travellers`.
    """
    N, A = band_pop.shape
    for n in range(N):
        act_p = 0.0
        for a in range(A):
            act_p += activity[e, a] * band_pop[n, a]
        mx = mix[e, n]
        r = region[n]
        some = False
        for v in range(vmax):
            if active[e, v] == 0.0:
                for a in range(A):
                    lam[n, a, v] = 0.0
                continue
            mixed = 0.0
            for a in range(A):
                mixed += activity[e, a] * X[n, a, v]
            mixed = mixed / act_p if act_p > 0.0 else 0.0
            for a in range(A):
                own = X[n, a, v] / band_pop[n, a] if band_pop[n, a] > 0.0 else 0.0
                home = eps[e] * own + (1.0 - eps[e]) * mixed
                lam[n, a, v] = force[e, n] * strains[e, v, 0] * activity[e, a] * (
                    (1.0 - mx) * home + mx * reg[r, v])
                some = some or lam[n, a, v] > 0.0
        any_force[n] = some


@jit
def country_totals(e, infections, deaths, country_infections, country_deaths, D,
                   infections_cum, recent_deaths, population, burden_days):
    """Band sums of member e's day: ``country_infections``, ``country_deaths`` (E, N)
    overwritten from ``infections``, ``deaths`` (E, N, A); deaths added to ``D`` (E, N),
    infections to ``infections_cum`` (E, N); ``recent_deaths`` (E, N) per person per day
    moved toward today's by 1 / ``burden_days`` (``population`` (N,) people).
    """
    N, A = infections.shape[1], infections.shape[2]
    for n in range(N):
        ci = 0.0
        cd = 0.0
        for a in range(A):
            ci += infections[e, n, a]
            cd += deaths[e, n, a]
        country_infections[e, n] = ci
        country_deaths[e, n] = cd
        D[e, n] += cd
        infections_cum[e, n] += ci
        recent_deaths[e, n] += (cd / population[n] - recent_deaths[e, n]) / burden_days
