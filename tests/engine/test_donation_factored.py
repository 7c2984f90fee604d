"""The factored donation round against the dense pair computation, and the kernel against
its numpy reference, on random small worlds (random blocs, ties, overrides, weights,
stocks, donors and burden).
"""

import dataclasses
import os
from contextlib import contextmanager

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worlds import make_world, params_for, scenario

import sim.engine.donation as donation
from sim.engine.donation_dense import donate_dense
from sim.engine.flows import BILATERAL, FLOW_COLUMNS, FlowLog
from sim.engine.state import initial_state
from sim.world.affinity import PairAffinity, Relations
from sim.world.affinity_sums import group_sums, sums
from sim.world.recipient_groups import recipient_groups

REGIONS = ("AFR", "EUR", "SEAR")
GROUPS = ("HIC", "UMIC", "LMIC", "LIC")
WEIGHTS = st.sampled_from([0.0, 1e-300, 0.1, 0.5, 1.0, 2.0, 1e3])


@contextmanager
def backend(name):
    before = os.environ.get("VAXSIM_BACKEND")
    os.environ["VAXSIM_BACKEND"] = name
    try:
        yield
    finally:
        if before is None:
            del os.environ["VAXSIM_BACKEND"]
        else:
            os.environ["VAXSIM_BACKEND"] = before


@st.composite
def rounds(draw):
    """A world, its parameters with a random affinity, and a state before a round."""
    N = draw(st.integers(4, 11))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = make_world(rng.uniform(50, 500, N).round(), list(rng.choice(GROUPS, N)),
                   production=[0], days=40, regions=list(rng.choice(REGIONS, N)))
    donors = {f"C{i:02d}": {"share": float(rng.uniform(0.2, 1.0)), "keep_coverage": 0.0,
                            "buffer_days": 0} for i in range(N) if rng.random() < 0.4}
    scen = scenario(uptake={"hesitancy": 0.0, "shelf_life_days": 120,
                            "shelf_bucket_days": 30, "delivery_lag_days": 5,
                            "capacity": {g: {"start": float(rng.uniform(0.001, 0.05)), "end": 1.0}
                                         for g in GROUPS}},
                    donation={"countries": donors or {"C00": {"share": 0.5}},
                              "absorb_days": int(rng.integers(1, 60))})
    params = params_for(w, scen, seeds=(1, 2))
    K = draw(st.integers(0, 3))
    member = sp.csr_matrix((rng.random((N, K)) < 0.4).astype(float))
    tie = np.triu(rng.random((N, N)) < 0.2, 1)
    ties = sp.csr_matrix((tie | tie.T).astype(float))
    over = (rng.random((N, N)) < draw(st.sampled_from([0.0, 0.1]))) & ~np.eye(N, dtype=bool)
    base = draw(WEIGHTS)
    values = np.where(over, rng.choice([0.0, 0.3, 5.0], (N, N)), 0.0)
    aff = PairAffinity(base=base, same_region=draw(WEIGHTS), bloc=draw(WEIGHTS),
                       tie=draw(WEIGHTS),
                       relations=Relations(np.unique(w.who_region, return_inverse=True)[1]
                                           .astype(np.int64), member, ties),
                       overrides=sp.csr_matrix(np.where(over, values - base, 0.0)),
                       overridden=sp.csr_matrix(over))
    groups = recipient_groups(w, limit=draw(st.sampled_from([0, 1000])))
    d = dataclasses.replace(params.diplomacy, affinity=aff, recipient_groups=groups)
    params = dataclasses.replace(params, diplomacy=d)
    state = initial_state(w, params)
    state.stock[:] = rng.uniform(0, 300, state.stock.shape) * (rng.random(state.stock.shape)
                                                               < 0.5)
    state.administered_cum[:] = rng.uniform(0, 100, state.administered_cum.shape)
    state.donor_share[:] *= rng.random(state.donor_share.shape) < 0.8   # per member
    burden = rng.uniform(0.5, 3.0, (2, N)) if draw(st.booleans()) else None
    return w, params, state, burden


def run_round(w, params, state, burden, how):
    state = state.copy()
    log = FlowLog(np.ones(params.n_members, dtype=bool))
    with backend("numba" if how == "numba" else "numpy"):
        if how == "dense":
            original, donation.donate_numpy = donation.donate_numpy, donate_dense
        try:
            given = donation.donate(state, w, params, 0, log, burden)
        finally:
            if how == "dense":
                donation.donate_numpy = original
    return given, state, log.array()


def by_group(flows, params, N):
    """(E, N, C) doses by member, donor and recipient group of pair flows."""
    F = FLOW_COLUMNS
    g = params.diplomacy.recipient_groups
    out = np.zeros((2, N, len(g.names)))
    r = flows[:, F.recipient].astype(int)
    np.add.at(out, (flows[:, F.member].astype(int), flows[:, F.donor].astype(int),
                    g.group[r]), flows[:, F.doses])
    return out


def pair_matrix(flows, N):
    F = FLOW_COLUMNS
    out = np.zeros((2, N, N))
    out[flows[:, F.member].astype(int), flows[:, F.donor].astype(int),
        flows[:, F.recipient].astype(int)] = flows[:, F.doses]
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_factored_round_equals_the_dense_pair_computation(case):
    w, params, state, burden = case
    N = w.n_countries
    dense = run_round(w, params, state, burden, "dense")
    numpy = run_round(w, params, state, burden, "numpy")
    if dense[0] is None:
        assert numpy[0] is None
        return
    scale = max(np.abs(state.stock).max(), 1.0)
    np.testing.assert_allclose(numpy[0], dense[0], rtol=1e-12, atol=1e-12 * scale)
    for f in dataclasses.fields(dense[1]):
        a = getattr(dense[1], f.name)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            np.testing.assert_allclose(getattr(numpy[1], f.name), a, rtol=1e-12,
                                       atol=1e-12 * scale, err_msg=f.name)
    ref = pair_matrix(dense[2], N)
    if params.diplomacy.recipient_groups.pairs:
        got = pair_matrix(numpy[2], N)
    else:  # the ledger holds groups: recipient N + c
        F = FLOW_COLUMNS
        assert (numpy[2][:, F.recipient] >= N).all()
        got = np.zeros((2, N, len(params.diplomacy.recipient_groups.names)))
        got[numpy[2][:, F.member].astype(int), numpy[2][:, F.donor].astype(int),
            numpy[2][:, F.recipient].astype(int) - N] = numpy[2][:, F.doses]
        ref = by_group(dense[2], params, N)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * scale)
    # Doses are conserved: what donors gave is what recipients get, bucket by bucket.
    gave = numpy[1].donated_cum - state.donated_cum
    np.testing.assert_allclose(numpy[0].sum(axis=(0, 2)), gave.sum(axis=1), rtol=1e-12,
                               atol=1e-12 * scale)
    np.testing.assert_allclose(state.stock.sum(axis=(0, 2)) - numpy[1].stock.sum(axis=(0, 2)),
                               gave.sum(axis=1), rtol=1e-12, atol=1e-12 * scale)
    assert (numpy[0] >= 0).all() and (numpy[1].stock >= 0).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_kernel_round_is_identical_to_its_numpy_reference(case):
    w, params, state, burden = case
    numpy = run_round(w, params, state, burden, "numpy")
    numba = run_round(w, params, state, burden, "numba")
    if numpy[0] is None:
        assert numba[0] is None
        return
    np.testing.assert_array_equal(numba[0], numpy[0], strict=True)
    np.testing.assert_array_equal(numba[2], numpy[2], strict=True)
    for f in dataclasses.fields(numpy[1]):
        a = getattr(numpy[1], f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(getattr(numba[1], f.name), a, err_msg=f.name)


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_affinity_sums_equal_the_dense_rows(case):
    """S(n) = Σ_m formula(n, m) x_m and the group sums, against full affinity rows of
    countries without overrides (the diagonal term counted as the sums count it).
    """
    w, params, _, _ = case
    aff = params.diplomacy.affinity
    N = w.n_countries
    x = np.random.default_rng(N).uniform(0, 10, (2, N))
    free = np.flatnonzero(~aff.has_override)
    if not len(free):
        return
    rows = aff.rows(free)
    diag = (aff.base + aff.same_region
            + aff.bloc * np.asarray(aff.relations.membership[free].sum(axis=1)).ravel())
    want = np.einsum("dn,en->ed", rows, x) + diag[None] * x[:, free]
    np.testing.assert_allclose(sums(aff, x)[:, free], want, rtol=1e-12)
    g = recipient_groups(w, limit=0)
    onehot = np.eye(len(g.names))[g.group]                         # (N, C)
    want = np.einsum("dn,en,nc->edc", rows, x, onehot)
    want += (diag[None, :, None] * x[:, free, None]) * onehot[free][None]
    np.testing.assert_allclose(group_sums(aff, x, free, g.group, g.region), want,
                               rtol=1e-12, atol=1e-300)


def test_groups_ledger_is_the_pairs_summed(monkeypatch):
    """On a shipped-size world the ledger keeps pairs; forced to groups it keeps their
    sums (recipient N + c), the same doses to rounding.
    """
    w = make_world([100, 200, 300, 400, 500], ["HIC", "LIC", "LIC", "LMIC", "LIC"],
                   production=[0], days=40, regions=["EUR", "AFR", "AFR", "SEAR", "SEAR"])
    scen = scenario(donation={"countries": {"C00": {"share": 0.5, "keep_coverage": 0.0,
                                                    "buffer_days": 0}}})
    params = params_for(w, scen)
    assert params.diplomacy.recipient_groups.pairs
    state = initial_state(w, params)
    state.stock[-1, 0, 0] = 240.0
    pairs = FlowLog()
    donation.donate(state.copy(), w, params, 0, pairs)
    g = recipient_groups(w, limit=0)
    assert list(g.names) == ["group:AFR:LIC", "group:EUR:HIC", "group:SEAR:LIC",
                             "group:SEAR:LMIC"]
    grouped = dataclasses.replace(params, diplomacy=dataclasses.replace(
        params.diplomacy, recipient_groups=g))
    log = FlowLog()
    donation.donate(state.copy(), w, grouped, 0, log)
    F = FLOW_COLUMNS
    p, q = pairs.array(), log.array()
    assert (q[:, F.channel] == BILATERAL).all()
    want = np.bincount(g.group[p[:, F.recipient].astype(int)], p[:, F.doses], minlength=4)
    got = np.bincount(q[:, F.recipient].astype(int) - 5, q[:, F.doses], minlength=4)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got[1] == 0.0 and got.sum() > 0  # nothing to the donor's own group


@pytest.mark.parametrize("how", ["numpy", "numba"])
def test_a_donor_whose_offer_over_total_would_overflow_is_weighed_by_its_row(how):
    """Affinity 1e-300 to everyone: total ≈ 1e-298, offer / total ≈ 1e300 (past
    DENSE_ABOVE); the donor is weighed by its full row, so gifts stay finite and split
    by need exactly as over the pairs.
    """
    w = make_world([100, 100, 100, 200], ["HIC", "LIC", "LIC", "LIC"], production=[0],
                   days=40)
    scen = scenario(uptake={"hesitancy": 0.0, "shelf_life_days": 120,
                            "shelf_bucket_days": 30, "delivery_lag_days": 5,
                            "capacity": {"LIC": {"start": 1.0, "end": 1.0}}},
                    affinity={"base": 1e-300, "same_region": 0.0, "bloc": 0.0, "tie": 0.0},
                    donation={"countries": {"C00": {"share": 0.5, "keep_coverage": 0.0,
                                                    "buffer_days": 0}}})
    params = params_for(w, scen)
    state = initial_state(w, params)
    state.stock[-1, 0, 0] = 240.0
    with np.errstate(over="ignore"):
        assert 120.0 / (1e-300 * 800) > donation.DENSE_ABOVE
    got = run_round(w, params, state, None, how)
    want = run_round(w, params, state, None, "dense")
    assert np.isfinite(got[0]).all()
    np.testing.assert_allclose(got[0].sum(axis=0)[0], [0, 30, 30, 60], rtol=1e-12)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[2][:, FLOW_COLUMNS.doses], want[2][:, FLOW_COLUMNS.doses],
                               rtol=1e-12)
