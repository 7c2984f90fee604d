"""The self-contained HTML report: written with every results folder, rebuilt by
`vaxsim report`, embedding every plot and referencing no external URL.
"""


from reports import assert_self_contained
from worlds import small_results

from sim.cli.main import main
from sim.output.folder import save_results


def test_results_folder_has_a_self_contained_report(tmp_path, capsys):
    res = small_results(seeds=(1, 2), days=120)
    out = save_results(res, tmp_path / "run")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    pngs = sorted((out / "plots").glob("*.png"))
    assert {"lorenz.png", "gini_over_time.png", "target_attainment.png", "coverage_map.png",
            "coverage_ranking.png"} <= {p.name for p in pngs}
    assert html.count('src="data:image/png;base64,') == len(pngs)
    assert "Gini of coverage, population-weighted" in html
    assert "name: test" in html  # the resolved scenario
    # Rebuilt from the folder alone.
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert_self_contained((out / "report.html").read_text(encoding="utf-8"))


def test_report_escapes_scenario_text(tmp_path):
    res = small_results(days=30, description='<script src="https://cdn.example/x.js"></script>')
    out = save_results(res, tmp_path / "run", plots=False)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert_self_contained(html, strict=False)


def test_report_of_a_non_results_folder_is_an_input_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a results folder" in capsys.readouterr().err
