"""Headless Chromium for the browser tests: Debian's chromium and chromium-driver driven
through selenium (nothing downloaded). Tests skip, with the reason, where either is absent.
"""

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
needs_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="needs chromium and chromium-driver (run make browser-deps)")


def browser(tmp_path, width=1400, height=1000):
    """A headless Chromium session with a fresh profile under ``tmp_path``."""
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="needs selenium (the viz extra)")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", f"--window-size={width},{height}",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)
