"""scenarios/historical_2021.yaml reproduces the observed 2021 targets (needs shipped data)."""

import numpy as np
import pytest
from worlds import SCENARIOS

from sim import calibrate as cal
from sim import run
from sim.engine.build.params import build_params
from sim.engine.record import DIPLOMACY_FIELDS
from sim.engine.run import simulate
from sim.engine.streams import replicate_seeds
from sim.outcomes.coverage import ledger_residual
from sim.scenario import load_scenario
from sim.world.world import build_world

HISTORICAL = SCENARIOS / "historical_2021.yaml"


@pytest.fixture(scope="module")
def fit_table():
    scen = load_scenario(HISTORICAL)
    targets = cal.load_targets()
    short = cal.horizon(scen, targets)
    world = build_world(short)
    ev = cal.Evaluator(short, world, targets, [],
                       replicate_seeds(scen.seed, scen.replicates))
    sims, _ = ev.simulated(np.zeros((1, 0)))
    return cal.fit_table(ev, sims[0])


def test_every_2021_target_is_met_within_tolerance(fit_table):
    cov = fit_table[fit_table["metric"] == "coverage_first"]
    doses = fit_table[fit_table["metric"] == "doses_administered"]
    bad_cov = cov[np.abs(cov["error"]) > 5.0]
    bad_doses = doses[np.abs(doses["error"]) > 0.10]
    assert bad_cov.empty, bad_cov[["target", "observed", "simulated", "error"]]
    assert bad_doses.empty, bad_doses[["target", "observed", "simulated", "error"]]
    assert len(fit_table) == len(cal.load_targets())


def test_historical_extends_baseline_with_the_indian_export_ban():
    scen = load_scenario(HISTORICAL)
    ban = scen.export.producers["IND"]
    assert ban.policy == "ban"
    assert str(ban.start).startswith("2021-0") and str(ban.end).startswith("2021-")
    assert scen.start.year == 2021


def test_evaluator_with_no_parameters_runs_the_scenario_as_it_is():
    # The same numbers as a plain engine run of the scenario, cut at the last target.
    scen = load_scenario(HISTORICAL, ["countries.include=[HIC]", "days=120"])
    world = build_world(scen)
    traj, _ = simulate(world, build_params(world, [scen], [scen.seed]))
    targets = cal.load_targets()
    targets = targets[targets["date"] <= "2021-04-30"]
    ev = cal.Evaluator(scen, world, targets, [], np.array([scen.seed]))
    sims, groups = ev.simulated(np.zeros((1, 0)))
    np.testing.assert_allclose(groups[0], traj.groups[0])


COVAX_DELIVERED_2021_11_15 = 486e6  # FACTS.md: "COVAX", delivered by 2021-11-15


@pytest.fixture(scope="module")
def year_2021():
    return run(load_scenario(HISTORICAL, ["days=365"]))


def test_pool_delivers_about_what_covax_delivered_by_mid_november(year_2021):
    # A check, not a calibration target. Within a factor of 1.5 of COVAX's 486 M: the pool
    # is a stylised COVAX (participants by income group, one fully funded 2 bn order from
    # the first allocation round, no per-vaccine contracts), so closer agreement would be
    # luck; a factor 1.5 still rejects the failure modes (a pool starved in a tier of its
    # own delivers only donated doses, about 35 M; an unhindered one its 2 bn goal).
    res = year_2021
    day = int(np.flatnonzero(res.world.dates == np.datetime64("2021-11-15"))[0])
    delivered = res.trajectories.diplomacy[0, day, DIPLOMACY_FIELDS.index("pool_delivered_cum")]
    ratio = delivered / COVAX_DELIVERED_2021_11_15
    assert 1 / 1.5 < ratio < 1.5, f"pool delivered {delivered / 1e6:.0f} M by 2021-11-15"
    assert ledger_residual(res.ledger).max() < 1e-9


def test_china_sells_abroad_and_donates_in_2021(year_2021):
    res = year_2021
    don = res.donations
    china = don[(don["donor"] == "CHN") & (don["channel"] == "bilateral")
                & (don["date"] <= np.datetime64("2021-11-15"))]["doses"].sum()
    # Donations: 119 M by Nov 2021 (Bridge Consulting, FACTS.md), most of it from factory
    # output (`donation.from_output`); without that the model gave about 41 M.
    assert 0.75 * 119e6 < china < 1.25 * 119e6, f"China donated {china / 1e6:.0f} M"
    # Sales: China's exports in 2021, the same order as the 1.5 bn sold (Bridge
    # Consulting, Nov 2021) and 1.33 bn exported by October (WTO-IMF): at least 1 bn.
    exported = res.producers.set_index("producer").loc["CHN", "exported"]
    assert exported > 1e9
    assert res.summary["metrics"]["doses_licensed_output"] > 0
