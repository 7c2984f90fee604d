"""Golden baselines: the ``summary.json`` of every shipped scenario, saved bit for bit.

Each shipped scenario (``scenarios/*.yaml``) is run short (``DAYS`` days, ``REPLICATES``
replicates, its own seed) and its summary is compared, as JSON text with floats written
exactly (``repr`` round-trips), with ``tests/golden/<name>.json``. A refactor must leave
every file unchanged.

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
        if text != old:
            changed.append(name)
            if args.update:
                path.write_text(text, encoding="utf-8")
        print(f"{name}: {'same' if text == old else 'updated' if args.update else 'DIFFERS'}")
    if args.update:
        stale = sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) if not args.names else []
        for stem in set(stale) - set(names):
            golden_path(stem).unlink()
            print(f"{stem}: removed (no such scenario)")
        return 0
    return 1 if changed else 0
