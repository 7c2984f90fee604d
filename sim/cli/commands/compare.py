"""``vaxsim compare``: run scenarios with one seed and replicate count, side by side."""

from __future__ import annotations

import argparse
import textwrap

from sim.cli.commands import (
    InputError,
    add_folder_options,
    add_output_options,
    add_set_option,
    add_workers_option,
    compile_first,
    default_out,
    emit,
    given_out,
    workers_given,
)

EXAMPLES = """\
examples:
  vaxsim compare scenarios/nationalism.yaml scenarios/baseline.yaml
  vaxsim compare scenarios/*.yaml --replicates 10 --seed 7 -o results/cmp
  vaxsim compare scenarios/nationalism.yaml scenarios/covax_pooling.yaml --replicates 40 --workers 4
  vaxsim compare scenarios/baseline.yaml scenarios/nationalism.yaml --set days=365
  vaxsim compare scenarios/baseline.yaml scenarios/covax_pooling.yaml --json > cmp.json
"""


def cmd_compare(args: argparse.Namespace) -> int:
    """Run and compare scenarios under one progress display; print the key-metric table."""
    from sim.api import compare
    from sim.output.compare import compare_steps, display_rows, key_metrics, text_table
    from sim.output.differences import difference_metrics, difference_note, difference_rows
    from sim.output.progress import Progress, member_day_ms
    from sim.scenario import load_scenario

    if args.replicates is not None and args.replicates < 1:
        raise InputError("--replicates must be at least 1")
    scenarios = [load_scenario(f, args.set) for f in args.scenarios]
    members = args.replicates or max(s.replicates for s in scenarios)
    workers = workers_given(args, members)
    target = given_out(args.output, args.force)
    compile_first(quiet=args.quiet)  # a fresh machine: the kernels, on every core
    with Progress("compare", compare_steps(scenarios), quiet=args.quiet or args.json,
                  weights={"simulate": member_day_ms(members, workers)}) as progress:
        cmp = compare(scenarios, target or default_out("compare"), seed=args.seed,
                      replicates=args.replicates, progress=progress, replace=args.force,
                      workers=workers)
    r0 = cmp.results[0]
    members = int(r0.params.n_members)
    header = ["metric", *cmp.names]
    rows = display_rows(cmp.table, cmp.names, key_metrics(scenarios))
    lines = [f"compared {len(cmp.names)} scenarios: seed {r0.scenario.seed}, "
             f"{members} replicate(s) each" + ("; median [5–95%]" if members > 1 else ""),
             text_table(header, rows)]
    diff_rows = difference_rows(cmp.differences, cmp.names[1:],
                                difference_metrics(key_metrics(scenarios)))
    if diff_rows:
        lines += ["", f"minus {cmp.names[0]}, paired by replicate"
                  + (": mean [95% interval]" if members > 1 else ""),
                  text_table(["metric", *cmp.names[1:]], diff_rows),
                  textwrap.fill(difference_note(cmp.names[0], members), 100,
                                initial_indent="  ", subsequent_indent="  ")]
    lines.append(f"results: {cmp.folder} (comparison.csv, differences.csv, plots/, "
                 "report.html)" if len(cmp.names) > 1 else
                 f"results: {cmp.folder} (comparison.csv, plots/, report.html)")
    emit(args, {"results": str(cmp.folder), "scenarios": cmp.names,
                "seed": r0.scenario.seed, "replicates": members,
                "table": [dict(zip(header, row, strict=True)) for row in rows],
                "metrics": cmp.table.to_dict(orient="records"),
                "differences": cmp.differences.to_dict(orient="records")}, lines)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``compare``."""
    p = sub.add_parser("compare", help="run scenarios with the same seed and compare them",
                       description="Run each scenario with the same seed and number of "
                       "replicates and write comparison.csv (scenario × metric with 5–95% "
                       "bands), differences.csv (each scenario minus the first, paired "
                       "replicate by replicate, with 95% intervals), comparison plots, "
                       "report.html and each scenario's results.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenarios", nargs="+",
                   help="scenario YAML files or shipped scenario names (e.g. baseline)")
    add_folder_options(p, "results/compare/<time>/")
    p.add_argument("--seed", type=int, help="seed for every scenario (default: the first's)")
    p.add_argument("--replicates", type=int,
                   help="replicates for every scenario (default: the largest among them)")
    add_set_option(p)
    add_workers_option(p, auto=True)
    add_output_options(p)
    p.set_defaults(func=cmd_compare)
