"""The self-contained HTML report: written with every results folder, rebuilt by
`vaxsim report`, embedding every plot and referencing no external URL.
"""


import re

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


def test_report_opens_with_a_brief_and_formats_numbers_for_people(tmp_path):
    from sim.output import report

    res = small_results(seeds=(1, 2, 3), days=120, question="Does pooling help the poorest?",
                        production={"noise_sd": 0.3})
    out = save_results(res, tmp_path / "run")
    html = (out / "report.html").read_text(encoding="utf-8")
    brief = html[html.index("<section class=brief>"):html.index("</section>")]
    assert html.index("<section class=brief>") < html.index("<h2>Key metrics</h2>")
    assert "Does pooling help the poorest?" in brief
    assert brief.count("class=headline>") == 3
    assert brief.count("5–95% over 3 replicates") + brief.count("the same in all 3") == 3
    assert "coverage_map" not in brief and 'alt="Coverage by country at the end."' in brief
    # Every caption is a sentence, not a file name; numbers read like a briefing.
    assert "doses_per_100<" not in html and "_" not in "".join(
        re.findall(r"<figcaption>(.*?)</figcaption>", html))
    assert re.search(r"\d+\.\d% \[\d+\.\d–\d+\.\d\]", html)   # 48.1% [45.2–51.0]
    assert not re.search(r"\d{4,}\.\d\d M", html)              # no "5693.00 M"
    # Sections are a list others append to.
    report.RUN_SECTIONS.append(lambda r: "<h2>History check</h2>")
    try:
        assert "<h2>History check</h2>" in report.run_report(
            res.summary, "name: test\n", [], out)
    finally:
        report.RUN_SECTIONS.pop()


def test_report_command_rebuilds_a_sweep_folder(tmp_path, capsys):
    from sweeps import grid_spec, sweep_world

    from sim.sweep.runner import run_sweep

    out = tmp_path / "sweep"
    run_sweep(grid_spec(days=40, batch_size=6, replicates=1), world=sweep_world(40),
              out_dir=out)
    (out / "report.html").unlink()
    for png in (out / "plots").glob("*.png"):
        png.unlink()
    assert main(["report", str(out), "--plots"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "<section class=brief>" in html and "Sweep: t" in html
    assert html.count("data:image/png;base64,") == len(list((out / "plots").glob("*.png")))
    assert "High-income hoarding (courses ordered per person)" in html   # words, not paths
    assert "<div class=scroll><table>" in html                           # tables scroll
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert captions and all(c.endswith(".") and "_" not in c for c in captions)
    assert any("at each sweep point against each parameter" in c for c in captions)


def test_the_report_reads_every_shipped_scenario_as_the_python_yaml_loader_does():
    """The report's question comes from scenario.yaml read with libyaml's loader: it must
    read the resolved YAML of every shipped scenario (unicode, long texts) as the
    pure-Python loader does."""
    import yaml
    from worlds import SCENARIOS

    from sim.output.report import RunInput
    from sim.scenario.loader import dump_scenario, load_scenario

    for path in sorted(SCENARIOS.glob("*.yaml")):
        text = dump_scenario(load_scenario(path))
        assert yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) \
            == yaml.safe_load(text), path.name  # noqa: S506
        assert RunInput(SCENARIOS, {}, text).question, path.name
