"""The model reporters' once-a-day values equal the reporter functions, bit for bit."""

import math

import pytest
from worlds import make_world, scenario

from sim.agents import VaccineDiplomacyModel
from sim.agents.reporters import (
    coverage,
    coverage_gini,
    day_values,
    deaths,
    deaths_averted,
    deaths_averted_band,
    donated,
    model_reporters,
    pool_delivered,
)
from sim.engine.adaptive import strategy_counts
from sim.engine.build.epi_params import BANDS
from sim.scenario.adaptation import STRATEGIES
from sim.scenario.schema import INCOME_GROUPS


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and type(a) is type(b))


def _world():
    """Four income groups, one producer that hoards, then adapts: strategies change."""
    world = make_world([2e6, 1e6, 5e6, 3e6], ["HIC", "UMIC", "LMIC", "LIC"],
                       home_of=[0, -1, -1, -1], production=[80_000.0], days=60)
    return world, scenario(
        days=60, procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 2.0}}},
        adaptation={"review_days": 7, "default": {"rule": "imitate"},
                    "imitation": {"probability": 0.5, "beta": 5.0}})


def _expected(model: VaccineDiplomacyModel) -> dict[str, float]:
    groups = ("World", *INCOME_GROUPS)
    out = {f"coverage_{g}": coverage(model, g) for g in groups}
    out["gini"] = coverage_gini(model)
    out["deaths"] = deaths(model)
    out |= {"deaths_averted" if g == "World" else f"deaths_averted_{g}":
            deaths_averted(model, g) for g in groups}
    out |= {f"deaths_averted_{b}": deaths_averted_band(model, i) for i, b in enumerate(BANDS)}
    out["donated"], out["pool_delivered"] = donated(model), pool_delivered(model)
    counts = strategy_counts(model.state.strategy)[0]
    out |= {f"n_{s}": int(counts[i]) for i, s in enumerate(STRATEGIES)}
    return out


@pytest.mark.parametrize("twin", [True, False])
def test_day_values_equal_the_reporter_functions_every_day(twin):
    world, scen = _world()
    model = VaccineDiplomacyModel(scen, rng=5, world=world, counterfactual=twin)
    reporters = model_reporters()
    while True:
        got, want = day_values(model), _expected(model)
        assert list(got) == list(want) == list(reporters)
        assert all(_same(got[k], want[k]) for k in want), model.day
        assert all(_same(reporters[k](model), want[k]) for k in want)
        if not model.running:
            break
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.day + 1 and list(frame.columns) == list(reporters)
    assert frame["n_need"].iloc[-1] == _expected(model)["n_need"]
