"""Deaths and deaths averted that the project reports: a scenario's 2021 and 2022 deaths by
income group against The Economist's 2021 excess-death estimates, the share of deaths
vaccines averted in 2021, and deaths averted under two policies (by default
``covax_pooling`` vs ``nationalism``, run with the historical scenario's fitted epidemic
unless ``--own-epidemic``).

Every run is paired with its no-vaccine twin (same seeds): deaths averted = twin's deaths −
run's deaths. Writes ``numbers.json`` and ``numbers.md`` into the output folder.

Usage::

    python scripts/lives_numbers.py [-o results/lives_numbers]
        [--historical scenarios/baseline.yaml]
        [--policies scenarios/covax_pooling.yaml scenarios/nationalism.yaml]
        [--replicates N] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.api import run
from sim.outcomes.results import Results
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("World", "HIC", "UMIC", "LMIC", "LIC")
END_2021 = pd.Timestamp("2021-12-31")


def observed_2021() -> pd.DataFrame:
    """The shipped 2021 death targets (central, low, high) by group, World = their sum."""
    t = pd.read_csv(ROOT / "sim" / "data" / "observed_deaths.csv")
    t = t[t["date"] == "2021-12-31"].set_index("group")[["value", "low", "high"]]
    t.loc["World"] = t.sum()
    return t


def observed_2022() -> pd.DataFrame:
    """2022 excess-death estimates (out of sample): scope, year, value, kind, source."""
    return pd.read_csv(ROOT / "sim" / "data" / "excess_deaths_2022.csv", comment="#")


def yearly_deaths(res: Results) -> dict[str, dict[str, float]]:
    """Deaths and deaths averted by group in 2021 and 2022 (mean over replicates)."""
    g = res.groups
    out: dict[str, dict[str, float]] = {}
    last = g["date"].max()
    at = {d: g[g["date"] == d].groupby("group")[["deaths_cum", "deaths_cum_novax"]].mean()
          for d in (END_2021, last)}
    for group in GROUPS:
        d21 = at[END_2021].loc[group]
        row = {"deaths_2021": float(d21["deaths_cum"]),
               "no_vaccine_2021": float(d21["deaths_cum_novax"])}
        if last > END_2021:
            end = at[last].loc[group]
            row["deaths_2022"] = float(end["deaths_cum"] - d21["deaths_cum"])
            row["no_vaccine_2022"] = float(end["deaths_cum_novax"] - d21["deaths_cum_novax"])
        row["averted_2021"] = row["no_vaccine_2021"] - row["deaths_2021"]
        row["averted_share_2021"] = (row["averted_2021"] / row["no_vaccine_2021"]
                                     if row["no_vaccine_2021"] > 0 else float("nan"))
        out[group] = row
    return out


def averted_total(res: Results) -> dict[str, float]:
    """Deaths averted over the whole run by group (mean over replicates)."""
    g = res.groups
    end = g[g["date"] == g["date"].max()].groupby("group")[["deaths_cum",
                                                             "deaths_cum_novax"]].mean()
    return {k: float(end.loc[k, "deaths_cum_novax"] - end.loc[k, "deaths_cum"])
            for k in GROUPS} | {f"deaths.{k}": float(end.loc[k, "deaths_cum"]) for k in GROUPS}


def markdown(numbers: dict[str, Any]) -> str:
    """The numbers as a short markdown report."""
    obs = numbers["observed_2021"]
    h = numbers["historical"]
    lines = [f"# Deaths in {numbers['historical_name']} (2021-22)", "",
             "| group | 2021 model | 2021 excess (95% range) | 2022 model | averted 2021 | "
             "share averted 2021 |", "|---|---|---|---|---|---|"]
    for g in GROUPS:
        r, o = h[g], obs[g]
        d22 = f"{r['deaths_2022'] / 1e6:.2f} M" if "deaths_2022" in r else "—"
        lines.append(f"| {g} | {r['deaths_2021'] / 1e6:.2f} M | {o['value'] / 1e6:.2f} M "
                     f"({o['low'] / 1e6:.2f}–{o['high'] / 1e6:.2f}) | {d22} | "
                     f"{r['averted_2021'] / 1e6:.2f} M | {r['averted_share_2021']:.1%} |")
    if "deaths_2022" in h["World"]:
        ex = observed_2022()
        world = ex[(ex["scope"] == "World") & (ex["year"] == 2022)]["value"]
        west = ex[ex["scope"].str.startswith("Western")].set_index("year")["value"]
        d22 = h["World"]["deaths_2022"] / 1e6
        lines += ["", f"2022 (out of sample, never fitted): World {d22:.2f} M vs "
                  f"{world.min() / 1e6:.1f}–{world.max() / 1e6:.1f} M excess deaths "
                  "estimated (The Economist; sim/data/excess_deaths_2022.csv); HIC 2022/2021 "
                  f"{h['HIC']['deaths_2022'] / h['HIC']['deaths_2021']:.2f} vs "
                  f"{west[2022] / west[2021]:.2f} in 47 Western countries (Mostert et al. 2024)."]
    lines += ["", "## Deaths averted by policy (whole run)", "",
              "| scenario | " + " | ".join(GROUPS) + " |", "|---" * (len(GROUPS) + 1) + "|"]
    for name, a in numbers["policies"].items():
        lines.append(f"| {name} | " + " | ".join(f"{a[g] / 1e6:.2f} M" for g in GROUPS) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the historical scenario and the policies; write numbers.json and numbers.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "results" / "lives_numbers"))
    parser.add_argument("--historical", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--policies", nargs="*", default=[
        str(ROOT / "scenarios" / "covax_pooling.yaml"),
        str(ROOT / "scenarios" / "nationalism.yaml")])
    parser.add_argument("--replicates", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--own-epidemic", action="store_true",
                        help="run the policies with their own epidemic section (default: "
                             "the historical scenario's fitted one)")
    args = parser.parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    hist = load_scenario(args.historical, args.set)
    numbers: dict[str, Any] = {
        "historical_name": hist.name,
        "observed_2021": observed_2021().to_dict(orient="index"),
        "historical": yearly_deaths(run(hist, days=args.days, replicates=args.replicates)),
        "policies": {},
    }
    for path in args.policies:
        s = load_scenario(path, args.set)
        if not args.own_epidemic:  # the 2021-fitted epidemic, so deaths are comparable
            s = s.model_copy(update={"epidemic": hist.epidemic})
        numbers["policies"][s.name] = averted_total(run(s, days=args.days,
                                                        replicates=args.replicates))
    (out / "numbers.json").write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    text = markdown(numbers)
    (out / "numbers.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
