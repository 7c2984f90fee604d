"""The epidemic's protection by product: the compiled refresh
(:func:`sim.engine.kernels.product_protection.refresh_day`) writes exactly the numpy
reference's values (:func:`sim.engine.product_protection.course_protection`, picked by
country), and only where the reference writes.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.engine.product_protection import refresh_protection


def _case(seed: int, E: int = 3, N: int = 40, Q: int = 10, V: int = 5, G: int = 3):
    rng = np.random.default_rng(seed)
    courses = rng.random((E, N, Q)) * rng.integers(0, 1000, (E, N, Q))
    courses[:, ::4] = 0.0                      # countries with no course yet keep theirs
    courses[:, 1::7, : Q // 2] = 0.0           # some products unused
    ps = SimpleNamespace(courses=courses)
    pp = SimpleNamespace(protection=rng.random((2, Q, G)),
                         strain_class=rng.integers(-1, G, (E, V)),
                         enabled=np.array([True, False, True])[:E])
    pp.strain_class[0, 0] = -1                 # a strain of no class: ancestral x escape
    epi = SimpleNamespace(strains=rng.random((E, V, 4)), ve_course=rng.random((2, E, N, V)),
                          changed=lambda: None)
    return ps, pp, epi


@pytest.mark.parametrize("due", [None, np.array([True, True, False])])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_refresh_is_the_reference(monkeypatch, seed, due):
    got, want = _case(seed), _case(seed)
    before = got[2].ve_course.copy()
    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")
    refresh_protection(*want, due)
    monkeypatch.setenv("VAXSIM_BACKEND", "numba")
    refresh_protection(*got, due)
    assert np.array_equal(got[2].ve_course, want[2].ve_course)
    assert not np.array_equal(got[2].ve_course, before)  # the case writes something
    # members off (not enabled, or not due) and countries with no course keep theirs
    assert np.array_equal(got[2].ve_course[:, 1], before[:, 1])
    assert np.array_equal(got[2].ve_course[:, :, ::4], before[:, :, ::4])


def test_refresh_tells_the_epidemic():
    ps, pp, epi = _case(0)
    calls = []
    epi.changed = lambda: calls.append(1)
    refresh_protection(ps, pp, epi)
    assert calls == [1]
