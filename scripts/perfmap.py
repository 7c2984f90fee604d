"""perf symbols for numba's compiled kernels: write ``/tmp/perf-<pid>.map`` so that
``perf report`` names the kernels (and the callees each one links in) instead of showing
bare addresses.

Usage (the hook must be installed before the kernels load from numba's cache)::

    import perfmap                      # this file, on sys.path
    simulate(world, params)             # loads (or compiles) the kernels
    perfmap.write_map()
    simulate(world, params)             # the run to profile

    perf record -F 1999 -o perf.data python that_script.py
    perf report -i perf.data --no-children --sort sym

A hot offset inside a kernel can then be disassembled from the object code kept in
``OBJECTS`` (``objdump -d`` of the bytes written to a file). Kernels compiled in this
process (not loaded from the cache) are not mapped: run once to fill the cache first.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from numba.core import codegen

#: Object code of every library loaded from numba's cache: name -> (bytes, library).
OBJECTS: dict[str, tuple[bytes, object]] = {}

_load = codegen.CPUCodeLibrary._object_getbuffer_hook.__func__  # type: ignore[attr-defined]


def _keep(cls, ll_module):
    buf = _load(cls, ll_module)
    if buf:
        try:
            lib = ll_module._CPUCodeLibrary__library
            OBJECTS[lib.name] = (bytes(buf), lib)
        except AttributeError:
            pass
    return buf


codegen.CPUCodeLibrary._object_getbuffer_hook = classmethod(_keep)  # type: ignore[assignment]


def _symbols(obj: bytes) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """(offset, size) of the object's functions (weak ones too), and its strong ones."""
    with tempfile.NamedTemporaryFile(suffix=".o", delete=False) as f:
        f.write(obj)
    out = subprocess.run(["nm", "-S", "--defined-only", f.name], capture_output=True,
                         text=True, check=True).stdout
    os.unlink(f.name)
    syms, strong = {}, []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTW":
            syms[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
            if parts[2] == "T":
                strong.append(parts[3])
    return syms, strong


def write_map() -> int:
    """Write /tmp/perf-<pid>.map for the kernels loaded so far; returns the entries."""
    rows = []
    for obj, lib in OBJECTS.values():
        syms, strong = _symbols(obj)
        base = None
        for name in strong:  # a strong symbol locates this object's text in memory
            address = lib.get_pointer_to_function(name)  # type: ignore[attr-defined]
            if address:
                base = address - syms[name][0]
                break
        if base is None:
            continue
        for name, (offset, size) in syms.items():
            short = name.split("kernels", 1)[-1].split("B2v")[0]
            rows.append((base + offset, size, short))
    with open(f"/tmp/perf-{os.getpid()}.map", "w") as f:
        for address, size, name in sorted(rows):
            f.write(f"{address:x} {size:x} {name}\n")
    return len(rows)
