"""``vaxsim calibrate``: fit scenario parameters to observed targets and write the fit."""

from __future__ import annotations

import argparse
import os
import shutil
import textwrap

from sim.cli.commands import (
    InputError,
    add_folder_options,
    add_output_options,
    add_set_option,
    add_workers_option,
    default_out,
    emit,
    given_out,
    workers_given,
)

EXAMPLES = """\
examples:
  vaxsim calibrate scenarios/baseline.yaml \\
      --params uptake.capacity.LIC.end,uptake.hesitancy_groups.HIC
  vaxsim calibrate scenarios/baseline.yaml --targets my_targets.csv \\
      --params production.multiplier,uptake.hesitancy --bounds uptake.hesitancy=0.05:0.4 \\
      --starts 3 -o results/fit
  vaxsim calibrate scenarios/baseline.yaml --deaths --method search \\
      --params epidemic.ifr_multiplier_groups.LIC,epidemic.contacts.groups.LIC.1.multiplier \\
      --rescale-severity
  vaxsim calibrate scenarios/baseline.yaml --deaths --rescale-severity
  vaxsim calibrate scenarios/baseline.yaml --deaths --method search --workers 4 \
      --params epidemic.contacts.groups.HIC.0.multiplier,epidemic.ifr_multiplier_groups.HIC

Targets CSV: date, group (World, HIC, UMIC, LMIC, LIC), metric (coverage_first |
doses_administered | deaths), value [, weight] [, low, high: a death target's 95% range].
Default: the shipped 2021 coverage targets, sim/data/observed.csv; --deaths adds the 2021
excess deaths by income group, sim/data/observed_deaths.csv; several files: comma-separated.
Loss: errors scaled by 5 percentage points (coverage), 10% (relative, doses) and the 95%
range (deaths), squared, weighted mean. A number in a key path is a list item.
"""


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit ``--params`` of a scenario to ``--targets``; write YAML, fit.csv and a plot."""
    from sim import calibrate as cal
    from sim.output.progress import Progress, member_day_ms
    from sim.scenario import load_scenario
    from sim.scenario.loader import validate_data

    workers = workers_given(args)
    scenario = load_scenario(args.scenario, args.set)
    target = given_out(args.output, args.force)
    if args.starts < 1 or args.design < 0 or (args.maxfev is not None and args.maxfev < 1):
        raise InputError("--starts and --maxfev must be at least 1, --design at least 0")
    try:
        files = ([f.strip() for f in args.targets.split(",") if f.strip()] if args.targets
                 else [cal.OBSERVED])
        if args.deaths:
            files.append(cal.OBSERVED_DEATHS)
        targets = cal.load_targets(files)
        paths = [p.strip() for p in args.params.split(",") if p.strip()]
        if not paths and args.rescale_severity:
            # Severity alone: every other fitted value stays as the scenario has it.
            scenario_fit, fit = cal.rescale_severity(scenario, targets)
            severity = {f"epidemic.ifr_multiplier_groups.{g}": float(v) for g, v in
                        scenario_fit.epidemic.ifr_multiplier_groups.items()}
            return _write(args, scenario, target, fit, paths, severity,
                          Progress(f"calibrate {scenario.name}", {"write": 2},
                                   quiet=args.quiet or args.json))
        params = cal.parameters(scenario, paths, cal.parse_bounds(args.bounds))
        # Codes in the paths (groups, countries, producers) must exist in the shipped data.
        probe = cal.with_values(scenario, {p.path: int(p.lo) if p.integer else p.lo
                                           for p in params})
        validate_data(probe.model_dump(), source="--params")
        per_start = args.maxfev if args.maxfev is not None else 200 * len(params)
        # The optimizer's budget is an upper bound: when it converges sooner, settle()
        # takes the runs it did not need out of the total.
        progress = Progress(f"calibrate {scenario.name}",
                            {"fit": args.design + 1 + per_start * args.starts, "write": 2},
                            quiet=args.quiet or args.json,
                            weights={"fit": scenario.days * member_day_ms(scenario.replicates),
                                     "write": 400.0})
        try:
            fit = cal.calibrate(scenario, targets, params, design=args.design,
                                starts=args.starts, maxfev=args.maxfev, seed=args.lhs_seed,
                                method=args.method, workers=workers,
                                progress=lambda runs: progress.set("fit", runs))
            progress.settle("fit")
            severity = {}
            if args.rescale_severity:
                fit, severity = cal.fit_with_rescaled_severity(fit, targets)
        except BaseException:
            progress.close()
            raise
    except cal.CalibrationError as exc:
        raise InputError(str(exc)) from None
    return _write(args, scenario, target, fit, paths, severity, progress)


def _write(args: argparse.Namespace, scenario, target, fit, paths: list[str],
           severity: dict[str, float], progress) -> int:
    """Write the fitted scenario, fit.csv, params.csv and fit.png (advancing
    ``progress``'s "write" stage, then closing it); report.
    """
    from sim import calibrate as cal
    from sim.output.folder import publish, staging_dir
    from sim.output.plots.calibration import model_vs_observed
    from sim.output.plots.style import save
    from sim.scenario.loader import apply_sets
    from sim.scenario.shipped import find_file

    out = target or default_out(f"{scenario.name}-calibration")
    source = find_file(args.scenario).resolve()
    extends = os.path.relpath(source, out.resolve())
    flat = _flatten(apply_sets({}, args.set, {})) | severity
    name = scenario.name if scenario.name.endswith("_calibrated") \
        else f"{scenario.name}_calibrated"
    targets_name = ", ".join([args.targets or "sim/data/observed.csv"]
                             + (["sim/data/observed_deaths.csv"] if args.deaths else []))
    fitted = ", ".join(paths) or "none (severity rescaled only)"
    note = textwrap.fill(f"Targets: {targets_name}. Parameters: {fitted}. Only "
                         "the fitted keys (and any --set values) are overridden.", 88)
    # Everything goes to a staging folder first and is moved into place once complete.
    tmp = staging_dir(out)
    try:
        (tmp / f"{name}.yaml").write_text(cal.fitted_yaml(fit, extends, name, note, flat),
                                          encoding="utf-8")
        fit.table.to_csv(tmp / "fit.csv", index=False)
        cal.params_table(fit).to_csv(tmp / "params.csv", index=False)
        progress.advance("write")
        save(model_vs_observed(fit.trajectories, fit.table,
                               f"{scenario.name}: model vs observed after calibration "
                               f"(loss {fit.loss:.3g})"), tmp / "fit.png")
        progress.advance("write")
        publish(tmp, out, "calibration", replace=args.force)
    finally:
        progress.close()
        shutil.rmtree(tmp, ignore_errors=True)
    yaml_path = out / f"{name}.yaml"
    emit(args, {"results": str(out), "fitted_scenario": str(yaml_path), "loss": fit.loss,
                "initial_loss": fit.initial_loss, "runs": fit.runs,
                "params": cal.params_table(fit).to_dict(orient="records"),
                "fit": fit.table.to_dict(orient="records")},
         [*cal.format_fit(fit), f"fitted scenario: {yaml_path}", f"results: {out}"])
    return 0


def _flatten(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``calibrate``."""
    p = sub.add_parser(
        "calibrate", help="fit scenario parameters to observed coverage, doses and deaths",
        description="Fit numeric scenario parameters (dotted keys) to observed targets: "
        "a Latin-hypercube design run as one batch, then a bounded derivative-free "
        "optimizer (Powell or Nelder-Mead) from the best point(s); the best point run is "
        "kept. Writes <name>_calibrated.yaml (extends the input, overrides only the "
        "fitted keys), fit.csv, params.csv and fit.png.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", help="scenario YAML file or shipped scenario name (e.g. baseline)")
    p.add_argument("--targets",
                   help="targets CSV file(s), comma-separated (default: the shipped 2021 "
                        "coverage targets, sim/data/observed.csv)")
    p.add_argument("--deaths", action="store_true",
                   help="also fit the shipped 2021 excess deaths by income group "
                        "(sim/data/observed_deaths.csv; needs the epidemic)")
    p.add_argument("--params", default="",
                   help="comma-separated dotted keys to fit, e.g. uptake.capacity.LIC.end "
                        "(may be left out with --rescale-severity: severity alone)")
    p.add_argument("--bounds", action="append", default=[], metavar="KEY=LO:HI,...",
                   help="bounds per key (defaults exist for common keys)")
    add_folder_options(p, "results/<name>-calibration/<time>/")
    p.add_argument("--starts", type=int, default=1,
                   help="optimizer runs from the best N design points (default 1)")
    p.add_argument("--design", type=int, default=32,
                   help="Latin-hypercube points run as one batch (default 32)")
    p.add_argument("--maxfev", type=int, help="runs per optimizer run (default 200 per parameter)")
    p.add_argument("--method", default="Powell", choices=("Powell", "Nelder-Mead", "search"),
                   help="bounded derivative-free optimizer (default Powell), or search: "
                        "rounds of batched points in a shrinking box (fast for many "
                        "parameters)")
    p.add_argument("--rescale-severity", action="store_true",
                   help="after the fit, scale each income group's severity "
                        "(epidemic.ifr_multiplier_groups) so its deaths meet the central "
                        "estimate of its last death target")
    p.add_argument("--lhs-seed", type=int, default=0, help="seed of the design (default 0)")
    add_set_option(p)
    add_workers_option(p, "the design's and the search rounds' candidates")
    add_output_options(p)
    p.set_defaults(func=cmd_calibrate)
