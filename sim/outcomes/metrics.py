"""Outcome metrics: pure functions of results tables, per member, then summarized.

Each ``*_metrics(results)`` function returns one row per member and one column per
scalar metric (nested names joined with '.'); :func:`member_metrics` concatenates them.
With several members (replicates), ``summary.json`` reports each metric's median over
members and, under ``quantiles``, its 5th and 95th percentiles.

Coverage here is the share of a population with at least one dose unless a name says
``completed``. The inequality arithmetic lives in :mod:`sim.outcomes.inequality`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.record import GROUPS
from sim.outcomes import formatting
from sim.outcomes.diplomacy_metrics import diplomacy_metrics, diplomacy_summary
from sim.outcomes.epidemic_metrics import epidemic_member_metrics, epidemic_rows
from sim.outcomes.inequality import concentration_index, gini
from sim.scenario.schema import INCOME_GROUPS, WHO_REGIONS

if TYPE_CHECKING:
    from sim.outcomes.results import Results


# --------------------------------------------------------------------------- table helpers
def coverage_at(groups: pd.DataFrame, date: Any | None = None,
                column: str = "coverage_first") -> pd.DataFrame:
    """(members × groups) coverage on ``date`` (default: the last day)."""
    date = groups["date"].max() if date is None else pd.Timestamp(date)
    day = groups[groups["date"] == date]
    return day.pivot(index="member", columns="group", values=column)[list(GROUPS)]


def ledger_end(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger's last day, one row per member."""
    return ledger[ledger["date"] == ledger["date"].max()].set_index("member")


@dataclass(frozen=True)
class Panel:
    """A per-country quantity as an array, from the long ``countries`` table.

    Attributes
    ----------
    members : (E,) member ids
    dates : (W,) recorded dates
    iso3 : (N,) countries, in the table's order
    population : (N,) people
    values : (E, W, N) the quantity
    """

    members: np.ndarray
    dates: pd.DatetimeIndex
    iso3: np.ndarray
    population: np.ndarray
    values: np.ndarray

    def at(self, date: Any | None = None) -> tuple[pd.Timestamp, np.ndarray]:
        """(date used, (E, N) values) on the last recorded date on or before ``date``
        (default the last one); the first date if ``date`` is earlier than every record.
        """
        if date is None:
            w = len(self.dates) - 1
        else:
            w = max(int(self.dates.searchsorted(pd.Timestamp(date), side="right")) - 1, 0)
        return self.dates[w], self.values[:, w]


def country_panel(countries: pd.DataFrame, column: str = "coverage_first") -> Panel:
    """The ``countries`` table's ``column`` as an (E, W, N) :class:`Panel`.

    ``coverage_completed`` is derived (completed / population) if the table lacks it.
    """
    m_codes, members = pd.factorize(countries["member"], sort=True)
    d_codes, dates = pd.factorize(countries["date"], sort=True)
    c_codes, iso3 = pd.factorize(countries["iso3"])
    if column == "coverage_completed" and column not in countries:
        vals = (countries["completed"] / countries["population"]).to_numpy(dtype=float)
    else:
        vals = countries[column].to_numpy(dtype=float)
    values = np.full((len(members), len(dates), len(iso3)), np.nan)
    values[m_codes, d_codes, c_codes] = vals
    population = np.zeros(len(iso3))
    population[c_codes] = countries["population"].to_numpy(dtype=float)
    return Panel(np.asarray(members), pd.DatetimeIndex(dates), np.asarray(iso3, dtype=str),
                 population, values)


def country_attributes(results: Results) -> pd.DataFrame:
    """Static attributes per country (index iso3): name, income_group, who_region,
    gdp_per_capita (US$), population.
    """
    w = results.world
    return pd.DataFrame({"name": w.name, "income_group": w.income_group,
                         "who_region": w.who_region, "gdp_per_capita": w.gdp_per_capita,
                         "population": w.population}, index=pd.Index(w.iso3, name="iso3"))


def _frame(members: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(members, name="member"))


# --------------------------------------------------------------------------- equity over time
def gini_over_time(countries: pd.DataFrame, column: str = "coverage_first") -> pd.DataFrame:
    """Gini of country coverage on every recorded date, both conventions.

    Returns
    -------
    DataFrame with member, date, gini_weighted (population-weighted: people as units),
    gini_unweighted (countries as units); see :func:`sim.outcomes.inequality.gini`.
    """
    p = country_panel(countries, column)
    E, W, _ = p.values.shape
    return pd.DataFrame({
        "member": np.repeat(p.members, W),
        "date": np.tile(p.dates, E),
        "gini_weighted": gini(p.values, p.population).ravel(),
        "gini_unweighted": gini(p.values).ravel(),
    })


def coverage_by(countries: pd.DataFrame, labels: pd.Series, date: Any | None = None,
                column: str = "coverage_first") -> pd.DataFrame:
    """Population-weighted coverage of groups of countries on ``date``.

    ``coverage_g = Σ_{i∈g} pop_i c_i / Σ_{i∈g} pop_i``.

    Parameters
    ----------
    countries : the ``countries`` table
    labels : group label per iso3 (e.g. WHO region)
    date : last recorded date on or before it is used (default the last)

    Returns
    -------
    (members × labels) coverage
    """
    p = country_panel(countries, column)
    _, values = p.at(date)
    lab = labels.reindex(p.iso3).to_numpy()
    out = {}
    for g in pd.unique(lab[pd.notna(lab)]):
        sel = lab == g
        out[g] = (values[:, sel] * p.population[sel]).sum(axis=-1) / p.population[sel].sum()
    return _frame(p.members, out)


def target_attainment(countries: pd.DataFrame, coverage: float,
                      column: str = "coverage_completed") -> pd.DataFrame:
    """Countries at or above ``coverage`` on every recorded date.

    Returns
    -------
    DataFrame with member, date, countries_met, countries_total, population_share_met
    (share of the world's population living in countries that met it)
    """
    p = country_panel(countries, column)
    met = p.values >= coverage                                   # (E, W, N)
    E, W, N = met.shape
    return pd.DataFrame({
        "member": np.repeat(p.members, W),
        "date": np.tile(p.dates, E),
        "countries_met": met.sum(axis=-1).ravel(),
        "countries_total": np.full(E * W, N),
        "population_share_met": ((met * p.population).sum(axis=-1)
                                 / p.population.sum()).ravel(),
    })


def first_reached(values: np.ndarray, threshold: float, days: np.ndarray) -> np.ndarray:
    """Day each series first reaches ``threshold``.

    Parameters
    ----------
    values : (..., W) series over recorded dates
    days : (W,) day index of each record

    Returns
    -------
    (...,) day index (float), NaN where never reached
    """
    hit = values >= threshold
    first = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), np.asarray(days, dtype=float)[first], np.nan)


def time_to_target(results: Results, coverage: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Days from the start until ``coverage`` (of ``outcomes.target_measure``) is reached.

    Returns
    -------
    by_country : (members × iso3) days, NaN if never reached within the run (resolution:
        the countries table's recording interval)
    by_group : (members × World/HIC/…/LIC) days, NaN if never reached (daily resolution)
    """
    column = _measure_column(results)
    p = country_panel(results.countries, column)
    start = pd.Timestamp(results.scenario.start)
    days = (p.dates - start).days.to_numpy()
    per_country = first_reached(np.moveaxis(p.values, 1, -1), coverage, days)  # (E, N)
    by_country = pd.DataFrame(per_country, index=pd.Index(p.members, name="member"),
                              columns=p.iso3)
    g = results.groups.pivot_table(index=["member", "group"], columns="date", values=column)
    gdays = (pd.DatetimeIndex(g.columns) - start).days.to_numpy()
    reached = pd.Series(first_reached(g.to_numpy(), coverage, gdays), index=g.index)
    by_group = reached.unstack("group").reindex(columns=list(GROUPS))
    return by_country, by_group


def _measure_column(results: Results) -> str:
    return {"first_dose": "coverage_first", "completed": "coverage_completed"}[
        results.scenario.outcomes.target_measure]


# --------------------------------------------------------------------------- per-member metrics
def coverage_metrics(results: Results) -> pd.DataFrame:
    """Final coverage by income group (≥1 dose and completed), by WHO region, on the
    reporting dates (``outcomes.dates``), and doses administered per 100 people by group.
    """
    groups = results.groups
    cov = coverage_at(groups).add_prefix("coverage_final.")
    cov_c = coverage_at(groups, column="coverage_completed").add_prefix(
        "coverage_completed_final.")
    end = groups[groups["date"] == groups["date"].max()]
    per100 = (100 * end["doses_administered"] / end["population"]).to_numpy()
    per100 = pd.DataFrame({"member": end["member"].to_numpy(), "group": end["group"].to_numpy(),
                           "v": per100}).pivot(index="member", columns="group", values="v")
    parts = [cov, cov_c, per100[list(GROUPS)].add_prefix("doses_per_100.")]
    region = country_attributes(results)["who_region"]
    parts.append(coverage_by(results.countries, region)
                 .reindex(columns=[r for r in WHO_REGIONS if r in set(region)])
                 .add_prefix("coverage_region_final."))
    last = groups["date"].max()
    for d in results.scenario.outcomes.dates:
        ts = pd.Timestamp(d)
        if ts > last or ts < groups["date"].min():
            continue
        key = f"coverage_on.{ts.date().isoformat()}."
        parts.append(coverage_at(groups, ts).add_prefix(key))
        parts.append(coverage_by(results.countries, region, ts).add_prefix(key))
    return pd.concat(parts, axis=1)


def flow_metrics(results: Results) -> pd.DataFrame:
    """Doses produced, administered, expired, left in country stock and unsold; the share
    of produced doses that expired.
    """
    end = ledger_end(results.ledger)
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
    p = country_panel(results.countries, "coverage_first")
    _, cov = p.at()
    gdp = country_attributes(results)["gdp_per_capita"].reindex(p.iso3).to_numpy()
    groups = coverage_at(results.groups)
    lic = groups["LIC"].to_numpy()
    # Undefined when LIC coverage is 0 (below one person in a billion: float residue).
    ratio = groups["HIC"].to_numpy() / np.where(lic > 1e-9, lic, np.nan)
    return _frame(p.members, {
        "gini_coverage": gini(cov, p.population),
        "gini_coverage_unweighted": gini(cov),
        "concentration_index": concentration_index(cov, gdp, p.population),
        "hic_lic_ratio": ratio,
    })


def target_metrics(results: Results) -> pd.DataFrame:
    """Per target ``i`` of ``outcomes.targets``: countries (and population share) at or
    above the target coverage on its date, and days until each income group reached it.

    Columns ``targets.<i>.countries_met``, ``.countries_total``, ``.population_share_met``
    (NaN when the date is after the run's end), ``time_to_target.<i>.<group>`` (days from
    the start, NaN if not reached within the run).
    """
    column = _measure_column(results)
    last = results.countries["date"].max()
    cols: dict[str, Any] = {}
    members = None
    for i, t in enumerate(results.scenario.outcomes.targets):
        att = target_attainment(results.countries, t.coverage, column)
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
        return pd.DataFrame(index=pd.Index(results.ledger["member"].unique(), name="member"))
    return _frame(members, cols)


def donation_metrics(results: Results) -> pd.DataFrame:
    """Donated share of each income group's supply: doses donated to its countries (every
    channel in the ``donations`` table) that had arrived by the last day / doses its
    countries received. Donations still in transit at the end (given within the last
    ``delivery_lag_days``) count in neither, so the share is at most 1.

    Runs without a ``donations`` table (no diplomacy mechanism) have no such metric: the
    frame has no columns, so the summary has no ``donated_share_of_supply`` key.
    """
    members = pd.Index(results.ledger["member"].unique(), name="member")
    donations = results.tables().get("donations")
    if donations is None:
        return pd.DataFrame(index=members)
    attrs = country_attributes(results)
    last = results.countries[results.countries["date"] == results.countries["date"].max()]
    received = last.pivot_table(index="member", columns="income_group",
                                values="doses_received", aggfunc="sum")
    arrived = last["date"].max() - pd.Timedelta(days=results.scenario.uptake.delivery_lag_days)
    donations = donations[pd.to_datetime(donations["date"]) <= arrived]
    d = donations.assign(income_group=donations["recipient"].map(attrs["income_group"]))
    given = d.pivot_table(index="member", columns="income_group", values="doses",
                          aggfunc="sum").reindex(index=members, columns=list(INCOME_GROUPS))
    given = given.fillna(0.0)
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
    groups = results.groups
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


def member_metrics(results: Results) -> pd.DataFrame:
    """One row per member, one column per scalar metric (nested ones flattened with '.').

    Each mechanism adds one line below with its own ``*_metrics(results)`` frame.
    """
    return pd.concat([
        coverage_metrics(results),
        flow_metrics(results),
        equity_metrics(results),
        target_metrics(results),
        donation_metrics(results),
        death_metrics(results),
        diplomacy_metrics(results),
        epidemic_member_metrics(results),
    ], axis=1)


# --------------------------------------------------------------------------- summary
def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def _number(v: Any) -> float | None:
    """A JSON-safe float: NaN and ±inf become None (null: undefined or not reached)."""
    v = float(v)
    return v if math.isfinite(v) else None


def _targets_list(metrics: dict[str, Any], results: Results) -> list[dict[str, Any]]:
    """``targets`` as a list of {coverage, by, measure, countries_met, countries_total,
    population_share_met} (met counts null when the date is after the run's end).
    """
    flat = metrics.pop("targets", {})
    out = []
    for i, t in enumerate(results.scenario.outcomes.targets):
        row = flat.get(str(i), {})
        out.append({"coverage": t.coverage, "by": t.by.isoformat(),
                    "measure": results.scenario.outcomes.target_measure,
                    "countries_met": row.get("countries_met"),
                    "countries_total": row.get("countries_total"),
                    "population_share_met": row.get("population_share_met")})
    return out


def summarize(results: Results) -> dict[str, Any]:
    """The content of ``summary.json``."""
    per_member = member_metrics(results)
    median = {k: _number(v) for k, v in per_member.median().items()}
    s = results.scenario
    metrics = _nest(median)
    metrics["targets"] = _targets_list(metrics, results)
    metrics.update(diplomacy_summary(results))
    out: dict[str, Any] = {
        "scenario": s.name,
        "description": s.description,
        "seed": s.seed,
        "replicates": int(results.params.n_members),
        "start": s.start.isoformat(),
        "days": s.days,
        "conventions": {
            "coverage": "share of population with at least one dose, unless 'completed'",
            "gini_coverage": "population-weighted Gini of country coverage (people as "
                             "units; Lorenz curve of vaccinated people against population)",
            "gini_coverage_unweighted": "Gini of country coverage with countries as units",
            "concentration_index": "coverage ranked by GDP per capita, population-weighted; "
                                   "> 0 means the rich are better covered",
            "hic_lic_ratio": "high-income / low-income coverage; null if LIC coverage is 0",
        },
        "metrics": metrics,
    }
    if results.params.n_members > 1:
        q = per_member.quantile([0.05, 0.95])
        quant = _nest({
            k: {"p05": _number(q.loc[0.05, k]), "p95": _number(q.loc[0.95, k])}
            for k in per_member.columns})
        quant.pop("targets", None)
        out["quantiles"] = quant
    return out


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) pairs of the key metrics, for printing and the report;
    with several replicates each value is "median [5–95%]" (:mod:`sim.outcomes.formatting`).

    Metrics a run does not have (older results, no epidemic, no donations) are left out.
    """
    m = summary["metrics"]
    q = summary.get("quantiles") or {}

    def cell(path: str, unit: str) -> str:
        mid, band = m, q
        for part in path.split("."):
            mid = mid.get(part) if isinstance(mid, dict) else None
            band = band.get(part, {}) if isinstance(band, dict) else {}
        return formatting.with_band(mid, band.get("p05"), band.get("p95"), unit)

    rows = [(f"coverage ≥1 dose, {g}", cell(f"coverage_final.{g}", "share")) for g in GROUPS]
    for key in ("doses_produced", "doses_administered", "doses_expired", "doses_in_stock_end"):
        rows.append((key.replace("_", " "), cell(key, "count")))
    if "gini_coverage" in m:
        rows += [("Gini of coverage, population-weighted", cell("gini_coverage", "index")),
                 ("Gini of coverage, countries unweighted",
                  cell("gini_coverage_unweighted", "index")),
                 ("concentration index (by GDP per capita)",
                  cell("concentration_index", "signed_index")),
                 ("HIC / LIC coverage ratio", cell("hic_lic_ratio", "ratio"))]
    for t in m.get("targets", []):
        label = f"{100 * t['coverage']:.0f}% {t['measure'].replace('_', ' ')} by {t['by']}"
        if t["countries_met"] is None:
            rows.append((label, "after run end"))
        else:
            rows.append((label, f"{formatting.countries(t['countries_met'])}/"
                         f"{formatting.countries(t['countries_total'])} countries, "
                         f"{formatting.share(t['population_share_met'])} of people"))
    if "deaths_per_million" in m:
        rows.append(("deaths per million, World", cell("deaths_per_million.World",
                                                       "per_million")))
    if "deaths_averted_per_million" in m:
        rows.append(("deaths averted per million, World",
                     cell("deaths_averted_per_million.World", "per_million")))
    if "donated_share_of_supply" in m:
        rows.append(("donated share of LIC supply", cell("donated_share_of_supply.LIC",
                                                         "share")))
    return rows + epidemic_rows(m, q)


def ledger_residual(ledger: pd.DataFrame) -> np.ndarray:
    """Relative error of produced = administered + expired + stocks + transit, per row."""
    rhs = ledger[["administered_cum", "expired_cum", "stock_countries", "stock_pool",
                  "in_transit", "stock_producers"]].sum(axis=1)
    return (np.abs(ledger["produced_cum"] - rhs) / np.maximum(ledger["produced_cum"], 1.0)
            ).to_numpy()
