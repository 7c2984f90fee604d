"""``vaxsim viz`` in a real browser: serve the baseline on 127.0.0.1, load it in headless
Chromium (Debian's chromium + chromium-driver through selenium), check the plots show.

Skipped only where Chromium, its driver or the viz extra are absent (``make test``
installs them on Debian). Set ``VAXSIM_SCREENSHOT=path.png`` to keep the screenshot.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from browser import browser, needs_chromium
from worlds import ROOT, SCENARIOS

pytestmark = [pytest.mark.slow, needs_chromium]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    pytest.importorskip("solara")
    from sim.cli.commands.viz import asset_cache

    if asset_cache() is None:  # offline, Solara's front end would come from a CDN
        pytest.skip("needs Solara's offline asset cache (scripts/solara_assets.sh; "
                    "make browser-deps builds it)")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "viz", str(SCENARIOS / "baseline.yaml"),
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.5)
        yield url
    finally:
        # The server is a child of `vaxsim viz`; stop the whole session we started.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_viz_page_shows_the_plots_in_headless_chromium(server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from sim.agents.viz import TITLES

    driver = browser(tmp_path)
    try:
        driver.get(server)
        wait = WebDriverWait(driver, 90, poll_frequency=0.5)
        wait.until(lambda d: all(t in d.find_element(By.TAG_NAME, "body").text
                                 for t in TITLES.values()))
        # Advance the model: one click runs a render interval (7 days).
        step = [b for b in driver.find_elements(By.TAG_NAME, "button")
                if b.text.strip().upper() == "STEP"]
        assert step, "no Step button"
        for _ in range(3):
            step[0].click()
            time.sleep(1.0)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "img")) >= len(TITLES))
        time.sleep(2.0)
        text = driver.find_element(By.TAG_NAME, "body").text
        thumbs = [e.get_attribute("textContent").strip()
                  for e in driver.find_elements(By.CSS_SELECTOR, ".v-slider__thumb-label")]
        shot = tmp_path / "viz.png"
        driver.save_screenshot(str(shot))
        # A slider change re-creates the model on Reset: pick another rule, reset, step.
        rule = [e for e in driver.find_elements(By.CSS_SELECTOR, ".v-select")
                if "Adaptive strategy rule" in e.text][0]
        rule.find_element(By.CSS_SELECTOR, ".v-select__slot").click()
        wait.until(lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".v-list-item")
                              if e.text.strip() == "imitate"])[0].click()
        button = lambda name: [b for b in driver.find_elements(By.TAG_NAME, "button")  # noqa: E731
                               if b.text.strip().upper() == name][0]
        button("RESET").click()
        wait.until(lambda d: "Time: 0.0" in d.find_element(By.TAG_NAME, "body").text)
        button("STEP").click()
        wait.until(lambda d: "Time: 7.0" in d.find_element(By.TAG_NAME, "body").text)
        after = driver.find_element(By.TAG_NAME, "body").text
    finally:
        driver.quit()
    for title in TITLES.values():
        assert title in text
    assert "Hoarding multiple" in text and "Export policy" in text
    assert "Pool first tier" in text and "Donors give (share of surplus)" in text
    assert "imitate" in after and "Traceback" not in after and TITLES["gini"] in after
    # Every slider shows its value without being dragged: the baseline's pool tier and
    # donors' share, as the page's own parameters give them.
    from sim.agents.viz import model_params
    from sim.scenario import load_scenario

    shown = model_params("x.yaml", load_scenario(SCENARIOS / "baseline.yaml"), 1)
    expected = {f"{shown[k]['value']:g}" for k in ("pool_tier", "donation_share")}
    assert len(thumbs) >= 4 and all(thumbs) and expected <= set(thumbs), (thumbs, expected)
    if os.environ.get("VAXSIM_SCREENSHOT"):
        shutil.copy(shot, os.environ["VAXSIM_SCREENSHOT"])
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    non_white = (pixels < 0.95).any(axis=-1).mean()
    colours = len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert non_white > 0.05 and colours > 50, (non_white, colours)

