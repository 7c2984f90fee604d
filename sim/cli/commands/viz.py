"""``vaxsim viz``: explore one scenario in the browser (Mesa's SolaraViz on 127.0.0.1)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from sim.cli.commands import InputError, add_set_option

EXAMPLES = """\
examples:
  vaxsim viz scenarios/baseline.yaml                 # then open http://127.0.0.1:8765
  vaxsim viz scenarios/nationalism.yaml --port 8800 --days 365
  vaxsim viz scenarios/baseline.yaml --countries USA,IND,NGA,BRA,DEU
  vaxsim viz scenarios/baseline.yaml --set adaptation.default.rule=imitate

Needs the viz extra: pip install 'vaxsim[viz]'. Offline, build Solara's asset cache once
with scripts/solara_assets.sh (make browser-deps does it); vaxsim viz then uses it.
"""


def asset_cache() -> Path | None:
    """Solara's offline asset cache: ``$SOLARA_ASSETS_PROXY_CACHE_DIR``, else the one
    ``scripts/solara_assets.sh`` builds (``~/.cache/vaxsim/solara-assets``) if present.
    """
    given = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    if given:
        return Path(given)
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    cache = base / "vaxsim" / "solara-assets"
    return cache if cache.is_dir() else None


def viz_command(scenario: str, port: int, days: int | None = None,
                countries: str | None = None, sets: list[str] | None = None
                ) -> tuple[list[str], dict[str, str]]:
    """The ``solara run`` command line and environment that serve ``scenario``."""
    from sim.scenario.shipped import find_file

    env = dict(os.environ, VAXSIM_VIZ_SCENARIO=str(find_file(scenario).resolve()),
               VAXSIM_VIZ_DAYS=str(days or ""), VAXSIM_VIZ_COUNTRIES=countries or "",
               VAXSIM_VIZ_SETS=";".join(sets or []), MPLBACKEND="Agg")
    cache = asset_cache()
    if cache is not None:
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache)
    cmd = [sys.executable, "-m", "solara", "run", "sim.agents.app", "--host", "127.0.0.1",
           "--port", str(port), "--production", "--no-open"]
    return cmd, env


def cmd_viz(args: argparse.Namespace) -> int:
    """Validate the scenario, then serve the SolaraViz page until interrupted."""
    from sim.scenario import ScenarioError, load_scenario

    scenario = load_scenario(args.scenario, args.set)  # a bad file: one-line error here
    if args.countries is not None:  # and bad --countries, before any server starts
        from sim.agents.knobs import apply_knobs

        try:
            apply_knobs(scenario, countries=args.countries)
        except ScenarioError as exc:
            raise InputError(f"--countries {args.countries}: {exc}") from None
    if importlib.util.find_spec("solara") is None:
        raise InputError("viz needs the viz extra: pip install 'vaxsim[viz]'")
    cmd, env = viz_command(args.scenario, args.port, args.days, args.countries, args.set)
    print(f"vaxsim viz: serving {args.scenario} on http://127.0.0.1:{args.port} "
          "(Ctrl-C to stop)", file=sys.stderr)
    proc = subprocess.Popen(cmd, env=env)

    def stop(signum: int, frame: object) -> None:
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, stop)  # a terminated viz stops its server
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``viz``."""
    p = sub.add_parser("viz", help="explore a scenario in the browser (Mesa SolaraViz)",
                       description="Serve an interactive view of a scenario on 127.0.0.1: "
                       "policy sliders (hoarding multiple, export policy of the largest "
                       "producers, adaptive rule and threshold) and live plots of coverage "
                       "by income group, Gini, deaths and strategy counts.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", help="scenario YAML file or shipped scenario name (e.g. baseline)")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    p.add_argument("--days", type=int, help="override the run length")
    p.add_argument("--countries", help="comma-separated ISO3 codes or groups to keep")
    add_set_option(p)
    p.set_defaults(func=cmd_viz)
