"""`vaxsim compare` on the shipped scenarios (shortened): CSV with bands, plots, report."""

import pandas as pd
from reports import assert_self_contained
from worlds import SCENARIOS

from sim.cli.main import main


def test_compare_writes_csv_plots_and_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(SCENARIOS / "nationalism.yaml"), str(SCENARIOS / "baseline.yaml"),
                 "-o", str(out), "--set", "days=120", "--replicates", "2", "--seed", "5",
                 "--set", "production.noise_sd=0.2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "nationalism" in printed and "baseline" in printed
    assert "Gini, population-weighted" in printed and str(out) in printed
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == ["scenario", "metric", "median", "p05", "p95", "replicates"]
    assert set(table["scenario"]) == {"nationalism", "baseline"}
    assert (table["replicates"] == 2).all()
    gini = table[table["metric"] == "gini_coverage"].set_index("scenario")
    assert ((gini["p05"] <= gini["median"]) & (gini["median"] <= gini["p95"])).all()
    assert {"compare_coverage.png", "compare_lorenz.png", "compare_metrics.png",
            "compare_differences.png"} <= {p.name for p in (out / "plots").glob("*.png")}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "Differences from nationalism, paired by replicate" in html
    # What baseline changes against nationalism, replicate by replicate.
    assert "minus nationalism, paired by replicate: mean [95% interval]" in printed
    assert "Deaths, World" in printed.split("minus nationalism")[1]
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs["scenario"]) == {"baseline"} and set(diffs["reference"]) == {"nationalism"}
    assert (diffs["replicates"] <= 2).all()
    # Deaths averted are not differenced for display (each arm's twin differs).
    shown = printed.split("minus nationalism")[1]
    assert "Deaths averted" not in shown.split("Each scenario minus")[0]
    # Each scenario's own results folder, run with the same seed and replicates.
    for name in ("nationalism", "baseline"):
        summary = pd.read_json(out / name / "summary.json", typ="series")
        assert summary["seed"] == 5 and summary["replicates"] == 2
        assert (out / name / "report.html").is_file()


def test_compare_bad_scenario_is_input_error(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nuptake: {hesitancy: 7}\n")
    out = tmp_path / "cmp"
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), str(bad), "-o", str(out)]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.count("\n") == 1


def test_compare_json_brief_and_rebuild(tmp_path, capsys):
    import json

    out = tmp_path / "cmp"
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "nationalism.yaml"),
                 "-o", str(out), "--set", "days=60", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)           # stdout holds only the JSON
    assert doc["scenarios"] == ["baseline", "nationalism"]
    assert {d["scenario"] for d in doc["differences"]} == {"nationalism"}
    labels = [row["metric"] for row in doc["table"]]
    assert "Countries ≥40% completed by 2021-12-31" not in labels   # after the 60-day end
    assert not any("target 1" in label for label in labels)         # targets say which
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["names"] == ["baseline", "nationalism"] and meta["scenarios"][1]["question"]
    # `vaxsim report` rebuilds the comparison and each scenario's own report.
    for f in (out / "report.html", out / "baseline" / "report.html"):
        f.unlink()
    assert main(["report", str(out), "--quiet"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert (out / "baseline" / "report.html").is_file()
    assert "Differences from baseline, paired by replicate" in html   # from differences.csv
    brief = html[html.index("<section class=brief>"):html.index("</section>")]
    assert "What changes between baseline and nationalism?" in brief
    assert "What did sharing" in brief                   # the scenarios' own questions
    assert "Coverage ≥1 dose, low income" in brief and "Gini, population-weighted" in brief
    assert "<b>nationalism</b> minus baseline: deaths, World " in brief   # paired, quotable


def test_compare_differences_pair_the_replicates_of_each_scenario(tmp_path):
    import numpy as np

    from sim.api import compare
    from sim.scenario import load_scenario

    scenarios = [load_scenario(SCENARIOS / f"{n}.yaml", ["days=90", "production.noise_sd=0.3"])
                 for n in ("nationalism", "covax_pooling")]
    cmp = compare(scenarios, tmp_path / "cmp", seed=11, replicates=3)
    ref, arm = (r.per_member for r in cmp.results)
    np.testing.assert_array_equal(cmp.results[0].params.seeds, cmp.results[1].params.seeds)
    table = cmp.differences.set_index("metric")
    for metric in ("doses_expired", "coverage_final.LIC", "deaths_by_group.World"):
        d = (arm[metric] - ref[metric]).to_numpy()
        row = table.loc[metric]
        assert row["replicates"] == 3
        np.testing.assert_allclose(row["diff_mean"], d.mean(), rtol=1e-12)
        assert row["diff_lo"] <= d.mean() <= row["diff_hi"]
        np.testing.assert_allclose(row["reference_mean"], ref[metric].mean(), rtol=1e-12)
    on_disk = pd.read_csv(tmp_path / "cmp" / "differences.csv")
    np.testing.assert_allclose(on_disk["diff_mean"], cmp.differences["diff_mean"],
                               rtol=1e-12, equal_nan=True)


def test_one_scenario_has_nothing_to_difference(tmp_path, capsys):
    out = tmp_path / "one"
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), "-o", str(out),
                 "--set", "days=20"]) == 0
    assert "paired by replicate" not in capsys.readouterr().out
    assert not (out / "differences.csv").exists()
    assert not (out / "plots" / "compare_differences.png").exists()
    assert "Differences from" not in (out / "report.html").read_text(encoding="utf-8")


def test_a_scenario_against_itself_differs_by_exactly_nothing(tmp_path):
    # Common random numbers: the same scenario twice gives the same numbers bit for bit,
    # replicate by replicate, so every paired difference is exactly zero.
    import numpy as np

    from sim.api import compare
    from sim.scenario import load_scenario

    s = load_scenario(SCENARIOS / "baseline.yaml", ["days=45", "production.noise_sd=0.3"])
    cmp = compare([s, s], tmp_path / "same", replicates=2)
    d = cmp.differences
    assert list(d["scenario"].unique()) == ["baseline-2"]
    finite = d[np.isfinite(d["diff_mean"])]
    assert len(finite) > 50
    assert (finite["diff_mean"] == 0).all() and (finite["diff_lo"] == 0).all()
