"""The ``products`` section of a scenario: whether doses are tracked by vaccine product.

With ``enabled: true`` every dose carries the product it was made as (each producer's
product mix, a contract's or licence's named product; see :mod:`sim.engine.products`), and
the epidemic's vaccine protection of each country follows the products of the courses it
gave (``sim/data/products.csv``). Off, every course protects as the epidemic's
``protection.vaccine`` says.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.types import Flag, Share, Strict


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
    refresh_days: int = Field(7, ge=1, le=90, description="days between updates of each "
                              "country's vaccine protection from its product mix")
