"""Named random streams: one ``numpy.random.Generator`` per member and purpose.

Each purpose (``"production"``, ``"epidemic"``, ``"policy"`` …) draws from its own
stream, derived with ``SeedSequence`` from the member's seed and the purpose's name, so a
scenario and its counterfactual share random numbers wherever they share a purpose, and a
member gives the same draws whether it runs alone or inside a batch.
"""

from __future__ import annotations

import zlib

import numpy as np


def purpose_key(purpose: str) -> int:
    """A stable integer for a purpose name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(purpose.encode("utf-8"))


def member_rng(seed: int, purpose: str) -> np.random.Generator:
    """The generator of one member's stream for ``purpose``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), purpose_key(purpose)]))


def replicate_seeds(seed: int, replicates: int) -> np.ndarray:
    """(R,) member seeds of a scenario's replicates: replicate 0 keeps ``seed`` itself."""
    ss = np.random.SeedSequence(int(seed))
    extra = [int(c.generate_state(1, np.uint32)[0]) for c in ss.spawn(max(replicates - 1, 0))]
    return np.array([int(seed), *extra], dtype=np.int64)
