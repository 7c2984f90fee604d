"""A small world and sweep specs for the sweep tests (no shipped data needed)."""

from worlds import SCENARIOS, make_world

from sim.sweep.spec import SweepSpec

METRICS = ["coverage_final.LIC", "coverage_final.HIC", "doses_expired", "doses_administered"]


def sweep_world(days=90):
    return make_world([1e6, 5e6, 2e7, 3e6, 8e6], ["HIC", "UMIC", "LMIC", "LIC", "HIC"],
                      home_of=[0, 1, -1, -1, 0], production=[4e4, 1e5], days=days)


def grid_spec(days=90, batch_size=5, replicates=2, **more) -> SweepSpec:
    return SweepSpec.model_validate({
        "name": "t", "base": {"name": "b", "days": days, "production": {"noise_sd": 0.2}},
        "parameters": {"procurement.groups.HIC.multiple": {"values": [1, 2, 4]},
                       "procurement.groups.HIC.priority": {"values": [0, 2]},
                       "uptake.hesitancy": {"low": 0.1, "high": 0.3, "steps": 2}},
        "method": "grid", "replicates": replicates, "batch_size": batch_size,
        "metrics": METRICS, **more})


def baseline_sweep_file(tmp_path, body: str, name: str = "c"):
    """A sweep file over the shipped baseline (30 days, 20% production noise), written to
    ``tmp_path / f"{name}.yaml"``: ``body`` gives its parameters, method, metrics and
    contrast."""
    f = tmp_path / f"{name}.yaml"
    f.write_text(f"name: {name}\nbase: {SCENARIOS / 'baseline.yaml'}\n"
                 "overrides: {days: 30, production: {noise_sd: 0.2}}\n" + body)
    return f
