"""Per-country values given by group or country: which entry applies to each country.

Scenario sections give values by continent, WHO region, income group or ISO3 code, the
more specific winning (continent < WHO region < income group < ISO3). These functions
find, for all N countries at once, the entry that applies, in O(N + entries): the group
levels through each level's few distinct codes (:meth:`sim.world.world.World.level_codes`),
the ISO3 codes through a dict.

Examples
--------
>>> from sim.scenario import load_scenario
>>> from sim.world.world import build_world
>>> w = build_world(load_scenario("scenarios/baseline.yaml"))
>>> v = most_specific(w, {"HIC": 2.0, "FRA": 3.0}, 1.0)
>>> float(v[w.index(["FRA"])[0]]), float(v[w.index(["DEU"])[0]]), float(v[-1])
(3.0, 2.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.world.world import World

#: Levels from general to specific.
LEVELS = ("continent", "who_region", "income_group", "iso3")
GROUP_LEVELS = LEVELS[:3]


def key_index(world: World, keys: Sequence[str], levels: Iterable[str] = LEVELS) -> np.ndarray:
    """(N,) int: position in ``keys`` of the most specific key that names each country at
    one of ``levels`` (later levels win), -1 where none does.
    """
    pos = {str(k): i for i, k in enumerate(keys)}
    out = np.full(world.n_countries, -1, dtype=np.int64)
    if not pos:
        return out
    for level in levels:
        if level == "iso3":
            where = world.position
            for k, i in pos.items():
                j = where.get(k)
                if j is not None:
                    out[j] = i
            continue
        codes, inverse = world.level_codes(level)
        lut = np.array([pos.get(c, -1) for c in codes], dtype=np.int64)
        hit = lut[inverse]
        out = np.where(hit >= 0, hit, out)
    return out


def most_specific(world: World, values: Mapping[str, Any], default: Any,
                  levels: Iterable[str] = LEVELS, dtype: Any = float) -> np.ndarray:
    """(N,) the value of the most specific key of ``values`` naming each country (at
    ``levels``), else ``default``; ``dtype=object`` keeps values as they are (dates).
    """
    keys = list(values)
    table = np.empty(len(keys) + 1, dtype=dtype)
    for i, k in enumerate(keys):
        table[i] = values[k]
    table[-1] = default
    return table[key_index(world, keys, levels)]


def named(world: World, codes: Iterable[str]) -> np.ndarray:
    """(N,) bool: countries named by ISO3 code or by a group they belong to."""
    wanted = {str(c) for c in codes}
    out = np.zeros(world.n_countries, dtype=bool)
    for level in GROUP_LEVELS:
        level_codes, inverse = world.level_codes(level)
        out |= np.array([c in wanted for c in level_codes], dtype=bool)[inverse]
    where = world.position
    for c in wanted:
        if c in where:
            out[where[c]] = True
    return out
