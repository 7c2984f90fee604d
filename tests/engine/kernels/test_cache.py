"""Tests of sim/engine/kernels/cache.py: numba's cache is cleared when any kernel source
changes (a caller's compiled copy of an edited callee must not survive), and kept
otherwise.
"""

from pathlib import Path

from sim.engine.kernels import cache


def _cache_dir(tmp_path: Path) -> Path:
    d = tmp_path / "__pycache__"
    d.mkdir()
    for name in ("caller.caller-10.py312.nbi", "caller.caller-10.py312.1.nbc",
                 "callee.callee-3.py312.nbi"):
        (d / name).write_bytes(b"machine code")
    (d / "caller.cpython-312.pyc").write_bytes(b"bytecode")
    return d


def _sources(tmp_path: Path) -> tuple[Path, ...]:
    caller, callee = tmp_path / "caller.py", tmp_path / "callee.py"
    caller.write_text("from callee import f\n")
    callee.write_text("def f(): return 1\n")
    return (caller, callee)


def test_unknown_cache_is_cleared_then_kept(tmp_path):
    d, sources = _cache_dir(tmp_path), _sources(tmp_path)
    assert cache.ensure_fresh(d, sources) is True      # no stamp: sources unknown
    assert sorted(p.name for p in d.iterdir()) == ["caller.cpython-312.pyc", cache.STAMP]
    (d / "caller.caller-10.py312.nbi").write_bytes(b"recompiled")
    assert cache.ensure_fresh(d, sources) is False     # same sources: cache kept
    assert (d / "caller.caller-10.py312.nbi").exists()


def test_editing_only_a_callee_clears_the_callers_cache(tmp_path):
    d, sources = _cache_dir(tmp_path), _sources(tmp_path)
    cache.ensure_fresh(d, sources)
    (d / "caller.caller-10.py312.nbi").write_bytes(b"compiled with the old callee")
    sources[1].write_text("def f(): return 2\n")
    assert cache.ensure_fresh(d, sources) is True
    assert not (d / "caller.caller-10.py312.nbi").exists()
    assert (d / "caller.cpython-312.pyc").exists()      # Python's own cache untouched


def test_fresh_checkout_is_stamped_before_numba_writes(tmp_path):
    d, sources = tmp_path / "__pycache__", _sources(tmp_path)
    assert cache.ensure_fresh(d, sources) is False      # created and stamped, nothing to clear
    (d / "caller.caller-10.py312.nbi").write_bytes(b"first compile")
    assert cache.ensure_fresh(d, sources) is False      # the next process keeps it
    assert (d / "caller.caller-10.py312.nbi").exists()


def test_sources_cover_kernels_and_the_constants_they_freeze():
    names = {p.name for p in cache.SOURCES}
    assert {"dose_day.py", "epidemic.py", "product_expiry.py", "fields.py"} <= names
    assert all(p.exists() for p in cache.SOURCES)
    assert cache.sources_hash() == cache.sources_hash()
