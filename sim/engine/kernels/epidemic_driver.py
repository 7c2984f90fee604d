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

Threads: a day is split into tasks, (member, chunk of countries) pairs. With fewer
members than threads each member's countries are cut into chunks (bounds multiples of 8,
at least :data:`MIN_CHUNK` countries); otherwise the members are shared out whole among
the threads. A sub-step's travellers' sums run in the calling thread before its tasks.
A country's numbers come out the same whatever the chunks: the only passes that look at
a whole range (the skip of empty statuses, the expm1 fix-up of large forces, the no-new-
doses branch of vaccination) drop exact zeros or take a branch that gives the same
values. So results are bit-identical for any thread count (tests compare 1 and 2).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numba import prange

from sim.engine.kernels import _THREADS, jit, pjit
from sim.engine.kernels.epidemic import GROUP, _vaccinate_and_wane, band_substep, held_span
from sim.engine.kernels.epidemic_lanes import (
    country_totals_range,
    forces_range,
    infectious_range,
    travellers_mix,
)

#: Fewest countries in a chunk of a member's day run by one thread.
MIN_CHUNK = 32


def run_day(args: tuple, scratch: dict | None = None) -> None:
    """Run one day for every member, in place (country-last layout), on
    :func:`sim.engine.kernels.threads` threads (read here, in Python: a compiled kernel
    that asks numba for its thread count cannot be cached).

    Parameters
    ----------
    args : the arrays and numbers below, in this order, in one tuple (the stage builds it
        once a day: no unpacking and repacking of ~40 arguments, a tenth of a day at E=1)
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
    X : (A, V, N), prev : (V, N), reg : (R, V), regw : (R,) unused (the kernel keeps a
        set of scratch per thread)
    scratch : (keyword) a dict the caller keeps from day to day, where the per-thread
        scratch arrays (:func:`day_scratch`) are kept between calls; without it they are
        made for the call. Every scratch value is written before it is read within a
        day, so reusing them changes no result; making them every day cost page faults
        (~4 MB a day at 10,000 regions: the epidemic stage alone 0.72-1.09 s with, 0.49-0.54 s
        without, measured by scale12).
    """
    threads = _THREADS[0]
    sc = _scratch_for(args, threads, scratch)
    if threads == 1:        # (the threaded kernels compile only when first asked for)
        cast(Any, _day_serial)(args, sc)
    else:
        cast(Any, _day_threads)(args, threads, sc)


def slots(E: int, N: int, threads: int) -> tuple[int, int]:
    """(chunks of a member's countries, slots of scratch) of a day on ``threads``."""
    chunks = min(threads // max(E, 1), N // MIN_CHUNK)
    return chunks, (E if chunks >= 2 else min(threads, E))


_slots = jit(slots)     # the same, compiled (for _prepare); Python calls slots()


def day_scratch(slots: int, A: int, V: int, N: int, R: int) -> tuple[np.ndarray, ...]:
    """The per-slot scratch of a day: X (A, V, N), prev (V, N), reg (R, V), regw (R,),
    world (V,), T (V, N), lam (A, V, N), sums (2, 2, V, N), rows (4, N), P (2, GROUP, N),
    each with a leading axis of ``slots`` (at least 1).
    """
    m = max(slots, 1)
    return (np.zeros((m, A, V, N)), np.zeros((m, V, N)), np.zeros((m, R, V)),
            np.zeros((m, R)), np.zeros((m, V)), np.zeros((m, V, N)), np.zeros((m, A, V, N)),
            np.zeros((m, 2, 2, V, N)), np.zeros((m, 4, N)), np.zeros((m, 2, GROUP, N)))


def _scratch_for(args: tuple, threads: int,
                 keep: dict | None) -> tuple[np.ndarray, ...]:
    """The day's scratch for ``args`` on ``threads``: from ``keep`` when it holds one of
    the right shapes, else made (and stored in ``keep``).
    """
    E, A, _, N = args[0].shape
    V, R = args[1].shape[2], int(args[20])
    key = (slots(E, N, threads)[1], A, V, N, R)
    sc = None if keep is None else keep.get(key)
    if sc is None:
        sc = day_scratch(*key)
        if keep is not None:
            keep.clear()        # (one set: a batch's shapes change only with threads)
            keep[key] = sc
    return sc


@jit
def _prepare(args, threads, sc):
    """The day's tuples of arrays and each member's held strains and statuses, for
    ``threads`` threads and the per-slot scratch ``sc`` (:func:`day_scratch`): (chunks of
    a member's countries, slots of scratch, state, parameters, outputs, scratch, vmax
    (E,), nk (E,)).
    """
    (S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen, courses_band,
     boosted_band, force, mix, traffic, band_pop, wane, chain, activity, eps, regional,
     region, n_regions, strains, active, sus, fatal, _substeps, vaccinated, first_status,
     infections, deaths, country_infections, country_deaths, D, infections_cum,
     recent_deaths, population, _burden_days, _X, _prev, _reg, _regw) = args
    E, N = S.shape[0], S.shape[3]
    chunks, slots = _slots(E, N, threads)
    st = (S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen)
    pars = (courses_band, boosted_band, force, mix, traffic, band_pop, wane, chain, activity,
            eps, regional, region, strains, active, sus, fatal, vaccinated, first_status)
    outs = (infections, deaths, country_infections, country_deaths, D, infections_cum,
            recent_deaths, population)
    vmaxs = np.zeros(E, dtype=np.int64)     # strains held by each member
    nks = np.zeros(E, dtype=np.int64)       # and its statuses
    for e in range(E):
        vmaxs[e], nks[e] = held_span(e, active, first_status)
    return chunks, slots, st, pars, outs, sc, vmaxs, nks


@jit
def _day_serial(args, scratch):
    """:func:`run_day` in the calling thread (no threaded kernel compiled)."""
    _, _, st, pars, outs, sc, vmaxs, nks = _prepare(args, 1, scratch)
    _serial(vmaxs.shape[0], vmaxs, nks, args[25], args[20], args[36], st, pars, outs, sc)


@jit
def _day_threads(args, threads, scratch):
    """:func:`run_day` on ``threads`` threads."""
    chunks, slots, st, pars, outs, sc, vmaxs, nks = _prepare(args, threads, scratch)
    E, N = vmaxs.shape[0], st[0].shape[3]
    substeps, n_regions, burden_days = args[25], args[20], args[36]
    if chunks >= 2:
        bounds = np.empty(chunks + 1, dtype=np.uint64)
        for c in range(chunks + 1):
            bounds[c] = (c * N // chunks) // 8 * 8
        bounds[chunks] = N
        _chunked(E, chunks, bounds, vmaxs, nks, substeps, n_regions, burden_days, st, pars,
                 outs, sc)
    elif slots >= 2:
        _members(E, slots, vmaxs, nks, substeps, n_regions, burden_days, st, pars, outs, sc)
    else:
        _serial(E, vmaxs, nks, substeps, n_regions, burden_days, st, pars, outs, sc)


@jit
def _travellers(e, m, vmax, n_regions, st, pars, sc):
    """Member e's travellers' prevalence (every country, in order) into slot m of the
    scratch ``sc``.
    """
    Ex, Ix, fresh = st[1], st[2], st[4]
    traffic, band_pop, chain, regional, region, active = \
        pars[4], pars[5], pars[7], pars[10], pars[11], pars[13]
    X, prev, reg, regw, world, T = sc[0][m], sc[1][m], sc[2][m], sc[3][m], sc[4][m], sc[5][m]
    infectious_range(e, vmax, Ex, Ix, fresh, chain, band_pop, active, X, prev, np.uint64(0),
                     np.uint64(band_pop.shape[1]))
    travellers_mix(e, vmax, traffic, regional, region, n_regions, prev, reg, regw, world, T)


@jit
def _task(e, m, vmax, nk, first, last, substeps, burden_days, st, pars, outs, sc, ks, ws, lo,
          hi):
    """One sub-step of member e in countries ``lo <= n < hi`` (scratch slot m, after
    :func:`_travellers`): on the ``first`` sub-step vaccination and waning, then force,
    infection and progression band by band, on the ``last`` the country totals.
    """
    S, Ex, Ix, shadow, fresh, D_band, courses_seen, boosted_seen = st
    (courses_band, boosted_band, force, mix, traffic, band_pop, wane, chain, activity, eps,
     regional, region, strains, active, sus, fatal, vaccinated, first_status) = pars
    (infections, deaths, country_infections, country_deaths, D, infections_cum,
     recent_deaths, population) = outs
    X, T, lam, new, row, P = sc[0][m], sc[5][m], sc[6][m], sc[7][m], sc[8][m], sc[9][m]
    A = S.shape[1]
    if first:
        for a in range(A):
            _vaccinate_and_wane(e, a, nk, S, D_band, courses_seen, boosted_seen,
                                courses_band, boosted_band, band_pop, wane[e], row[0],
                                row[1], lo, hi)
            for n in range(lo, hi):
                infections[e, a, n] = 0.0
                deaths[e, a, n] = 0.0
    forces_range(e, vmax, X, T, band_pop, force, mix, activity, eps, strains, active, lam,
                 row[0], row[1], lo, hi)
    for a in range(A):
        band_substep(e, a, nk, vmax, 1.0 / substeps, S, Ex, Ix, shadow, fresh, D_band, sus,
                     fatal, chain, vaccinated, first_status, lam, infections, deaths, new[0],
                     new[1], row[2], row[3], row[0], P, ks, ws, lo, hi)
    if last:
        country_totals_range(e, infections, deaths, country_infections, country_deaths, D,
                             infections_cum, recent_deaths, population, burden_days, lo, hi)


@jit
def _member(e, m, vmax, nk, substeps, n_regions, burden_days, st, pars, outs, sc, ks, ws):
    """Member e's whole day, every country, in the calling thread (scratch slot m)."""
    lo, hi = np.uint64(0), np.uint64(st[0].shape[3])
    for step in range(substeps):
        _travellers(e, m, vmax, n_regions, st, pars, sc)
        _task(e, m, vmax, nk, step == 0, step == substeps - 1, substeps, burden_days, st,
              pars, outs, sc, ks, ws, lo, hi)


@jit
def _serial(E, vmaxs, nks, substeps, n_regions, burden_days, st, pars, outs, sc):
    """Every member's day, one after the other, in the calling thread."""
    ks, ws = np.zeros((2, GROUP), dtype=np.int64), np.zeros(2, dtype=np.int64)
    for e in range(E):
        _member(e, 0, vmaxs[e], nks[e], substeps, n_regions, burden_days, st, pars, outs, sc,
                ks, ws)


@pjit
def _members(E, slots, vmaxs, nks, substeps, n_regions, burden_days, st, pars, outs, sc):
    """Every member's day, members shared out among ``slots`` threads."""
    for m in prange(slots):
        ks, ws = np.zeros((2, GROUP), dtype=np.int64), np.zeros(2, dtype=np.int64)
        for e in range(m * E // slots, (m + 1) * E // slots):
            _member(e, m, vmaxs[e], nks[e], substeps, n_regions, burden_days, st, pars, outs,
                    sc, ks, ws)


@pjit
def _chunked(E, chunks, bounds, vmaxs, nks, substeps, n_regions, burden_days, st, pars, outs,
             sc):
    """Every member's day, each member's countries cut at ``bounds`` (uint64) into
    ``chunks`` tasks run on threads; the travellers' sums of each sub-step first, in the
    calling thread.
    """
    ks = np.zeros((E * chunks, 2, GROUP), dtype=np.int64)
    ws = np.zeros((E * chunks, 2), dtype=np.int64)     # statuses in each group
    for step in range(substeps):
        for e in range(E):
            _travellers(e, e, vmaxs[e], n_regions, st, pars, sc)
        for t in prange(E * chunks):
            e, c = t // chunks, t % chunks
            _task(e, e, vmaxs[e], nks[e], step == 0, step == substeps - 1, substeps,
                  burden_days, st, pars, outs, sc, ks[t], ws[t], bounds[c], bounds[c + 1])
