"""The SolaraViz page of ``vaxsim viz``: policy sliders and live plots of one scenario.

Sliders re-create the model with :mod:`sim.agents.knobs` (hoarding multiple, export
policy of the largest producers, adaptation rule and threshold, the pool's first tier and
the donors' share of surplus). Plots are drawn
with matplotlib from the model's ``DataCollector`` and re-drawn every render step; each
has a heading in the page text.

Solara loads its front end from a CDN unless ``SOLARA_ASSETS_PROXY_CACHE_DIR`` points at
an offline copy (``scripts/solara_assets.sh`` builds one from the npm registry).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import mesa.visualization.solara_viz as mesa_solara_viz  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from sim.agents.model import VaccineDiplomacyModel  # noqa: E402
from sim.output.plots import GROUP_COLORS, GROUP_LABELS  # noqa: E402
from sim.output.plots.strategies import STRATEGY_COLORS, STRATEGY_LABELS  # noqa: E402
from sim.scenario.adaptation import STRATEGIES  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402


class _SolaraShowingSliderValues:
    """Solara as Mesa's input panel sees it: every slider shows its value at all times
    (Mesa builds sliders without ``thumb_label``, so a value shows only while dragging).
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(solara, name)

    @staticmethod
    def SliderFloat(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 (Solara's name)
        """``solara.SliderFloat`` with its value always shown."""
        return solara.SliderFloat(*args, **{"thumb_label": "always", **kwargs})

    @staticmethod
    def SliderInt(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 (Solara's name)
        """``solara.SliderInt`` with its value always shown."""
        return solara.SliderInt(*args, **{"thumb_label": "always", **kwargs})


mesa_solara_viz.solara = _SolaraShowingSliderValues()

#: Plot titles, shown as page text above each plot.
TITLES = {
    "coverage": "Coverage by income group",
    "gini": "Inequality of coverage (Gini)",
    "deaths": "Deaths",
    "strategies": "Countries by strategy",
}
AS_IS = "as in scenario"


def _frame(model: VaccineDiplomacyModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe()
    df.index = pd.date_range(model.world.start, periods=len(df), freq="D")
    return df


def _panel(title: str, draw: Callable[[Any, pd.DataFrame], None]) -> Callable:
    @solara.component
    def Panel(model: VaccineDiplomacyModel) -> None:
        update_counter.get()
        df = _frame(model)
        fig = Figure(figsize=(6, 3.4), layout="constrained")
        ax = fig.subplots()
        draw(ax, df)
        ax.set_xlim(pd.Timestamp(model.world.start), model.world.dates[-1])
        locator = mdates.AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("Date")
        ax.grid(alpha=0.3)
        with solara.Column():
            solara.Markdown(f"### {title}")
            solara.FigureMatplotlib(fig, format="png")

    Panel.__name__ = title.replace(" ", "")
    return Panel


def _coverage(ax: Any, df: pd.DataFrame) -> None:
    for g, label in GROUP_LABELS.items():
        ax.plot(df.index, 100 * df[f"coverage_{g}"], color=GROUP_COLORS[g], label=label)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Population with ≥1 dose (%)")
    ax.legend(fontsize=7, loc="upper left")


def _gini(ax: Any, df: pd.DataFrame) -> None:
    ax.plot(df.index, df["gini"], color=GROUP_COLORS["World"])
    ax.set_ylim(0, 1)
    ax.set_ylabel("Gini (0 = equal coverage)")


def _deaths(ax: Any, df: pd.DataFrame) -> None:
    if df["deaths"].isna().all():
        ax.text(0.5, 0.5, "this scenario runs no epidemic", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_ylabel("Deaths (cumulative)")
        return
    ax.plot(df.index, df["deaths"], color=GROUP_COLORS["World"])
    ax.set_ylabel("Deaths (cumulative)")


def _strategies(ax: Any, df: pd.DataFrame) -> None:
    for s in STRATEGIES:
        ax.plot(df.index, df[f"n_{s}"], color=STRATEGY_COLORS[s], label=STRATEGY_LABELS[s])
    ax.set_ylim(bottom=0)
    ax.set_ylabel("Countries")
    ax.legend(fontsize=7, loc="center right")


PANELS = [_panel(TITLES["coverage"], _coverage), _panel(TITLES["gini"], _gini),
          _panel(TITLES["deaths"], _deaths), _panel(TITLES["strategies"], _strategies)]


def _hoard_multiple(scenario: Scenario) -> float:
    proc = scenario.procurement
    values = [e.multiple for e in (*proc.groups.values(), *proc.countries.values())
              if e.strategy == "hoard" and e.multiple is not None]
    return float(max(values, default=proc.default.multiple))


def _donation_share(scenario: Scenario) -> float:
    """The share the scenario's donors give (the largest), else ``switch_share``."""
    don = scenario.donation
    given = [getattr(e, "share", None) for e in
             (don.default, *don.groups.values(), *don.countries.values())]
    shares = [float(s) for s in given if s]
    return float(max(shares, default=don.switch_share))


def model_params(path: str, scenario: Scenario, seed: int, days: int | None = None,
                 countries: str | None = None, sets: str | None = None) -> dict[str, Any]:
    """SolaraViz ``model_params``: fixed scenario, seed and selection, and the sliders."""
    choose = lambda label, values: {  # noqa: E731
        "type": "Select", "label": label, "value": AS_IS, "values": [AS_IS, *values]}
    return {
        "config": path,
        "rng": seed,
        "days": days,
        "countries": countries,
        "sets": sets,
        "collect_agents": False,
        "hoard_multiple": {"type": "SliderFloat", "label": "Hoarding multiple",
                           "value": _hoard_multiple(scenario), "min": 1.0, "max": 6.0,
                           "step": 0.5},
        "export_policy": choose("Export policy of the 4 largest producers",
                                ["open", "domestic_first", "ban"]),
        "adaptation_rule": choose("Adaptive strategy rule", ["fixed", "threshold", "imitate"]),
        "theta": {"type": "SliderFloat", "label": "Switch at coverage",
                  "value": float(scenario.adaptation.default.theta or 0.5), "min": 0.05,
                  "max": 1.0, "step": 0.05},
        "pool_tier": {"type": "SliderFloat", "label": "Pool first tier (population share)",
                      "value": float(scenario.pool.tier_share), "min": 0.0, "max": 1.0,
                      "step": 0.05},
        "donation_share": {"type": "SliderFloat", "label": "Donors give (share of surplus)",
                           "value": _donation_share(scenario), "min": 0.0, "max": 1.0,
                           "step": 0.05},
    }


class VizModel(VaccineDiplomacyModel):
    """The model as the viz creates it: the "as in scenario" choice means no override."""

    def __init__(self, config: str = "", *, rng: int | None = None, days: int | None = None,
                 countries: str | None = None, sets: str | None = None,
                 collect_agents: bool = False,
                 hoard_multiple: float | None = None, export_policy: str | None = None,
                 adaptation_rule: str | None = None, theta: float | None = None,
                 pool_tier: float | None = None, donation_share: float | None = None) -> None:
        keep = lambda v: None if v == AS_IS else v  # noqa: E731
        super().__init__(config, rng=rng, days=days, countries=countries, sets=sets,
                         collect_agents=collect_agents, hoard_multiple=hoard_multiple,
                         export_policy=keep(export_policy),
                         adaptation_rule=keep(adaptation_rule), theta=theta,
                         pool_tier=pool_tier, donation_share=donation_share)


def make_page(path: str | Path, days: int | None = None, countries: str | None = None,
              sets: str | None = None) -> Any:
    """The SolaraViz element of the scenario file at ``path``."""
    from sim.scenario import load_scenario

    path = str(Path(path).resolve())
    scenario = load_scenario(path, [s for s in (sets or "").split(";") if s.strip()])
    params = model_params(path, scenario, scenario.seed, days, countries, sets)
    initial = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    model = VizModel(**initial)
    return SolaraViz(model, components=PANELS, model_params=params,
                     name=f"vaxsim: {scenario.name}", play_interval=50, render_interval=7)
