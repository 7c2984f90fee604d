"""Outcome metrics: pure functions of results tables, one row per member.

Each ``*_metrics(results)`` function returns one row per member and one column per
scalar metric (nested names joined with '.'); :mod:`sim.outcomes.registry` declares them
(name, unit, group) and concatenates them (``member_metrics``). With several members
(replicates), ``summary.json`` reports each metric's median over members and, under
``quantiles``, its 5th and 95th percentiles (:mod:`sim.outcomes.summary`).

Coverage here is the share of a population with at least one dose unless a name says
``completed``. The inequality arithmetic lives in :mod:`sim.outcomes.inequality`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.record import GROUPS
from sim.outcomes.coverage import (
    _frame,
    _measure_column,
    country_attributes,
    coverage_at,
    coverage_by,
    target_attainment,
    time_to_target,
)
from sim.outcomes.diplomacy_metrics import recipient_attribute
from sim.outcomes.inequality import concentration_index, gini
from sim.scenario.schema import INCOME_GROUPS, WHO_REGIONS

if TYPE_CHECKING:
    from sim.outcomes.results import Results


def coverage_metrics(results: Results) -> pd.DataFrame:
    """Final coverage by income group (≥1 dose and completed), by WHO region, on the
    reporting dates (``outcomes.dates``), and doses administered per 100 people by group.
    """
    on = [pd.Timestamp(d) for d, _ in results.world.days_of(results.scenario.outcomes.dates)]
    groups = results.groups_on(on)
    cov = coverage_at(groups).add_prefix("coverage_final.")
    cov_c = coverage_at(groups, column="coverage_completed").add_prefix(
        "coverage_completed_final.")
    end = groups[groups["date"] == groups["date"].max()]
    per100 = (100 * end["doses_administered"] / end["population"]).to_numpy()
    per100 = pd.DataFrame({"member": end["member"].to_numpy(), "group": end["group"].to_numpy(),
                           "v": per100}).pivot(index="member", columns="group", values="v")
    parts = [cov, cov_c, per100[list(GROUPS)].add_prefix("doses_per_100.")]
    region = country_attributes(results)["who_region"]
    parts.append(coverage_by(results, region)
                 .reindex(columns=[r for r in WHO_REGIONS if r in set(region)])
                 .add_prefix("coverage_region_final."))
    for ts in on:
        key = f"coverage_on.{ts.date().isoformat()}."
        parts.append(coverage_at(groups, ts).add_prefix(key))
        parts.append(coverage_by(results, region, ts).add_prefix(key))
    return pd.concat(parts, axis=1)


def flow_metrics(results: Results) -> pd.DataFrame:
    """Doses produced, administered, expired, left in country stock and unsold; the share
    of produced doses that expired.
    """
    end = results.ledger_end()
    produced = end["produced_cum"].to_numpy()
    return pd.DataFrame({
        "doses_produced": end["produced_cum"],
        "doses_administered": end["administered_cum"],
        "doses_expired": end["expired_cum"],
        "doses_in_stock_end": end["stock_countries"],
        "doses_unsold_end": end["stock_producers"],
        "expired_share_of_produced": end["expired_cum"] / np.maximum(produced, 1.0),
    })


def equity_metrics(results: Results) -> pd.DataFrame:
    """Inequality of final ≥1-dose coverage across countries.

    - ``gini_coverage``: population-weighted Gini (people as units, Lorenz curve of
      vaccinated people against population);
    - ``gini_coverage_unweighted``: Gini with countries as units;
    - ``concentration_index``: coverage ranked by GDP per capita, population-weighted
      (> 0: the rich are better covered);
    - ``hic_lic_ratio``: coverage of high-income / low-income countries (NaN, null in the
      summary, when LIC coverage is 0: the ratio is undefined).
    """
    p = results.panel("coverage_first")
    _, cov = p.at()
    gdp = country_attributes(results)["gdp_per_capita"].reindex(p.iso3).to_numpy()
    groups = coverage_at(results.groups_on())
    lic = groups["LIC"].to_numpy()
    # Undefined when LIC coverage is 0 (below one person in a billion: float residue).
    ratio = groups["HIC"].to_numpy() / np.where(lic > 1e-9, lic, np.nan)
    # Country panels may keep fewer members than the group totals (outputs.country_members).
    return pd.concat([_frame(p.members, {
        "gini_coverage": gini(cov, p.population),
        "gini_coverage_unweighted": gini(cov),
        "concentration_index": concentration_index(cov, gdp, p.population),
    }), _frame(groups.index.to_numpy(), {"hic_lic_ratio": ratio})], axis=1)


def target_metrics(results: Results) -> pd.DataFrame:
    """Per target ``i`` of ``outcomes.targets``: countries (and population share) at or
    above the target coverage on its date, and days until each income group reached it.

    Columns ``targets.<i>.countries_met``, ``.countries_total``, ``.population_share_met``
    (NaN when the date is after the run's end), ``time_to_target.<i>.<group>`` (days from
    the start, NaN if not reached within the run).
    """
    column = _measure_column(results)
    last = results.panel(column).dates.max()
    cols: dict[str, Any] = {}
    members = None
    for i, t in enumerate(results.scenario.outcomes.targets):
        att = target_attainment(results, t.coverage, column)
        members = att["member"].unique()
        by = pd.Timestamp(t.by)
        if by <= last:
            day = att[att["date"] <= by]
            day = day[day["date"] == day["date"].max()] if len(day) else att[
                att["date"] == att["date"].min()]
            day = day.set_index("member").reindex(members)
            cols[f"targets.{i}.countries_met"] = day["countries_met"].to_numpy(dtype=float)
            cols[f"targets.{i}.population_share_met"] = day["population_share_met"].to_numpy()
        else:
            cols[f"targets.{i}.countries_met"] = np.full(len(members), np.nan)
            cols[f"targets.{i}.population_share_met"] = np.full(len(members), np.nan)
        cols[f"targets.{i}.countries_total"] = np.full(len(members), float(
            att["countries_total"].iloc[0]))
        _, by_group = time_to_target(results, t.coverage)
        for g in GROUPS:
            cols[f"time_to_target.{i}.{g}"] = by_group.reindex(members)[g].to_numpy()
    if members is None:
        return pd.DataFrame(index=pd.Index(np.arange(results.params.n_members), name="member"))
    return _frame(members, cols)


def donation_metrics(results: Results) -> pd.DataFrame:
    """Donated share of each income group's supply: doses donated to its countries (every
    channel in the ``donations`` table) that had arrived by the last day / doses its
    countries received. Donations still in transit at the end (given within the last
    ``delivery_lag_days``) count in neither, so the share is at most 1.

    Runs without a ``donations`` table (no diplomacy mechanism) have no such metric: the
    frame has no columns, so the summary has no ``donated_share_of_supply`` key. Members
    whose flows were not kept (``outputs.country_members``, ``donation.record_flows``)
    get NaN (null), not 0.
    """
    members = pd.Index(np.arange(results.params.n_members), name="member")
    donations = results.donations
    if donations is None:
        return pd.DataFrame(index=members)
    kept = members[results.params.diplomacy.record_flows[members.to_numpy()]]
    attrs = country_attributes(results)
    p = results.panel("doses_received")
    end, values = p.at()                                                # (K, N)
    K, N = values.shape
    # The countries table's last day, as rows (member, country), summed like the table.
    last = pd.DataFrame({"member": np.repeat(p.members, N),
                         "income_group": np.tile(attrs["income_group"].reindex(p.iso3)
                                                 .to_numpy(), K),
                         "doses_received": values.ravel()})
    received = last.pivot_table(index="member", columns="income_group",
                                values="doses_received", aggfunc="sum")
    d = donations.assign(income_group=recipient_attribute(
        donations["recipient"], attrs["income_group"], "income_group"))
    given = d.pivot_table(index="member", columns="income_group", values="doses_arrived",
                          aggfunc="sum").reindex(index=kept, columns=list(INCOME_GROUPS))
    given = given.fillna(0.0).reindex(index=members)
    received = received.reindex(index=members, columns=list(INCOME_GROUPS))
    share = given / received.where(received > 0)
    share["World"] = given.sum(axis=1) / received.sum(axis=1).where(lambda s: s > 0)
    return share[list(GROUPS)].add_prefix("donated_share_of_supply.")


def death_metrics(results: Results) -> pd.DataFrame:
    """Deaths per million by group at the end (``groups.deaths_cum``) and, when the run
    has its no-vaccine counterfactual (``groups.deaths_cum_novax``), deaths averted per
    million: ``1e6 × (deaths_novax − deaths) / population``.

    Runs without an epidemic have no ``deaths_cum`` column: the frame has no columns, so
    the summary has no death metrics (they are not reported as zero).
    """
    groups = results.groups_on()
    members = pd.Index(groups["member"].unique(), name="member")
    if "deaths_cum" not in groups:
        return pd.DataFrame(index=members)
    end = groups[groups["date"] == groups["date"].max()].set_index(["member", "group"])
    parts = [(1e6 * end["deaths_cum"] / end["population"]).unstack("group")[list(GROUPS)]
             .add_prefix("deaths_per_million.")]
    if "deaths_cum_novax" in end:
        averted = 1e6 * (end["deaths_cum_novax"] - end["deaths_cum"]) / end["population"]
        parts.append(averted.unstack("group")[list(GROUPS)]
                     .add_prefix("deaths_averted_per_million."))
    return pd.concat(parts, axis=1).reindex(members)
