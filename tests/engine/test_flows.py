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


@pytest.mark.parametrize("rows", [True, False])
@pytest.mark.parametrize("keep", [True, np.array([True, False, True])])
def test_compiled_sums_equal_the_numpy_reference(monkeypatch, rows, keep):
    half_life = np.array([10.0, 25.0, 400.0])
    kw = dict(enabled=keep, end=39, half_life=half_life, arrive_by=30, rows=rows)
    compiled = _random_log(4, **kw)
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    reference = _random_log(4, **kw)
    assert compiled.totals().tobytes() == reference.totals().tobytes()
    if rows:
        assert compiled.array().tobytes() == reference.array().tobytes()


def _day_arguments(log: FlowLog, t: int = 0):
    from sim.engine.flows import _COUNTRY

    log.daily = np.zeros((log.n_daily + log.n_rows, 5))
    log.daily[:log.n_daily] = 1.0
    return (np.ones(1, dtype=bool), True, np.ones(3), log.row_of, log.keys, _COUNTRY,
            log.sums, log.givers, log.daily, log.n_daily)


def test_known_pairs_are_added_in_place_and_new_ones_change_nothing():
    """The compiled fast paths: flows whose giver rows and sums exist are added (as the
    general path would) with one daily row per giver; a flow needing a new giver row or
    sum leaves everything untouched."""
    from sim.engine.kernels.flows import add_rows_known, add_vector_known

    log = FlowLog(rows=False)
    rows = np.array([[0, 1, 2], [0, 3, 4]])
    log.add_rows(0, rows, np.array([5.0, 7.0]))            # creates both pairs
    log.add_vector(0, np.array([[0.0, 2.0, 0.0]]), to_pool=False)
    n = log.n_daily
    assert n == 3
    args = _day_arguments(log)
    assert add_rows_known(4, rows, np.array([1.0, 2.0]), 0, *args) == n + 2
    assert sorted(log.sums[0].tolist()) == [2.0, 6.0, 9.0]
    assert log.daily[n:n + 2, [0, 2, 4]].tolist() == [[4.0, 1.0, 1.0], [4.0, 3.0, 2.0]]
    assert add_vector_known(5, np.array([[0.0, 0.5, 0.0]]), False, 1, *_day_arguments(log)) \
        == log.n_daily + 1
    before = log.sums.copy()
    for new in ([[0, 1, 5]], [[0, 7, 2]], [[1, 1, 2]]):    # new recipient, donor, member
        assert add_rows_known(4, np.array(new), np.ones(1), 0, *_day_arguments(log)) == -1
    for new, to_pool in (([[0.0, 0.0, 1.0]], False), ([[1.0, 0.0, 0.0]], True)):
        assert add_vector_known(5, np.array(new), to_pool, 1, *_day_arguments(log)) == -1
    assert log.sums.tobytes() == before.tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_compiled_key_insertion_equals_numpy_insert(seed):
    """:func:`~sim.engine.kernels.flows.insert_keys` against the numpy reference
    (``np.insert`` at ``np.searchsorted``): keys in ascending runs and at random, some
    new, some repeated."""
    from sim.engine.kernels.flows import insert_keys

    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(0, 5000, 300))
    sums = rng.random((2, len(keys)))
    runs = [np.sort(rng.choice(6000, rng.integers(1, 80), replace=False)) for _ in range(6)]
    key = np.concatenate([*runs, rng.integers(0, 6000, 50), keys[:3]])
    new = np.unique(key[~np.isin(key, keys)])
    at = np.searchsorted(keys, new)
    want_keys = np.insert(keys, at, new)
    want_sums = np.insert(sums, at, 0.0, axis=1)
    got_keys, got_sums, pos = insert_keys(keys, sums, key)
    assert got_keys.tobytes() == want_keys.tobytes()
    assert got_sums.tobytes() == want_sums.tobytes()
    assert pos.tolist() == np.searchsorted(want_keys, key).tolist()
    same = insert_keys(keys, sums, keys[::7])   # nothing new: the same arrays
    assert same[0] is keys and same[1] is sums
    assert same[2].tolist() == list(range(0, len(keys), 7))


def test_compiled_giver_rows_equal_the_reference():
    """:func:`~sim.engine.kernels.flows.assign_rows` numbers new givers as
    :meth:`FlowLog._rows` does (by member, then donor), and adds none when all exist."""
    from sim.engine.flows import _COUNTRY
    from sim.engine.kernels import pinned
    from sim.engine.kernels.flows import assign_rows

    e = np.array([1, 0, 1, 0, 1])
    donor = np.array([5, 7, 2, 7, 5])
    with pinned("numpy"):
        log = FlowLog(rows=False)
        want = log._rows(e, donor, 1)
    row_of = np.full(log.row_of.shape, -1, dtype=np.int64)
    row, givers = assign_rows(e, donor, 1, row_of, 0, _COUNTRY)
    assert row.tolist() == want.tolist() and givers.tolist() == log.givers.tolist()
    assert row_of.tobytes() == log.row_of.tobytes()
    row, givers = assign_rows(e[:2], donor[:2], 1, row_of, 3, _COUNTRY)
    assert row.tolist() == want[:2].tolist() and givers.shape == (0, 3)
