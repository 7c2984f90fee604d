"""``vaxsim sweep``: run a parameter sweep and write its results folder."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.cli.commands import InputError, default_out

SWEEP_EXAMPLES = """\
examples:
  vaxsim sweep scenarios/sweeps/hoarding_vs_pooling.yaml
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --executor processes --workers 2
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --executor dask
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --executor dask --scheduler tcp://10.0.0.5:8786
  vaxsim sweep scenarios/sweeps/sensitivity.yaml --resume results/sensitivity/20260101-120000
"""


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep and write its folder."""
    from tqdm import tqdm

    from sim.sweep.files import load_sweep
    from sim.sweep.runner import plan_sweep, run_sweep
    from sim.sweep.store import ResumeMismatch

    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler needs --executor dask")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.resume and args.output:
        raise InputError("give either --resume DIR or -o DIR, not both")
    spec = load_sweep(args.spec)
    out = Path(args.resume or args.output or default_out(spec.name))
    if args.resume and not (out / "sweep.yaml").exists():
        raise InputError(f"--resume {out}: no sweep.yaml there (not a sweep folder)")
    plan = plan_sweep(spec)
    n_members = plan.n_members
    print(f"{spec.name}: {spec.method}, {len(plan.points)} points × {spec.replicates} "
          f"replicate(s) = {n_members} members in {len(plan.batches)} batch(es), "
          f"executor {args.executor}", file=sys.stderr)
    bar = tqdm(total=len(plan.batches), desc=spec.name, unit="batch", file=sys.stderr,
               disable=None)
    t0, first = time.perf_counter(), {}

    def progress(done_batches: int, done_members: int) -> None:
        first.setdefault("members", done_members)
        bar.update(done_batches - bar.n)
        rate = (done_members - first["members"]) / max(time.perf_counter() - t0, 1e-9)
        bar.set_postfix_str(f"{done_members}/{n_members} members, {rate:,.0f} members/s")

    try:
        res = run_sweep(spec, executor=args.executor, workers=args.workers,
                        scheduler=args.scheduler, out_dir=out, resume=bool(args.resume),
                        progress=progress, plots=not args.no_plots, plan=plan)
    except ResumeMismatch as exc:
        raise InputError(str(exc)) from None
    finally:
        bar.close()
    elapsed = time.perf_counter() - t0
    print(f"{spec.name}: {n_members} members in {elapsed:.1f} s "
          f"({n_members / max(elapsed, 1e-9):,.0f} members/s)")
    summary = res.summary()
    first_metric = spec.metrics[0]
    best = summary[first_metric].idxmax()
    print(f"  highest {first_metric}: {summary.at[best, first_metric]:.4g} at "
          + ", ".join(f"{p}={_fmt(summary.at[best, p])}" for p in spec.parameters))
    if res.sensitivity is not None:
        table = res.sensitivity_table()
        if not table.empty:
            top = table.loc[table.groupby("metric")["ST"].idxmax()]
            for _, row in top.iterrows():
                print(f"  {row['metric']}: most influential {row['parameter']} "
                      f"(ST {row['ST']:.2f}, S1 {row['S1']:.2f})")
    print(f"results: {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sweep``."""
    p = sub.add_parser("sweep", help="run a parameter sweep (grid, LHS, Sobol) with replicates",
                       description="Run a sweep file: sample its parameters, run every point's "
                       "replicates in ensemble batches on the chosen executor, and write "
                       "points.parquet, metrics.parquet, sweep.yaml, sensitivity.json (sobol), "
                       "plots and report.html. Batches are written as they finish, so an "
                       "interrupted sweep can be resumed.",
                       epilog=SWEEP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", help="sweep YAML file (see scenarios/sweeps/)")
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
    p.set_defaults(func=cmd_sweep)
