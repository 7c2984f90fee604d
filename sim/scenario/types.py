"""Building blocks every scenario schema module shares: the strict base model, constrained
number types and the group codes a per-country policy may name.

Kept apart from :mod:`sim.scenario.schema` so that section modules (``epidemic``,
``adaptation``) can use them without importing the schema that imports them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

INCOME_GROUPS = ("HIC", "UMIC", "LMIC", "LIC")
WHO_REGIONS = ("AFR", "AMR", "SEAR", "EUR", "EMR", "WPR")
CONTINENTS = ("Africa", "Asia", "Europe", "North America", "South America", "Oceania")
GROUP_KEYS = INCOME_GROUPS + WHO_REGIONS + CONTINENTS

#: Ceiling of every unbounded count in a scenario (people, doses, US$): 1e12 is more than
#: a hundred times the world's population and its yearly vaccine output. With every number
#: bounded, products and sums of accepted values stay far below float overflow (1.8e308),
#: so the engine stays finite for every file the schema accepts.
BIG = 1e12
#: Floor of a strictly positive quantity (a price, a duration in days, a factor): below it
#: divisions by the value would overflow.
TINY = 1e-6


def _is_numpy_bool(value: Any) -> bool:
    """A numpy boolean (sweep samplers make them), recognised without importing numpy so
    that checking a scenario file stays light.
    """
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def _no_bool(value: Any) -> Any:
    """Refuse ``true`` / ``false`` where a number is expected (YAML would make them 1 / 0)."""
    if isinstance(value, bool) or _is_numpy_bool(value):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


def _only_bool(value: Any) -> Any:
    """Accept only ``true`` / ``false`` for a switch (not 1, "yes" or "on")."""
    if _is_numpy_bool(value):
        return bool(value)
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, not {value!r}")
    return value


def bounded(lo: float, hi: float, *, above: bool = False) -> Any:
    """A finite float in ``[lo, hi]`` (``(lo, hi]`` with ``above``); NaN, infinities and
    booleans are refused. Every number of the schema is one of these (or :func:`count`).

    Examples
    --------
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(bounded(0, 10)).validate_python(3)
    3.0
    """
    field = (Field(gt=lo, le=hi, allow_inf_nan=False) if above
             else Field(ge=lo, le=hi, allow_inf_nan=False))
    return Annotated[float, BeforeValidator(_no_bool), field]


def count(lo: int, hi: int) -> Any:
    """An integer in ``[lo, hi]`` (days, tiers, replicates); booleans are refused."""
    return Annotated[int, BeforeValidator(_no_bool), Field(ge=lo, le=hi)]


Share = bounded(0.0, 1.0)
#: A price per dose in US$ (0.1 cent to 100,000 US$).
Price = bounded(1e-3, 1e5)
NonNeg = bounded(0.0, BIG)
Positive = bounded(TINY, BIG)
#: A switch: only ``true`` or ``false``.
Flag = Annotated[bool, BeforeValidator(_only_bool)]
#: Largest seed (numpy keeps seeds as int64).
MAX_SEED = 2**63 - 1


class Strict(BaseModel):
    """Base model: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
