"""Sub-step coefficients of a strain's E -> I -> R chain: the exact transition shares over
a sub-step of the linear latent -> infectious -> out flow at the strain's rates, and the
weights turning its compartments into the sub-step's mean infectiousness (the epidemic's
step 3, :mod:`sim.engine.epi_model`). Rates are per day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _chain(sigma: float, gamma: float, h: float) -> tuple[float, ...]:
    """Exact E -> I -> R transition shares over time h and mean-I weights:
    (ee, ei, er, ii, mean_i, mean_e, mean_new).

    ``mean_new``: the mean share infectious over the step of people infected during it,
    uniformly in time: ``(1/h²) ∫₀ʰ (h − u) P_I(u) du`` with ``P_I(u) = σ / (γ − σ)
    (e^(−σu) − e^(−γu))`` the chance of being infectious u after infection.
    """
    if abs(gamma - sigma) < 1e-9:
        gamma = gamma * (1 + 1e-6)
    ee, ii = np.exp(-sigma * h), np.exp(-gamma * h)
    ei = sigma / (gamma - sigma) * (ee - ii)
    mean_i = (1.0 - ii) / (gamma * h)                       # I0's mean share over the step
    mean_e = sigma / (gamma - sigma) * ((1.0 - ee) / (sigma * h) - mean_i)

    def ramp(k: float) -> float:    # ∫₀ʰ (h − u) e^(−k u) du
        return h / k + np.expm1(-k * h) / k ** 2

    mean_new = sigma / (gamma - sigma) * (ramp(sigma) - ramp(gamma)) / h ** 2
    return ee, ei, 1.0 - ee - ei, ii, mean_i, mean_e, mean_new


def chain_table(sigma: float, gamma: float, substeps: int,
                generation: float = 1.0) -> np.ndarray:
    """(11,) sub-step coefficients of a strain: latent stay / to infectious / out,
    infectious stay / out, newly infected (half a step) stay / to infectious / out, and
    the weights turning infectious, latent and the last sub-step's newly infected people
    into the step's mean infectiousness (the last: the force of those infected during
    this step, predicted from the previous one's, :mod:`sim.engine.epi_model` step 3).

    ``generation`` g scales the strain's latent and infectious periods (rates σ / g,
    γ / g). Its reproduction number is kept (the strain's ``transmissibility`` stays a
    factor on R0): an infectious person transmits 1 / g times as fast per day, which the
    three weights carry (they are the mean infectious shares divided by g).
    """
    s, g = sigma / generation, gamma / generation
    ee, ei, er, ii, mean_i, mean_e, mean_new = _chain(s, g, 1.0 / substeps)
    hee, hei, her, *_ = _chain(s, g, 0.5 / substeps)
    w = 1.0 / generation
    return np.array([ee, ei, er, ii, 1.0 - ii, hee, hei, her, mean_i * w, mean_e * w,
                     mean_new * w])


def strain_chains(sigma: float, gamma: float, substeps: int,
                  generation: Sequence[float]) -> np.ndarray:
    """(V, 11) :func:`chain_table` of each strain given its generation factor (V,)."""
    return np.array([chain_table(sigma, gamma, substeps, g) for g in generation])
