"""The donor-regime experiment: does a rich donor save its own people by keeping or by
sharing its doses, without (a) and with (b) emergent variants?

Runs ``scenarios/sweeps/donor_regimes.yaml`` (HIC keeps vs shares × variants off/on,
paired replicates with common random numbers) and
``scenarios/sweeps/donor_regimes_thresholds.yaml`` (the same arms over a grid of the
emergence rate and the travel coupling), then writes, into the output folder:

- ``regimes.csv``: HIC deaths when HIC keeps and when it shares, the mean paired
  difference (share − keep) with its 95% interval, the 2.5–97.5 percentiles of the
  paired differences, and the share of replicates where sharing lowers HIC deaths, for
  regimes (a) and (b); the same for world deaths;
- ``thresholds.csv``: the paired HIC difference in every cell of the threshold grid;
- ``regimes.png``: the paired differences, replicate by replicate, in both regimes;
- ``summary.md``: the numbers in words.

Usage::

    python scripts/donor_regimes.py [-o results/donor_regimes] [--replicates N]
        [--executor serial|processes] [--workers N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.sweep.files import load_sweep  # noqa: E402
from sim.sweep.runner import SweepResults, run_sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "scenarios" / "sweeps"
ARM = "donation.groups.HIC.share"     # the sweep files' contrast: share (1) − keep (0)
KEEP, SHARE = 0.0, 1.0
REGIME = "epidemic.emergence.enabled"


def regimes_table(res: SweepResults) -> pd.DataFrame:
    """Paired share − keep contrasts of HIC and world deaths in regimes (a) and (b): the
    sweep file's own ``contrast`` (:meth:`SweepResults.contrast_table`), regimes named.
    """
    out = res.contrast_table()
    assert out is not None, "donor_regimes.yaml declares the keep/share contrast"
    out.insert(1, "regime", out[REGIME].map({False: "a: no emergent variants",
                                              True: "b: emergent variants"}))
    return out.drop(columns=[REGIME])


def paired_differences(points: pd.DataFrame, metrics: pd.DataFrame,
                       metric: str = "deaths_by_group.HIC") -> pd.DataFrame:
    """Replicate, regime, share − keep difference in ``metric`` (for the plot)."""
    m = metrics.merge(points, on="point")
    wide = m.pivot_table(index=[REGIME, "replicate"], columns=ARM, values=metric)
    return (wide[SHARE] - wide[KEEP]).rename("diff").reset_index()


def plot_regimes(diffs: pd.DataFrame, table: pd.DataFrame, path: Path) -> Path:
    """Dots: each replicate's share − keep HIC deaths; bar: mean with its 95% interval."""
    hic = table[table["metric"] == "deaths_by_group.HIC"].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, enabled in enumerate((False, True)):
        d = diffs[diffs[REGIME] == enabled]["diff"] / 1e3
        ax.scatter([i] * len(d), d, alpha=0.5, color="tab:blue" if i == 0 else "tab:red")
        row = hic.iloc[i]
        ax.errorbar([i + 0.15], [row["diff_mean"] / 1e3],
                    yerr=[[(row["diff_mean"] - row["diff_lo"]) / 1e3],
                          [(row["diff_hi"] - row["diff_mean"]) / 1e3]],
                    fmt="s", color="black", capsize=4)
        ax.text(i + 0.2, row["diff_mean"] / 1e3, f"  {row['diff_mean'] / 1e3:+,.1f} k",
                va="center")
    ax.axhline(0, color="grey", lw=1)
    ax.set_xticks([0, 1], ["(a) no emergent variants", "(b) emergent variants"])
    ax.set_xlim(-0.5, 1.8)
    ax.set_ylabel("HIC deaths, shares − keeps (thousands)")
    ax.set_title("Does sharing doses cost the donor lives? (paired replicates)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary_text(table: pd.DataFrame, thresholds: pd.DataFrame | None, days: int) -> str:
    """The experiment's numbers in words (markdown)."""
    lines = ["# Donor-regime experiment", "",
             f"Deaths over {days} days from 2021-01-01, HIC keeps vs shares; share − keep "
             "paired by replicate (common random numbers); 95% t-interval of the mean "
             "difference.", ""]
    for r in table.itertuples():
        lines.append(
            f"- {r.regime}, {r.metric}: keep {r.control_mean / 1e6:.3f} M, share "
            f"{r.treatment_mean / 1e6:.3f} M; difference {r.diff_mean / 1e3:+,.1f} k "
            f"[{r.diff_lo / 1e3:+,.1f}, {r.diff_hi / 1e3:+,.1f}] k; sharing lower in "
            f"{r.share_treatment_lower:.0%} of {r.replicates} pairs")
    if thresholds is not None:
        lines += ["", "## Threshold grid (variants on): HIC share − keep, thousands", ""]
        params = [c for c in thresholds.columns if c.startswith("epidemic.")]
        for r in thresholds.to_dict(orient="records"):
            setting = ", ".join(f"{p.split('.')[-1]} {r[p]}" for p in params)
            lines.append(f"- {setting}: {r['diff_mean'] / 1e3:+,.1f} k "
                         f"[{r['diff_lo'] / 1e3:+,.1f}, {r['diff_hi'] / 1e3:+,.1f}]; sharing "
                         f"lower in {r['share_treatment_lower']:.0%} of pairs")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run both sweeps and write the tables, plot and summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "results" / "donor_regimes"))
    parser.add_argument("--replicates", type=int, help="override the sweeps' replicates")
    parser.add_argument("--days", type=int, help="override the horizon (default 730)")
    parser.add_argument("--executor", default="serial", choices=("serial", "processes"))
    parser.add_argument("--workers", type=int)
    parser.add_argument("--no-thresholds", action="store_true",
                        help="run only the two-regime sweep")
    args = parser.parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)

    def spec(name: str):
        s = load_sweep(SWEEPS / f"{name}.yaml")
        update = {}
        if args.replicates:
            update["replicates"] = args.replicates
        if args.days:
            s.base["days"] = args.days
        return s.model_copy(update=update)

    res = run_sweep(spec("donor_regimes"), executor=args.executor, workers=args.workers,
                    plots=False)
    table = regimes_table(res)
    table.to_csv(out / "regimes.csv", index=False)
    plot_regimes(paired_differences(res.points, res.metrics), table, out / "regimes.png")
    thresholds = None
    if not args.no_thresholds:
        grid = run_sweep(spec("donor_regimes_thresholds"), executor=args.executor,
                         workers=args.workers, plots=False)
        thresholds = grid.contrast_table()          # the file's contrast: HIC deaths
        assert thresholds is not None
        thresholds = thresholds.drop(columns="metric")
        thresholds.to_csv(out / "thresholds.csv", index=False)
    days = args.days or int(load_sweep(SWEEPS / "donor_regimes.yaml").base["days"])
    text = summary_text(table, thresholds, days)
    (out / "summary.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
