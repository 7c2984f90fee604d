"""Check the producers, countries, groups and vaccine products a scenario's ``products``
section and licences name against shipped data (see :mod:`sim.scenario.references`).
"""

from __future__ import annotations

from sim import data
from sim.scenario.paths import suggest
from sim.scenario.products import product_index


def product_errors(scenario, producers: set[str], iso3: set[str],
                   groups: tuple[str, ...]) -> list[tuple[tuple, str]]:
    """Unknown producers, countries, groups and products named by ``products`` and the
    licences, as (key path, message with a suggestion).
    """
    names = sorted(data.codes("products.csv", "product"))
    out: list[tuple[tuple, str]] = []

    def product(text: str, path: tuple, allow_all: bool = False) -> None:
        if (allow_all and text.strip().lower() == "all") or product_index(names, text) >= 0:
            return
        out.append((path, f"unknown product '{text}'" + suggest(text, names)))

    p = scenario.products
    for key, mix in p.mix.items():
        if key not in producers:
            out.append((("products", "mix", key),
                        f"unknown producer '{key}'" + suggest(key, producers)))
        for text in mix:
            product(text, ("products", "mix", key, text))
    for key, accepted in p.accepted.items():
        if key not in iso3 and key not in groups:
            out.append((("products", "accepted", key), f"unknown income group or country "
                        f"'{key}'" + suggest(key, set(groups) | iso3)))
        for i, text in enumerate(accepted):
            product(text, ("products", "accepted", key, i), allow_all=True)
    for i, lic in enumerate(scenario.licences):
        if lic.product:
            product(lic.product, ("licences", i, "product"))
    return out
