"""Diplomacy outcomes from the diplomacy ledger: the ``donations`` table (totals per
donor → recipient pair) and ``donations_by_day`` (per donor and day), per-member totals
(doses donated bilaterally, delivered by the pool, filled under licence), each donor's reach,
each recipient's donated share by donor, and the influence index per donor–recipient pair.

Country codes in the tables are ISO3; the pool is ``POOL``. Channels: ``bilateral`` (donor
country → recipient) and ``pool`` (country → ``POOL`` contributions, ``POOL`` → country
deliveries).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.build.diplomacy_params import mechanisms_on
from sim.engine.build.params import Params
from sim.engine.flows import CHANNELS, POOL, TOTAL_COLUMNS, WHOLE_RUN
from sim.engine.record import DIPLOMACY_FIELDS, Trajectories
from sim.world.recipient_groups import GROUP_PREFIX
from sim.world.world import World

if TYPE_CHECKING:
    from sim.outcomes.results import Results

POOL_CODE = "POOL"


def _coder(world: World, params: Params | None = None):
    """Codes of country indices: ISO3, ``N + c`` the name of recipient group ``c``
    (:mod:`sim.world.recipient_groups`, worlds above its ``PAIR_LIMIT``), -1 the pool.
    """
    groups = np.zeros(0, dtype=str) if params is None else params.diplomacy.recipient_groups.names
    codes = np.concatenate([world.iso3, groups, [POOL_CODE]])  # -1 (POOL): the last

    def code(idx: np.ndarray) -> np.ndarray:
        i = idx.astype(int)
        return codes[np.where(i == POOL, len(codes) - 1, i)]

    return code


def donations_table(world: World, traj: Trajectories,
                    params: Params | None = None) -> pd.DataFrame | None:
    """The ``donations`` table, one row per member and donor → recipient pair and channel
    over the whole run: member, donor, recipient, channel, doses, doses_arrived (given at
    least the delivery lag before the last day), influence (on the last day, each dose
    weighted by 0.5 ** (days since given / the member's donation half-life)); None when
    ``params`` has no diplomacy mechanism on (absent, not zero).

    On worlds of more than :data:`~sim.world.recipient_groups.PAIR_LIMIT` countries a
    bilateral row's recipient is a recipient group, ``group:<WHO region>:<income group>``
    (the sum over its countries), not a country; pool rows stay per country.
    """
    if params is not None and not mechanisms_on(params):
        return None
    f = traj.flows
    f = f[f[:, TOTAL_COLUMNS.day] == WHOLE_RUN]
    col = {c: f[:, i] for i, c in enumerate(TOTAL_COLUMNS)}
    code = _coder(world, params)
    return pd.DataFrame({
        "member": col["member"].astype(int),
        "donor": code(col["donor"]),
        "recipient": code(col["recipient"]),
        "channel": np.array(CHANNELS)[col["channel"].astype(int)],
        "doses": col["doses"],
        "doses_arrived": col["arrived"],
        "influence": col["influence"],
    })


def donations_by_day_table(world: World, traj: Trajectories,
                           params: Params | None = None) -> pd.DataFrame | None:
    """The ``donations_by_day`` table: member, date, donor, channel, doses (what each
    donor gave that day, over all its recipients; the pool gives in channel ``pool``);
    None when ``params`` has no diplomacy mechanism on.
    """
    if params is not None and not mechanisms_on(params):
        return None
    f = traj.flows
    f = f[f[:, TOTAL_COLUMNS.day] != WHOLE_RUN]
    col = {c: f[:, i] for i, c in enumerate(TOTAL_COLUMNS)}
    return pd.DataFrame({
        "member": col["member"].astype(int),
        "date": world.dates[col["day"].astype(int)],
        "donor": _coder(world)(col["donor"]),
        "channel": np.array(CHANNELS)[col["channel"].astype(int)],
        "doses": col["doses"],
    })


def recipient_attribute(recipients: pd.Series, by_country: pd.Series,
                        part: str) -> pd.Series:
    """Each recipient's ``part`` (``"who_region"`` or ``"income_group"``): a country's
    from ``by_country`` (indexed by ISO3), a recipient group's from its name.
    """
    out = recipients.map(by_country)
    group = recipients.str.startswith(GROUP_PREFIX)
    if group.any():
        field = 1 if part == "who_region" else 2
        out = out.where(~group, recipients.str.split(":").str[field])
    return out


def diplomacy_totals(traj: Trajectories) -> pd.DataFrame:
    """(E, D) cumulative totals as a frame indexed by member and day index."""
    E, D, K = traj.diplomacy.shape
    idx = pd.MultiIndex.from_product([np.arange(E), np.arange(D)], names=["member", "day"])
    return pd.DataFrame(traj.diplomacy.reshape(E * D, K), index=idx,
                        columns=list(DIPLOMACY_FIELDS))


def diplomacy_metrics(results: Results) -> pd.DataFrame:
    """One row per member: doses donated bilaterally, delivered by the pool, filled under
    licence, bought by the pool and given to it (whole run); no columns when no
    mechanism is on.
    """
    if not mechanisms_on(results.params):
        return pd.DataFrame(index=pd.Index(np.arange(results.params.n_members), name="member"))
    last = results.trajectories.diplomacy[:, -1]
    members = pd.Index(np.arange(last.shape[0]), name="member")
    pick = lambda k: last[:, DIPLOMACY_FIELDS.index(k)]  # noqa: E731
    return pd.DataFrame({
        "doses_donated_bilateral": pick("donated_bilateral_cum"),
        "doses_delivered_pool": pick("pool_delivered_cum"),
        "doses_licensed_output": pick("licensed_output_cum"),
        "doses_pool_bought": pick("pool_bought_cum"),
        "doses_given_to_pool": pick("pool_contributed_cum"),
    }, index=members)


def donor_reach(donations: pd.DataFrame) -> pd.DataFrame:
    """Bilateral donors' reach per member: doses given and number of recipients."""
    bil = donations[donations["channel"] == "bilateral"]
    return (bil.groupby(["member", "donor"])
            .agg(doses=("doses", "sum"), recipients=("recipient", "nunique"))
            .reset_index())


def recipient_shares(donations: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Share of each recipient's received doses (at the last recorded day) that came from
    each donor (bilateral donors and ``POOL``): member, recipient, donor, doses, share.
    """
    last = countries[countries["date"] == countries["date"].max()]
    received = last.set_index(["member", "iso3"])["doses_received"]
    given = donations[donations["recipient"] != POOL_CODE]
    out = given.groupby(["member", "recipient", "donor"], as_index=False)["doses"].sum()
    key = pd.MultiIndex.from_arrays([out["member"], out["recipient"]])
    total = received.reindex(key).to_numpy()
    out["share"] = np.divide(out["doses"], total, out=np.full(len(out), np.nan),
                             where=total > 0)
    return out


def influence(donations: pd.DataFrame) -> pd.DataFrame:
    """Influence index per member and bilateral donor–recipient pair on the run's last
    day (the ``donations`` table's ``influence``), largest first within each member.
    """
    bil = donations[donations["channel"] == "bilateral"]
    return (bil[["member", "donor", "recipient", "influence"]]
            .sort_values(["member", "influence"], ascending=[True, False]))


def diplomacy_summary(results: Results, top: int = 5) -> dict[str, Any]:
    """``{"diplomacy": ...}`` for summary.json's metrics: top bilateral donors by doses and
    by recipients (member 0, the scenario's own seed); ``{}`` when no mechanism is on.
    On worlds whose ledger keeps recipient groups (more than
    :data:`~sim.world.recipient_groups.PAIR_LIMIT` countries) ``recipients`` counts
    groups, and ``recipients_are`` says so.
    """
    if results.donations is None:
        return {}
    donations = results.donations
    reach = donor_reach(donations)
    reach = reach[reach["member"] == 0]
    rows = lambda df: [{"donor": r.donor, "doses": float(r.doses),  # noqa: E731
                        "recipients": int(r.recipients)} for r in df.itertuples()]
    grouped = {} if results.params.diplomacy.recipient_groups.pairs else {
        "recipients_are": "recipient groups (WHO region x income group), not countries"}
    return {"diplomacy": {
        **grouped,
        "top_donors_by_doses": rows(reach.nlargest(top, "doses")),
        "top_donors_by_recipients": rows(reach.sort_values(
            ["recipients", "doses"], ascending=False).head(top)),
    }}
