"""The epidemic's records (:mod:`sim.engine.epi_record`): the compiled day sums
(:func:`sim.engine.kernels.epi_record.epi_record_day`) equal the numpy reference's block
buffer and flush bit for bit.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from sim.engine.epi_record import EpiRecorder
from sim.engine.kernels import pinned


def _days(E: int, N: int, A: int, days: int, seed: int):
    """Random epidemic states of ``days`` days: rates of very different sizes, so that the
    order of every sum shows in its last bits."""
    rng = np.random.default_rng(seed)
    D_band = np.zeros((E, N, A))
    cum = np.zeros((E, N))
    for _ in range(days):
        scale = 10.0 ** rng.uniform(-3, 7, (E, N))
        inf = rng.random((E, N)) * scale
        dead = rng.random((E, N, A)) * scale[..., None] * 1e-2
        D_band = D_band + dead
        cum = cum + inf
        yield SimpleNamespace(new_infections=inf, new_deaths=dead.sum(axis=2),
                              D=D_band.sum(axis=2), D_band=D_band, infections_cum=cum)


@pytest.mark.parametrize("labels", [
    np.array([0] * 9 + [1] * 12 + [2] * 7 + [3] * 9),          # sorted: slices
    np.random.default_rng(4).integers(-1, 4, 37),              # unsorted, some in none
    np.array([2] * 20 + [0] * 17),                              # groups missing
])
@pytest.mark.parametrize("block", [1, 16, 100])
def test_compiled_records_equal_the_reference(labels, block):
    E, N, A, days = 3, len(labels), 3, 70
    with pinned("numpy"):
        ref = EpiRecorder(labels, E, days, block)
    with pinned("numba"):
        got = EpiRecorder(labels, E, days, block)
    assert not ref.compiled and got.compiled and got.buffer.size == 0
    for t, epi in enumerate(_days(E, N, A, days, seed=block)):
        ref.record(epi, t)
        got.record(epi, t)
        if (t + 1) % block == 0:  # both complete up to a block's end
            np.testing.assert_array_equal(got.countries_end, ref.countries_end)
    for name in ("groups", "bands", "countries_end"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name,
                                      strict=True)
    assert ref.groups[:, -1].any() and ref.bands[:, -1, 0].all()
