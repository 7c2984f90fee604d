"""Adaptive strategy rules as pure, vectorized functions of (E, N) arrays.

Strategy codes index :data:`STRATEGIES` (``need`` 0, ``hoard`` 1, ``donate`` 2, ``pool``
3); rule codes index :data:`RULES` (``fixed`` 0, ``threshold`` 1, ``imitate`` 2). The
engine's review stage (:mod:`sim.engine.review`) calls these on review days; ensembles and
sweeps use the very same functions because every argument carries the member axis E.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.adaptation import STRATEGIES

RULES = ("fixed", "threshold", "imitate")
NEED, HOARD, DONATE, POOL = (STRATEGIES.index(s) for s in ("need", "hoard", "donate", "pool"))
FIXED, THRESHOLD, IMITATE = range(3)
#: Strategies that hold doses back; a threshold country leaves them once covered.
RESERVING = (NEED, HOARD)
_CODES = np.arange(len(STRATEGIES))


def threshold_switch(strategy: np.ndarray, rule: np.ndarray, coverage: np.ndarray,
                     theta: np.ndarray, then: np.ndarray) -> np.ndarray:
    """New strategy codes under the threshold rule.

    Parameters
    ----------
    strategy : (E, N) int, current codes
    rule : (E, N) int, rule codes; only ``THRESHOLD`` countries change
    coverage : (E, N) own first-dose coverage, share of population
    theta : (E, N) coverage at which to switch
    then : (E, N) int, code to switch to (``DONATE`` or ``POOL``)

    Returns
    -------
    (E, N) int, codes after the review
    """
    reserving = np.isin(strategy, RESERVING)
    switch = (rule == THRESHOLD) & reserving & (coverage >= theta)
    return np.where(switch, then, strategy)


def fermi(delta: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Probability 1 / (1 + exp(-beta * delta)) of adopting a partner's strategy.

    ``beta`` may be ``inf``: then 1 if ``delta > 0``, else 0 (a tie is not adopted).

    Parameters
    ----------
    delta : (E, N) payoff of the partner minus own payoff
    beta : (E, 1) or broadcastable, selection intensity >= 0
    """
    beta = np.broadcast_to(beta, delta.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        x = beta * delta
        p = 0.5 * (1.0 + np.tanh(0.5 * x))
    return np.where(np.isinf(beta), (delta > 0).astype(float), np.where(np.isnan(x), 0.5, p))


def pick_partners(u: np.ndarray, cum_weights: np.ndarray | None) -> np.ndarray:
    """One partner per country, drawn from uniforms ``u`` (E, N) in [0, 1).

    Country n picks m with probability weight(n, m) / sum_m weight(n, m): one binary
    search per country in the row-normalized cumulative weights laid end to end (row n
    shifted by 2n so rows never overlap), i.e. O(E·N·log N) work and E·N memory.

    Parameters
    ----------
    u : (E, N) uniforms
    cum_weights : (N, N) row-wise cumulative partner weights (zero on the diagonal),
        or ``None`` for a uniform choice among the other N - 1 countries

    Returns
    -------
    (E, N) int, partner index of each country (a country with no positive weight, or
    alone in its world, picks itself)
    """
    E, N = u.shape
    own = np.arange(N)
    if N == 1:
        return np.zeros((E, 1), dtype=int)
    if cum_weights is None:
        return (own + 1 + np.minimum((u * (N - 1)).astype(int), N - 2)) % N
    total = cum_weights[:, -1]
    norm = np.divide(cum_weights, total[:, None], out=np.zeros_like(cum_weights, dtype=float),
                     where=total[:, None] > 0)
    flat = (norm + 2.0 * own[:, None]).ravel()
    count = np.searchsorted(flat, u + 2.0 * own, side="right") - own * N     # (E, N)
    # Rounding of u + 2n may count a row's last (zero-weight) entries: cap at the last
    # country of positive weight.
    positive = np.diff(cum_weights, axis=1, prepend=0.0) > 0
    last = N - 1 - np.argmax(positive[:, ::-1], axis=1)
    return np.where(total > 0, np.minimum(count, last), own)


def imitate(strategy: np.ndarray, rule: np.ndarray, payoff: np.ndarray, partner: np.ndarray,
            beta: np.ndarray, probability: np.ndarray, u_look: np.ndarray,
            u_adopt: np.ndarray) -> np.ndarray:
    """New strategy codes under the imitation rule (Fermi update).

    Parameters
    ----------
    strategy, rule : (E, N) int codes
    payoff : (E, N) each country's payoff
    partner : (E, N) int, the partner each country compares itself with
    beta, probability : (E,) selection intensity and chance of looking at a partner
    u_look, u_adopt : (E, N) uniforms in [0, 1)

    Returns
    -------
    (E, N) int, codes after the review
    """
    rows = np.arange(strategy.shape[0])[:, None]
    delta = payoff[rows, partner] - payoff
    look = (rule == IMITATE) & (u_look < probability[:, None])
    adopt = look & (u_adopt < fermi(delta, beta[:, None]))
    return np.where(adopt, strategy[rows, partner], strategy)


def payoff(health: np.ndarray, influence: np.ndarray, spending: np.ndarray,
           w_health: np.ndarray, w_influence: np.ndarray, w_cost: np.ndarray) -> np.ndarray:
    """Payoff = w_health × health − w_cost × spending + w_influence × influence.

    Parameters
    ----------
    health : (E, N) people protected per capita (stand-in for lives saved per capita)
    influence : (E, N) diplomatic influence (unitless)
    spending : (E, N) US$ spent on vaccine per inhabitant
    w_health, w_influence, w_cost : (E,) weights
    """
    return (w_health[:, None] * health + w_influence[:, None] * influence
            - w_cost[:, None] * spending)


def strategy_counts(strategy: np.ndarray) -> np.ndarray:
    """(E, S) number of countries following each strategy."""
    return (strategy[..., None] == _CODES).sum(axis=1)
