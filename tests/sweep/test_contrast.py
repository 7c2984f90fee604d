"""Paired contrasts between sweep arms (common random numbers), and the donor-regime
experiment's sweep files and script."""

import numpy as np
import pandas as pd
import pytest
from build_scripts import SCRIPTS_DIR, load_script
from sweeps import baseline_sweep_file, sweep_world
from worlds import SCENARIOS

from sim.sweep.contrast import paired_contrast
from sim.sweep.files import load_sweep
from sim.sweep.runner import run_sweep
from sim.sweep.spec import SweepSpec


def _table():
    points = pd.DataFrame({"point": [0, 1, 2, 3], "arm": [0, 1, 0, 1], "other": [5, 5, 7, 7]})
    diffs = {5: [-1.0, -3.0, 1.0], 7: [2.0, 2.0, 2.0]}
    rows = []
    for p, arm, other in points.itertuples(index=False):
        for r in range(3):
            base = 10.0 * r + other
            rows.append((p, r, 100 + r, base + (diffs[other][r] if arm else 0.0)))
    metrics = pd.DataFrame(rows, columns=["point", "replicate", "seed", "m"])
    return points, metrics


def test_paired_differences_are_taken_replicate_by_replicate():
    points, metrics = _table()
    c = paired_contrast(points, metrics, "arm", 0, 1, "m").set_index("other")
    assert list(c.index) == [5, 7]
    assert c.loc[5, "diff_mean"] == pytest.approx(-1.0)
    half = 4.302653 * np.std([-1.0, -3.0, 1.0], ddof=1) / np.sqrt(3)   # t(0.975, 2)
    assert c.loc[5, "diff_lo"] == pytest.approx(-1.0 - half, rel=1e-5)
    assert c.loc[5, "share_treatment_lower"] == pytest.approx(2 / 3)
    # Paired: replicate-to-replicate spread (10 per replicate) does not widen the interval.
    assert c.loc[7, "diff_lo"] == c.loc[7, "diff_hi"] == 2.0
    assert c.loc[7, "control_mean"] == pytest.approx(17.0)


def test_unpaired_seeds_and_missing_arms_are_refused():
    points, metrics = _table()
    with pytest.raises(ValueError, match="no point has arm = 3"):
        paired_contrast(points, metrics, "arm", 0, 3, "m")
    with pytest.raises(ValueError, match="not a parameter"):
        paired_contrast(points, metrics, "nope", 0, 1, "m")
    bad = metrics.assign(seed=metrics["seed"] + metrics["point"])
    with pytest.raises(ValueError, match="common random numbers"):
        paired_contrast(points, bad, "arm", 0, 1, "m")


def test_an_inert_arm_gives_exactly_zero_paired_differences():
    """Common random numbers: two arms that differ in nothing that matters (how often
    donors would give, with no donor) agree member by member, although replicates differ
    (production noise), so any difference a real arm shows is the policy's."""
    spec = SweepSpec.model_validate({
        "name": "inert", "base": {"name": "b", "days": 90, "production": {"noise_sd": 0.3}},
        "parameters": {"donation.every_days": {"values": [30, 60]}},
        "replicates": 4, "metrics": ["deaths", "deaths_by_group.HIC", "doses_administered"]})
    res = run_sweep(spec, world=sweep_world())
    c = paired_contrast(res.points, res.metrics, "donation.every_days", 30, 60, "deaths")
    assert c["diff_mean"].iloc[0] == 0.0 and c["diff_p97_5"].iloc[0] == 0.0
    assert res.metrics.groupby("point")["doses_administered"].std().gt(0).all()


def test_donor_regime_sweeps_load_and_pair_the_arms():
    for name in ("donor_regimes", "donor_regimes_thresholds", "donor_regimes_uncertainty"):
        spec = load_sweep(SCENARIOS / "sweeps" / f"{name}.yaml")
        assert spec.parameters["donation.groups.HIC.share"].values == [0.0, 1.0]
        assert "deaths_by_group.HIC" in spec.metrics
        assert spec.base["epidemic"]["enabled"] is True
    assert load_sweep(SCENARIOS / "sweeps" / "donor_regimes.yaml").replicates >= 20
    sampled = load_sweep(SCENARIOS / "sweeps" / "donor_regimes_uncertainty.yaml")
    assert sampled.crossed == "donation.groups.HIC.share"        # both arms in every world
    assert sampled.base["epidemic"]["emergence"]["enabled"] is True


def test_donor_regime_script_writes_its_tables(tmp_path):
    module = load_script(SCRIPTS_DIR / "donor_regimes.py")
    out = tmp_path / "dr"
    assert module.main(["-o", str(out), "--days", "60", "--replicates", "2",
                        "--no-thresholds"]) == 0
    table = pd.read_csv(out / "regimes.csv")
    assert set(table["regime"]) == {"a: no emergent variants", "b: emergent variants"}
    assert (table["replicates"] == 2).all()
    assert (out / "regimes.png").stat().st_size > 5000
    assert "HIC keeps vs shares" in (out / "summary.md").read_text()


def test_a_declared_contrast_is_computed_saved_plotted_and_reported(tmp_path):
    from sweeps import grid_spec

    from sim.sweep.runner import load_sweep_results

    spec = grid_spec(replicates=3, contrast={
        "parameter": "procurement.groups.HIC.priority", "control": 0, "treatment": 2,
        "metrics": ["coverage_final.LIC", "doses_expired"], "level": 0.9})
    res = run_sweep(spec, world=sweep_world(), out_dir=tmp_path / "sw")
    table = res.contrast_table()
    assert list(table["metric"].unique()) == ["coverage_final.LIC", "doses_expired"]
    for metric, part in table.groupby("metric", sort=False):
        alone = paired_contrast(res.points, res.metrics, "procurement.groups.HIC.priority", 0,
                                2, metric, level=0.9)
        pd.testing.assert_frame_equal(part.drop(columns="metric").reset_index(drop=True),
                                      alone)
    # one row per setting of the other two parameters (3 multiples x 2 hesitancy levels)
    assert len(table) == 2 * 6 and (table["replicates"] == 3).all()
    on_disk = pd.read_csv(tmp_path / "sw" / "contrasts.csv")
    np.testing.assert_allclose(on_disk["diff_mean"], table["diff_mean"])
    assert (tmp_path / "sw" / "plots" / "contrast.png").stat().st_size > 5000
    html = (tmp_path / "sw" / "report.html").read_text(encoding="utf-8")
    assert "Contrast: High-income market tier" in html and "[90% interval]" in html
    brief = html[html.index("<section class=brief>"):html.index("</section>")]
    assert "procurement.groups.HIC.priority 2 minus 0, at " in brief     # a headline
    assert "paired by replicate" in brief
    again = load_sweep_results(tmp_path / "sw").contrast_table()
    pd.testing.assert_frame_equal(again, table)


def test_a_sweep_without_a_contrast_has_none(tmp_path):
    from sweeps import grid_spec

    res = run_sweep(grid_spec(replicates=1, days=30), world=sweep_world(30),
                    out_dir=tmp_path / "sw")
    assert res.contrast_table() is None
    assert not (tmp_path / "sw" / "contrasts.csv").exists()
    assert "Contrast:" not in (tmp_path / "sw" / "report.html").read_text(encoding="utf-8")


def test_vaxsim_sweep_prints_the_contrast(tmp_path, capsys):
    from sim.cli.main import main

    f = baseline_sweep_file(tmp_path, """\
parameters:
  procurement.groups.HIC.multiple: {values: [1.0, 3.0]}
replicates: 2
metrics: [coverage_final.LIC, doses_expired]
contrast: {parameter: procurement.groups.HIC.multiple, control: 1.0, treatment: 3.0}
""")
    assert main(["sweep", str(f), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "procurement.groups.HIC.multiple 3 minus 1, paired by replicate" in out
    assert "    coverage_final.LIC: " in out and "of 2 pairs)" in out
    import json

    assert main(["report", str(tmp_path / "out"), "--quiet"]) == 0      # rebuilt from files
    assert "Contrast:" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert main(["sweep", str(f), "-o", str(tmp_path / "again"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["metric"] for r in doc["contrast"]] == ["coverage_final.LIC", "doses_expired"]
    assert all(r["replicates"] == 2 for r in doc["contrast"])


def test_count_metrics_name_what_they_count():
    from sim.sweep.labels import metric_label

    assert metric_label("deaths_by_group.HIC") == "Deaths by group, High income (people)"
    assert metric_label("infections").endswith("(people)")
    assert metric_label("doses_expired").endswith("(doses)")
