"""What a run may use of this machine, known without numpy or the engine: the memory
available to this process, a human-readable size, and a cheap upper bound on a run's
memory that lets ``vaxsim validate`` skip the exact estimate (:mod:`sim.engine.memory`,
which builds one member's arrays) for runs nowhere near the limit.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Share of the machine's memory a run may plan to use.
USABLE_SHARE = 0.8
#: Bytes per member, country and simulated day that no run comes near: measured peaks are
#: about 75 (256 replicates of the shipped baseline peaked at 2.7 GB), so this bound is
#: more than ten times too high on purpose.
ROUGH_BYTES_PER_MEMBER_COUNTRY_DAY = 1000
#: Share of the usable memory under which the rough bound is trusted without the exact
#: estimate.
ROUGH_SHARE = 0.05


def available_bytes() -> int:
    """Memory this process may use: the cgroup limit if there is one, else physical RAM;
    ``VAXSIM_MEMORY_LIMIT`` (bytes, or with a K/M/G suffix) overrides both.
    """
    given = os.environ.get("VAXSIM_MEMORY_LIMIT", "").strip()
    if given:
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(given[-1].upper(), 1)
        return int(float(given.rstrip("KMGkmg")) * scale)
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max",
                       "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            return min(physical, int(text))
    return physical


def human(n: float) -> str:
    """``1536`` → ``'1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def rough_bytes(members: int, countries: int, days: int) -> int:
    """A generous upper bound on a run's peak memory (bytes), from its size alone.

    Parameters
    ----------
    members : ensemble members, no-vaccine twins included
    countries : countries in the world (an upper bound will do)
    days : simulated days
    """
    return ROUGH_BYTES_PER_MEMBER_COUNTRY_DAY * members * countries * max(days, 1)


def clearly_fits(members: int, countries: int, days: int) -> bool:
    """True when even :func:`rough_bytes` is a small share of the usable memory, so the
    exact estimate need not be made.
    """
    usable = available_bytes() * USABLE_SHARE
    return rough_bytes(members, countries, days) < ROUGH_SHARE * usable
