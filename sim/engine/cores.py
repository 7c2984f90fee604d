"""The cores this process may use: the one count behind every default number of worker
processes (the kernels' parallel warm-up, forked plot workers, sweeps' process workers).
"""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the platform reports it
    (Linux: ``taskset``, cgroup cpusets and CI runners narrow it), else the machine's count.

    Examples
    --------
    >>> usable_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
