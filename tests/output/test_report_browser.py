"""Every kind of report (run with diplomacy flows, comparison, sweep) rendered in headless
Chromium at 1,280 px: no horizontal overflow, every image loads, the brief comes first and
fits a page, and the screenshot is a real picture. Skipped, with the reason, where
Chromium or selenium is absent (``make browser-deps`` installs Chromium). Set
``VAXSIM_SCREENSHOTS=folder`` to keep the screenshots.
"""

import os
import shutil

import numpy as np
import pytest
from browser import browser, needs_chromium
from worlds import SCENARIOS

from sim.cli.main import main

pytestmark = [pytest.mark.slow, needs_chromium]
WIDTH = 1280
SWEEP = f"""
name: tiny
base: {SCENARIOS / "covax_pooling.yaml"}
overrides: {{days: 45}}
parameters:
  procurement.groups.HIC.multiple: {{values: [1.0, 3.0]}}
  pool.tier_share: {{values: [0.1, 0.3]}}
method: grid
replicates: 1
batch_size: 4
metrics: [coverage_final.LIC, gini_coverage, doses_expired]
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    assert main(["run", str(SCENARIOS / "vietnam_case.yaml"), "--set", "days=240",
                 "--set", "production.noise_sd=0.2", "--replicates", "3",
                 "-o", str(root / "run"), "--quiet"]) == 0
    assert main(["compare", str(SCENARIOS / "baseline.yaml"),
                 str(SCENARIOS / "covax_pooling.yaml"), "--set", "days=60",
                 "-o", str(root / "cmp"), "--quiet"]) == 0
    (root / "tiny.yaml").write_text(SWEEP)
    assert main(["sweep", str(root / "tiny.yaml"), "-o", str(root / "sweep"), "--quiet"]) == 0
    return {"run": root / "run" / "report.html", "compare": root / "cmp" / "report.html",
            "sweep": root / "sweep" / "report.html"}


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_report_renders_at_1280px_without_horizontal_overflow(reports, kind, tmp_path):
    driver = browser(tmp_path, WIDTH, 900)
    try:
        driver.get(reports[kind].as_uri())
        page = driver.execute_script("""
            const d = document.documentElement, brief = document.querySelector('.brief');
            const imgs = [...document.images];
            return {scroll: d.scrollWidth, client: d.clientWidth, inner: window.innerWidth,
                    height: d.scrollHeight, images: imgs.length,
                    broken: imgs.filter(i => !i.complete || i.naturalWidth === 0).length,
                    first: document.body.firstElementChild.className,
                    brief: brief ? brief.getBoundingClientRect().height : -1,
                    map: brief && brief.querySelector('img') ? brief.querySelector('img').alt
                                                             : '',
                    bands: [...document.querySelectorAll('.brief .band')]
                      .map(e => e.textContent),
                    wide: [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1
                                   && !e.closest('.scroll'))
                      .map(e => e.tagName + '.' + e.className).slice(0, 5)};""")
        driver.set_window_size(WIDTH, min(page["height"] + 100, 12000))
        shot = tmp_path / f"{kind}.png"
        driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    assert page["inner"] == WIDTH
    assert page["scroll"] <= page["client"], page["wide"]   # no horizontal overflow
    assert not page["wide"], page["wide"]
    assert page["images"] >= 3 and page["broken"] == 0
    assert page["first"] == "brief" and 0 < page["brief"] <= 1123   # one A4 page at 96 dpi
    if kind == "run":   # a run with flows: the diplomacy map and three numbers with bands
        assert page["map"].startswith("Who gave doses to whom")
        assert len(page["bands"]) == 3 and all("replicates" in b for b in page["bands"])
    if os.environ.get("VAXSIM_SCREENSHOTS"):
        shutil.copy(shot, os.path.join(os.environ["VAXSIM_SCREENSHOTS"], f"report_{kind}.png"))
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    colours = len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert (pixels < 0.95).any(axis=-1).mean() > 0.05 and colours > 50
