"""``vaxsim run``: run one scenario and write its results folder."""

from __future__ import annotations

import argparse
import sys

from sim.cli.commands import (
    EXAMPLES,
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


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results folder, under one progress display
    (simulate, tables, plots, report).

    A server is forked before the run (:func:`sim.output.workers.server_ahead`), once
    the engine's Python modules and numpy are imported (it inherits them for free; numba
    and scipy are imported at the first kernel call and affinity build, after the fork,
    and the results unpickle without them: :class:`sim.world.affinity.LazySparse`): on
    the idle core it imports
    what saving needs (pandas, the parquet writer, the metric modules and, unless plots
    are off, matplotlib and the plot modules: :func:`sim.output.folder.warm_up`) while
    this process simulates, then writes the results folder's files, forking the plot
    workers (:func:`sim.output.folder.save_results_in`). This process imports neither
    pandas nor matplotlib. (Forking before numpy, the engine and the scenario's schema
    are imported gives the server ~0.6 s more, but both processes then import them:
    session 13 measured it, 12 alternating pairs, wall ratio 0.99, CPU 1.04 against
    forking here; docs/SPEED_FINDINGS.md, run16 and lead.) The compiled kernels load
    from numba's cache at their first call (0.7-1 s, on this process's critical path);
    loading them on a background thread
    does not pay: 50-75 ms of build lie between the fork and the first kernel call,
    every kernel is needed on day 0, and half the load holds the GIL while the other
    half convoys behind a busy main thread (measured: docs/SPEED_FINDINGS.md, load13).
    When they are not compiled yet (a fresh machine), :func:`compile_first` compiles them
    first, one process per core, before anything is forked.
    """
    from functools import partial

    from sim.api import deterministic_note, run
    from sim.output.folder import save_results_in, save_steps, warm_up
    from sim.output.progress import Progress, member_day_ms
    from sim.output.workers import server_ahead
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.set)
    workers = workers_given(args, args.replicates or scenario.replicates)
    plots = False if args.no_plots else None
    draw = scenario.outputs.plots if plots is None else plots
    target = given_out(args.output, args.force)
    compile_first(quiet=args.quiet)  # a fresh machine: the kernels, on every core
    with server_ahead(partial(warm_up, draw)) as server:
        note = deterministic_note(scenario, args.replicates or scenario.replicates)
        if note:
            print(note, file=sys.stderr)
        steps = {"simulate": scenario.days, **save_steps(scenario, plots)}
        members = args.replicates or scenario.replicates
        with Progress(scenario.name, steps, quiet=args.quiet or args.json,
                      weights={"simulate": member_day_ms(members, workers)}) as progress:
            results = run(scenario, seed=args.seed, replicates=args.replicates,
                          progress=lambda d: progress.set("simulate", d), workers=workers)
            out = save_results_in(server, results, target or default_out(scenario.name),
                                  plots=plots, progress=progress, replace=args.force)
    from sim.outcomes.summary import summary_rows

    s = results.summary
    rows = summary_rows(s)
    width = max(len(label) for label, _ in rows)
    emit(args, {"results": str(out), "summary": s,
                "table": [{"metric": label, "value": value} for label, value in rows]},
         [f"{s['scenario']}: {s['days']} days from {s['start']}, "
          f"{s['replicates']} replicate(s), seed {s['seed']}"
          + ("; median [5–95%]" if s["replicates"] > 1 else ""),
          *(f"  {label:<{width}}  {value:>10}" for label, value in rows),
          f"results: {out}"])
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``run``."""
    p = sub.add_parser("run", help="run a scenario and write results with plots",
                       description="Run a scenario (all its replicates in one batch) and "
                       "write results: summary.json, parquet tables, plots/*.png and a "
                       "self-contained report.html opening with a one-page brief.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", help="scenario YAML file or shipped scenario name (e.g. baseline)")
    add_folder_options(p, "results/<name>/<time>/")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument("--replicates", type=int, help="override the number of replicates")
    add_set_option(p)
    add_workers_option(p, auto=True)
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    add_output_options(p)
    p.set_defaults(func=cmd_run)
