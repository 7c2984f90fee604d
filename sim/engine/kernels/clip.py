"""Clipping at zero inside kernels exactly as the numpy references clip.

numba's ``max(x, 0.0)``, like Python's, returns its first argument when neither is
larger, so ``max(-0.0, 0.0)`` is -0.0, where the references' ``np.maximum(x, 0.0)`` gives
+0.0. The sign of a zero is invisible to every comparison, but not to the bytes of a
result: a -0.0 stored in a member's state turns into +0.0 when a later pass adds an exact
zero to it, and some passes run only on days when another member of the batch needs them
(gifts, sales). A member's state then depended on its batch, in sign bits (the long
fuzz's case 10,300,978). So kernels clip with :func:`nonneg`.
"""

from __future__ import annotations

from sim.engine.kernels import jit


@jit
def nonneg(x: float) -> float:
    """``x`` clipped below at zero as ``np.maximum(x, 0.0)`` does: +0.0 for any ``x <= 0``
    (-0.0 included), NaN kept.

    Examples
    --------
    >>> import math
    >>> nonneg(-2.5), nonneg(3.0), math.copysign(1.0, nonneg(-0.0))
    (0.0, 3.0, 1.0)
    """
    return x if x > 0.0 or x != x else 0.0
