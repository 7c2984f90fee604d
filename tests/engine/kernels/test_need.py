"""The pool's and the donation's on-hand sums over the stock buckets and the gift ring's
planes in use (``on_hand_marked``) against the numpy reference, and the fused dose day's
stock and gift marks against the arrays they describe.
"""

import numpy as np
import pytest
from worlds import SCENARIOS

from sim.engine.build.params import build_params
from sim.engine.dose_plans import gift_marks, stock_used
from sim.engine.kernels.need import (
    on_hand_marked,
    on_hand_rows,
    take_oldest,
    take_oldest_rows,
)
from sim.engine.need import gifts_moving, on_hand
from sim.engine.run import Simulation
from sim.engine.state import State
from sim.engine.streams import replicate_seeds
from sim.scenario import load_scenario
from sim.world.world import build_world


def _state(rng, B=6, E=2, L=4, N=37):
    """A stand-in with the three dose arrays ``on_hand`` reads; about half the gift
    ring's (bucket, lag day) planes are zero in every country of a member.
    """
    stock = rng.random((B, E, N)) * 10.0 ** rng.integers(0, 8, (B, E, N))
    transit = rng.random((E, L, N)) * 1e5
    ring = rng.random((B, E, L, N)) * 1e6
    used = rng.random((E, L, B)) < 0.5
    for e in range(E):
        for k in range(L):
            for b in range(B):
                if not used[e, k, b]:
                    ring[b, e, k] = 0.0
    kept = rng.random((E, B)) < 0.6
    kept[0, 0] = False  # the first bucket empty: the sum starts further on
    kept[1] = False  # a member with no stock at all
    stock *= kept.T[:, :, None]
    state = State.__new__(State)
    state.stock, state.transit, state.gift_transit = stock, transit, ring
    return state, used, kept


def test_marked_planes_sum_like_the_reference():
    rng = np.random.default_rng(7)
    for _ in range(20):
        state, used, kept = _state(rng)
        ref = on_hand(state)
        B, E, N = state.stock.shape
        shelf, held, every_held, work = np.empty(N), np.empty(N), np.empty(N), np.empty(N)
        for e in range(E):
            on_hand_marked(state.stock, kept, state.transit, state.gift_transit, True, used,
                           e, shelf, held, work)
            np.testing.assert_array_equal(held, ref[e], strict=True)
            np.testing.assert_array_equal(shelf, state.stock[:, e].sum(axis=0), strict=True)
            on_hand_rows(state.stock, state.transit, state.gift_transit, True, e, shelf,
                         every_held, work)
            np.testing.assert_array_equal(every_held, held, strict=True)


def test_unmarked_planes_are_not_read():
    """A plane or stock bucket marked unused is skipped, whatever it holds (so the marks
    must be a superset of those in use: the next test checks the dose day keeps them so)."""
    rng = np.random.default_rng(8)
    state, used, kept = _state(rng)
    e, (b, k) = 0, np.argwhere(~used[0].T)[0]
    N = state.stock.shape[2]
    shelf, held, again, work = np.empty(N), np.empty(N), np.empty(N), np.empty(N)
    on_hand_marked(state.stock, kept, state.transit, state.gift_transit, True, used, e,
                   shelf, held, work)
    state.gift_transit[b, e, k] = 1e9
    state.stock[np.argwhere(~kept[e])[0, 0], e] = 1e9
    shelf_again = np.empty(N)
    on_hand_marked(state.stock, kept, state.transit, state.gift_transit, True, used, e,
                   shelf_again, again, work)
    np.testing.assert_array_equal(again, held, strict=True)
    np.testing.assert_array_equal(shelf_again, shelf, strict=True)
    none, empty = np.zeros_like(used), np.zeros_like(kept)
    on_hand_marked(state.stock, kept, state.transit, state.gift_transit, True, none, e,
                   shelf, again, work)
    np.testing.assert_array_equal(again, shelf + state.transit[e].sum(axis=0), strict=True)
    on_hand_marked(state.stock, empty, state.transit, state.gift_transit, True, none, e,
                   shelf, again, work)
    np.testing.assert_array_equal(shelf, np.zeros(N), strict=True)
    np.testing.assert_array_equal(again, state.transit[e].sum(axis=0), strict=True)


def test_dose_day_gift_marks_cover_every_plane_in_use():
    """Day by day through a run with donations on their way and pool rounds: every plane
    of the gift ring and every stock bucket holding a dose is marked, and some are not
    (the pool and the donation skip them)."""
    scenario = load_scenario(SCENARIOS / "bilateral_diplomacy.yaml",
                             ["epidemic.enabled=false", "uptake.delivery_lag_days=20"])
    scenario = scenario.model_copy(update={"days": 260})
    world = build_world(scenario)
    params = build_params(world, [scenario] * 2, replicate_seeds(scenario.seed, 2))
    run = Simulation.start(world, params)
    moving_days = skipped = unstocked = 0
    while run.state.day < scenario.days:
        run.step()
        state = run.state
        marks = gift_marks(state)
        in_use = (state.gift_transit != 0.0).any(axis=3).transpose(1, 2, 0)  # (E, L, B)
        assert not (in_use & ~marks).any(), state.day
        stocked = (state.stock != 0.0).any(axis=2).T  # (E, B)
        assert not (stocked & ~stock_used(state)).any(), state.day
        unstocked += int((~stock_used(state)).sum())
        if gifts_moving(state) and in_use.any():
            moving_days += 1
            skipped += int((~marks).sum())
    assert moving_days > 20 and skipped > 0 and unstocked > 0


@pytest.mark.parametrize("keep", [True, False])
def test_taking_plane_by_plane_equals_country_by_country(keep):
    """``take_oldest_rows`` leaves the stock exactly as ``take_oldest`` country by country
    (amounts of zero, within the stock, above it; a negative rounding remnant), and its
    (B, N) ``taken``, when kept, holds column by column what ``take_oldest`` took from
    each bucket (the donation round's gifts by bucket)."""
    rng = np.random.default_rng(10)
    B, E, N = 6, 2, 37
    stock = rng.random((B, E, N)) * 10.0 ** rng.integers(0, 7, (B, E, N))
    stock[rng.random((B, E, N)) < 0.3] = 0.0
    stock[4, 0, 3] = -1e-32
    amount = stock.sum(axis=0) * rng.choice([0.0, 0.4, 1.0, 2.5], (E, N))
    ref, got = stock.copy(), stock.copy()
    taken, left = np.empty(B), np.empty(N)
    planes = np.full((B if keep else 0, N), np.nan)
    for e in range(E):
        expected = np.empty((B, N))
        for n in range(N):
            take_oldest(ref, e, n, amount[e, n], taken)
            expected[:, n] = taken
        take_oldest_rows(got, e, amount[e], left, planes)
        if keep:
            np.testing.assert_array_equal(planes, expected, strict=True)
    np.testing.assert_array_equal(got, ref, strict=True)
    assert (got != stock).any() and (not keep or (planes > 0).any())
