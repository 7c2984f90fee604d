"""Golden baselines: the ``summary.json`` of every shipped scenario, saved bit for bit.

Each shipped scenario (``scenarios/*.yaml``) is run short (``DAYS`` days, ``REPLICATES``
replicates, its own seed) and its summary is compared, as JSON text with floats written
exactly (``repr`` round-trips), with ``tests/golden/<name>.json``. A refactor must leave
every file unchanged on the machine that wrote it.

**Across machines** the compiled kernels (numba, built for the host CPU) may add in a
different order (AVX2 against AVX-512 vector widths), so a summary can differ in its
last bits from one written elsewhere: the goldens written on an AVX-512 machine differed
from an AVX2 machine's by at most ~1e-15 relative, in 54 fields of ``baseline``. The
check therefore accepts numbers within :data:`RTOL` of the golden ones ("same up to
rounding") and everything else (keys, lengths, strings, integers, flags) exactly; a
refactor checked on one machine should still print "same". Bit-identity across
executors and worker counts is tested on one machine (``tests/sweep``).

A deliberate model change (new mechanism, re-calibrated parameter, fixed bug) changes
the summaries: regenerate them in the same commit and say why in its message::

    python -m tests.golden --update          # or: make golden

``python -m tests.golden`` without ``--update`` checks and lists the scenarios that
differ (exit 1), like the test does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "scenarios"
GOLDEN_DIR = Path(__file__).resolve().parent

#: Short runs: long enough for the epidemic, the pool, donations and reviews to act,
#: short enough for the whole check to take well under a minute on two busy cores.
DAYS = 240
REPLICATES = 3

#: Relative tolerance for numbers (rounding across CPUs, never a model change).
RTOL = 1e-9


def scenario_names() -> list[str]:
    """Names (file stems) of the shipped scenarios, sorted."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def summary_text(name: str) -> str:
    """``summary.json`` of a short fixed-seed run of shipped scenario ``name``, as text."""
    from sim import load_scenario, run

    res = run(load_scenario(SCENARIO_DIR / f"{name}.yaml"), days=DAYS,
              replicates=REPLICATES)
    return dumps(res.summary)


def dumps(summary: dict[str, Any]) -> str:
    """The stored form: sorted keys, exact floats, one trailing newline."""
    return json.dumps(summary, indent=1, sort_keys=True, allow_nan=True) + "\n"


def golden_path(name: str) -> Path:
    """Where scenario ``name``'s golden summary lives."""
    return GOLDEN_DIR / f"{name}.json"


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Dotted paths where two parsed summaries differ (for a readable failure)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in expected or key not in actual:
                out.append(f"{sub}: only in {'actual' if key in actual else 'golden'}")
            else:
                out += differences(expected[key], actual[key], sub)
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{path}[{i}]")]
    same = json.dumps(expected, allow_nan=True) == json.dumps(actual, allow_nan=True)
    return [] if same else [f"{path}: golden {expected!r}, now {actual!r}"]


def _numbers(expected: Any, actual: Any) -> tuple[float, float] | None:
    """(expected, actual) as floats when both are non-boolean numbers, else None."""
    def num(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)
    return (float(expected), float(actual)) if num(expected) and num(actual) else None


def rounding_only(expected: Any, actual: Any, rtol: float = RTOL) -> tuple[bool, float]:
    """(whether every difference between two parsed summaries is a float within ``rtol``
    relative, the largest relative difference among their floats).

    Examples
    --------
    >>> rounding_only({"d": [1.0, 2]}, {"d": [1.0000000000000002, 2]})
    (True, 2.2204460492503126e-16)
    >>> rounding_only({"d": 1.0, "n": 2}, {"d": 1.0, "n": 3})
    (False, 0.0)
    """
    worst = 0.0
    ok = True

    def walk(e: Any, a: Any) -> None:
        nonlocal worst, ok
        if isinstance(e, dict) and isinstance(a, dict):
            if set(e) != set(a):
                ok = False
                return
            for k in e:
                walk(e[k], a[k])
        elif isinstance(e, list) and isinstance(a, list):
            if len(e) != len(a):
                ok = False
                return
            for x, y in zip(e, a, strict=True):
                walk(x, y)
        elif (pair := _numbers(e, a)) is not None and not (isinstance(e, int)
                                                          and isinstance(a, int)):
            x, y = pair
            if x == y or (x != x and y != y):        # equal, or both NaN
                return
            rel = abs(x - y) / max(abs(x), abs(y))
            worst = max(worst, rel)
            ok = ok and rel <= rtol
        elif e != a:
            ok = False

    walk(expected, actual)
    return ok, worst


def verdict(old: str | None, text: str) -> str:
    """"same", "same up to rounding (max relative difference X)" or "DIFFERS"."""
    if text == old:
        return "same"
    if old is None:
        return "DIFFERS"
    ok, worst = rounding_only(json.loads(old), json.loads(text))
    return f"same up to rounding (max relative difference {worst:.1e})" if ok else "DIFFERS"


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.golden [--update] [NAME ...]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true",
                        help="rewrite the golden files from fresh runs")
    parser.add_argument("names", nargs="*", help="scenario names (default: all shipped)")
    args = parser.parse_args(argv)
    names = args.names or scenario_names()
    changed = []
    for name in names:
        text = summary_text(name)
        path = golden_path(name)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        said = verdict(old, text)
        if said == "DIFFERS":
            changed.append(name)
        if args.update and text != old:
            path.write_text(text, encoding="utf-8")
            said = "updated"
        print(f"{name}: {said}")
    if args.update:
        stale = sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) if not args.names else []
        for stem in set(stale) - set(names):
            golden_path(stem).unlink()
            print(f"{stem}: removed (no such scenario)")
        return 0
    return 1 if changed else 0
