"""CSV reading and atomic writing shared by the build scripts beside this module.

Standard library only, so every build script runs with a bare Python.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of the CSV file at ``path`` as dicts, skipping ``#`` comment lines."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def write_rows(rows: list[dict[str, object]], path: Path, columns: list[str]) -> None:
    """Write ``rows`` with header ``columns`` to ``path`` atomically (temp file, rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
