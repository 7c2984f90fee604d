"""Partners drawn by affinity without the N × N table: the same picks as the inverse CDF
over explicit affinity rows (:func:`sim.engine.adaptive.pick_partners`), on random
relationship structures and weights.
"""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.adaptive import pick_partners
from sim.world.affinity import PairAffinity, Relations
from sim.world.affinity_sample import sample_partners

WEIGHTS = st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.0, 1e3])


@st.composite
def affinities(draw):
    N = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    K = draw(st.integers(0, 4))
    member = sp.csr_matrix((rng.random((N, K)) < 0.3).astype(float))
    tie = np.triu(rng.random((N, N)) < 0.1, 1)
    over = (rng.random((N, N)) < draw(st.sampled_from([0.0, 0.05]))) & ~np.eye(N, dtype=bool)
    base = draw(WEIGHTS)
    values = np.where(over, rng.choice([0.0, 0.3, 5.0], (N, N)), 0.0)
    return PairAffinity(base=base, same_region=draw(WEIGHTS), bloc=draw(WEIGHTS),
                        tie=draw(WEIGHTS),
                        relations=Relations(rng.integers(0, 3, N).astype(np.int64), member,
                                            sp.csr_matrix((tie | tie.T).astype(float))),
                        overrides=sp.csr_matrix(np.where(over, values - base, 0.0)),
                        overridden=sp.csr_matrix(over)), rng


@settings(max_examples=150, deadline=None)
@given(affinities())
def test_sampled_partners_equal_the_inverse_cdf_over_rows(case):
    aff, rng = case
    N = aff.n
    u = rng.random((3, N))
    u[0, : min(N, 2)] = [0.0, 1 - 2**-53][: min(N, 2)]   # the ends of [0, 1)
    want = pick_partners(u, np.cumsum(aff.rows(np.arange(N)), axis=1))
    got = sample_partners(aff, u)
    assert got.shape == (3, N) and got.dtype.kind == "i"
    # Every pick has positive weight (or is the country itself when it has none).
    rows = aff.rows(np.arange(N))
    own = np.arange(N)[None].repeat(3, axis=0)
    ok = np.where(rows.sum(axis=1)[None] > 0, rows[own, got] > 0, got == own)
    assert ok.all()
    assert (got == want).all()
