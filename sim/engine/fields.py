"""Named fields of record arrays: the last axis of the ledger, group and country records,
the diplomacy totals, the flows ledger and the epidemic records.

A :class:`Fields` is the tuple of a record's field names, in axis order, whose attributes
are their indices, so code reads ``ledger[:, t, LEDGER_FIELDS.stock_pool]`` and never a
bare position: reordering a field list cannot silently mix up columns.

Examples
--------
>>> F = Fields("produced_cum", "administered_cum")
>>> F.administered_cum, list(F)
(1, ['produced_cum', 'administered_cum'])
"""

from __future__ import annotations

from sim.scenario.schema import INCOME_GROUPS

#: Rows of group records: the world, then each income group.
GROUPS = ("World", *INCOME_GROUPS)


class Fields(tuple[str, ...]):
    """Field names in axis order; ``fields.name`` is the index of ``name``."""

    def __new__(cls, *names: str) -> Fields:
        """Fields named ``names``, in axis order (each name once)."""
        if len(set(names)) != len(names):
            raise ValueError(f"repeated field name in {names}")
        return super().__new__(cls, names)

    def __getattr__(self, name: str) -> int:
        try:
            return self.index(name)
        except ValueError:
            raise AttributeError(f"no field {name!r}; fields: {', '.join(self)}") from None


#: Group records ``groups`` (E, D, G, F): people and doses by World and income group.
GROUP_FIELDS = Fields("first_dose", "completed", "doses_administered")
#: The dose ledger ``ledger`` (E, D, K): where every produced dose is, each day.
LEDGER_FIELDS = Fields("produced_cum", "administered_cum", "expired_cum", "stock_countries",
                       "stock_pool", "in_transit", "stock_producers")
#: Country records ``countries`` (E, W, N, F), every few days.
COUNTRY_FIELDS = Fields("first_dose", "completed", "doses_administered", "doses_received",
                        "stock", "doses_expired", "orders_open", "doses_licensed")
#: Daily diplomacy totals ``diplomacy`` (E, D, K) over countries.
DIPLOMACY_FIELDS = Fields("pool_bought_cum", "pool_delivered_cum", "pool_contributed_cum",
                          "donated_bilateral_cum", "licensed_output_cum")
