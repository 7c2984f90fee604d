"""scripts/lives_numbers.py: deaths by year and group against the excess-death estimates,
the share vaccines averted, deaths averted by policy."""

import json

import pytest
from build_scripts import load_script
from worlds import SCENARIOS

SCRIPT = SCENARIOS.parent / "scripts" / "lives_numbers.py"


def _module():
    return load_script(SCRIPT)


def test_numbers_add_up_and_pair_each_run_with_its_twin(tmp_path):
    out = tmp_path / "n"
    assert _module().main(["-o", str(out), "--days", "400",
                           "--set", "countries.include=[USA, DEU, IND, NGA, ETH]"]) == 0
    numbers = json.loads((out / "numbers.json").read_text())
    h = numbers["historical"]
    for g in ("World", "HIC", "UMIC", "LMIC", "LIC"):
        r = h[g]
        assert r["averted_2021"] == pytest.approx(r["no_vaccine_2021"] - r["deaths_2021"])
        assert 0.0 <= r["averted_share_2021"] <= 1.0 or r["no_vaccine_2021"] == 0
        assert r["deaths_2022"] >= 0.0
    groups = sum(h[g]["deaths_2021"] for g in ("HIC", "UMIC", "LMIC", "LIC"))
    assert h["World"]["deaths_2021"] == pytest.approx(groups)
    assert h["World"]["averted_2021"] > 0
    assert set(numbers["policies"]) == {"covax_pooling", "nationalism"}
    assert numbers["observed_2021"]["World"]["value"] == pytest.approx(12.48e6, rel=0.002)
    assert "share averted 2021" in (out / "numbers.md").read_text()
