"""Policy knobs of the Mesa model rewrite the scenario as documented."""

import pytest
from worlds import SCENARIOS

from sim.agents.knobs import apply_knobs, largest_producers
from sim.scenario import load_scenario
from sim.scenario.loader import ScenarioError

BASELINE = SCENARIOS / "baseline.yaml"


def test_no_knob_returns_the_scenario_itself():
    s = load_scenario(BASELINE)
    assert apply_knobs(s) is s


def test_knobs_edit_hoarders_largest_producers_rules_and_selection():
    s = load_scenario(BASELINE)
    out = apply_knobs(s, hoard_multiple=4.0, export_policy="ban", adaptation_rule="threshold",
                      theta=0.3, countries="USA, IND,LIC", sets="days=40;seed=3")
    assert out.procurement.groups["HIC"].multiple == 4.0
    assert out.procurement.default.multiple == 4.0     # for countries that switch to hoard
    assert out.procurement.groups["LIC"].multiple is None  # resolves to the default
    top = largest_producers()
    assert len(top) == 4 and all(out.export.producers[p].policy == "ban" for p in top)
    assert out.adaptation.default.rule == "threshold" and out.adaptation.default.theta == 0.3
    assert out.countries.include == ["USA", "IND", "LIC"]
    assert (out.days, out.seed) == (40, 3)


def test_bad_knob_values_are_scenario_errors():
    s = load_scenario(BASELINE)
    with pytest.raises(ScenarioError):
        apply_knobs(s, export_policy="embargo")
    with pytest.raises(ScenarioError, match="unknown country or group"):
        apply_knobs(s, countries="USA,XXX")


def test_pool_tier_and_donation_share_knobs():
    s = load_scenario(SCENARIOS / "baseline.yaml")
    assert s.donation.default.share == 0.0 and s.donation.countries["CHN"].share == 0.3
    out = apply_knobs(s, pool_tier=0.35, donation_share=0.6)
    assert out.pool.tier_share == 0.35
    assert out.donation.switch_share == 0.6                 # countries a review makes donors
    assert out.donation.default.share == 0.0                # non-donors stay non-donors
    assert {c: p.share for c, p in out.donation.countries.items() if p.share} == {
        c: 0.6 for c, p in s.donation.countries.items() if p.share}


def test_viz_sliders_start_at_the_scenarios_pool_tier_and_donation_share():
    pytest.importorskip("solara")
    from sim.agents.viz import model_params

    s = load_scenario(SCENARIOS / "vietnam_case.yaml")
    params = model_params("x.yaml", s, 1)
    assert params["pool_tier"]["value"] == s.pool.tier_share
    assert params["pool_tier"]["label"].startswith("Pool first tier")
    assert params["donation_share"]["value"] == 0.3
    # The baseline's donors (China gives 0.3 of its surplus) set the slider; a world without
    # donors shows the share a policy review would give.
    base = model_params("x.yaml", load_scenario(BASELINE), 1)
    assert base["donation_share"]["value"] == 0.3
    plain = load_scenario(SCENARIOS / "nationalism.yaml")
    assert model_params("x.yaml", plain, 1)["donation_share"]["value"] == \
        plain.donation.switch_share
