"""Per-country policy rows: a scenario section's ``default``, then its group entries
(continent, WHO region, income group), then the country's own entry, merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.world.world import World


def resolve(world: World, default: Any, groups: Mapping[str, Any],
            countries: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One merged policy dict per country (N of them), general to specific.

    Countries without an entry of their own may share one dict: treat the rows as
    read-only.
    """

    def fields(entry: Any) -> dict[str, Any]:
        if entry is None:
            return {}
        if hasattr(entry, "model_dump"):
            return entry.model_dump(exclude_none=True)
        return dict(entry)

    # Countries sharing continent, WHO region and income group merge the same group
    # entries: merge once per combination (a few dozen) rather than once per country.
    base = fields(default)
    dumped = {key: fields(entry) for key, entry in groups.items()}
    by_combo: dict[tuple, dict[str, Any]] = {}
    out = []
    for n, combo in enumerate(zip(world.continent, world.who_region, world.income_group,
                                  strict=True)):
        merged = by_combo.get(combo)
        if merged is None:
            merged = by_combo[combo] = dict(base)
            for key in combo:
                merged.update(dumped.get(key, {}))
        own = countries.get(world.iso3[n])
        out.append({**merged, **fields(own)} if own is not None else merged)
    return out
