"""The diplomacy ledger's totals equal the sums of the single flows they replace."""

import numpy as np
import pandas as pd
import pytest

from sim.engine.flows import (
    ANY,
    FLOW_COLUMNS,
    POOL,
    POOLED,
    TOTAL_COLUMNS,
    WHOLE_RUN,
    FlowLog,
)


def _random_log(seed: int, **kwargs) -> FlowLog:
    """Flows of 3 members on 40 days: kernel rows, matrices and pool vectors."""
    rng = np.random.default_rng(seed)
    log = FlowLog(**kwargs)
    for t in range(40):
        k = rng.integers(0, 30)
        rows = np.column_stack([rng.integers(0, 3, k), rng.integers(0, 6, k),
                                rng.integers(0, 9, k)])
        log.add_rows(t, rows, rng.random(k) * 100)
        if t % 3 == 0:
            m = rng.random((3, 2, 9)) * (rng.random((3, 2, 9)) < 0.4)
            log.add_matrix(t, m, np.array([1, 4]))
        if t % 5 == 0:
            v = rng.random((3, 9)) * (rng.random((3, 9)) < 0.5)
            log.add_vector(t, v, to_pool=t % 10 == 0)
    return log


def _frame(a: np.ndarray, columns) -> pd.DataFrame:
    return pd.DataFrame(a, columns=list(columns))


@pytest.mark.parametrize("seed", [0, 1])
def test_totals_are_the_sums_of_every_flow(seed):
    half_life = np.array([10.0, 25.0, 400.0])
    log = _random_log(seed, enabled=True, end=39, half_life=half_life, arrive_by=32)
    raw = _frame(log.array(), FLOW_COLUMNS)
    tot = _frame(log.totals(), TOTAL_COLUMNS)
    F = ["member", "donor", "channel", "recipient"]
    raw["arrived"] = np.where(raw["day"] <= 32, raw["doses"], 0.0)
    raw["influence"] = raw["doses"] * 0.5 ** ((39 - raw["day"]) / half_life[
        raw["member"].astype(int)])
    want = raw.groupby(F)[["doses", "arrived", "influence"]].sum()
    pairs = tot[tot["day"] == WHOLE_RUN].set_index(F)
    assert (pairs.index == want.index).all()  # ordered by member, donor, channel, recipient
    np.testing.assert_allclose(pairs[["doses", "arrived", "influence"]], want, rtol=1e-12)
    daily = tot[tot["day"] != WHOLE_RUN]
    assert (daily["recipient"] == ANY).all()
    want = raw.groupby(["day", "member", "donor", "channel"])["doses"].sum()
    got = daily.set_index(["day", "member", "donor", "channel"])["doses"]
    assert (got.index == want.index).all()  # ordered by day, member, donor, channel
    np.testing.assert_allclose(got, want, rtol=1e-12)
    pool = tot[(tot["channel"] == POOLED) & (tot["day"] == WHOLE_RUN)]
    assert ((pool["donor"] == POOL) | (pool["recipient"] == POOL)).all()


def test_a_members_totals_do_not_depend_on_its_batch():
    both = _random_log(3, enabled=True).totals()
    one = _random_log(3, enabled=np.array([False, True, False])).totals()
    member = both[:, TOTAL_COLUMNS.member] == 1
    assert one.tobytes() == both[member].tobytes()


def test_a_totals_only_log_keeps_no_rows():
    log = FlowLog(rows=False)
    log.add_rows(0, np.array([[0, 1, 2]]), np.array([5.0]))
    assert len(log.parts) == 0 and log.totals().shape == (2, len(TOTAL_COLUMNS))
    with pytest.raises(ValueError, match="totals only"):
        log.array()


def test_compiled_sums_equal_the_numpy_reference(monkeypatch):
    half_life = np.array([10.0, 25.0, 400.0])
    compiled = _random_log(4, end=39, half_life=half_life, arrive_by=30).totals()
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    reference = _random_log(4, end=39, half_life=half_life, arrive_by=30).totals()
    assert compiled.tobytes() == reference.tobytes()


def test_known_pairs_are_added_in_place_and_new_ones_change_nothing():
    """The compiled fast path: flows whose giver rows and sums exist are added (as the
    general path would); a flow needing a new sum leaves everything untouched."""
    from sim.engine.flows import _COUNTRY
    from sim.engine.kernels.flows import accumulate_known

    log = FlowLog(rows=False)
    rows = np.array([[0, 1, 2], [0, 3, 4]])
    log.add_rows(0, rows, np.array([5.0, 7.0]))            # creates both pairs
    e, d, r = rows[:, 0], rows[:, 1] + 2, rows[:, 2] + 1
    given = np.zeros(log.n_rows)
    assert accumulate_known(e, d, r, 0, np.array([1.0, 2.0]), np.ones(1), log.row_of,
                            log.keys, _COUNTRY, log.sums, given)
    assert sorted(log.sums[0].tolist()) == [6.0, 9.0] and sorted(given.tolist()) == [1.0, 2.0]
    before = log.sums.copy()
    given = np.zeros(log.n_rows)
    for new in ([[0, 1, 5]], [[0, 7, 2]], [[1, 1, 2]]):    # new recipient, donor, member
        a = np.array(new)
        assert not accumulate_known(a[:, 0], a[:, 1] + 2, a[:, 2] + 1, 0, np.ones(1),
                                    np.ones(2), log.row_of, log.keys, _COUNTRY, log.sums,
                                    given)
    assert log.sums.tobytes() == before.tobytes() and not given.any()
