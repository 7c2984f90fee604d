"""Names of results folders: a slug of the scenario name, unique among its siblings.

A scenario ``name`` is free text (``"../../x"``, ``"/tmp/x"``, ``"javascript:…"`` are
valid names); a folder is only ever named by :func:`slug` of it, so it stays under the
results root and is safe in a link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


class OutputError(ValueError):
    """A results folder that cannot be used (exit 2): one line."""


#: Longest slug (folder names stay well below file-system limits).
MAX_SLUG = 60


def slug(name: str) -> str:
    """A folder name for ``name``: ASCII letters, digits, ``.``, ``_`` and ``-`` only,
    never starting with ``.`` or ``-``, at most :data:`MAX_SLUG` characters.

    Examples
    --------
    >>> slug("../../etc/passwd"), slug("Vietnam case (2021)"), slug("名前")
    ('etc-passwd', 'Vietnam-case-2021', 'scenario')
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_).strip("-._")[:MAX_SLUG].strip("-._")
    return out or "scenario"


def unique_slugs(names: Sequence[str]) -> list[str]:
    """:func:`slug` of each name, with ``-2``, ``-3`` … appended to repeats."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        s = slug(name)
        seen[s] = seen.get(s, 0) + 1
        while seen[s] > 1 and f"{s}-{seen[s]}" in seen:
            seen[s] += 1
        out.append(s if seen[s] == 1 else f"{s}-{seen[s]}")
    return out
