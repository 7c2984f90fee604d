"""Unknown codes in the diplomacy sections (pool, donation, affinity, partner sales,
licences, supply contracts, shocks; and dated hesitancy changes), checked against the
shipped countries and producers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sim.scenario.paths import suggest
from sim.scenario.schema import GROUP_KEYS, Scenario

Check = Callable[..., None]


def check_diplomacy(scenario: Scenario, check: Check, iso3: set[str],
                    producers: set[str], selectors: set[str]) -> list[tuple[tuple, str]]:
    """Call ``check(keys, valid, path, what[, by_key])`` for every code the sections name;
    return the problems of single-code fields (licences, shocks) as (key path, message).
    """
    s = scenario
    out: list[tuple[tuple, str]] = []
    for section in ("pool", "donation"):
        part = getattr(s, section)
        check(part.groups, GROUP_KEYS, (section, "groups"), "group")
        check(part.countries, iso3, (section, "countries"), "country")
    check(s.affinity.pairs, iso3, ("affinity",), "country")
    for d, row in s.affinity.pairs.items():
        check(row, iso3, ("affinity", d), "country")
    check(s.partner_sales, producers, ("partner_sales",), "producer")
    check(s.donation.from_output, producers & iso3, ("donation", "from_output"),
          "producer that is a country")
    for i, x in enumerate(s.licences):
        out += _one(x.licensor, producers, ("licences", i, "licensor"), "producer")
        out += _one(x.licensee, iso3, ("licences", i, "licensee"), "country")
    for i, pc in enumerate(s.pool.contracts):
        out += _one(pc.supplier, producers, ("pool", "contracts", i, "supplier"), "producer")
        if pc.buyer is not None:
            out.append((("pool", "contracts", i, "buyer"), "a pool contract has no buyer "
                        "(the pool buys); countries' own contracts go under `contracts`"))
    for i, cc in enumerate(s.contracts):
        out += _one(cc.supplier, producers, ("contracts", i, "supplier"), "producer")
        if cc.buyer is None:
            out.append((("contracts", i), "a country's contract needs a `buyer` (ISO3); "
                        "the pool's go under `pool.contracts`"))
        else:
            out += _one(cc.buyer, iso3, ("contracts", i, "buyer"), "country")
    for i, hc in enumerate(s.uptake.hesitancy_changes):
        check(hc.groups, GROUP_KEYS, ("uptake", "hesitancy_changes", i, "groups"), "group")
        check(hc.countries, iso3, ("uptake", "hesitancy_changes", i, "countries"), "country")
    for i, shock in enumerate(s.shocks):
        if shock.type == "demand_surge":
            check(shock.countries, selectors, ("shocks", i, "countries"), "country or group",
                  by_key=False)
        else:
            out += _one(shock.producer, producers, ("shocks", i, "producer"), "producer")
    return out


def _one(code: str, valid: Iterable[str], path: tuple, what: str) -> list[tuple[tuple, str]]:
    """The problem with a single code at ``path``, if any."""
    if code in valid:
        return []
    return [(path, f"unknown {what} '{code}'" + suggest(code, valid))]
