"""Keep numba's on-disk kernel cache in step with the kernels' sources.

numba's ``cache=True`` stores each kernel's machine code in ``__pycache__`` next to its
module and reuses it while *that module's* file is unchanged (its modification time and
size). A kernel that calls a kernel of another module keeps its own compiled copy of the
callee, and module-level constants it reads (``sim/engine/fields.py``) are frozen into it
too. So editing only a callee, or only a constant, leaves every caller running the old code
from the cache, silently (seen in session 8: ``product_expiry.py`` edited, ``dose_day``
still ran the old expiry).

:func:`ensure_fresh` closes that gap for a source checkout: it hashes every source a kernel
can depend on (:data:`SOURCES`) and, when the hash differs from the one stored beside the
cache, deletes the cached kernels (``*.nbi`` index and ``*.nbc`` data files) of this package
before anything loads, so each kernel compiles again from the current sources on first call.
An installed package whose files are replaced on upgrade gets new modification times, which
numba already notices; a read-only cache directory is left alone, and so is a cache
moved elsewhere with ``NUMBA_CACHE_DIR`` (numba's own rule applies there).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The package's directory; its ``__pycache__`` holds numba's cache of its kernels.
HERE = Path(__file__).resolve().parent

#: Files whose contents end up in compiled kernels: every kernel module, and the modules
#: whose constants kernels read at compile time. Not this module nor the ``warm*.py``
#: modules (:mod:`sim.engine.kernels.warm` compiles kernels, it holds none): editing them
#: must not throw the compiled kernels away.
SOURCES: tuple[Path, ...] = (
    *sorted(p for p in HERE.glob("*.py")
            if p.name != "cache.py" and not p.name.startswith("warm")),
    HERE.parent / "fields.py",
)

#: Name of the file, inside the cache directory, holding the hash of :data:`SOURCES`.
STAMP = "vaxsim-kernel-sources.sha256"

_CHECKED: list[bool] = [False]


def sources_hash(sources: tuple[Path, ...] = SOURCES) -> str:
    """SHA-256 over the names and bytes of ``sources`` (a missing file hashes as empty)."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
    return digest.hexdigest()


def ensure_fresh(cache_dir: Path | None = None, sources: tuple[Path, ...] = SOURCES) -> bool:
    """Delete numba's cached kernels in ``cache_dir`` (default: this package's
    ``__pycache__``) if ``sources`` changed since they were stored; return True if it did.

    Runs once per process for the default directory (later calls return False at once).
    Errors from a read-only or concurrently cleaned directory are ignored: the worst case
    is numba's own behaviour.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "k.f-1.py312.nbi").write_bytes(b"old")
    >>> ensure_fresh(d, sources=())   # no stamp yet: the cache is of unknown sources
    True
    >>> ensure_fresh(d, sources=())   # stamped now, nothing changed
    False
    """
    default = cache_dir is None
    if default:
        if _CHECKED[0]:
            return False
        _CHECKED[0] = True
    directory = HERE / "__pycache__" if cache_dir is None else cache_dir
    try:
        directory.mkdir(exist_ok=True)  # a fresh checkout: stamp the empty cache now
    except OSError:
        return False
    if not os.access(directory, os.W_OK):
        return False
    wanted = sources_hash(sources)
    stamp = directory / STAMP
    try:
        if stamp.read_text().strip() == wanted:
            return False
    except OSError:
        pass
    stale = [p for p in directory.iterdir() if p.suffix in (".nbi", ".nbc")]
    for path in stale:
        try:
            path.unlink()
        except OSError:
            pass
    try:
        tmp = directory / f"{STAMP}.{os.getpid()}"
        tmp.write_text(wanted + "\n")
        tmp.replace(stamp)
    except OSError:
        pass
    return bool(stale)
