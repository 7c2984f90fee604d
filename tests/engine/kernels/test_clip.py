"""sim/engine/kernels/clip.py: kernels clip at zero as numpy's references do, signed zeros
included, and no kernel clips with ``max(x, 0.0)`` (which keeps -0.0)."""

import io
import tokenize
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import sim.engine.kernels as kernels
from sim.engine.kernels import jit
from sim.engine.kernels.clip import nonneg


@jit
def _nonneg_row(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = nonneg(x[i])


def _compiled(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    _nonneg_row(x, out)
    return out


def test_signed_zero_becomes_positive_zero_and_nan_is_kept():
    x = np.array([-0.0, 0.0, -1e-300, -3.5, 2.0, np.inf, -np.inf, np.nan])
    out = _compiled(x)
    assert not np.signbit(out[:4]).any()
    assert out[4] == 2.0 and out[5] == np.inf and out[6] == 0.0 and np.isnan(out[7])
    assert np.copysign(1.0, nonneg(-0.0)) == 1.0  # the Python function too


@given(st.lists(st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0])),
                min_size=1, max_size=50))
def test_equal_to_numpys_maximum_byte_for_byte(values):
    x = np.array(values, dtype=np.float64)
    assert _compiled(x).tobytes() == np.maximum(x, 0.0).tobytes()


def clips_with_max(source: str) -> list[int]:
    """Lines of ``source`` where code (not a string or comment) calls the built-in
    ``max(..., 0.0)``."""
    code = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER)]
    found = []
    for i, tok in enumerate(code[:-1]):
        if tok.string != "max" or code[i + 1].string != "(" or (i and code[i - 1].string == "."):
            continue
        depth, j = 0, i + 1
        while True:
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(code[j].string, 0)
            if depth == 0:
                break
            j += 1
        if code[j - 1].string == "0.0" and code[j - 2].string == ",":
            found.append(tok.start[0])
    return found


def test_the_scan_finds_a_clip_over_lines_and_skips_strings_and_comments():
    source = ('"""max(x, 0.0) in a docstring"""\n# max(y, 0.0)\n'
              "a = max(b[e, max(n, 1)]\n        - f(c), 0.0)\nd = np.max(e, 0.0)\n"
              "g = max(h, 0.0, 1.0)\n")
    assert clips_with_max(source) == [3]


def test_no_kernel_clips_with_max_at_zero():
    """``max(x, 0.0)`` keeps -0.0 (it returns its first argument on a tie), and a -0.0 in
    a member's state can turn to +0.0 only in some batches: use ``nonneg``."""
    found = {path.name: lines
             for path in sorted(Path(kernels.__file__).parent.glob("*.py"))
             if (lines := clips_with_max(path.read_text()))}
    assert found == {}
