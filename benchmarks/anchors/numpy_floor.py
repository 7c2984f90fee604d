"""The bare numpy floor: the anchor workload (:mod:`benchmarks.anchors.workload`) as
straight vectorized numpy over (E members, N countries) arrays, with nothing else.

It is the speed a plain numpy implementation of similar per-day work reaches on this
machine: vaxsim's ensembles are measured in country-days per second against it.

Run: ``python -m benchmarks.anchors.numpy_floor [members] [countries] [days]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from benchmarks.anchors import workload as w


def run(members: int = 256, n_countries: int = 200, days: int = 730) -> dict[str, np.ndarray]:
    """Run the workload for ``members`` identical members; return the world totals.

    Returns
    -------
    dict with ``first`` (E, D) people with a dose and ``deaths`` (E, D) cumulative deaths
    """
    E, N = members, n_countries
    pop = np.broadcast_to(w.populations(N), (E, N)).copy()
    willing = w.WILLING * pop
    orders = 2.0 * willing
    ring = np.zeros((w.LAG, E, N))
    stock = np.zeros((E, N))
    first = np.zeros((E, N))
    capacity = w.CAPACITY * pop
    S_, E_, I_, R_, V_, D_ = (np.zeros((E, N)) for _ in range(6))
    I_[:] = w.SEED_SHARE * pop
    S_[:] = pop - I_
    beta, sigma, gamma = w.R0 / w.INFECTIOUS, 1.0 / w.LATENT, 1.0 / w.INFECTIOUS
    total_pop = pop.sum(axis=1, keepdims=True)
    out_first, out_deaths = np.zeros((E, days)), np.zeros((E, days))
    for t in range(days):
        demand = orders.sum(axis=1, keepdims=True)
        fill = np.minimum(1.0, w.OUTPUT_PER_DAY / np.maximum(demand, 1e-300))
        alloc = orders * fill
        orders -= alloc
        slot = t % w.LAG
        stock += ring[slot]
        ring[slot] = alloc
        give = np.minimum(np.minimum(stock, capacity), np.maximum(willing - first, 0.0))
        stock -= give
        vacc_s = give * S_ / np.maximum(pop - first, 1.0)
        first += give
        lam = beta * ((1 - w.IMPORT) * I_ / pop
                      + w.IMPORT * I_.sum(axis=1, keepdims=True) / total_pop)
        p = 1.0 - np.exp(-lam)
        inf_s, inf_v = S_ * p, V_ * p * (1 - w.VE)
        lat, rec = E_ * sigma, I_ * gamma
        S_ -= inf_s + vacc_s
        V_ += vacc_s - inf_v
        E_ += inf_s + inf_v - lat
        I_ += lat - rec
        R_ += rec * (1 - w.IFR)
        D_ += rec * w.IFR
        out_first[:, t] = first.sum(axis=1)
        out_deaths[:, t] = D_.sum(axis=1)
    return {"first": out_first, "deaths": out_deaths}


def main(argv: list[str]) -> None:
    """Time one run and print country-days per second."""
    members, countries, days = (int(a) for a in (argv + ["256", "200", "730"][len(argv):]))
    t0 = time.perf_counter()
    run(members, countries, days)
    dt = time.perf_counter() - t0
    print(f"numpy floor: E={members} N={countries} D={days}: {dt:.3f} s, "
          f"{members * countries * days / dt / 1e6:.1f} M country-days/s")


if __name__ == "__main__":
    main(sys.argv[1:])
