"""Per-country policy rows: a scenario section's ``default``, then its group entries
(continent, WHO region, income group), then the country's own entry, merged.

Countries that share continent, WHO region and income group and have no entry of their
own share one merged row, so a section resolves in O(N + entries): :func:`resolved` gives
the distinct rows and each country's row; :func:`column` one field of every country.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.world.world import World


def _fields(entry: Any) -> dict[str, Any]:
    if entry is None:
        return {}
    if hasattr(entry, "model_dump"):
        return entry.model_dump(exclude_none=True)
    return dict(entry)


def resolved(world: World, default: Any, groups: Mapping[str, Any],
             countries: Mapping[str, Any]) -> tuple[list[dict[str, Any]], np.ndarray]:
    """(distinct merged policy dicts, (N,) int the dict of each country), general to
    specific. Treat the dicts as read-only.
    """
    base = _fields(default)
    dumped = {key: _fields(entry) for key, entry in groups.items()}
    combos, index = world.group_combos
    index = index.copy()
    rows = []
    for combo in combos:                                # continent, WHO region, income
        merged = dict(base)
        for key in combo:
            merged.update(dumped.get(key, {}))
        rows.append(merged)
    where = world.position
    for code, own in countries.items():
        n = where.get(str(code))
        if n is not None and own is not None:
            rows.append({**rows[index[n]], **_fields(own)})
            index[n] = len(rows) - 1
    return rows, index


def resolve(world: World, default: Any, groups: Mapping[str, Any],
            countries: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One merged policy dict per country (N of them), general to specific.

    Countries without an entry of their own may share one dict: treat the rows as
    read-only.
    """
    rows, index = resolved(world, default, groups, countries)
    return [rows[i] for i in index.tolist()]


def column(table: tuple[list[dict[str, Any]], np.ndarray], key: str,
           dtype: Any = float) -> np.ndarray:
    """(N,) field ``key`` of every country of a :func:`resolved` ``table``."""
    rows, index = table
    return np.array([r[key] for r in rows], dtype=dtype)[index]
