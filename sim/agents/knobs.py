"""Policy knobs of the Mesa model and the viz sliders, as edits of a scenario.

Each knob is a plain keyword (so ``mesa.batch_run`` and SolaraViz can set it) that
rewrites part of a :class:`~sim.scenario.schema.Scenario`; ``None`` leaves the scenario
as it is. Anything else can be set with ``sets`` (``"key.path=value;other.key=value"``,
the syntax of ``vaxsim run --set``).
"""

from __future__ import annotations

from typing import Any

from sim import data
from sim.scenario.loader import apply_sets, validate_data
from sim.scenario.schema import Scenario

#: How many of the largest producers (by shipped 2021-22 output) ``export_policy`` sets.
LARGEST = 4


def largest_producers(k: int = LARGEST) -> list[str]:
    """The ``k`` producers with the largest total output in the shipped schedule."""
    totals = data.production().groupby("producer")["doses"].sum()
    return list(totals.sort_values(ascending=False).index[:k])


def apply_knobs(scenario: Scenario, *, hoard_multiple: float | None = None,
                export_policy: str | None = None, adaptation_rule: str | None = None,
                theta: float | None = None, countries: str | None = None,
                sets: str | None = None, pool_tier: float | None = None,
                donation_share: float | None = None,
                check_references: bool = True) -> Scenario:
    """``scenario`` with the knobs applied (validated again).

    Parameters
    ----------
    hoard_multiple : courses per inhabitant ordered by any country that hoards (now or
        after an adaptive switch)
    export_policy : ``open``, ``domestic_first`` or ``ban`` for the largest producers
    adaptation_rule : ``fixed``, ``threshold`` or ``imitate`` for every country
    theta : coverage at which threshold countries switch, for every country
    countries : comma-separated ISO3 codes or groups to keep (e.g. ``"USA,IND,NGA"``)
    pool_tier : the pool's first tier, ``pool.tier_share`` (share of each participant's
        population covered pro rata before need counts; nothing happens without a pool)
    donation_share : share of its surplus every donor gives per donation period: the
        ``share`` of every country the scenario makes a donor (``share`` > 0) and
        ``donation.switch_share``, given by countries a policy review turns into donors
    sets : ``;``-separated ``key.path=value`` overrides
    check_references : check codes against the shipped data (off for hand-built worlds)
    """
    knobs = (hoard_multiple, export_policy, adaptation_rule, theta, countries, sets,
             pool_tier, donation_share)
    if all(k is None for k in knobs):
        return scenario
    d: dict[str, Any] = scenario.model_dump(mode="json", exclude_none=True)
    if hoard_multiple is not None:
        proc = d["procurement"]
        entries = [proc["default"], *proc["groups"].values(), *proc["countries"].values()]
        for entry in entries:  # also for need countries that may switch to hoarding
            if entry is proc["default"] or "multiple" in entry or entry.get("strategy"):
                entry["multiple"] = float(hoard_multiple)
    if export_policy is not None:
        producers = d["export"]["producers"]
        for p in largest_producers():
            producers[p] = {**producers.get(p, {}), "policy": export_policy}
    adapt = d["adaptation"]
    for key, value in (("rule", adaptation_rule), ("theta", theta)):
        if value is not None:
            for entry in (adapt["default"], *adapt["groups"].values(),
                          *adapt["countries"].values()):
                entry[key] = value
    if pool_tier is not None:
        d["pool"]["tier_share"] = float(pool_tier)
    if donation_share is not None:
        don = d["donation"]
        don["switch_share"] = float(donation_share)
        for entry in (don["default"], *don["groups"].values(), *don["countries"].values()):
            if entry.get("share", 0.0) > 0:
                entry["share"] = float(donation_share)
    if countries is not None:
        d["countries"]["include"] = [c.strip() for c in countries.split(",") if c.strip()]
    if sets:
        d = apply_sets(d, [s for s in sets.split(";") if s.strip()], {})
    if not check_references:
        return Scenario.model_validate(d)
    return validate_data(d, source="knobs")
