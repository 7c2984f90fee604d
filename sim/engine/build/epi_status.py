"""Immunity statuses and classes of the epidemic state ``S`` (E, N, A, K).

K = 3 + 4 C statuses per age band: naive, vaccine, vaccine waned, then for each immunity
class c: infection, infection waned, hybrid (infection and vaccine), hybrid waned,
acquired from an infection with a strain of class c.

**Immunity classes.** By the model's strain memory (:mod:`sim.engine.epi_model`), immunity
acquired from strain u depends on u only through its ``(escape, escape_death)``: strains
with the same pair in every member (ancestral and Alpha in the baseline) leave the same
memory, so their survivors share one *class* of four statuses. Classes are fixed when the
batch is built, from every strain that can appear: each emergent slot is a class of its
own (its escape is known only when it emerges). Merging changes no number of the model,
only the order of some sums (last bits);
:func:`sim.engine.build.epi_params.own_classes` gives every strain its own
class (the model as written per strain, for tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Immunity statuses of people not currently infected: these three, then
#: :data:`STRAIN_STATUSES` once per immunity class (immunity acquired from an infection
#: with a strain of the class).
STATUSES = ("naive", "vaccine", "vaccine_waned")
STRAIN_STATUSES = ("infection", "infection_waned", "hybrid", "hybrid_waned")


def n_statuses(n_classes: int) -> int:
    """K = 3 + 4 C immunity statuses for C immunity classes."""
    return len(STATUSES) + len(STRAIN_STATUSES) * n_classes


def infection_status(cls: int) -> int:
    """Index of fresh *infection* immunity acquired from a strain of class ``cls``; +1
    waned, +2 hybrid (infection and vaccine), +3 hybrid waned.
    """
    return len(STATUSES) + len(STRAIN_STATUSES) * cls


def status_names(class_names: Sequence[str]) -> tuple[str, ...]:
    """(K,) names: ``naive``, ``vaccine``, ``vaccine_waned``, ``infection:<class>`` ...
    (from :func:`class_names`).
    """
    return STATUSES + tuple(f"{s}:{c}" for c in class_names for s in STRAIN_STATUSES)


def vaccinated_statuses(n_classes: int) -> np.ndarray:
    """(K,) bool, True for the statuses of vaccinated people (vaccine and hybrid)."""
    out = np.zeros(n_statuses(n_classes), dtype=bool)
    out[1:3] = True
    for c in range(n_classes):
        out[infection_status(c) + 2:infection_status(c) + 4] = True
    return out


def immunity_classes(strain_table: np.ndarray, n_scheduled: int,
                     merge: bool = True) -> np.ndarray:
    """(V,) int64 immunity class of each strain: strains below ``n_scheduled`` with the
    same (escape, escape_death) in every member share a class; each emergent slot (from
    ``n_scheduled`` on) has its own. Classes are numbered in the order of their first
    strain, so the classes of the first v strains are 0 … c − 1 (the kernels leave out
    the statuses of classes above the highest active strain's). ``merge=False``: every
    strain its own class.

    strain_table : (E, V, 4) transmissibility, escape, escape_death, severity.
    """
    V = strain_table.shape[1]
    if not merge:
        return np.arange(V, dtype=np.int64)
    first: dict[tuple, int] = {}
    out = np.empty(V, dtype=np.int64)
    for v in range(V):
        key = ("emergent", v) if v >= n_scheduled else \
            tuple(strain_table[:, v, 1:3].ravel().tolist())
        out[v] = first.setdefault(key, len(first))
    return out


def class_strains(strain_class: np.ndarray) -> np.ndarray:
    """(classes,) int64 the first strain of each class (whose memory is the class's)."""
    n = int(strain_class.max()) + 1 if len(strain_class) else 0
    return np.array([int(np.flatnonzero(strain_class == c)[0]) for c in range(n)],
                    dtype=np.int64)


def first_statuses(strain_class: np.ndarray) -> np.ndarray:
    """(V,) int64 :func:`infection_status` of each strain's class: where its survivors go."""
    return np.array([infection_status(int(c)) for c in strain_class], dtype=np.int64)


def class_names(strain_names: Sequence[str], strain_class: np.ndarray) -> tuple[str, ...]:
    """(classes,) the names of each class's strains joined by ``+`` (``ancestral+Alpha``)."""
    n = int(strain_class.max()) + 1 if len(strain_class) else 0
    return tuple("+".join(s for s, k in zip(strain_names, strain_class, strict=True)
                          if k == c) for c in range(n))
