"""``vaxsim validate`` and ``vaxsim schema``: check scenario files, print the schema."""

from __future__ import annotations

import argparse
import json
import sys

from sim.cli.commands import add_set_option


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files; one line per file; exit 2 if any is bad."""
    from sim.scenario import ScenarioError, load_scenario

    bad = 0
    for f in args.files:
        try:
            s = load_scenario(f, args.set)
            print(f"{f}: ok ({s.name}, {s.days} days from {s.start})")
        except ScenarioError as exc:
            print(f"vaxsim: error: {exc}", file=sys.stderr)
            bad += 1
    return 2 if bad else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the scenario JSON schema."""
    from sim.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``validate`` and ``schema``."""
    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("files", nargs="+", help="scenario YAML files")
    add_set_option(p)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("schema", help="print the scenario file JSON schema")
    p.set_defaults(func=cmd_schema)
