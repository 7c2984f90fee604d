"""Recipient groups of the diplomacy ledger: on large worlds bilateral gifts are kept per
donor and group of recipients (WHO region × income group), not per pair.

A donor reaches nearly every country (affinity has a base for every pair), so pair
totals would be donors × N rows: 31.7 M for a 10,000-region synthetic world. Worlds of
at most :data:`PAIR_LIMIT` countries (the shipped world has about 200) keep exact pairs.
The groups keep what the outcomes read from the ledger: the recipients' income group
(donated share of supply) and WHO region (top donors by recipients' region).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.world import World

#: Worlds with more countries than this keep bilateral gifts per recipient group, not pair.
PAIR_LIMIT = 500

#: Prefix of a recipient group's name (``group:<WHO region>:<income group>``).
GROUP_PREFIX = "group:"


@dataclass(frozen=True)
class RecipientGroups:
    """How the ledger keeps bilateral gifts: per recipient country (``names`` empty: exact
    pair totals) or per recipient group, a WHO region × income group (``group`` (N,) int,
    ``names`` (C,) ``group:<WHO region>:<income group>``, ``region`` (C,) int the groups'
    WHO region codes, as :class:`sim.world.affinity.Relations` numbers them). A gift to
    group ``c`` is recorded with recipient ``N + c``.
    """

    group: np.ndarray
    names: np.ndarray
    region: np.ndarray

    @property
    def pairs(self) -> bool:
        """True when gifts are kept per recipient country."""
        return len(self.names) == 0


def recipient_groups(world: World, limit: int = PAIR_LIMIT) -> RecipientGroups:
    """Pairs for worlds of at most ``limit`` countries (the shipped world: ~200, so about
    40,000 pairs per member at most), else groups: a donor's gifts then cost O(groups)
    to record, not O(N), and the ledger holds donors × groups rows instead of
    donors × N (31.7 M for a 10,000-region world).
    """
    N = world.n_countries
    if N <= limit:
        return RecipientGroups(np.zeros(N, dtype=np.int64), np.zeros(0, dtype=str),
                               np.zeros(0, dtype=np.int64))
    regions, region = np.unique(world.who_region, return_inverse=True)
    label = np.char.add(np.char.add(np.char.add(GROUP_PREFIX, world.who_region.astype(str)), ":"),
                        world.income_group.astype(str))
    names, group = np.unique(label, return_inverse=True)
    first = np.unique(group, return_index=True)[1]
    return RecipientGroups(group.astype(np.int64), names, region[first].astype(np.int64))
