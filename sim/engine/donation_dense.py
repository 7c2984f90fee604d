"""Bilateral donation over every donor → recipient pair: the model as written, kept as the
reference the factored round (:mod:`sim.engine.donation`) is tested against.

Work and memory are (E, donors, N): every donor weighs every recipient by affinity ×
need. The engine never calls this; tests run it on small worlds and compare gifts,
stocks and ledgers with the factored round to rounding.
"""

from __future__ import annotations

import numpy as np

from sim.engine.build.params import Params
from sim.engine.donation import gift_mix, offers_and_need
from sim.engine.flows import BILATERAL, FlowLog
from sim.engine.need import on_hand, supply_gap
from sim.engine.state import State
from sim.engine.uptake import capacity
from sim.world.world import World


def donate_dense(state: State, world: World, params: Params, t: int, log: FlowLog,
                 share: np.ndarray, from_output: np.ndarray | None, giving: np.ndarray,
                 donors: np.ndarray, burden: np.ndarray | None) -> np.ndarray:
    """:func:`sim.engine.donation.donate` over the dense (E, donors, N) pair arrays, once
    the round's offers, givers and donors (union over members) are known.
    """
    d = params.diplomacy
    offer, need = offers_and_need(state, world, params, t, share, from_output, giving,
                                  donors, burden)
    weight = d.affinity_rows(donors)[None] * need[:, None, :]           # (E, Nd, N)
    total = weight.sum(axis=-1)                                          # (E, Nd)
    # Each recipient's share of a donor's weight first (in [0, 1] even when the weights
    # are subnormal), then times the offer: offer / total could overflow to inf.
    flows = np.divide(weight, total[..., None], out=np.zeros_like(weight),
                      where=total[..., None] > 0) * offer[..., None]
    received = flows.sum(axis=1)                                         # (E, N)
    room = np.maximum(d.donation_absorb_days[:, None] * capacity(world, params, t)
                      - on_hand(state), 0.0)
    gap = np.minimum(supply_gap(state, params), room)
    over = np.divide(gap, received, out=np.ones_like(gap), where=received > gap)
    flows *= np.minimum(over, 1.0)[:, None, :]
    received = flows.sum(axis=1)
    gave = np.zeros_like(state.donated_cum)
    gave[:, donors] = flows.sum(axis=-1)
    mix = gift_mix(state, params, gave, offer, donors, from_output)     # (B, E, Nd)
    received_by_bucket = np.einsum("bed,edn->ben", mix, flows)
    state.donated_cum += gave
    state.influence += gave
    state.donations_received_cum += received
    state.allocated_cum += received
    log.add_matrix(t, flows, donors, BILATERAL)
    state.last_gift_day = t
    return received_by_bucket
