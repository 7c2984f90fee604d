"""Immunity tables compiled: the susceptibility and fatality of every status to every
strain (:func:`sim.engine.epi_model.immunity_tables`, the numpy reference) written straight
in the deterministic kernel's country-last layout, the fatality as its two factors: a
band-free ratio of each status and the IFR × severity of each band (at most 1), whose
product is the reference's table bit for bit. The kernel adds each status's infections
times the ratio and applies the band's factor once per strain
(:func:`sim.engine.kernels.epidemic._by_strain`).

The tables are rebuilt whenever a strain appears or a course's protection changes (about
30 times a run); in numpy each rebuild makes a dozen temporaries of (E, N, A, K, V) and
two transposed copies, 17 ms at 10,000 regions. Every entry is computed with the
reference's operations in the reference's order, so the tables are equal bit for bit.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg


@jit
def immunity_last(level, peak, vaccine_effect, ve_course, strains, ifr, first, memory, sus,
                  fatal):
    """Fill ``sus`` (E, K, V, N) and ``fatal`` (E, K + A, V, N) in place: ``fatal[e, k]``
    status k's ratio ``(1 − q) / (1 − p)`` (at most 1; q, p its protection against
    death and infection), ``fatal[e, K + a]`` band a's ``min(IFR severity, 1)``; the
    reference's fatality of status k in band a is ``fatal[e, K + a] * fatal[e, k]``.

    Parameters
    ----------
    level : (E, 3, 2, 2) protection level by source (vaccine, infection, hybrid), kind
        (against infection, against death) and fresh/waned
    peak : (E, 3, 2) peak protection by source and kind
    vaccine_effect : (E,) 0 for a member whose courses protect nobody (a no-vaccine twin)
    ve_course : (2, E, N, V) a course's protection by kind, country and strain
    strains : (E, V, 4) strain factors (columns 1, 2: escape against infection, death;
        column 3: severity)
    ifr : (E, N, A) infection fatality ratio by band
    first : index of the first infection status (K = first + 4 C)
    memory : (C,) int64 the strain whose memory each immunity class holds
    """
    E, K, V, N = sus.shape
    A = fatal.shape[1] - K
    cross = np.empty((2, V, V))
    prot = np.empty((2, K, V, N))
    for e in range(E):
        on = vaccine_effect[e] > 0
        for kind in range(2):
            for u in range(V):
                kept_u = 1.0 - strains[e, u, 1 + kind]
                for v in range(V):
                    r = (1.0 - strains[e, v, 1 + kind]) / kept_u if kept_u > 0 else 1.0
                    cross[kind, u, v] = min(r, 1.0)
        for kind in range(2):
            for v in range(V):
                for n in range(N):
                    prot[kind, 0, v, n] = 0.0
            for j in range(2):
                lv_vac = level[e, 0, kind, j]
                inf_f = peak[e, 1, kind] * level[e, 1, kind, j]
                hyb_f = peak[e, 2, kind] * level[e, 2, kind, j]
                for v in range(V):
                    for n in range(N):
                        prot[kind, 1 + j, v, n] = ve_course[kind, e, n, v] * lv_vac if on \
                            else 0.0
                    for c in range(memory.shape[0]):
                        infection = inf_f * cross[kind, memory[c], v]
                        hybrid = hyb_f * cross[kind, memory[c], v]
                        k = first + 4 * c
                        for n in range(N):
                            prot[kind, k + j, v, n] = infection
                            prot[kind, k + 2 + j, v, n] = max(
                                hybrid, prot[kind, 1 + j, v, n]) if on else infection
        for k in range(K):
            for v in range(V):
                for n in range(N):
                    p0 = min(nonneg(prot[0, k, v, n]), 1.0)
                    p1 = max(min(nonneg(prot[1, k, v, n]), 1.0), p0)
                    s = 1.0 - p0
                    sus[e, k, v, n] = s
                    fatal[e, k, v, n] = (1.0 - p1) / s if s > 0 else 0.0   # ≤ 1: p1 ≥ p0
        for a in range(A):
            for v in range(V):
                severity = strains[e, v, 3]
                for n in range(N):
                    fatal[e, K + a, v, n] = min(ifr[e, n, a] * severity, 1.0)
