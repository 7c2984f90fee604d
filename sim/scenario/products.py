"""The ``products`` section of a scenario: whether doses are tracked by vaccine product.

With ``enabled: true`` every dose carries the product it was made as (each producer's
product mix, a contract's or licence's named product; see :mod:`sim.engine.products`), and
the epidemic's vaccine protection of each country follows the products of the courses it
gave (``sim/data/products.csv``). Off, every course protects as the epidemic's
``protection.vaccine`` says.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field, field_validator

from sim.scenario.types import Flag, Share, Strict

#: Index of "no product named" (a producer's or licensor's mix applies).
OTHER = -1


def product_index(names: Iterable[str], text: str) -> int:
    """Index of the product ``text`` names (its full name, or a text starting with the
    name's part before any parenthesis), -1 when it names none.

    >>> product_index(["Sinovac CoronaVac", "Janssen Ad26.COV2.S"], "Janssen Ad26.COV2.S (x)")
    1
    >>> product_index(["Sinovac CoronaVac"], "")
    -1
    """
    t = text.strip().lower()
    if not t:
        return OTHER
    for q, name in enumerate(names):
        base = name.split(" (")[0].strip().lower()
        if t == name.lower() or t.startswith(base):
            return q
    return OTHER



class Products(Strict):
    """Dose tracking by vaccine product."""

    enabled: Flag = Field(False, description="track doses by product and let each "
                          "country's vaccine protection follow its product mix")
    mix: dict[str, dict[str, Share]] = Field(
        default_factory=dict, description="a producer's output by product (shares), "
        "replacing its row of sim/data/product_mix.csv, e.g. {CHN: {Sinovac CoronaVac: 1}}")
    accepted: dict[str, list[str]] = Field(
        default_factory=dict, description="products a buyer takes from the world market, "
        "by income group or ISO3 (a country's entry overrides its group's; 'all': every "
        "product); others take everything. E.g. {HIC: [Pfizer-BioNTech Comirnaty, Moderna "
        "Spikevax], CHL: [all]}")
    refresh_days: int = Field(28, ge=1, le=90, description="days between updates of each "
                              "country's vaccine protection from its product mix (a mix "
                              "changes over months; each update recomputes the epidemic's "
                              "immunity tables)")

    @field_validator("mix")
    @classmethod
    def _some_output(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for producer, shares in v.items():
            if sum(shares.values()) <= 0:
                raise ValueError(f"{producer}: the shares must not all be zero")
        return v

