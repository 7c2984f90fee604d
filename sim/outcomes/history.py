"""The history check: a run set beside what was observed in 2021 (and, out of sample,
in 2022), series by series.

Observed figures come from two shipped files (provenance in ``sim/data/SOURCES.md``):

- ``observed.csv``: coverage with at least one dose by income group and the world, and
  doses administered worldwide (Our World in Data), the calibration targets;
- ``history.csv``: COVAX deliveries over time, India's exports, China's exports and
  donations, licensees' output, Vietnam's receipts and the 2021 product mix of all doses,
  with ``estimate`` = 1 where the figure is derived (interpolated) rather than printed in
  its source; and, out of sample (never calibration targets), coverage and doses
  administered in mid- and end-2022.

:func:`history_table` gives one row per observation: the model's median (and 5–95%
range over replicates) on that date, the error (percentage points for coverage, relative
otherwise) and the source. Observations outside the run's dates, or about something the
run does not have (a licensee without a licence, no pool), are left out with a reason.

Examples
--------
>>> res = run(load_scenario("scenarios/baseline.yaml"))   # doctest: +SKIP
>>> history_table(res)                                  # doctest: +SKIP
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.data import DATA_DIR
from sim.engine.fields import DIPLOMACY_FIELDS, GROUP_FIELDS, GROUPS

if TYPE_CHECKING:
    from sim.outcomes.results import Results

#: What each series is, for tables and the report.
SERIES = {
    "coverage_first": "people with at least one dose (share of population)",
    "doses_administered": "doses administered, cumulative",
    "covax_delivered": "doses the pool (COVAX) delivered, cumulative",
    "india_exported": "doses India exported, cumulative",
    "china_exported": "doses China exported, cumulative",
    "china_donated": "doses China donated, cumulative",
    "licensed_output": "doses a licensee filled and finished, cumulative",
    "received": "doses a country received, cumulative",
    "product_share": "a product's share of the doses received worldwide, cumulative",
}
#: Series that are shares (errors in percentage points).
SHARES = ("coverage_first", "product_share")
COLUMNS = ("series", "group", "date", "observed", "model", "model_p05", "model_p95",
           "error", "error_unit", "estimate", "source")


def observations() -> pd.DataFrame:
    """Every observed figure: series, group, date, observed, estimate, source, fitted
    (True for the calibration targets of ``observed.csv``, False for the checks of
    ``history.csv``); a fresh copy of the shipped files, read once.
    """
    return _observations().copy()


@cache
def _observations() -> pd.DataFrame:
    obs = pd.read_csv(DATA_DIR / "observed.csv")
    obs = obs.rename(columns={"metric": "series", "value": "observed"}).assign(
        estimate=0, fitted=True)
    hist = pd.read_csv(DATA_DIR / "history.csv").rename(columns={"value": "observed"})
    columns = ["series", "group", "date", "observed", "estimate", "source", "fitted"]
    both = pd.concat([obs[columns], hist.assign(fitted=False)[columns]], ignore_index=True)
    both["date"] = pd.to_datetime(both["date"]).dt.date
    return both


def _real_world(res: Results) -> bool:
    """The run is the whole shipped world from 2021-01-01, the setting the observations
    (and the calibration) describe.
    """
    from sim import data

    world = res.world
    return (str(world.start) == "2021-01-01"
            and set(world.iso3) == set(data.countries()["iso3"]))


def coverage_observed(res: Results) -> pd.DataFrame | None:
    """Observed coverage with at least one dose by group on dates inside the run: date
    (Timestamp), group, observed (share), fitted (True for a calibration target of
    ``observed.csv``, False for an out-of-sample check of ``history.csv``). None unless the
    run is the whole shipped world from 2021-01-01 (:func:`_real_world`): a group's
    observed share describes neither a world cut to some of its countries nor a campaign
    started on another day.
    """
    world = res.world
    if not _real_world(res):
        return None
    obs = observations()
    obs = obs[obs["series"] == "coverage_first"]
    days = np.array([(d - world.start).days for d in obs["date"]])
    obs = obs[(days >= 0) & (days < world.days)].copy()
    obs["date"] = pd.to_datetime(obs["date"])
    return obs[["date", "group", "observed", "fitted"]].reset_index(drop=True)


def deaths_observed(res: Results) -> pd.DataFrame | None:
    """Observed excess deaths since 2021-01-01 per million people, for the cumulative
    deaths plot: date (Timestamp), group, per_million, low, high (95% range), fitted.

    - by income group on 2021-06-28 and 2021-12-31 (The Economist's model,
      ``observed_deaths.csv``: the epidemic's calibration targets, fitted);
    - the world on 2022-12-31 (never fitted): the groups' 2021 sum plus 2022's 2.8-3.0 M
      (``excess_deaths_2022.csv``), its range the groups' 95% bounds summed plus that
      span.

    None unless the run is the whole shipped world from 2021-01-01 with an epidemic (the
    observations count from then, for those people).
    """
    world = res.world
    if res.trajectories.epi_groups is None or not _real_world(res):
        return None
    pops = {g: float(world.population[world.group_index == i].sum())
            for i, g in enumerate(GROUPS[1:])}
    pops["World"] = float(world.population.sum())
    deaths = pd.read_csv(DATA_DIR / "observed_deaths.csv")
    rows = [(d, g, v, lo, hi, True) for d, g, v, lo, hi in
            deaths[["date", "group", "value", "low", "high"]].itertuples(index=False)]
    year = deaths[deaths["date"] == deaths["date"].max()]
    later = pd.read_csv(DATA_DIR / "excess_deaths_2022.csv", comment="#")
    later = later.loc[(later["scope"] == "World") & (later["year"] == 2022), "value"]
    rows.append(("2022-12-31", "World", year["value"].sum() + later.mean(),
                 year["low"].sum() + later.min(), year["high"].sum() + later.max(), False))
    out = pd.DataFrame(rows, columns=["date", "group", "deaths", "low", "high", "fitted"])
    out["date"] = pd.to_datetime(out["date"])
    out = out[(out["date"] - pd.Timestamp(world.start)).dt.days < world.days]
    per_m = 1e6 / out["group"].map(pops).astype(float)
    return pd.DataFrame({"date": out["date"], "group": out["group"],
                         "per_million": out["deaths"] * per_m, "low": out["low"] * per_m,
                         "high": out["high"] * per_m,
                         "fitted": out["fitted"]}).reset_index(drop=True)


def _series(res: Results, series: str, group: str) -> np.ndarray | None:
    """(E, D) the model's values of one series, or None when the run does not have it."""
    traj, world = res.trajectories, res.world
    if series in ("coverage_first", "doses_administered"):
        g = GROUPS.index(group)
        if series == "doses_administered":
            return traj.groups[:, :, g, GROUP_FIELDS.index("doses_administered")]
        return res.group_series("coverage_first")[:, :, g]
    if series == "covax_delivered":
        if not traj.diplomacy.size or not res.params.diplomacy.any_pool:
            return None
        return traj.diplomacy[:, :, DIPLOMACY_FIELDS.index("pool_delivered_cum")]
    if series in ("india_exported", "china_exported"):
        code = "IND" if series == "india_exported" else "CHN"
        if code not in set(world.producers):
            return None
        return traj.exported_cum[:, :, world.producer_index(code)]
    if series == "china_donated":
        if "CHN" not in set(world.iso3) or res.donations is None:
            return None
        return _donated_by(res, "CHN")
    if series == "licensed_output":
        d = res.params.diplomacy
        if group not in set(world.iso3) or not (d.lic_country == world.index([group])[0]).any():
            return None
        return _country_series(res, group, "doses_licensed")
    if series == "received":
        if group not in set(world.iso3):
            return None
        return _country_series(res, group, "doses_received")
    if series == "product_share":
        return _product_share(res, group)
    return None


def _product_share(res: Results, group: str) -> np.ndarray | None:
    """(E, D) share of the doses received worldwide that were of the products whose names
    start with ``group`` ('+'-separated), or None when the run tracks no products.
    """
    byq = res.trajectories.products
    pp = res.params.products
    if byq is None or pp is None:
        return None
    names = [str(n).lower() for n in pp.names]
    pick = [any(n.startswith(g.strip().lower()) for g in group.split("+")) for n in names]
    total = byq.sum(axis=2)
    return np.divide(byq[:, :, pick].sum(axis=2), total, out=np.zeros_like(total),
                     where=total > 0)


def _donated_by(res: Results, donor: str) -> np.ndarray | None:
    """(K, D) cumulative bilateral donations of ``donor`` by day, for the K members whose
    flows were kept (``outputs.country_members``); None when no member kept them.
    """
    don = res.donations_by_day
    D = res.trajectories.groups.shape[1]
    kept = np.flatnonzero(res.params.diplomacy.record_flows)
    if not len(kept):
        return None
    out = np.zeros((len(kept), D))
    if don is None:
        return out
    mine = don[(don["donor"] == donor) & (don["channel"] == "bilateral")]
    if mine.empty:
        return out
    row = np.searchsorted(kept, mine["member"].to_numpy())
    day = (pd.to_datetime(mine["date"]) - pd.Timestamp(res.world.start)).dt.days.to_numpy()
    np.add.at(out, (row, day), mine["doses"].to_numpy())
    return np.cumsum(out, axis=1)


def _country_series(res: Results, iso3: str, field: str) -> np.ndarray:
    """(E, D) a per-country record (``COUNTRY_FIELDS``) of one country, held constant
    between recorded (weekly) days.
    """
    from sim.engine.record import COUNTRY_FIELDS

    traj, world = res.trajectories, res.world
    n = int(world.index([iso3])[0])
    rec = traj.countries[:, :, n, COUNTRY_FIELDS.index(field)]               # (E, W)
    D = traj.groups.shape[1]
    slot = np.searchsorted(traj.country_days, np.arange(D), side="right") - 1
    return np.where(slot[None] >= 0, rec[:, np.maximum(slot, 0)], 0.0)


def supply_series(res: Results) -> list[tuple[str, str, np.ndarray, pd.DataFrame]]:
    """The supply series of the history check the run has, for plotting.

    Returns (series, group, model values (E, D), its observations) per series and group,
    in the order of :data:`SERIES` (coverage and doses, drawn elsewhere, left out).
    """
    obs = observations()
    out = []
    for key, rows in obs.groupby(["series", "group"], sort=False):
        series, group = str(key[0]), str(key[1])
        if series in ("coverage_first", "doses_administered", "product_share"):
            continue
        values = _series(res, series, group)
        if values is not None:
            out.append((series, group, values, rows))
    order = list(SERIES)
    return sorted(out, key=lambda x: (order.index(x[0]), x[1]))


def history_table(res: Results) -> pd.DataFrame:
    """The history check of a run (see the module docstring), one row per observation
    inside the run's dates that the run can speak to.
    """
    obs = observations()
    start, D = res.world.start, res.trajectories.groups.shape[1]
    rows = []
    for r in obs.to_dict("records"):
        series, group, date = str(r["series"]), str(r["group"]), r["date"]
        observed = float(r["observed"])
        day = (date - start).days
        if not 0 <= day < D:
            continue
        values = _series(res, series, group)
        if values is None:
            continue
        v = values[:, day]
        median = float(np.median(v))
        pp = series in SHARES
        error = 100 * (median - observed) if pp else (median - observed) / observed
        rows.append((series, group, date, observed, median,
                     float(np.percentile(v, 5)), float(np.percentile(v, 95)), error,
                     "pp" if pp else "relative", int(r["estimate"]), str(r["source"])))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def history_rows(table: pd.DataFrame) -> list[list[str]]:
    """Formatted rows (series, group, date, observed, model [5–95%], error, source)."""
    def fmt(series: str, x: float) -> str:
        return f"{100 * x:.1f}%" if series in SHARES else f"{x / 1e6:,.1f} M"

    out = []
    for r in table.to_dict("records"):
        series = str(r["series"])
        lo, hi = float(r["model_p05"]), float(r["model_p95"])
        band = f" [{fmt(series, lo)}–{fmt(series, hi)}]" if hi > lo else ""
        error = float(r["error"])
        err = f"{error:+.1f} pp" if r["error_unit"] == "pp" else f"{100 * error:+.0f}%"
        out.append([series, str(r["group"]), str(r["date"]),
                    fmt(series, float(r["observed"])) + (" (est.)" if r["estimate"] else ""),
                    fmt(series, float(r["model"])) + band, err, str(r["source"])])
    return out
