"""Sub-step coefficients of the epidemic's E -> I -> R chain against direct integration."""

import numpy as np
import pytest
from scipy.integrate import quad

from sim.engine.build.epi_chain import chain_table


@pytest.mark.parametrize(("latent", "infectious", "substeps"),
                         [(4.5, 5.0, 1), (3.0, 7.0, 2), (5.0, 5.0, 1)])
def test_chain_weights_are_the_mean_infectious_shares_over_a_step(latent, infectious,
                                                                  substeps):
    sigma, gamma, h = 1 / latent, 1 / infectious, 1 / substeps
    c = chain_table(sigma, gamma, substeps)

    def infectious_after(u):  # chance of being infectious u after becoming latent
        if abs(gamma - sigma) < 1e-9:
            return sigma * u * np.exp(-sigma * u)
        return sigma / (gamma - sigma) * (np.exp(-sigma * u) - np.exp(-gamma * u))

    mean_i = quad(lambda t: np.exp(-gamma * t), 0, h)[0] / h
    mean_e = quad(infectious_after, 0, h)[0] / h
    # Infected uniformly during the step: mean over t of the share infected before t
    # who are infectious at t.
    mean_new = quad(lambda t: quad(infectious_after, 0, t)[0], 0, h)[0] / h ** 2
    # (equal rates: the chain nudges γ by 1e-6 to keep its closed form)
    assert c[8] == pytest.approx(mean_i, rel=1e-6)
    assert c[9] == pytest.approx(mean_e, rel=1e-6)
    assert c[10] == pytest.approx(mean_new, rel=1e-6)
    # Shares of the step's starters sum to one.
    assert c[0] + c[1] + c[2] == pytest.approx(1.0)
    assert c[3] + c[4] == pytest.approx(1.0)
