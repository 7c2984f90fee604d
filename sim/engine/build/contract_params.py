"""Supply contracts as arrays: who supplies, who buys, and how many doses are due by each
day (:mod:`sim.engine.contracts` delivers them).

Shapes: E members, K contracts (padded to the most any member has), D days.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.scenario.schema import Contract, Scenario
from sim.world.world import World


def schedule(world: World, contract: Contract) -> np.ndarray:
    """(D,) doses a contract has made due by the end of each day: each window's doses
    spread evenly over its days (what fell due before the run's start is due on day 0).
    """
    D = world.days
    daily = np.zeros(D)
    for w in contract.deliveries:
        a, b = (w.start - world.start).days, (w.end - world.start).days + 1   # [a, b)
        per_day = w.doses / (b - a)
        if a < 0:
            daily[0] += per_day * (min(b, 0) - a)
        lo, hi = min(max(a, 0), D), min(max(b, 0), D)
        daily[lo:hi] += per_day
    return np.cumsum(daily)


def contract_arrays(world: World, scenarios: Sequence[Scenario]) -> dict[str, np.ndarray]:
    """``contract_supplier`` (E, K) producer index, ``contract_buyer`` (E, K) country
    index (-1: the pool; padding: -1 with nothing due) and ``contract_due`` (E, K, D).

    Members of one scenario (replicates differ only by seed) share one read-only
    ``contract_due`` row (a broadcast view: K·D numbers, not E·K·D).
    """
    if len(scenarios) > 1 and all(s is scenarios[0] for s in scenarios):
        one = contract_arrays(world, scenarios[:1])
        E = len(scenarios)
        return {"contract_supplier": np.repeat(one["contract_supplier"], E, axis=0),
                "contract_buyer": np.repeat(one["contract_buyer"], E, axis=0),
                "contract_due": np.broadcast_to(one["contract_due"],
                                                (E, *one["contract_due"].shape[1:]))}
    iso3 = set(world.iso3)
    members = []
    for s in scenarios:
        rows = [(world.producer_index(c.supplier), -1, schedule(world, c))
                for c in s.pool.contracts if s.pool.enabled]
        rows += [(world.producer_index(c.supplier), int(world.index([str(c.buyer)])[0]),
                  schedule(world, c)) for c in s.contracts if c.buyer in iso3]
        members.append(rows)
    K = max((len(m) for m in members), default=0)
    E, D = len(members), world.days
    supplier, buyer, due = np.zeros((E, K), dtype=int), np.full((E, K), -1), np.zeros((E, K, D))
    for e, rows in enumerate(members):
        for k, (p, b, x) in enumerate(rows):
            supplier[e, k], buyer[e, k], due[e, k] = p, b, x
    return {"contract_supplier": supplier, "contract_buyer": buyer, "contract_due": due}
