"""The dynamic state of a batch: a dataclass of arrays, ensemble axis first.

Shapes: E members, N countries, P producers, B shelf-life buckets, L delivery-lag days,
I days of the dose interval. Small ring and bucket axes come first where the engine walks
them plane by plane (each plane an (E, N) array). Units are doses unless a name says people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.build.diplomacy_params import DiplomacyParams
from sim.engine.build.params import Params
from sim.engine.epidemic import EpiState, start_epidemic
from sim.world.world import World


@dataclass
class State:
    """Arrays that change from day to day.

    Attributes
    ----------
    day : index of the next day to simulate
    inventory : (E, P) doses made but not yet sold (manufacturers' stock)
    orders_open : (E, N) doses ordered and not yet allocated
    transit : (E, L, N) doses allocated, by ring slot (day mod L) of their arrival
    stock : (B, E, N) doses in country stock by bucket of remaining shelf life, 0 oldest
    first : (E, N) people with at least one dose
    completed : (E, N) people with a full course
    due : (E, N) people whose completing dose is due
    due_ring : (I, E, N) first doses given on each of the last I days (ring buffer)
    produced_cum : (E, P) doses made since day 0
    exported_cum : (E, P) doses sold to countries outside the producer's home
    allocated_cum : (E, N) doses allocated to each country (in transit or received)
    received_cum : (E, N) doses delivered into country stock
    administered_cum : (E, N) doses given
    expired_cum : (E, N) doses that passed shelf life in stock

    Diplomacy. Country behaviour a policy review may change during a run
    (the adaptive strategies write these; the kernels read them every period):

    donor_share : (E, N) share of its surplus a country donates bilaterally each donation
        period (0: not donating)
    donor_share_on : (E, N) share a country gives once it donates (used by ``donor``)
    donor : (E, N) bool property, ``donor_share > 0``; setting it switches donating on
        (at ``donor_share_on``) or off; the policy review sets it
    pool_share : (E, N) share of its surplus a country gives to the pool each pool period
    pool_member : (E, N) 1 if the country receives pool allocations, else 0
    orders_extra : (E, N) doses ordered after day 0 (demand surges, switching to hoarding;
        negative after a switch away from hoarding), on top of ``params.order_total``; add
        to it and to ``orders_open`` together

    Diplomacy stocks and flows (kept by the kernels):

    pool_stock : (E,) doses the pool holds (in the dose ledger as ``stock_pool``)
    pool_orders_open : (E,) doses the pool has ordered and not yet bought
    pool_bought_cum : (E,) doses the pool bought on the market
    pool_given : (E, N) doses the pool allocated to each country
    pool_contributed_cum : (E, N) doses each country gave to the pool
    donated_cum : (E, N) doses each country gave bilaterally
    donations_received_cum : (E, N) doses each country was given bilaterally
    influence : (E, N) each donor's influence index: doses given, decaying with the
        donation half-life
    gift_transit : (B, E, L, N) donated doses on their way, by shelf-life bucket they will
        arrive in (they age on the way like stock; bucket 0 expiring on the way arrives
        expired) and ring slot of arrival
    expired_arrival_cum : (E, N) donated doses that reached a recipient past their shelf
        life (also in ``received_cum`` and ``expired_cum``)
    contract_delivered_cum : (E, K) doses each pool contract delivered
    home_delivered_cum : (E, P) doses each producer sold to its own home countries
    bulk : (E, C) licensees' bulk awaiting fill-finish, per licence (in the dose ledger
        with ``stock_producers``)
    bulk_drawn_cum : (E, C) bulk each licence drew from its licensor
    licensed_cum : (E, C) doses each licence filled and finished
    last_gift_day : last day a donation was given (gifts may be on their way until
        ``delivery_lag`` days later)
    strategy : (E, N) int, strategy code (index into ``sim.scenario.adaptation.STRATEGIES``)
    first_band, courses_band, boosted_band : (E, N, A) people with a first dose, a full
        course, a booster, by age band (0-19, 20-64, 65+)
    boosted : (E, N) people with a booster
    course_weeks : (W, E, N, A) ``courses_band`` at the start of each of the last W weeks
    epi : epidemic compartments (:class:`sim.engine.epidemic.EpiState`), None when off
    products : doses by vaccine product (:class:`sim.engine.products.ProductState`), None
        when the batch does not track products
    """

    day: int
    inventory: np.ndarray
    orders_open: np.ndarray
    transit: np.ndarray
    stock: np.ndarray
    first: np.ndarray
    completed: np.ndarray
    due: np.ndarray
    due_ring: np.ndarray
    produced_cum: np.ndarray
    exported_cum: np.ndarray
    allocated_cum: np.ndarray
    received_cum: np.ndarray
    administered_cum: np.ndarray
    expired_cum: np.ndarray
    donor_share: np.ndarray
    donor_share_on: np.ndarray
    pool_share: np.ndarray
    pool_member: np.ndarray
    orders_extra: np.ndarray
    pool_stock: np.ndarray
    pool_orders_open: np.ndarray
    pool_bought_cum: np.ndarray
    pool_given: np.ndarray
    pool_contributed_cum: np.ndarray
    donated_cum: np.ndarray
    donations_received_cum: np.ndarray
    influence: np.ndarray
    gift_transit: np.ndarray
    expired_arrival_cum: np.ndarray
    contract_delivered_cum: np.ndarray
    home_delivered_cum: np.ndarray
    bulk: np.ndarray
    bulk_drawn_cum: np.ndarray
    licensed_cum: np.ndarray
    strategy: np.ndarray
    first_band: np.ndarray
    courses_band: np.ndarray
    boosted_band: np.ndarray
    boosted: np.ndarray
    course_weeks: np.ndarray
    epi: EpiState | None = None
    products: Any = None  # sim.engine.products.ProductState when tracking products
    last_gift_day: int = -(10**9)

    @property
    def donor(self) -> np.ndarray:
        """(E, N) bool: countries donating bilaterally."""
        return self.donor_share > 0

    @donor.setter
    def donor(self, on: np.ndarray) -> None:
        self.donor_share = np.where(on, self.donor_share_on, 0.0)

    def copy(self) -> State:
        """A deep copy."""
        return State(**{k: (v.copy() if hasattr(v, "copy") else v)
                        for k, v in vars(self).items()})

    # Derived totals (E,) used by the ledger and invariants.
    def stock_countries(self) -> np.ndarray:
        """(E,) doses in country stock."""
        return self.stock.sum(axis=(0, 2))

    def in_transit(self) -> np.ndarray:
        """(E,) doses on their way."""
        return self.transit.sum(axis=(1, 2)) + self.gift_transit.sum(axis=(0, 2, 3))


def ordered_sum(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Sum of ``a`` over ``axes``, adding the slices one after another in C order.

    numpy's own ``sum`` switches to pairwise summation when the summed elements happen to be
    contiguous, as with one member and one country; the rounding would then make a member's
    results depend on the batch it runs in. For the usual shapes this adds in the same order
    as numpy, so results are bit-identical to ``a.sum(axis=axes)``.

    Parameters
    ----------
    a : array whose ``axes`` are summed (e.g. stock (B, E, N) over ``(0,)``)
    axes : the axes to sum, leading the result's order of addition
    """
    lead = np.moveaxis(a, axes, tuple(range(len(axes))))
    parts = lead.reshape((-1, *lead.shape[len(axes):]))
    total = parts[0].copy()
    for part in parts[1:]:  # shelf-life buckets or lead days: a handful, not countries
        total += part
    return total


def initial_state(world: World, params: Params) -> State:
    """All-zero state on day 0, with every advance order open."""
    E, N, P = params.n_members, world.n_countries, world.n_producers
    s = params.structure
    zeros = lambda *shape: np.zeros(shape)  # noqa: E731
    return State(
        day=0,
        inventory=zeros(E, P),
        orders_open=params.order_total.astype(float).copy(),
        transit=zeros(E, s.delivery_lag, N),
        stock=zeros(s.shelf_buckets, E, N),
        first=zeros(E, N),
        completed=zeros(E, N),
        due=zeros(E, N),
        due_ring=zeros(s.dose_interval, E, N),
        produced_cum=zeros(E, P),
        exported_cum=zeros(E, P),
        allocated_cum=zeros(E, N),
        received_cum=zeros(E, N),
        administered_cum=zeros(E, N),
        expired_cum=zeros(E, N),
        home_delivered_cum=zeros(E, P),
        **initial_arrays(params),
        strategy=params.strategy_initial.copy(),
        first_band=zeros(E, N, 3),
        courses_band=zeros(E, N, 3),
        boosted_band=zeros(E, N, 3),
        boosted=zeros(E, N),
        course_weeks=zeros(params.vaccination.memory_weeks, E, N, 3),
        epi=start_epidemic(world, params),
    )


def initial_arrays(params: Any) -> dict[str, Any]:
    """Mutable day-0 state of the diplomacy mechanisms (see :class:`~sim.engine.state.State`)."""
    d: DiplomacyParams = params.diplomacy
    E, N = d.donor_share0.shape
    C = d.lic_rate.shape[1]
    L = params.structure.delivery_lag
    z = np.zeros
    return {
        "donor_share": d.donor_share0.copy(),
        "donor_share_on": np.where(d.donor_share0 > 0, d.donor_share0, d.switch_share[:, None]),
        "pool_share": d.pool_share0.copy(),
        "pool_member": d.pool_member0.copy(), "orders_extra": z((E, N)),
        "pool_stock": z(E), "pool_orders_open": d.pool_orders.copy(), "pool_bought_cum": z(E),
        "pool_given": z((E, N)), "pool_contributed_cum": z((E, N)),
        "donated_cum": z((E, N)), "donations_received_cum": z((E, N)), "influence": z((E, N)),
        "gift_transit": z((params.structure.shelf_buckets, E, L, N)),
        "expired_arrival_cum": z((E, N)),
        "contract_delivered_cum": z((E, d.contract_supplier.shape[1])),
        "bulk": z((E, C)), "bulk_drawn_cum": z((E, C)), "licensed_cum": z((E, C)),
    }
