"""``vaxsim validate`` and ``vaxsim schema``: check scenario files, print the schema."""

from __future__ import annotations

import argparse
import json
import sys

from sim.cli.commands import add_set_option


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario and sweep files; one line per file; exit 2 if any is bad.

    The memory check is exact only for runs that could come near the machine's limit: the
    rest pass a cheap bound (:func:`sim.scenario.budget.clearly_fits`), so validating
    needs neither pandas nor the engine.
    """
    from sim.scenario import ScenarioError, load_scenario
    from sim.scenario.budget import clearly_fits
    from sim.scenario.references import selected_count

    bad = 0
    for f in args.files:
        try:
            if is_sweep_file(f):
                print(validate_sweep(f, args.set))
                continue
            s = load_scenario(f, args.set)
            twins = s.epidemic.enabled and s.epidemic.vaccine_effect and s.outputs.deaths_averted
            members = s.replicates * (2 if twins else 1)
            try:
                if not clearly_fits(members, selected_count(s), s.days):
                    from sim.api import check_runnable

                    check_runnable(s)
            except ScenarioError as exc:
                raise ScenarioError(f"{f}: {exc}") from None
            print(f"{f}: ok ({s.name}, {s.days} days from {s.start})")
        except ScenarioError as exc:
            print(f"vaxsim: error: {exc}", file=sys.stderr)
            bad += 1
    return 2 if bad else 0


def is_sweep_file(name: str) -> bool:
    """Whether ``name`` is a sweep file: a file with the top-level keys ``base:`` and
    ``parameters:`` (found by a scan of its lines, not by parsing: the scenario loader
    keeps its own limits and messages for hostile files). Shipped names and unreadable
    files count as scenarios, whose loader then says what is wrong.
    """
    import re
    from pathlib import Path

    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return False
    return bool(re.search(r"(?m)^base[ \t]*:", text)
                and re.search(r"(?m)^parameters[ \t]*:", text))


def validate_sweep(name: str, overrides: list[str] | None) -> str:
    """Check a sweep file as ``vaxsim sweep`` would before running (schema, parameter
    paths, metrics, contrast, every corner of its ranges); the line to print.

    Raises
    ------
    ScenarioError
        The sweep is bad, or ``--set`` was given (it applies to scenarios).
    """
    from sim.scenario import ScenarioError
    from sim.sweep.files import load_sweep
    from sim.sweep.samplers import point_count

    if overrides:
        raise ScenarioError(f"{name}: --set applies to scenario files, not to a sweep (put "
                            "the change under the sweep's overrides)")
    spec = load_sweep(name)
    points = point_count(spec)
    return (f"{name}: ok (sweep {spec.name}: {spec.method}, {points:,} points × "
            f"{spec.replicates} replicate(s)"
            + (f"; contrast of {spec.contrast.parameter}" if spec.contrast else "") + ")")


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the scenario JSON schema."""
    from sim.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``validate`` and ``schema``."""
    p = sub.add_parser("validate", help="check scenario and sweep files without running them")
    p.add_argument("files", nargs="+",
                   help="scenario YAML files, shipped scenario names (e.g. baseline) or sweep "
                   "files")
    add_set_option(p)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("schema", help="print the scenario file JSON schema")
    p.set_defaults(func=cmd_schema)
