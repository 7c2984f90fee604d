"""The package's architecture, checked on its source: no import cycles, and dependencies
point one way, from the command line down to scenario files (README, "Architecture").

Imports inside functions count; imports under ``if TYPE_CHECKING:`` do not (they never
run).
"""

import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from import_graph import SIM, cycles, import_graph, imports_of, modules

ROOT = SIM.parent
#: Longest module allowed, in lines (data build scripts excepted): small modules with one job.
MAX_LINES = 400

#: The layers, lowest first. A module may import its own layer and the layers below.
LAYERS = (
    ("sim.data", "sim.scenario"),      # shipped files and the scenario schema
    ("sim.world",),                    # data -> static arrays
    ("sim.engine",),                   # builders (scenario -> member arrays), stages, kernels
    ("sim.outcomes",),                 # results tables and metrics
    ("sim.output",),                   # results folders, plots, reports
    ("sim.sweep", "sim.calibrate"),    # many runs
    ("sim.api",),                      # the Python API
    ("sim.agents",),                   # the Mesa layer
    ("sim.cli", "sim.__main__", "sim"),  # the command and the package's lazy names
)

#: Engine modules builders may use besides each other: named random streams, the
#: adaptation rules, dose segments, compiled kernels. Everything else in
#: ``sim.engine`` is a day stage (or the loop and recorder), which builders never import.
BUILDER_MAY_USE = ("sim.engine.streams", "sim.engine.adaptive",
                   "sim.engine.segments", "sim.engine.kernels")


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of the longest prefix naming ``module``'s layer."""
    best = (-1, -1)
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best[1]:
                best = (i, len(p))
    assert best[0] >= 0, f"{module} is in no layer: add it to LAYERS (and the README)"
    return best[0]


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_every_module_has_a_layer():
    for module in import_graph():
        layer_of(module)


def test_imports_point_down_the_layers():
    bad = [f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
           for a, targets in sorted(import_graph().items()) for b in sorted(targets)
           if layer_of(b) > layer_of(a)]
    assert not bad, "imports against the layer rule:\n" + "\n".join(bad)


def test_builders_import_no_day_stage():
    bad = [f"{a} imports {b}" for a, targets in sorted(import_graph().items())
           if a.startswith("sim.engine.build") for b in sorted(targets)
           if b.startswith("sim.engine.") and not b.startswith("sim.engine.build")
           and not any(b == m or b.startswith(m + ".") for m in BUILDER_MAY_USE)]
    assert not bad, "builders importing day stages:\n" + "\n".join(bad)


def test_graph_counts_function_imports_and_skips_type_checking(tmp_path):
    src = tmp_path / "mod.py"
    src.write_text(textwrap.dedent("""
        from typing import TYPE_CHECKING
        import sim.a
        from sim.b import thing
        from sim import c
        if TYPE_CHECKING:
            from sim.d import Hidden
        else:
            import sim.e
        def f():
            from sim.f import g
        def h():
            if TYPE_CHECKING:
                import sim.g
        """))
    known = {f"sim.{x}" for x in "abcdefg"} | {"sim.x"}
    assert imports_of("sim.x", src, known) == {"sim.a", "sim.b", "sim.c", "sim.e", "sim.f"}


def test_cycles_are_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT))
                                        for p in modules().values()))
def test_no_module_is_over_the_line_limit(path):
    lines = len((ROOT / path).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path} has {lines} lines (limit {MAX_LINES}): split it"


def tracked_text_files() -> list[Path]:
    """Files git tracks (the repository as a fresh clone has it), text only."""
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    keep = (".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".sh", "Makefile", "run")
    return [ROOT / n for n in names if n.endswith(keep) and (ROOT / n).is_file()
            and not n.startswith("tests/golden/")]


def test_the_repository_refers_to_nothing_outside_itself():
    outside = re.compile(r"\.\./shared|/work/|\bissues? #?\d+\b", re.IGNORECASE)
    bad = []
    for path in tracked_text_files():
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for i, line in enumerate(text.splitlines(), 1):
            if outside.search(line) and "noqa" not in line:
                bad.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()[:90]}")
    assert not bad, "references outside the repository or to issue numbers:\n" + "\n".join(bad)
