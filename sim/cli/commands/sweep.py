"""``vaxsim sweep``: run a parameter sweep and write its results folder."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.commands import (
    InputError,
    add_output_options,
    compile_first,
    default_out,
    emit,
)

if TYPE_CHECKING:
    import pandas as pd

    from sim.sweep.spec import SweepSpec

SWEEP_EXAMPLES = """\
examples:
  vaxsim sweep scenarios/sweeps/hoarding_vs_pooling.yaml
  vaxsim sweep scenarios/sweeps/donor_regimes.yaml --executor processes   # with a contrast
  vaxsim sweep scenarios/sweeps/donor_regimes_uncertainty.yaml --executor processes
                                          # a contrast over sampled worlds, and what moves it
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --executor processes --workers 2
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --executor dask
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --executor dask --scheduler tcp://10.0.0.5:8786
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --resume results/sensitivity/20260101-120000
"""


def _fmt(value: object) -> str:
    from sim.outcomes.formatting import setting

    return setting(value)


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse (exit 2, before anything is written) a scheduler nothing answers at."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise InputError(f"--scheduler {address}: expected tcp://HOST:PORT")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(f"--scheduler {address}: cannot connect ({exc.strerror or exc})"
                         ) from None


def _check_new_sweep_folder(path: Path) -> None:
    """``-o`` of a new sweep: a new or empty folder (a sweep's own folder is resumed with
    --resume; files are never scattered into another folder).
    """
    if path.exists() and not path.is_dir():
        raise InputError(f"-o {path}: exists and is not a folder")
    if path.is_dir() and any(path.iterdir()):
        if (path / "sweep.yaml").exists():
            raise InputError(f"-o {path}: already holds a sweep; finish it with --resume {path}")
        raise InputError(f"-o {path}: folder is not empty; give a new or empty folder")


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep and write its folder, under one progress display (batches, plots,
    report).
    """
    from sim.output.progress import Progress, member_day_ms
    from sim.sweep.files import load_sweep
    from sim.sweep.plots import plot_count
    from sim.sweep.runner import plan_sweep, run_sweep
    from sim.sweep.store import ResumeMismatch

    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler needs --executor dask")
    if args.scheduler:
        _check_reachable(args.scheduler)
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.resume and args.output:
        raise InputError("give either --resume DIR or -o DIR, not both")
    spec = load_sweep(args.spec)
    if args.output and not args.resume:
        _check_new_sweep_folder(Path(args.output))
    out = Path(args.resume or args.output or default_out(spec.name))
    if args.resume and not (out / "sweep.yaml").exists():
        raise InputError(f"--resume {out}: no sweep.yaml there (not a sweep folder)")
    plan = plan_sweep(spec)
    n_members = plan.n_members
    quiet = args.quiet or args.json
    if not quiet:
        print(f"{spec.name}: {spec.method}, {len(plan.points)} points × {spec.replicates} "
              f"replicate(s) = {n_members} members in {len(plan.batches)} batch(es), "
              f"executor {args.executor}", file=sys.stderr)
    if args.executor != "dask":  # a fresh machine: the kernels once, not in every worker
        compile_first(quiet=quiet)
    draw = not args.no_plots
    steps = {"simulate": len(plan.batches),
             "plots": plot_count(spec) if draw else 0, "report": 1 if draw else 0}
    clock = {"start": time.perf_counter()}
    ran: dict[str, int] = {}

    batch_ms = int(spec.base_data.get("days", 730)) * member_day_ms(spec.batch_for(n_members))
    with Progress(spec.name, steps, quiet=quiet, weights={"simulate": batch_ms}) as bar:
        def progress(done_batches: int, done_members: int) -> None:
            # The first call counts the batches a resumed sweep already has: not run now.
            ran.setdefault("resumed", done_members)
            ran["members"] = done_members - ran["resumed"]
            clock["simulated"] = time.perf_counter()
            bar.set("simulate", done_batches)

        try:
            res = run_sweep(spec, executor=args.executor, workers=args.workers,
                            scheduler=args.scheduler, out_dir=out, resume=bool(args.resume),
                            progress=progress, plots=draw, plan=plan, on_output=bar.advance)
        except ResumeMismatch as exc:
            raise InputError(str(exc)) from None
        bar.settle("plots")
    run_now = ran.get("members", 0)
    seconds = clock.get("simulated", clock["start"]) - clock["start"]
    summary = res.summary()
    first_metric = spec.metrics[0]
    best = summary[first_metric].idxmax()
    lines = [f"{spec.name}: {run_now} members simulated in {seconds:.1f} s "
             f"({run_now / max(seconds, 1e-9):,.0f} members/s, plots and report excluded)"
             + (f"; {ran.get('resumed', 0)} resumed from {out}" if ran.get("resumed") else ""),
             f"  highest {first_metric}: {_fmt(summary.at[best, first_metric])} at "
             + ", ".join(f"{p}={_fmt(summary.at[best, p])}" for p in spec.parameters)]
    table = res.sensitivity_table() if res.sensitivity is not None else None
    if table is not None and not table.empty:
        top = table.loc[table.groupby("metric")["ST"].idxmax()]
        lines += [f"  {row['metric']}: most influential {row['parameter']} "
                  f"(ST {row['ST']:.2f}, S1 {row['S1']:.2f})" for _, row in top.iterrows()]
    contrasts = res.contrast_table()
    worlds, drivers = res.contrast_summary(), res.contrast_drivers()
    if worlds is not None and drivers is not None:
        lines += sampled_contrast_lines(worlds, drivers, spec)
    elif contrasts is not None:
        lines += contrast_lines(contrasts, spec)
    lines.append(f"results: {out}")
    emit(args, {"results": str(out), "members_simulated": run_now,
                "members_resumed": ran.get("resumed", 0), "simulate_seconds": seconds,
                "points": summary.to_dict(orient="records"),
                "sensitivity": None if table is None else table.to_dict(orient="records"),
                "contrast": None if contrasts is None else contrasts.to_dict(orient="records"),
                "contrast_summary": None if worlds is None else worlds.to_dict(orient="records"),
                "contrast_drivers": None if drivers is None else drivers.to_dict(orient="records")},
         lines)
    return 0


def contrast_lines(table: pd.DataFrame, spec: SweepSpec) -> list[str]:
    """Printed lines of the sweep's contrast: per metric and setting of the other
    parameters, the paired difference with its interval.
    """
    from sim.outcomes import formatting
    from sim.sweep.contrast import contrast_settings
    from sim.sweep.labels import metric_unit

    c = spec.contrast
    assert c is not None
    others = contrast_settings(table)
    lines = [f"  {c.parameter} {_fmt(c.treatment)} minus {_fmt(c.control)}, paired by "
             f"replicate: mean [{100 * c.level:g}% interval]"]
    for _, r in table.iterrows():
        where = ", ".join(f"{p}={_fmt(r[p])}" for p in others)
        diff = formatting.difference(r["diff_mean"], r["diff_lo"], r["diff_hi"],
                                     metric_unit(r["metric"]))
        lines.append(f"    {r['metric']}{f' at {where}' if where else ''}: {diff} "
                     f"(lower in {r['share_treatment_lower']:.0%} of {int(r['replicates'])} "
                     "pairs)")
    return lines


def sampled_contrast_lines(worlds: pd.DataFrame, drivers: pd.DataFrame, spec: SweepSpec
                           ) -> list[str]:
    """Printed lines of a contrast crossed with sampled worlds: per metric, the mean
    difference over the worlds with its interval, the worlds' range, how often the
    treatment was lower, and the parameters by how strongly they move the difference.
    """
    from sim.sweep.labels import metric_unit
    from sim.sweep.uncertainty import driver_words, over_worlds_words

    c = spec.contrast
    assert c is not None
    lines = [f"  {c.parameter} {_fmt(c.treatment)} minus {_fmt(c.control)}, paired by "
             f"replicate in each sampled world: mean over worlds [{100 * c.level:g}% "
             "interval]; the worlds' 2.5-97.5% range"]
    for _, r in worlds.iterrows():
        lines.append(f"    {r['metric']}: {over_worlds_words(r, metric_unit(r['metric']))}")
        found = drivers[(drivers["metric"] == r["metric"]) & drivers["prcc"].notna()]
        if not found.empty:
            lines.append("      moved by " + ", ".join(
                f"{d['parameter']} ({driver_words(d)})" for _, d in found.iterrows()))
    return lines


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sweep``."""
    p = sub.add_parser("sweep", help="run a parameter sweep (grid, LHS, Sobol) with replicates",
                       description="Run a sweep file: sample its parameters, run every point's "
                       "replicates in ensemble batches on the chosen executor, and write "
                       "points.parquet, metrics.parquet, sweep.yaml, sensitivity.json (sobol), "
                       "plots and report.html. Batches are written as they finish, so an "
                       "interrupted sweep can be resumed.",
                       epilog=SWEEP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", help="sweep YAML file or shipped sweep name (see scenarios/sweeps/)")
    p.add_argument("-o", "--output", help="results folder (default results/<sweep>/<time>/)")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default="serial",
                   help="where batches run (default serial); results are identical")
    p.add_argument("--workers", type=int, help="processes or Dask workers (default: cores "
                   "for processes, 2 for a local Dask cluster)")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address "
                   "tcp://HOST:PORT (default: start a local cluster on 127.0.0.1)")
    p.add_argument("--resume", metavar="DIR", help="finish the interrupted sweep in DIR, "
                   "running only the batches it lacks")
    p.add_argument("--no-plots", action="store_true", help="skip plots and report.html")
    add_output_options(p)
    p.set_defaults(func=cmd_sweep)
