"""The epidemic model: age bands, waning immunity, reinfection and strains in every
country, and its plain-numpy reference implementation.

State (people, float64) per member e and country n (:class:`EpiState`):

- ``S[e, n, a, k]`` not currently infected, by age band a (0-19, 20-64, 65+) and immunity
  status k (:func:`~sim.engine.build.epi_status.status_names`): naive, vaccine, vaccine
  waned, then for every immunity class c: infection, infection waned, hybrid, hybrid
  waned acquired from an infection with a strain of class c (K = 3 + 4 C; strains with
  the same memory, see below, share a class: :mod:`sim.engine.build.epi_status`);
- ``Ex[e, n, a, v]``, ``Ix[e, n, a, v]`` latent and infectious with strain v;
- ``shadow[e, n, a, v, :]`` = (latent, infectious) of those with strain v who will die,
  then (latent, infectious) of its survivors who were vaccinated: sub-populations of
  ``Ex``/``Ix`` that move with the same rates, so recoveries know where to go;
- ``D[e, n, a]`` dead;
- ``fresh[e, n, a, v]`` infected with strain v in the last sub-step (the predictor of
  step 3).

``S.sum((2, 3)) + Ex.sum((2, 3)) + Ix.sum((2, 3)) + D.sum(2)`` is the population.

One day (:func:`day_reference`, compiled as
:func:`sim.engine.kernels.epidemic_driver.run_day`):

1. **Vaccination.** The dose engine's completed courses and boosters by band since
   yesterday reach the band's unvaccinated living people in proportion (they do not know
   whether they were infected): a share ``courses / (P_a − D_a − courses so far)`` of naive
   people become *vaccine*, of people immune from strain u *hybrid u*; a share ``boosters /
   (courses − boosters so far)`` of the waned vaccinated become fresh again.
2. **Waning.** Fresh immunity becomes waned with daily probability ``wane``.
3. **Transmission and progression**, in ``substeps`` steps of length h. Strain v's force
   of infection on band a of country n::

       λ = F_n c_n(t) τ_v act_a [(1 − m_n) (ε X_av / P_a + (1 − ε) Σ_b act_b X_bv
                                              / Σ_b act_b P_b) + m_n T_nv]

   with X the infectious people averaged over the step, divided by the strain's
   generation factor g_v (its latent and infectious periods are g_v times the
   scenario's, so its per-day transmission is τ_v / g_v and its reproduction number
   stays τ_v R0: a strain with a shorter generation time grows faster; coefficients in
   ``EpiState.chain``): the exact mean of the linear E → I → R flow (at the strain's
   rates) of those latent and infectious at its start, plus that of the people
   infected during the step, predicted as many as in the previous sub-step (without
   it the force lags by part of a step, and one sub-step a day would put the peak
   ~1.5% late; with it one sub-step keeps final size and peak day within 0.5% of the
   exact ODE); F_n scaled so that R0 is the scenario's in every age structure,
   c_n(t) contacts, τ_v the strain's transmissibility, act_a the band's contacts, ε the
   assortativity, m_n = min(importation × travel_n(t), 1) (a share of contacts: a travel
   multiplier above 1 / importation cannot make it exceed all of them), and ``T_nv`` the
   prevalence of strain v among travellers: ``regional`` of it from the country's WHO
   region, the rest from the whole world, each country weighing by its outbound traffic
   (GDP × travel_n(t)).
   A person of status k is infected with probability ``1 − exp(−h Σ_v λ_v (1 − p_kv))``
   (p: protection against infection), by strain v in proportion to ``λ_v (1 − p_kv)``,
   and will die with probability ``min(IFR_a severity_v, 1) (1 − q_kv) / (1 − p_kv)``
   (q: protection against death, overall). Newly infected move through half a step.
   Survivors of strain v become *infection* immune of v's class, or *hybrid* if they
   were vaccinated (a reinfection replaces the memory of the earlier strain).

**Strain memory.** Strains are ordered along one antigenic axis by their ``escape`` (from
the ancestral strain, which vaccines also target). Immunity acquired from strain u
protects fully (its peak, waning as usual) against strains that escape no more than u,
and against a strain v that escapes more by ``(1 − escape_v) / (1 − escape_u)``: the
product of ``(1 − step escape)`` over the escape steps between u and v. Protection
against death does the same with ``escape_death``. So Omicron's survivors are protected
against Omicron, Delta's against Omicron by 0.6 / 0.9 of their peak, and an emergent
variant escaping ``f`` more than its parent cuts the parent's immunity by ``1 − f``.
Vaccine protection is the course's against each strain (``ve_course``), and hybrid u
protection is the better of hybrid immunity from u and the vaccine's. So immunity from u
depends on u only through its (escape, escape_death): strains alike in both share an
immunity class of statuses (``EpiParams.strain_class``).

With one sub-step a day (the default) final size and peak day stay within 1% of the
exact ODE (``tests/engine/test_epi_model.py`` checks against ``solve_ivp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.build.epi_params import EpiParams
from sim.engine.build.epi_status import (
    class_strains,
    infection_status,
    n_statuses,
    vaccinated_statuses,
)


def _flows(C: int) -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
    """(from, to) statuses of each daily move, for C immunity classes: a course moves
    naive to vaccine and infection c (fresh or waned) to hybrid c; a booster waned vaccine
    to vaccine and waned hybrid c to hybrid c; waning every fresh status to its waned one.
    """
    inf = [infection_status(c) for c in range(C)]
    return {
        "course": ((0, *inf, *(i + 1 for i in inf)), (1, *(i + 2 for i in inf),
                                                       *(i + 2 for i in inf))),
        "boost": ((2, *(i + 3 for i in inf)), (1, *(i + 2 for i in inf))),
        "wane": ((1, *inf, *(i + 2 for i in inf)), (2, *(i + 1 for i in inf),
                                                     *(i + 3 for i in inf))),
    }


@dataclass
class EpiState:
    """Epidemic arrays of a batch (people unless said otherwise).

    The arrays indexed by country are stored with the country axis last in memory (a
    view of a C-contiguous (E, ..., N) array, :func:`countries_last`), the order the
    compiled kernel loops in; numpy code indexes them as shown below either way.

    Attributes
    ----------
    S : (E, N, A, K) not infected, by band and immunity status (K = 3 + 4 C, C immunity
        classes)
    Ex, Ix : (E, N, A, V) latent, infectious by strain
    shadow : (E, N, A, V, 4) latent and infectious who will die; latent and infectious
        vaccinated survivors, by strain
    fresh : (E, N, A, V) infected in the last sub-step, by strain
    D_band : (E, N, A) dead (cumulative)
    D : (E, N) dead, all bands (cumulative)
    infections_cum : (E, N) infections since day 0
    new_infections, new_deaths : (E, N) on the last simulated day
    recent_deaths : (E, N) deaths per person per day, exponential average over ~14 days
    courses_seen, boosted_seen : (E, N, A) the dose engine's counters at the last step
    strains : (E, V, 4) transmissibility, escape, escape_death, severity per strain
    chain : (E, V, 11) each strain's sub-step coefficients
        (:func:`sim.engine.build.epi_chain.chain_table`: its generation time; an
        emergent strain takes its parent's when it emerges)
    active : (E, V) 1 where the strain has been seeded or has emerged
    ve_course : (2, E, N, V) peak protection of a course against [infection, death]
    emerged : (E,) int, variants emerged so far
    """

    S: np.ndarray
    Ex: np.ndarray
    Ix: np.ndarray
    shadow: np.ndarray
    fresh: np.ndarray
    D_band: np.ndarray
    D: np.ndarray
    infections_cum: np.ndarray
    new_infections: np.ndarray
    new_deaths: np.ndarray
    recent_deaths: np.ndarray
    courses_seen: np.ndarray
    boosted_seen: np.ndarray
    strains: np.ndarray
    chain: np.ndarray
    active: np.ndarray
    ve_course: np.ndarray
    emerged: np.ndarray
    workspace: Any = None  # the stage's per-batch cache (sim.engine.epidemic)

    def changed(self) -> None:
        """Say that ``strains``, ``active`` or ``ve_course`` were changed in place: the
        stage recomputes its immunity tables before the next day (it does not compare
        them day by day). Code that writes these arrays calls it.
        """
        if self.workspace is not None:
            self.workspace.stale = True

    def copy(self) -> EpiState:
        """A deep copy (without the stage's cache), in the same memory order."""
        return EpiState(**{k: v.copy(order="K") for k, v in vars(self).items()
                           if k != "workspace"})

    def total(self) -> np.ndarray:
        """(E, N) people in all compartments (equals the population)."""
        return (self.S.sum(axis=(2, 3)) + self.Ex.sum(axis=(2, 3)) + self.Ix.sum(axis=(2, 3))
                + self.D_band.sum(axis=2))


def countries_last(shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of logical ``shape`` (E, N, ...) stored with the country axis last: the
    view of a C-contiguous (E, ..., N) array, which is what the compiled kernel reads
    (:func:`sim.engine.epidemic.kernel_layout`).
    """
    return np.moveaxis(np.zeros((shape[0], *shape[2:], shape[1])), -1, 1)


def initial_epi(ep: EpiParams, E: int, vaccine_peak: np.ndarray) -> EpiState:
    """Day-0 state: ``initial_prevalence`` infectious with the ancestral strain (latent and
    infectious in the proportion of a growing epidemic is not attempted: all infectious),
    ``prior_infected`` immune from infection (fresh, the ancestral strain's class), the
    rest naive.

    vaccine_peak : (E, 2) peak protection of a course against infection and death.
    """
    P = ep.band_population                                            # (N, A)
    N, A = P.shape
    V = ep.n_strains
    infectious = ep.initial_prevalence[:, :, None] * P[None]          # (E, N, A)
    immune = np.minimum(ep.prior_infected[:, :, None] * P[None], P[None] - infectious)
    S = countries_last((E, N, A, n_statuses(ep.n_classes)))
    S[..., 0] = P[None] - infectious - immune
    S[..., infection_status(int(ep.strain_class[0]))] = immune
    Ix = countries_last((E, N, A, V))
    Ix[..., 0] = infectious
    shadow = countries_last((E, N, A, V, 4))
    shadow[..., 0, 1] = infectious * np.minimum(ep.ifr, 1.0)
    escape = ep.strain_table[:, :, 1]                                   # (E, V)
    escape_death = ep.strain_table[:, :, 2]
    ve = np.empty((2, E, N, V))
    ve[0] = (vaccine_peak[:, 0, None] * (1.0 - escape))[:, None, :]
    ve[1] = (vaccine_peak[:, 1, None] * (1.0 - escape_death))[:, None, :]
    active = np.zeros((E, V))
    active[:, 0] = 1.0
    zeros = np.zeros((E, N))
    return EpiState(S=S, Ex=countries_last((E, N, A, V)), Ix=Ix, shadow=shadow,
                    fresh=countries_last((E, N, A, V)),
                    D_band=countries_last((E, N, A)), D=zeros.copy(),
                    infections_cum=zeros.copy(), new_infections=zeros.copy(),
                    new_deaths=zeros.copy(), recent_deaths=zeros.copy(),
                    courses_seen=countries_last((E, N, A)),
                    boosted_seen=countries_last((E, N, A)), strains=ep.strain_table.copy(),
                    chain=ep.chain.copy(), active=active, ve_course=ve,
                    emerged=np.zeros(E, dtype=np.int64))


def cross_protection(escape: np.ndarray) -> np.ndarray:
    """Share of the protection acquired from strain u kept against strain v.

    escape : (E, V) escape of each strain from the ancestral strain's immunity.

    Returns
    -------
    (E, U=V, V) ``min(1, (1 − escape_v) / (1 − escape_u))`` (1 where ``escape_u`` = 1).
    """
    kept_u, kept_v = 1.0 - escape[:, :, None], 1.0 - escape[:, None, :]
    ratio = np.divide(kept_v, kept_u, out=np.ones(np.broadcast(kept_u, kept_v).shape),
                      where=kept_u > 0)
    return np.minimum(ratio, 1.0)


def immunity_tables(ep: EpiParams, epi: EpiState) -> tuple[np.ndarray, np.ndarray]:
    """Susceptibility and fatality of every status to every strain (a class's statuses
    hold the memory of its first strain, alike for all of its strains).

    Returns
    -------
    sus : (E, N, K, V) 1 − protection against infection
    fatal : (E, N, A, K, V) probability that an infected person dies
    """
    E, N, A, K = epi.S.shape
    V = epi.Ix.shape[3]
    lv, pk = ep.level, ep.peak                                         # (E,3,2,2), (E,3,2)
    on = ep.vaccine_effect[:, None, None, None] > 0                    # (E, 1, 1, 1)
    first = infection_status(0)
    prot = np.zeros((2, E, N, K, V))                                   # [infection, death]
    memory = class_strains(ep.strain_class)                            # (C,)
    for kind in range(2):   # against infection, against death
        cross = cross_protection(epi.strains[:, :, 1 + kind])[:, None, memory]  # (E,1,C,V)
        for j in range(2):  # fresh, waned
            vaccine = np.where(on[..., 0], epi.ve_course[kind] * lv[:, 0, kind, j, None, None],
                               0.0)                                     # (E, N, V)
            infection = pk[:, 1, kind, None, None, None] * lv[:, 1, kind, j, None, None, None] \
                * cross                                                 # (E, 1, C, V)
            hybrid = pk[:, 2, kind, None, None, None] * lv[:, 2, kind, j, None, None, None] \
                * cross
            prot[kind, :, :, 1 + j] = vaccine
            prot[kind, :, :, first + j::4] = infection
            prot[kind, :, :, first + 2 + j::4] = np.where(
                on, np.maximum(hybrid, vaccine[:, :, None]), infection)
    prot = np.clip(prot, 0.0, 1.0)
    prot[1] = np.maximum(prot[1], prot[0])
    sus = 1.0 - prot[0]
    severity = epi.strains[:, :, 3]                                    # (E, V)
    relative = np.divide(1.0 - prot[1], sus, out=np.zeros_like(sus), where=sus > 0)
    # IFR × severity at most 1, times a ratio at most 1 (the compiled kernel applies
    # the two factors apart: sim.engine.kernels.immunity)
    fatal = np.minimum(ep.ifr[:, :, :, None, None] * severity[:, None, None, None, :],
                       1.0) * relative[:, :, None]
    return np.ascontiguousarray(sus), np.ascontiguousarray(fatal)


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``min(part / whole, 1)``, 0 where ``whole`` ≤ 0."""
    out = np.divide(part, whole, out=np.zeros(np.broadcast(part, whole).shape),
                    where=whole > 0)
    return np.clip(out, 0.0, 1.0)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` broadcast, 0 where ``b`` is not positive."""
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > 0)


def _move(S: np.ndarray, share: np.ndarray, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
    """Move ``share`` (E, N, A) of each status in ``src`` to the matching ``dst``."""
    moved = [S[..., k] * share for k in src]
    for k, m in zip(src, moved, strict=True):
        S[..., k] -= m
    for k, m in zip(dst, moved, strict=True):
        S[..., k] += m


def force_of_infection(epi: EpiState, day: dict[str, np.ndarray],
                       ep: EpiParams) -> np.ndarray:
    """(E, N, A, V) force of infection of each strain on each band, per person per day,
    over the coming sub-step (step 3 of the module docstring; ``day`` as in
    :func:`day_reference`).
    """
    P = ep.band_population                                            # (N, A)
    c = epi.chain                                                     # (E, V, 11)
    act, eps = ep.activity, ep.assortativity[:, None, None, None]
    rel = epi.strains[:, None, None, :, 0] * epi.active[:, None, None, :]   # (E, 1, 1, V)
    mix = day["mix"][:, :, None, None]
    actP = (P[None] * act[:, None, :]).sum(axis=2)                    # (E, N)
    X = c[:, None, None, :, 8] * epi.Ix + c[:, None, None, :, 9] * epi.Ex \
        + c[:, None, None, :, 10] * epi.fresh                          # (E, N, A, V)
    pop = np.broadcast_to(P.sum(axis=1)[None, :, None], X.shape[:2] + X.shape[3:])
    prev = _ratio(X.sum(axis=2), pop)                                  # (E, N, V)
    w = day["traffic"]                                                # (E, N)
    travellers = np.zeros_like(prev)
    world = _ratio((w[:, :, None] * prev).sum(axis=1), w.sum(axis=1)[:, None])  # (E, V)
    for r in range(ep.n_regions):
        inside = ep.region == r
        wr = w[:, inside].sum(axis=1)[:, None]
        regional = np.divide((w[:, inside, None] * prev[:, inside]).sum(axis=1), wr,
                             out=np.zeros_like(world), where=wr > 0)
        travellers[:, inside] = (ep.regional[:, None] * regional
                                 + (1.0 - ep.regional[:, None]) * world)[:, None]
    mixed = _ratio((act[:, None, :, None] * X).sum(axis=2), actP[:, :, None])  # (E,N,V)
    home = eps * _ratio(X, P[None, :, :, None]) + (1.0 - eps) * mixed[:, :, None]
    return day["force"][:, :, None, None] * rel * act[:, None, :, None] \
        * ((1.0 - mix) * home + mix * travellers[:, :, None])


def day_reference(epi: EpiState, day: dict[str, np.ndarray], ep: EpiParams,
                  sus: np.ndarray, fatal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One day of the model in plain numpy (the reference of the compiled kernel).

    ``day`` holds the day's inputs: ``dcourse``, ``dboost`` (E, N, A) courses and
    boosters given since yesterday; ``force`` (E, N) F_n c_n(t); ``mix`` (E, N) m_n;
    ``traffic`` (E, N) outbound traffic weights.

    Returns
    -------
    (infections, deaths) : (E, N, A) people today
    """
    P = ep.band_population                                            # (N, A)
    S = epi.S
    flows = _flows(ep.n_classes)
    # 1. Vaccination and boosters.
    _move(S, _share(day["dcourse"], P - epi.D_band - epi.courses_seen), *flows["course"])
    _move(S, _share(day["dboost"], epi.courses_seen - epi.boosted_seen), *flows["boost"])
    epi.courses_seen += day["dcourse"]
    epi.boosted_seen += day["dboost"]
    # 2. Waning.
    _move(S, np.broadcast_to(ep.wane[:, None, None], S.shape[:3]), *flows["wane"])
    # 3. Transmission and progression.
    c = epi.chain                                                     # (E, V, 11)
    co = lambda i: c[:, None, None, :, i]  # noqa: E731
    h = 1.0 / ep.substeps
    infections = np.zeros(S.shape[:3])
    deaths = np.zeros(S.shape[:3])
    vaccinated = vaccinated_statuses(ep.n_classes)
    infected_from = [infection_status(int(c)) for c in ep.strain_class]   # (V,)
    for _ in range(ep.substeps):
        lam = force_of_infection(epi, day, ep)                               # (E, N, A, V)
        rate = lam[:, :, :, None, :] * sus[:, :, None]                       # (E,N,A,K,V)
        x = rate.sum(axis=4)                                                  # (E,N,A,K)
        new = S * (1.0 - np.exp(-x * h))
        S -= new
        by = rate * np.divide(new, x, out=np.zeros_like(new), where=x > 0)[..., None]
        dying = by * fatal
        new_v = by.sum(axis=3)                                                # (E,N,A,V)
        epi.fresh[:] = new_v
        new_d = dying.sum(axis=3)                                             # (E,N,A,V)
        # Vaccinated survivors (b − b f ≥ 0 exactly, as f ≤ 1).
        new_h = (by[:, :, :, vaccinated] - dying[:, :, :, vaccinated]).sum(axis=3)
        out_v = co(2) * epi.Ex + co(4) * epi.Ix + co(7) * new_v              # (E,N,A,V)
        epi.Ix *= co(3)
        epi.Ix += co(1) * epi.Ex + co(6) * new_v
        epi.Ex *= co(0)
        epi.Ex += co(5) * new_v
        sh = epi.shadow                                                       # (E,N,A,V,4)
        cs = c[:, None, None, :, None, :]                                     # (E,1,1,V,1,11)
        new_s = np.stack([new_d, new_h], axis=-1)                             # (E,N,A,V,2)
        lat, inf = sh[..., 0::2], sh[..., 1::2]
        out_s = cs[..., 2] * lat + cs[..., 4] * inf + cs[..., 7] * new_s
        inf_next = cs[..., 3] * inf + cs[..., 1] * lat + cs[..., 6] * new_s
        sh[..., 0::2] = cs[..., 0] * lat + cs[..., 5] * new_s
        sh[..., 1::2] = inf_next
        # A difference of nearly equal flows: rounding must not leave an emptied status
        # below zero (the compiled kernel clamps the same way). Strain by strain: strains
        # of one class add to the same statuses.
        for v, k in enumerate(infected_from):
            S[..., k] = np.maximum(S[..., k] + out_v[..., v] - out_s[..., v, 0]
                                   - out_s[..., v, 1], 0.0)
            S[..., k + 2] += out_s[..., v, 1]
        dead = out_s[..., 0].sum(axis=3)
        epi.D_band += dead
        infections += new.sum(axis=3)
        deaths += dead
    return infections, deaths
