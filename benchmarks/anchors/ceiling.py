"""The memory ceiling: the country-days per second a day could reach if it did nothing
but read and write, once, the compartments it must update, at this machine's streaming
bandwidth.

The numpy floor (:mod:`benchmarks.anchors.numpy_floor`) updates ten (E, N) arrays a day
(about 180 bytes a country-day); vaxsim's epidemic alone updates, in every country, 3 age
bands x 15 immunity statuses and 4 strains' latent, infectious, fated and newly infected
people (about 1 kB). A ratio of country-days per second between the two therefore mixes
how well each is implemented with how much each model holds. Setting each beside its own
ceiling separates the two:

- ``ceiling = bandwidth / bytes read and written per country-day``, with the bandwidth
  measured in this session by :func:`stream_bandwidth` on a cache-sized array (the size
  of the chunks a vaxsim ensemble runs in, :data:`sim.engine.ensemble.CACHE_BYTES`);
- an implementation's *efficiency* is its country-days per second over its ceiling.

For vaxsim the bytes counted are only the epidemic's compartments
(:data:`COMPARTMENTS`, read and written once a day) — not the immunity tables, the dose
engine's stock, orders and ledgers, nor the parameters — so its ceiling is generous: no
implementation of this model can pass it on one core.

Run: ``python -m benchmarks.anchors.ceiling``.
"""

from __future__ import annotations

import time

import numba
import numpy as np

#: The epidemic state's arrays every country-day reads and rewrites (the epidemic's
#: compartments: susceptibility statuses, latent, infectious, the fated and vaccinated
#: survivors among them, newly infected); a no-vaccine twin has the same again.
COMPARTMENTS = ("S", "Ex", "Ix", "shadow", "fresh")
#: The numpy floor's (E, N) arrays rewritten every day (``orders``, ``stock``, a slot of
#: ``ring``, ``first`` and the six SEIR-V-D compartments) and read (``pop``, ``willing``,
#: ``capacity``); ``tests/benchmarks/test_ceiling.py`` reads them from its source.
FLOOR_UPDATED = ("orders", "stock", "ring", "first", "S_", "V_", "E_", "I_", "R_", "D_")
FLOOR_READ = ("pop", "willing", "capacity")


@numba.njit(cache=True)
def stream(x: np.ndarray) -> None:
    """Read and write every element once (a multiply-add, as a compartment's update)."""
    for i in range(x.size):
        x[i] = x[i] * 0.999999 + 1e-12


def stream_bandwidth(nbytes: int, rounds: int = 5, seconds: float = 0.05) -> float:
    """Bytes read plus written per second by one core streaming ``nbytes`` of float64
    (best of ``rounds``, each repeating the pass for about ``seconds``).

    Examples
    --------
    >>> stream_bandwidth(1 << 20) > 1e9
    True
    """
    x = np.random.default_rng(0).random(max(nbytes // 8, 1))
    stream(x)       # compile or load, and bring the array into the cache
    t0 = time.perf_counter()
    stream(x)
    reps = max(1, int(seconds / max(time.perf_counter() - t0, 1e-9)))
    best = np.inf
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            stream(x)
        best = min(best, (time.perf_counter() - t0) / reps)
    return 2.0 * x.nbytes / best


def compartment_bytes(epi) -> int:
    """Bytes of one member's :data:`COMPARTMENTS` in ``epi`` (an
    :class:`~sim.engine.epi_model.EpiState` of E members): its arrays' bytes over E.
    """
    E = epi.S.shape[0]
    return sum(getattr(epi, name).nbytes for name in COMPARTMENTS) // E


def floor_bytes_per_country_day() -> int:
    """Bytes the numpy floor reads and writes per country-day (float64 (E, N) arrays)."""
    return 8 * (2 * len(FLOOR_UPDATED) + len(FLOOR_READ))


def vaxsim_bytes_per_country_day(scenario, twins: bool = True) -> float:
    """Bytes of epidemic compartments one country-day of ``scenario`` reads and writes
    (twice its compartments; again as much with a no-vaccine twin).
    """
    from sim.engine.build.params import build_params
    from sim.engine.state import initial_state
    from sim.world.world import build_world

    world = build_world(scenario)
    state = initial_state(world, build_params(world, [scenario], [1]))
    return 2 * compartment_bytes(state.epi) * (2 if twins else 1) / world.n_countries


def ceiling(bandwidth: float, bytes_per_country_day: float) -> float:
    """Country-days per second at ``bandwidth`` bytes/s for that many bytes a country-day."""
    return bandwidth / bytes_per_country_day


def main() -> None:
    """Print the bandwidth, both models' bytes per country-day and their ceilings."""
    from sim import load_scenario
    from sim.engine.ensemble import CACHE_BYTES

    bw = stream_bandwidth(CACHE_BYTES)
    baseline = load_scenario("baseline")
    print(f"streaming bandwidth, {CACHE_BYTES >> 20} MiB: {bw / 1e9:.1f} GB/s")
    for label, per_cd in (("numpy floor", floor_bytes_per_country_day()),
                          ("vaxsim epidemic, no twin",
                           vaxsim_bytes_per_country_day(baseline, twins=False)),
                          ("vaxsim epidemic with twin", vaxsim_bytes_per_country_day(baseline))):
        print(f"{label:<28} {per_cd:8.0f} B/country-day -> ceiling "
              f"{ceiling(bw, per_cd) / 1e6:8.1f} M country-days/s")


if __name__ == "__main__":
    main()
