"""Building blocks every scenario schema module shares: the strict base model, constrained
number types and the group codes a per-country policy may name.

Kept apart from :mod:`sim.scenario.schema` so that section modules (``epidemic``,
``adaptation``) can use them without importing the schema that imports them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

INCOME_GROUPS = ("HIC", "UMIC", "LMIC", "LIC")
WHO_REGIONS = ("AFR", "AMR", "SEAR", "EUR", "EMR", "WPR")
CONTINENTS = ("Africa", "Asia", "Europe", "North America", "South America", "Oceania")
GROUP_KEYS = INCOME_GROUPS + WHO_REGIONS + CONTINENTS

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]


class Strict(BaseModel):
    """Base model: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
