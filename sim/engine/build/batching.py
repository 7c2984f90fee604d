"""Which scenarios' members may run as one (E, N) batch, and with what guarantee.

Members of one batch must share a :class:`~sim.engine.build.params.Structure` (array
shapes, stage timing; :func:`~sim.engine.build.params.build_params` refuses others). They
run to the same numbers as alone (up to rounding) whatever else they share, but bit for
bit only when they also share their *immunity classes*: the batch merges two scheduled
strains into one class only when their ``(escape, escape_death)`` agree in every member
(:func:`sim.engine.build.epi_status.immunity_classes`), so a member whose Alpha escapes
nothing, run beside one whose Alpha escapes a little, has its survivors of the ancestral
strain and of Alpha in two classes instead of one: the same people, summed in another
order (found by the long fuzz: differences of 3e-8 people in 1e6).

Sweeps and calibration batch members by :func:`batch_group`, so a point's results never
depend on which other points share its batch.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from sim.engine.build.epi_status import immunity_classes
from sim.engine.build.params import Structure
from sim.scenario.schema import Scenario


def own_classes(scenario: Scenario) -> tuple[int, ...]:
    """The immunity classes of the ancestral strain and of ``scenario``'s scheduled
    variants when it runs alone: (1 + S,) class numbers in order of first strain, as
    :func:`~sim.engine.build.epi_status.immunity_classes` numbers them (``()`` without
    an epidemic). Emergent slots are classes of their own in any batch.

    Examples
    --------
    >>> from sim.scenario.loader import validate_data
    >>> own_classes(validate_data({"name": "x"}, source="doc"))   # ancestral+Alpha, ...
    (0, 0, 1, 2)
    """
    epi = scenario.epidemic
    if not epi.enabled:
        return ()
    # The member's strain table as the builder lays it out (only escapes are read): the
    # ancestral strain escapes nothing.
    table = np.zeros((1, 1 + len(epi.variants), 4))
    for s, v in enumerate(epi.variants):
        table[0, 1 + s, 1:3] = v.escape, v.escape_death
    return tuple(immunity_classes(table, table.shape[1]).tolist())


def batch_group(scenario: Scenario) -> tuple[Hashable, ...]:
    """What members run as one batch share, so that each gives bit for bit its results
    alone: its :class:`~sim.engine.build.params.Structure` and its :func:`own_classes`.
    With the same number of scheduled variants and the same classes in every member, the
    batch's classes are each member's own.
    """
    return (Structure.of(scenario), own_classes(scenario))
