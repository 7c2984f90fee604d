"""The anchor workload shared by the plain-Mesa toy and the bare numpy floor.

A world of ``n_countries`` countries runs ``days`` days. Every day:

1. *Production*: the world makes ``OUTPUT_PER_DAY`` doses.
2. *Market*: the doses are allocated to open orders pro rata (orders are courses for the
   willing); what is allocated travels ``LAG`` days.
3. *Delivery and administration*: arrivals enter stock; a country gives up to its daily
   capacity (``CAPACITY`` × population) from stock to the not-yet-vaccinated willing.
4. *Epidemic*: a one-step SEIR day with vaccinated susceptibles moving to ``V``
   (leaky protection ``VE``) and a small importation term.
5. *Record*: world totals of first doses and deaths.

Both implementations do exactly this arithmetic (the tests in ``benchmarks/`` check
that they agree), so a ratio between them measures the implementation, not the model.
It is a simpler workload than vaxsim's (no tiers, export policies, shelf life, second
doses, diplomacy or variants): an anchor to compare against, not a model.
"""

from __future__ import annotations

import numpy as np

OUTPUT_PER_DAY = 12e6     # doses a day, world
LAG = 14                  # days from allocation to arrival
CAPACITY = 0.005          # doses per person per day
WILLING = 0.85            # share of people willing
R0, LATENT, INFECTIOUS = 2.5, 4.0, 7.0
IFR = 0.004
VE = 0.8                  # protection of a vaccinated susceptible against infection
IMPORT = 0.02             # share of the force of infection that is global
SEED_SHARE = 1e-4         # infectious share on day 0


def populations(n_countries: int, seed: int = 0) -> np.ndarray:
    """(N,) populations drawn log-normally around 10 million, reproducibly."""
    rng = np.random.default_rng(seed)
    return np.round(np.exp(rng.normal(np.log(1e7), 1.5, n_countries)) + 1e4)
