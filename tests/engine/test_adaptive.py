"""Adaptive strategy rules: threshold switching and Fermi imitation, vectorized over members."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.adaptive import (
    DONATE,
    FIXED,
    HOARD,
    IMITATE,
    NEED,
    POOL,
    THRESHOLD,
    fermi,
    imitate,
    pick_partners,
    strategy_counts,
    threshold_switch,
)
from sim.engine.run import Simulation


def test_threshold_switches_reserving_countries_at_or_above_theta_only():
    strategy = np.array([[HOARD, HOARD, NEED, DONATE, HOARD],
                         [NEED, HOARD, HOARD, HOARD, HOARD]])
    rule = np.array([[THRESHOLD, THRESHOLD, THRESHOLD, THRESHOLD, FIXED]] * 2)
    coverage = np.array([[0.49, 0.5, 0.9, 0.9, 0.9],
                         [0.6, 0.1, 0.5, 0.2, 1.0]])
    theta = np.full((2, 5), 0.5)
    then = np.array([[DONATE, POOL, POOL, POOL, DONATE]] * 2)
    new = threshold_switch(strategy, rule, coverage, theta, then)
    assert new.tolist() == [[HOARD, POOL, POOL, DONATE, HOARD],
                            [DONATE, HOARD, POOL, HOARD, HOARD]]


def test_fermi_limits():
    delta = np.array([[-1.0, 0.0, 1e-9, 2.0]])
    assert fermi(delta, np.inf).tolist() == [[0.0, 0.0, 1.0, 1.0]]
    assert fermi(delta, 0.0).tolist() == [[0.5, 0.5, 0.5, 0.5]]
    p = fermi(np.array([[1.0]]), np.array([[2.0]]))
    assert p[0, 0] == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert np.isfinite(fermi(np.array([[-1e308, 1e308]]), 1e10)).all()


def _imitation_case(E, N, beta, seed=3):
    rng = np.random.default_rng(seed)
    strategy = rng.integers(0, 4, (E, N))
    payoff = rng.normal(size=(E, N))
    partner = rng.integers(0, N, (E, N))
    rule = np.full((E, N), IMITATE)
    new = imitate(strategy, rule, payoff, partner, np.full(E, beta), np.ones(E),
                  rng.random((E, N)), rng.random((E, N)))
    rows = np.arange(E)[:, None]
    return strategy, payoff, partner, new, rows


@pytest.mark.parametrize("beta", [np.inf, 1e12])
def test_imitate_large_beta_adopts_strictly_better_strategies_only(beta):
    strategy, payoff, partner, new, rows = _imitation_case(50, 40, beta)
    better = payoff[rows, partner] > payoff
    assert (new[better] == strategy[rows, partner][better]).all()
    assert (new[~better] == strategy[~better]).all()


def test_imitate_infinite_beta_never_adopts_on_a_tie():
    s = np.array([[0, 1, 2, 3, 0]] * 4)
    partner = np.broadcast_to((np.arange(5) + 1) % 5, s.shape)
    same = imitate(s, np.full(s.shape, IMITATE), np.zeros(s.shape), partner,
                   np.full(4, np.inf), np.ones(4), np.zeros(s.shape), np.zeros(s.shape))
    assert (same == s).all()


def test_imitate_beta_zero_adopts_at_random_with_probability_one_half():
    E, N = 200, 60
    strategy = np.zeros((E, N), dtype=int)
    rng = np.random.default_rng(11)
    payoff = rng.normal(size=(E, N)) * 100
    # Partner of country n is n+1 and always follows a different strategy (code 1 vs 0).
    strategy[:, 1::2] = 1
    partner = np.broadcast_to((np.arange(N) + 1) % N, (E, N))
    new = imitate(strategy, np.full((E, N), IMITATE), payoff, partner, np.zeros(E), np.ones(E),
                  rng.random((E, N)), rng.random((E, N)))
    adopted = (new != strategy)
    share = adopted.mean()
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / (E * N))
    # Adoption is independent of who is better off.
    better = payoff[np.arange(E)[:, None], partner] > payoff
    assert abs(adopted[better].mean() - adopted[~better].mean()) < 0.05
    # Each member adopts about half too (vectorized over members, not pooled by accident).
    assert (np.abs(adopted.mean(axis=1) - 0.5) < 0.3).all()


def test_imitate_only_imitators_who_look():
    E, N = 3, 4
    strategy = np.array([[0, 1, 2, 3]] * E)
    rule = np.array([[IMITATE, FIXED, THRESHOLD, IMITATE]] * E)
    payoff = np.array([[0.0, 1.0, 2.0, 3.0]] * E)
    partner = np.array([[3, 3, 3, 2]] * E)
    u_look = np.array([[0.1, 0.1, 0.1, 0.1], [0.9, 0.9, 0.9, 0.9], [0.1, 0.1, 0.1, 0.9]])
    new = imitate(strategy, rule, payoff, partner, np.full(E, np.inf), np.full(E, 0.5),
                  u_look, np.zeros((E, N)))
    assert new.tolist() == [[3, 1, 2, 3], [0, 1, 2, 3], [3, 1, 2, 3]]


def test_pick_partners_uniform_never_self_and_weighted_follows_weights():
    rng = np.random.default_rng(5)
    u = rng.random((300, 6))
    p = pick_partners(u, None)
    assert (p != np.arange(6)).all() and p.min() == 0 and p.max() == 5
    w = np.zeros((3, 3))
    w[0, 2] = 1.0
    w[1, 0], w[1, 2] = 1.0, 3.0
    w[2, 1] = 2.0
    cum = np.cumsum(w, axis=1)
    q = pick_partners(rng.random((4000, 3)), cum)
    assert (q[:, 0] == 2).all() and (q[:, 2] == 1).all()
    assert np.mean(q[:, 1] == 2) == pytest.approx(0.75, abs=0.03)
    assert set(np.unique(q[:, 1])) == {0, 2}


def test_strategy_counts():
    assert strategy_counts(np.array([[0, 1, 1, 3], [2, 2, 2, 2]])).tolist() == [
        [1, 2, 0, 1], [0, 0, 4, 0]]


def _threshold_run(theta, review_days, seeds=(1, 2)):
    world = make_world([1e6, 2e6], ["HIC", "LIC"], production=[40_000.0], days=150)
    scen = scenario(
        procurement={"default": {"strategy": "hoard", "multiple": 3.0, "budget_share": 1.0}},
        uptake={"capacity": {g: {"start": 0.004, "end": 0.004, "ramp_days": 0}
                             for g in ("HIC", "LIC")}, "delivery_lag_days": 3},
        adaptation={"review_days": review_days,
                    "default": {"rule": "threshold", "theta": theta, "then": "pool"}})
    params = params_for(world, scen, seeds)
    sim = Simulation.start(world, params)
    cov, codes, orders = [], [], []
    while not sim.done:
        sim.step()
        cov.append(sim.state.first / world.population)
        codes.append(sim.state.strategy.copy())
        orders.append(sim.state.orders_open.copy())
    recorded = sim.recorder.out.strategies.transpose(1, 0, 2)        # (D, E, S)
    assert (recorded == np.stack([strategy_counts(c) for c in codes])).all()
    return world, params, np.array(cov), np.array(codes), np.array(orders)


@pytest.mark.parametrize("theta,review_days", [(0.1, 7), (0.25, 10), (0.05, 1)])
def test_threshold_switches_at_the_first_review_after_theta_is_crossed(theta, review_days):
    world, params, cov, codes, orders = _threshold_run(theta, review_days)
    D = len(cov)
    reviews = np.arange(D)[(np.arange(D) + 1) % review_days == 0]
    for e in range(codes.shape[1]):
        for n in range(codes.shape[2]):
            crossed = np.flatnonzero(cov[:, e, n] >= theta)
            switched = np.flatnonzero(codes[:, e, n] == POOL)
            if len(crossed) == 0 or not (reviews >= crossed[0]).any():
                assert len(switched) == 0
                continue
            first_review = reviews[reviews >= crossed[0]][0]
            assert switched[0] == first_review, (e, n)
            assert (codes[:first_review, e, n] == HOARD).all()
            assert (codes[first_review:, e, n] == POOL).all()
            # The hoarder stops ordering beyond need when it switches.
            need = params.order_need[e, n]
            allocated_before = need  # orders fall to (need - allocated)^+ ≤ need
            assert orders[first_review, e, n] <= allocated_before + 1e-9
            assert orders[first_review, e, n] < orders[first_review - 1, e, n]
    assert (codes == POOL).any(), "the test world must cross theta somewhere"


def test_threshold_is_identical_for_a_member_alone_and_in_a_batch():
    _, _, _, both, _ = _threshold_run(0.1, 7, seeds=(1, 2))
    _, _, _, alone, _ = _threshold_run(0.1, 7, seeds=(2,))
    assert (both[:, 1] == alone[:, 0]).all()


def test_imitation_in_the_engine_is_batch_independent_and_uses_the_policy_stream():
    world = make_world([1e6, 2e6, 3e6, 4e6] * 3, ["HIC", "UMIC", "LMIC", "LIC"] * 3,
                       production=[60_000.0], days=120)
    scen = scenario(
        procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3.0}}},
        adaptation={"review_days": 10, "default": {"rule": "imitate"},
                    "imitation": {"probability": 1.0, "beta": 0.0}})

    def codes(seeds):
        sim = Simulation.start(world, params_for(world, scen, seeds))
        out = []
        while not sim.done:
            sim.step()
            out.append(sim.state.strategy.copy())
        return np.array(out)

    batch = codes((4, 5, 6, 7))
    assert (batch[:, 1] == codes((5,))[:, 0]).all()
    assert any((batch[:, 0] != batch[:, e]).any() for e in (1, 2, 3))  # seeds differ
    assert len(np.unique(batch)) >= 2 and (batch[0] == batch[8]).all()  # no change before day 9
