"""Stage 8, epidemic: SEIR with vaccinated compartments in every country, vectorized.

Compartments (people, float64), per member and country:

- ``S[k]`` susceptible by vaccination status k (0 none, 1 first dose, 2 full course,
  3 full course waned), leaky protection: infection hazard × (1 − efficacy_k);
- ``E[j]``, ``I[j]`` latent and infectious, j = 0 will recover, j = 1 will die (the fate
  is drawn at infection with the infection fatality ratio of the person's status);
- ``R`` recovered (immune for the rest of the run), ``D`` dead.

``sum(S) + sum(E) + sum(I) + R + D`` equals the population in every country, every day.

**Vaccination.** Today's first and completing doses are read off the engine's counters
(``state.first``, ``state.completed``) as they changed since yesterday. People do not
know whether they were infected, so doses go to everyone eligible in proportion: first
doses to the never-dosed (``population − first``), of whom a share ``S[0] / (population −
first)`` are susceptible and move to status 1; completing doses likewise from status 1 to
2 (one-dose courses: 0 to 2). Doses given to the recovered, latent or infectious change
nothing. Full courses wane to status 3 at a constant daily rate.

**Transmission.** Force of infection in country n (per day)::

    λ_n = β · c_n(t) · τ(t) · [(1 − m) · Ī_n / P_n + m · Σ Ī / Σ P]

with β = R0 / infectious days, c_n(t) the dated contact multiplier, τ(t) the variants'
transmissibility factor, m the importation share and Ī the infectious people averaged
over the sub-step. Efficacy against death is overall protection, so an infected person
of status k dies with probability ``IFR_n · (1 − ve_death_k) / (1 − ve_infection_k)``.

**Scheme.** Each day runs ``substeps`` steps of length h. A step freezes λ at the mean
of I over the step under the linear E → I → R flow, moves E and I with the exact
transition probabilities of that flow, infects each S[k] with probability
``1 − exp(−λ (1 − ve_k) h)`` and moves the newly infected through half a step. This is
second order: with 2 sub-steps final size and peak day stay within 1% of the ODE
(``tests/engine/test_epidemic.py`` checks against scipy's ``solve_ivp``). In the
stochastic mode every transition above is a binomial draw with the same probabilities
(:mod:`sim.engine.epi_random`), so its mean follows the deterministic path and small
outbreaks can die out.

**Variants.** Scheduled variants multiply transmissibility and efficacy from their date;
emerging variants (optional) appear once a member's cumulative global infections pass
thresholds drawn from its ``"variant"`` stream (a hazard proportional to infections).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from sim.engine.build.epi_params import EpiParams
from sim.engine.epi_random import binomial, uniforms

BURDEN_DAYS = 14.0


@dataclass
class EpiState:
    """Epidemic arrays of a batch (people unless said otherwise).

    Attributes
    ----------
    S : (K, E, N) susceptible by vaccination status (K = 4)
    E, I : (2, E, N) latent, infectious; [0] will recover, [1] will die
    R, D : (E, N) recovered, dead (cumulative)
    infections_cum : (E, N) infections since day 0 (excluding those infectious on day 0)
    new_infections, new_deaths : (E, N) on the last simulated day
    recent_deaths : (E, N) deaths per person per day, exponential average over ~14 days
    first_seen, completed_seen : (E, N) the engine's dose counters at the last step
    global_infections : (E, 1) infections since day 0, all countries
    variants : (E, 1) number of emerged variants
    """

    S: np.ndarray
    E: np.ndarray
    I: np.ndarray  # noqa: E741
    R: np.ndarray
    D: np.ndarray
    infections_cum: np.ndarray
    new_infections: np.ndarray
    new_deaths: np.ndarray
    recent_deaths: np.ndarray
    first_seen: np.ndarray
    completed_seen: np.ndarray
    global_infections: np.ndarray
    variants: np.ndarray

    def copy(self) -> EpiState:
        """A deep copy."""
        return EpiState(**{k: v.copy() for k, v in vars(self).items()})

    def total(self) -> np.ndarray:
        """(E, N) people in all compartments (equals the population)."""
        return self.S.sum(axis=0) + self.E.sum(axis=0) + self.I.sum(axis=0) + self.R + self.D


def _chain(sigma: np.ndarray, gamma: np.ndarray, h: float) -> dict[str, np.ndarray]:
    """Exact transition probabilities of E → I → R over time h, and mean-I weights."""
    gamma = np.where(np.abs(gamma - sigma) < 1e-9, gamma * (1 + 1e-6), gamma)
    ee, ii = np.exp(-sigma * h), np.exp(-gamma * h)
    ei = sigma / (gamma - sigma) * (ee - ii)
    mean_i = (1.0 - ii) / (gamma * h)                        # I0's mean share over the step
    mean_e = sigma / (gamma - sigma) * ((1.0 - ee) / (sigma * h) - mean_i)
    return {"ee": ee, "ei": ei, "er": 1.0 - ee - ei, "ii": ii, "mean_i": mean_i,
            "mean_e": mean_e}


def _step_rates(ep: EpiParams) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sub-step chain weights and transition probabilities, each (E, 1)."""
    H = ep.substeps
    c = _chain(ep.sigma, ep.gamma, 1.0 / H)
    half = _chain(ep.sigma, ep.gamma, 0.5 / H)
    rates = {"leave_e": 1.0 - c["ee"], "through_e": _safe_div(c["er"], 1.0 - c["ee"]),
             "leave_i": 1.0 - c["ii"], "half_leave": 1.0 - half["ee"],
             "half_through": _safe_div(half["er"], 1.0 - half["ee"])}
    return c, rates


class _Workspace:
    """What :func:`infect` reuses between days for one batch: the constant sub-step
    coefficients, the current day's constants and scratch buffers.

    Building these once per batch instead of every day saves most of the per-day numpy
    calls (which dominate a single-member run) and the allocation of (K, E, N)
    temporaries (memory traffic, which dominates large ensembles).

    Day constants depend on the day only through its *regime*: the index of the contact
    change and of the scheduled variant in force, and the number of emerged variants.
    ``regime`` (D,) numbers the days so that a new number starts wherever any of the
    first two changes; the constants are recomputed only when the regime or the number of
    emerged variants changes.
    """

    def __init__(self, ep: EpiParams, shape: tuple[int, int], population: np.ndarray) -> None:
        self.ep, self.shape, self.population = ep, shape, population
        self.chain, self.rates = _step_rates(ep)
        H = ep.substeps
        c = self.chain
        half = _chain(ep.sigma, ep.gamma, 0.5 / H)
        # Over a sub-step: latent stay (ee), become infectious (ei) or pass through to
        # removal (er); infectious stay (ii) or are removed (1 - ii). The newly infected
        # move through half a sub-step (ee, ei, er of ``half``).
        self.e_stay, self.e_to_i, self.e_out = _shared(c["ee"], c["ei"], c["er"])
        self.i_stay, self.i_out = _shared(c["ii"], 1.0 - c["ii"])
        self.new_stay, self.new_to_i, self.new_out = _shared(half["ee"], half["ei"], half["er"])
        self.weight_i, self.weight_e = _shared(c["mean_i"], c["mean_e"])
        D = len(ep.variant_transmissibility)
        contact = np.searchsorted(ep.contact_days, np.arange(D), side="right") - 1
        changed = np.zeros(D, dtype=bool)
        changed[1:] = ((contact[1:] != contact[:-1])
                       | (ep.variant_transmissibility[1:] != ep.variant_transmissibility[:-1])
                       .any(axis=(1, 2))
                       | (ep.variant_efficacy[1:] != ep.variant_efficacy[:-1]).any(axis=(1, 2)))
        self.contact = contact
        self.regime = np.cumsum(changed)
        self.can_emerge = bool(np.isfinite(ep.emergence_at).any())
        self.key: tuple[int, float] | None = None
        K = len(ep.ve_infection)
        self.buf_k = np.empty((K, *shape))     # newly infected by status
        self.buf_flow = np.empty((2, *shape))  # one flow between compartments, by fate
        self.removed = np.empty((2, *shape))   # removed this sub-step: recovered, dead
        self.new = np.empty((2, *shape))       # newly infected by fate
        self.mean_i = np.empty(shape)
        self.mean_e = np.empty(shape)
        self.p_vaccinate = np.empty((3, *shape))  # first dose, completing dose, waning
        self.p_vaccinate[2] = ep.waning

    def day(self, t: int, variants: np.ndarray) -> None:
        """Set the day constants for day ``t`` (recomputed only when the regime changed).

        ``home`` (E, N) and ``away`` (E, 1) turn infectious people into force of
        infection; ``neg_escape`` (K, E, 1) is −(1 − ve_infection) h per status;
        ``fatal`` (K, E, N) the fatality ratio of an infected person of each status.
        """
        ep = self.ep
        key = (int(self.regime[t]), float(variants.sum()) if self.can_emerge else 0.0)
        if key == self.key:
            return
        self.key = key
        contact = ep.contact_values[self.contact[t]]
        strength = ep.beta * contact * ep.variant_transmissibility[t] \
            * ep.emergence_transmissibility ** variants               # (E, N) per day
        efficacy = ep.variant_efficacy[t] * ep.emergence_efficacy ** variants \
            * ep.vaccine_effect                                        # (E, 1)
        ve_inf, ve_death = ep.ve_infection * efficacy, ep.ve_death * efficacy   # (K, E, 1)
        # An infected person of status k dies with probability ifr × relative[k].
        self.relative = _safe_div(1.0 - ve_death, 1.0 - ve_inf)        # (K, E, 1)
        self.fatal = ep.ifr * self.relative                            # (K, E, N)
        self.neg_escape = _shared(-(1.0 - ve_inf) / ep.substeps)[0]     # (K, E, 1)
        # Home and global parts of the mixing, per infectious person: (E, N) and (E, 1).
        self.home = strength * (1.0 - ep.importation) / self.population
        self.away = strength * (ep.importation / self.population.sum())


def _shared(*coefficients: np.ndarray) -> list[np.ndarray | float]:
    """Per-member coefficients (..., E, 1), each collapsed to (..., 1, 1) -- a float if it
    has no leading axes -- when every member has the same value.

    Why: numpy multiplies an (E, N) array by a scalar 2-3 times faster than by an
    (E, 1) column broadcast along N (a batch of one scenario's replicates always shares
    them), and the products are the same bit for bit, so members still do not depend on
    their batch.
    """
    out: list[np.ndarray | float] = []
    for c in coefficients:
        if (c == c[..., :1, :]).all():
            c = c[..., :1, :]
            out.append(float(c.reshape(())) if c.size == 1 and c.ndim == 2 else c)
        else:
            out.append(c)
    return out


_WORKSPACES = threading.local()


def _workspace(ep: EpiParams, shape: tuple[int, int], population: np.ndarray) -> _Workspace:
    """The workspace of the batch being run in this thread (one kept per thread)."""
    ws = getattr(_WORKSPACES, "current", None)
    if ws is None or ws.ep is not ep or ws.shape != shape or ws.population is not population:
        ws = _WORKSPACES.current = _Workspace(ep, shape, population)
    return ws


class Drawer:
    """Moves people between compartments: expected numbers, or binomial draws."""

    def __init__(self, ep: EpiParams, n: int) -> None:
        self.stochastic = ep.mode == "stochastic"
        self.keys, self.n = ep.keys, n
        self.slots = ep.substeps + 2  # sub-steps, vaccination, initial split

    def __call__(self, t: int, slot: int, stage: int, n: np.ndarray,
                 p: np.ndarray) -> np.ndarray:
        """(planes, E, N) people moving out of ``n`` with probabilities ``p``."""
        if not self.stochastic:
            return n * p
        counter = (t * self.slots + slot) * 4 + stage
        return binomial(n, np.broadcast_to(p, n.shape),
                        uniforms(self.keys, counter, n.shape[0], self.n))


def initial_epi(population: np.ndarray, ep: EpiParams, E: int) -> EpiState:
    """Day-0 epidemic state: ``initial_prevalence`` infectious, ``initial_immune`` immune."""
    pop = np.broadcast_to(population, (E, len(population)))
    infectious = ep.initial_prevalence * pop
    immune = np.minimum(ep.initial_immune * pop, pop - infectious)
    if ep.mode == "stochastic":  # whole people, never more than the population
        infectious = np.minimum(np.round(infectious), np.floor(pop))
        immune = np.minimum(np.round(immune), np.floor(pop - infectious))
    draw = Drawer(ep, len(population))
    fatal = draw(0, draw.slots - 1, 0, infectious[None], ep.ifr[None])[0]
    zeros = np.zeros((E, len(population)))
    S = np.zeros((4, E, len(population)))
    S[0] = pop - infectious - immune
    return EpiState(S=S, E=np.zeros((2, E, len(population))),
                    I=np.stack([infectious - fatal, fatal]), R=immune.copy(), D=zeros.copy(),
                    infections_cum=zeros.copy(), new_infections=zeros.copy(),
                    new_deaths=zeros.copy(), recent_deaths=zeros.copy(),
                    first_seen=zeros.copy(), completed_seen=zeros.copy(),
                    global_infections=np.zeros((E, 1)), variants=np.zeros((E, 1)))


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > 0)


def vaccinate(epi: EpiState, first: np.ndarray, completed: np.ndarray, population: np.ndarray,
              ep: EpiParams, one_dose: bool, draw: Drawer, t: int) -> None:
    """Move today's vaccinated susceptibles to their new status, then wane full courses."""
    p = _workspace(ep, epi.R.shape, population).p_vaccinate  # p[2]: waning, set once
    _share(first - epi.first_seen, population - epi.first_seen, out=p[0])
    _share(completed - epi.completed_seen, epi.first_seen - epi.completed_seen, out=p[1])
    moved = draw(t, draw.slots - 2, 0, epi.S[:3], p)
    epi.S[:3] -= moved
    epi.S[2 if one_dose else 1] += moved[0]
    epi.S[2] += moved[1]
    epi.S[3] += moved[2]
    np.copyto(epi.first_seen, first)
    np.copyto(epi.completed_seen, completed)


def _share(part: np.ndarray, whole: np.ndarray, out: np.ndarray) -> None:
    """``min(part / whole, 1)`` into ``out``, 0 where ``whole`` is 0."""
    out.fill(0.0)
    np.divide(part, whole, out=out, where=whole > 0)
    np.minimum(out, 1.0, out=out)


def infect(epi: EpiState, ep: EpiParams, population: np.ndarray, t: int,
           draw: Drawer) -> tuple[np.ndarray, np.ndarray]:
    """Run one day of transmission and progression in ``substeps`` steps.

    Returns
    -------
    (infections, deaths) : (E, N) people today
    """
    ws = _workspace(ep, epi.R.shape, population)
    ws.day(t, epi.variants)
    infections = np.zeros(epi.R.shape)
    deaths = np.zeros(epi.R.shape)
    mean_i, mean_e = ws.mean_i, ws.mean_e
    for h in range(ep.substeps):
        # Infectious people averaged over the step: (E, N).
        np.add(epi.I[0], epi.I[1], out=mean_i)
        mean_i *= ws.weight_i
        np.add(epi.E[0], epi.E[1], out=mean_e)
        mean_e *= ws.weight_e
        mean_i += mean_e
        force = np.multiply(ws.home, mean_i, out=mean_e)                    # (E, N)
        force += ws.away * mean_i.sum(axis=1, keepdims=True)
        # P(infected this step) = 1 − exp(−λ (1 − ve_k) h) by status, (K, E, N).
        p_inf = np.multiply(ws.neg_escape, force, out=ws.buf_k)
        np.exp(p_inf, out=p_inf)
        np.subtract(1.0, p_inf, out=p_inf)
        if draw.stochastic:
            new, dead = _drawn(epi, p_inf, (ep.ifr, ws.relative), ws.rates, draw, t, h)
        else:
            new, dead = _expected(epi, p_inf, ws)
        infections += new
        deaths += dead
    return infections, deaths


def _expected(epi: EpiState, p_inf: np.ndarray, ws: _Workspace) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """One sub-step of expected flows (deterministic mode), in place; (new, dead).

    The same flows as :func:`_drawn` with every draw replaced by its mean, written into
    the workspace's buffers (this runs every sub-step for every member; fresh (K, E, N)
    temporaries cost as much memory traffic as the arithmetic). ``p_inf`` is overwritten.
    """
    new_k = np.multiply(epi.S, p_inf, out=p_inf)        # (K, E, N) newly infected
    epi.S -= new_k
    new = ws.new                                        # by fate: [recover, die]
    tot = new_k.sum(axis=0)
    fat = np.multiply(new_k, ws.fatal, out=new_k).sum(axis=0, out=new[1])
    np.minimum(fat, tot, out=fat)
    np.subtract(tot, fat, out=new[0])
    # Removed this step: latent passing through, infectious leaving, newly infected
    # passing through within their half step.
    flow, removed = ws.buf_flow, ws.removed
    np.multiply(epi.E, ws.e_out, out=removed)
    removed += np.multiply(epi.I, ws.i_out, out=flow)
    removed += np.multiply(new, ws.new_out, out=flow)
    epi.I *= ws.i_stay
    epi.I += np.multiply(epi.E, ws.e_to_i, out=flow)
    epi.I += np.multiply(new, ws.new_to_i, out=flow)
    epi.E *= ws.e_stay
    epi.E += np.multiply(new, ws.new_stay, out=flow)
    epi.R += removed[0]
    epi.D += removed[1]
    return tot, removed[1]


def _drawn(epi: EpiState, p_inf, fatal, r, draw, t, h) -> tuple[np.ndarray, np.ndarray]:
    """One sub-step of binomial flows (stochastic mode), in place; (new, dead)."""
    K = epi.S.shape[0]
    fatal = np.minimum(fatal[0] * fatal[1], 1.0)                        # (K, E, N)
    like = lambda x, rate: np.broadcast_to(rate, x.shape)  # noqa: E731
    a = draw(t, h, 0, np.concatenate([epi.S, epi.E, epi.I]),
             np.concatenate([p_inf, like(epi.E, r["leave_e"]), like(epi.I, r["leave_i"])]))
    new_k, out_e, out_i = a[:K], a[K:K + 2], a[K + 2:]
    b = draw(t, h, 1, np.concatenate([new_k, out_e]),
             np.concatenate([like(new_k, fatal), like(out_e, r["through_e"])]))
    fatal_k, through = b[:K], b[K:]
    new = np.stack([(new_k - fatal_k).sum(axis=0), fatal_k.sum(axis=0)])
    new_out = draw(t, h, 2, new, like(new, r["half_leave"]))
    new_through = draw(t, h, 3, new_out, like(new_out, r["half_through"]))
    removed = through + out_i + new_through
    epi.S -= new_k
    epi.E += new - out_e - new_out
    epi.I += out_e - through - out_i + new_out - new_through
    epi.R += removed[0]
    epi.D += removed[1]
    return new.sum(axis=0), removed[1]


def step_epidemic(state, world, params, t: int) -> None:
    """Stage 8: vaccinate, transmit, progress; update counters and emerged variants.

    Does nothing when the batch runs no epidemic (``state.epi`` is None).
    """
    epi, ep = getattr(state, "epi", None), params.epidemic
    if epi is None or ep is None:
        return
    draw = Drawer(ep, world.n_countries)
    vaccinate(epi, state.first, state.completed, params.population, ep,
              params.structure.doses_per_course == 1, draw, t)
    infections, deaths = infect(epi, ep, params.population, t, draw)
    epi.new_infections, epi.new_deaths = infections, deaths
    epi.infections_cum += infections
    epi.recent_deaths += (deaths / params.population - epi.recent_deaths) / BURDEN_DAYS
    epi.global_infections += infections.sum(axis=1, keepdims=True)
    if _workspace(ep, epi.R.shape, params.population).can_emerge:
        epi.variants = (ep.emergence_at <= epi.global_infections).sum(axis=1, keepdims=True)\
            .astype(float)


def burden(state) -> np.ndarray:
    """(E, N) epidemic burden: recent deaths per person per day (~14-day average).

    The need signal for pooling and donation; zeros when the epidemic is off.
    """
    epi = getattr(state, "epi", None)
    return np.zeros(state.first.shape) if epi is None else epi.recent_deaths


def need_weight(state, population: np.ndarray) -> np.ndarray | None:
    """(E, N) weight of a country's supply gap in pool and donation allocation, or None
    when the run has no epidemic (the gap alone counts).

    ``w = 1 + b / b̄``, with ``b`` the country's recent deaths per person per day
    (:func:`burden`) and ``b̄`` the member's population-weighted world average: a country
    dying at the world's average rate weighs twice one with no deaths, at three times the
    average four times. Before any death anywhere every weight is 1. This is the
    "threat" part of the WHO allocation framework's phase 2 (Nov 2020) in its simplest
    form: need grows with burden, but no country with a gap is ever weighted to zero.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> epi = SimpleNamespace(recent_deaths=np.array([[0.0, 1e-5, 2e-5]]))
    >>> need_weight(SimpleNamespace(epi=epi), np.array([1.0, 1.0, 1.0]))
    array([[1., 2., 3.]])
    """
    if getattr(state, "epi", None) is None:
        return None
    b = state.epi.recent_deaths
    # Row by row (not ``b @ population``, whose rounding depends on the batch size).
    mean = (b * population).sum(axis=-1) / population.sum()           # (E,)
    return 1.0 + np.divide(b, mean[:, None], out=np.zeros_like(b), where=mean[:, None] > 0)


def start_epidemic(world, params) -> EpiState | None:
    """The day-0 :class:`EpiState` of a batch, or None when it runs no epidemic."""
    if params.epidemic is None:
        return None
    return initial_epi(world.population, params.epidemic, params.n_members)
