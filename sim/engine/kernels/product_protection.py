"""The epidemic's vaccine protection by product, compiled: one pass over (E, N) that
writes :func:`sim.engine.product_protection.refresh_protection`'s values in place.

The numpy reference builds (2, E, N, V) arrays product by product (the weights, the
named classes' protection, the base and the escapes) and then picks the rows to keep:
at 10,000 regions that was ~5 ms a call, ~0.14 s of a 730-day run (every 28 days).
Here each country's weights are made once and every value is added product by product
in the reference's order (``0.0 + w_0 p_0 + w_1 p_1 + ...``; a product's total summed
in numpy's order, :func:`sim.engine.kernels.sums.short_sum`), so the values are the
same bit for bit (``tests/engine/test_products.py``).

Shapes: E members, N countries, Q products, V strain slots, G variant classes.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit
from sim.engine.kernels.sums import short_sum


@jit
def refresh_day(courses: np.ndarray, protection: np.ndarray, strain_class: np.ndarray,
                strains: np.ndarray, on: np.ndarray, ve_course: np.ndarray) -> None:
    """Set ``ve_course`` (2, E, N, V) of members ``on`` (E,) bool in countries that have
    given courses to the protection of their courses weighted by product, in place.

    courses : (E, N, Q) courses given by product; protection : (2, Q, G) against
    [infection, death] by variant class; strain_class : (E, V) int class of each strain
    slot (-1: none: the ancestral class's protection times one minus the strain's
    escape); strains : (E, V, 4) the epidemic's strain table (escape, escape_death at 1, 2)
    """
    E, N, Q = courses.shape
    V = strain_class.shape[1]
    flat = courses.reshape(-1)
    w = np.empty(Q)
    for e in range(E):
        if not on[e]:
            continue
        for n in range(N):
            total = short_sum(flat, (e * N + n) * Q, Q)
            if not total > 0:
                continue  # no course yet: the epidemic's value stays
            for q in range(Q):
                w[q] = courses[e, n, q] / total
            for k in range(2):
                base, have_base = 0.0, False  # the ancestral class's, when first needed
                for v in range(V):
                    c = strain_class[e, v]
                    if c >= 0:
                        acc = 0.0
                        for q in range(Q):
                            acc += w[q] * protection[k, q, c]
                        ve_course[k, e, n, v] = acc
                    else:
                        if not have_base:
                            for q in range(Q):
                                base += w[q] * protection[k, q, 0]
                            have_base = True
                        ve_course[k, e, n, v] = base * (1.0 - strains[e, v, 1 + k])
