"""The kernels and argument types :mod:`sim.engine.kernels.warm` compiles: the recorded
list (:mod:`sim.engine.kernels.warm_signatures`) read back into numba types, and the
signatures this process's kernels were called with (to record or check that list).
"""

from __future__ import annotations

import ast

from sim.engine.kernels.cache import HERE
from sim.engine.kernels.warm_signatures import SIGNATURES


def signatures() -> dict[str, list[str]]:
    """:data:`SIGNATURES` grouped by kernel (``"module.name"``), in the list's order."""
    out: dict[str, list[str]] = {}
    for kernel, sig in SIGNATURES:
        out.setdefault(kernel, []).append(sig)
    return out

def parse_signature(text: str) -> tuple:
    """The argument types written by ``str(dispatcher.signatures[i])`` (numba types'
    ``repr``: ``"(int64, Array(float64, 2, 'C', False, aligned=True), bool)"``), built with
    the constructors of ``numba.types`` (parsed, not evaluated: only names of
    ``numba.types``, calls of them and constants are accepted).
    """
    from numba import types

    def build(node: ast.expr) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple):
            return tuple(build(e) for e in node.elts)
        if isinstance(node, ast.Name) and isinstance(getattr(types, node.id, None),
                                                     types.Type | type):
            return getattr(types, node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            make = build(node.func)
            return make(*(build(a) for a in node.args),  # type: ignore[operator]
                        **{k.arg: build(k.value) for k in node.keywords if k.arg})
        raise ValueError(f"not a numba type: {ast.unparse(node)!r} in {text[:80]!r}")

    built = build(ast.parse(text, mode="eval").body)
    return built if isinstance(built, tuple) else (built,)

def kernel(name: str) -> object:
    """The dispatcher ``"module.name"`` of this package."""
    import importlib

    module, attr = name.rsplit(".", 1)
    return getattr(importlib.import_module(f"sim.engine.kernels.{module}"), attr)

def dispatchers() -> dict[str, object]:
    """Every numba dispatcher defined in this package's kernel modules, by
    ``"module.name"`` (imports them all).
    """
    import importlib
    import pkgutil

    from numba.extending import is_jitted

    out: dict[str, object] = {}
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name == "cache" or info.name.startswith("warm"):
            continue
        module = importlib.import_module(f"sim.engine.kernels.{info.name}")
        out.update((f"{info.name}.{attr}", obj) for attr, obj in vars(module).items()
                   if is_jitted(obj) and obj.__module__ == module.__name__)
    return out

def observed() -> list[tuple[str, str]]:
    """``(kernel, signature)`` of every signature this process's dispatchers hold
    (``Dispatcher.signatures``, written as :func:`parse_signature` reads them): after runs
    from a warm cache, the kernels those runs called from Python.
    """
    return sorted((name, str(sig)) for name, disp in dispatchers().items()
                  for sig in disp.signatures)  # type: ignore[attr-defined]
