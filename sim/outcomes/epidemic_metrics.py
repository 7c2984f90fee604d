"""Epidemic outcome metrics: infections, deaths and deaths averted, per member.

Deaths averted pair each member with its no-vaccine twin (same seed, run in the same
batch; see :mod:`sim.engine.counterfactual`): ``deaths(twin) − deaths(member)``.
Hooked into :mod:`sim.outcomes.metrics` (``member_metrics``, ``summary_rows``) with one line each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.epi_record import BANDS, EPI_GROUP_FIELDS
from sim.engine.record import GROUPS, Trajectories

if TYPE_CHECKING:  # pandas only where a table is built (epidemic_rows prints without it)
    import pandas as pd

    from sim.outcomes.results import Results


def epidemic_group_columns(traj: Trajectories,
                           counterfactual: Trajectories | None = None) -> dict[str, np.ndarray]:
    """Columns for the ``groups`` table, in its (member, date, group) row order (people):
    daily ``infections``, ``deaths``, ``deaths_cum`` and, with the no-vaccine twins,
    ``deaths_cum_novax``. Empty when the epidemic is off.
    """
    if traj.epi_groups is None:
        return {}
    g = traj.epi_groups
    flat = g.reshape(-1, g.shape[-1])
    cols = {name: flat[:, i] for i, name in enumerate(EPI_GROUP_FIELDS)}
    if counterfactual is not None and counterfactual.epi_groups is not None:
        cols["deaths_cum_novax"] = counterfactual.epi_groups[
            ..., EPI_GROUP_FIELDS.deaths_cum].reshape(-1)
    return cols


def _totals(traj: Trajectories) -> tuple[np.ndarray, np.ndarray]:
    """(E, G) infections over the run and deaths at the end, by group."""
    g = traj.epi_groups
    if g is None:
        raise ValueError("the run has no epidemic records")
    F = EPI_GROUP_FIELDS
    return g[:, :, :, F.infections].sum(axis=1), g[:, -1, :, F.deaths_cum]


#: Days at the end of a run whose share of its deaths tells whether a wave was still
#: running when it stopped (:func:`end_shares`, :func:`epidemic_rows`).
END_DAYS = 28
#: A run (or its twin) whose last :data:`END_DAYS` days die at this many times its
#: average daily pace or more gets a warning in the printed summary and the report.
END_PACE_WARNING = 2.0


def end_shares(traj: Trajectories) -> np.ndarray:
    """(E,) share of each member's World deaths that fall in the run's last
    :data:`END_DAYS` days (NaN without deaths or with a run of :data:`END_DAYS` days or
    fewer).
    """
    g = traj.epi_groups
    if g is None:
        raise ValueError("the run has no epidemic records")
    cum = g[:, :, 0, EPI_GROUP_FIELDS.deaths_cum]                        # (E, D)
    if cum.shape[1] <= END_DAYS:
        return np.full(cum.shape[0], np.nan)
    end, before = cum[:, -1], cum[:, -1 - END_DAYS]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(end > 0, (end - before) / end, np.nan)


def epidemic_member_metrics(results: Results) -> pd.DataFrame:
    """One row per member: ``infections``, ``deaths``, ``deaths_averted`` (World) and
    ``deaths_by_group.<g>``, ``deaths_averted_by_group.<g>``, ``deaths_by_band.<b>``,
    ``deaths_averted_by_band.<b>`` (World, bands 0_19, 20_64, 65plus) (people);
    ``deaths_last_4_weeks_share`` and, with the twins, ``deaths_no_vaccine_last_4_weeks_share``
    (:func:`end_shares`); on each reporting date inside the run
    ``deaths_on.<date>.<g>`` and ``deaths_averted_on.<date>.<g>`` (cumulative since the
    start); no columns when the epidemic is off. Deaths averted are left out when no
    counterfactual was run.
    """
    import pandas as pd

    traj = results.trajectories
    if traj.epi_groups is None:
        return pd.DataFrame(index=pd.RangeIndex(results.params.n_members, name="member"))
    infections, deaths = _totals(traj)
    cols: dict[str, Any] = {"infections": infections[:, 0], "deaths": deaths[:, 0],
                            "deaths_last_4_weeks_share": end_shares(traj)}
    cf = getattr(results, "counterfactual", None)  # sweeps pass a results-like view
    if cf is not None and cf.epi_groups is not None:
        averted = _totals(cf)[1] - deaths
        cols["deaths_averted"] = averted[:, 0]
        cols["deaths_no_vaccine"] = _totals(cf)[1][:, 0]
        cols["deaths_no_vaccine_last_4_weeks_share"] = end_shares(cf)
    for i, g in enumerate(GROUPS):
        cols[f"deaths_by_group.{g}"] = deaths[:, i]
    if "deaths_averted" in cols:
        for i, g in enumerate(GROUPS):
            cols[f"deaths_averted_by_group.{g}"] = averted[:, i]
    for date, day in results.world.days_of(results.scenario.outcomes.dates):
        cum = traj.epi_groups[:, day, :, EPI_GROUP_FIELDS.deaths_cum]        # (E, G)
        for i, g in enumerate(GROUPS):
            cols[f"deaths_on.{date}.{g}"] = cum[:, i]
        if cf is not None and cf.epi_groups is not None:
            twin = cf.epi_groups[:, day, :, EPI_GROUP_FIELDS.deaths_cum]
            for i, g in enumerate(GROUPS):
                cols[f"deaths_averted_on.{date}.{g}"] = twin[:, i] - cum[:, i]
    if traj.epi_bands is not None:
        bands = traj.epi_bands[:, -1, 0]                                  # (E, A) World
        for a, b in enumerate(BANDS):
            cols[f"deaths_by_band.{b}"] = bands[:, a]
        if cf is not None and cf.epi_bands is not None:
            for a, b in enumerate(BANDS):
                cols[f"deaths_averted_by_band.{b}"] = cf.epi_bands[:, -1, 0, a] - bands[:, a]
    return pd.DataFrame(cols, index=pd.RangeIndex(len(deaths), name="member"))


def epidemic_rows(metrics: dict[str, Any], cell: Callable[[str, str], str],
                  days: int | None = None) -> list[tuple[str, str]]:
    """(label, value) lines for the printed summary, each value from ``cell(path, unit)``
    (the summary's "median [5–95%]" of a metric path: ``5.69 bn [5.60–5.75]``); none
    when the epidemic is off. Deaths (and deaths averted) by each reporting date. With the
    run's ``days``, a warning line when the run or its no-vaccine twin ends in a wave: its
    last :data:`END_DAYS` days die at :data:`END_PACE_WARNING` times its average daily
    pace or more, so its deaths (or the deaths averted) depend on where the run stops.
    """
    from sim.outcomes import formatting

    rows = [(key.replace("_", " "), cell(key, "count"))
            for key in ("infections", "deaths", "deaths_averted") if key in metrics]
    averted = metrics.get("deaths_averted_on", {})
    for date in metrics.get("deaths_on", {}):
        text = cell(f"deaths_on.{date}.World", "count")
        if date in averted:
            text += "; averted " + cell(f"deaths_averted_on.{date}.World", "count")
        rows.append((f"deaths by {date}, World", text))
    if days is not None and days > END_DAYS:
        waves = []
        for key, who, what in (("deaths_last_4_weeks_share", "the run", "its deaths"),
                               ("deaths_no_vaccine_last_4_weeks_share",
                                "the no-vaccine twin", "deaths averted")):
            share = metrics.get(key)
            if share is not None and share * days / END_DAYS >= END_PACE_WARNING:
                waves.append(f"{who} has {formatting.share(share)} of its deaths in the "
                             f"last 4 weeks ({share * days / END_DAYS:.1f}× its average "
                             f"pace): {what} depend on where the run stops")
        if waves:
            rows.append(("wave at the end of the run", "; ".join(waves)))
    return rows
