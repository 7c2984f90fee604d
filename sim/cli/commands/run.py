"""``vaxsim run``: run one scenario and write its results folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from sim.cli.commands import (
    EXAMPLES,
    add_folder_options,
    add_output_options,
    add_set_option,
    compile_first,
    default_out,
    emit,
    given_out,
)


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results folder, under one progress display
    (simulate, tables, plots, report).

    A server is forked first (:func:`sim.output.workers.server_ahead`), before this
    process imports numpy, the scenario's modules and the engine or loads the scenario:
    on the other core it imports what saving needs (numpy, the scenario's and the
    engine's modules for the results, pandas, the parquet writer, the metric modules
    and, unless plots are off, matplotlib and the plot modules:
    :func:`sim.output.folder.warm_up`; it loads the scenario itself to know whether to
    draw), prepares the plots' figures, ticks and map outlines and forks the plot
    workers (who inherit them), all while this process imports, builds and simulates;
    it then writes the results folder's files (:func:`sim.output.folder.save_results_in`).
    This process imports neither pandas nor matplotlib. Both processes import numpy,
    pydantic's schema and the engine's modules (~0.6-0.9 s of CPU each), but the
    server's copy runs on a core that is otherwise idle then: forked after those
    imports (session 12), its warm-up ended with the run, so the figures, outlines and
    worker fork were paid after it (vaxsim run with plots, 7 A/B pairs against
    d2cfa1c: wall ratio 0.90 median, CPU 0.93; against c2d12dc, whose server also makes
    the ticks ahead, 1.06 and CPU 1.04 at load 4-5: to re-measure; docs/SPEED_FINDINGS.md,
    run16). Forking
    after the scenario's load and the output modules' import instead (the server then
    imports only the engine's modules again, ~0.2 s) was not faster: 2 x 7 pairs
    against this, wall ratio 1.05 and 1.06 median, CPU 0.98 and 0.99 (at
    load 3.5-6). The compiled kernels load
    from numba's cache at their first call (0.7-1 s, on this process's critical path);
    loading them on a background thread
    does not pay: 50-75 ms of build lie between the fork and the first kernel call,
    every kernel is needed on day 0, and half the load holds the GIL while the other
    half convoys behind a busy main thread (measured: docs/SPEED_FINDINGS.md, load13).
    When they are not compiled yet (a fresh machine), :func:`compile_first` compiles them
    first, one process per core, before anything is forked.
    """
    from functools import partial

    from sim.output.workers import server_ahead

    compile_first(quiet=args.quiet)  # a fresh machine: the kernels, on every core
    with server_ahead(partial(_warm_up, args)) as server:
        from sim.api import deterministic_note, run
        from sim.output.folder import save_results_in, save_steps
        from sim.output.progress import Progress, member_day_ms
        from sim.scenario import load_scenario

        scenario = load_scenario(args.scenario, args.set)
        plots = False if args.no_plots else None
        target = given_out(args.output, args.force)
        note = deterministic_note(scenario, args.replicates or scenario.replicates)
        if note:
            print(note, file=sys.stderr)
        steps = {"simulate": scenario.days, **save_steps(scenario, plots)}
        members = args.replicates or scenario.replicates
        with Progress(scenario.name, steps, quiet=args.quiet or args.json,
                      weights={"simulate": member_day_ms(members)}) as progress:
            results = run(scenario, seed=args.seed, replicates=args.replicates,
                          progress=lambda d: progress.set("simulate", d))
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


def _warm_up(args: argparse.Namespace) -> Iterator[None] | None:
    """The server's warm-up (:func:`sim.output.folder.warm_up`), plots included unless
    ``--no-plots`` or the scenario turns them off (it loads the scenario for that; if
    that fails, this process reports the error and the server draws nothing).
    """
    from sim.output.folder import warm_up

    draw = not args.no_plots
    if draw:
        import warnings

        from sim.scenario import load_scenario

        try:
            with warnings.catch_warnings():  # this process says them
                warnings.simplefilter("ignore")
                draw = load_scenario(args.scenario, args.set).outputs.plots
        except Exception:  # noqa: BLE001  (this process loads it again and says why)
            draw = False
    return warm_up(draw)


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
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    add_output_options(p)
    p.set_defaults(func=cmd_run)
