"""Headless Chromium (Debian's chromium and chromium-driver) on a locally served copy of the
built site, for the browser tests and `make screenshots`. Nothing is downloaded at run time:
the browser and driver come from Debian, axe-core and the Nu HTML Checker from npm at install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DESKTOP, PHONE = (1280, 900), (390, 844)
# A viewport narrower than a small tablet is a phone's: emulated as one (its
# <meta name="viewport"> honoured, touch instead of a mouse).
TABLET_WIDTH = 600

# The pages a reviewer looks at: (name, path in the built sample site).
PAGES = [
    ("home", "index.html"),
    ("category", "category/public-notice.html"),
    ("announcement-with-image", "announcements/2026-11-02-winter-snow-clearing-priorities.html"),
    ("event", "announcements/2026-11-16-budget-2027-open-house.html"),
    ("withdrawn", "announcements/2026-11-18-bay-avenue-sidewalk-closure.html"),
    ("corrected", "announcements/2026-09-08-victoria-street-bridge-deck-repairs.html"),
    ("archives", "archives.html"),
    ("archives-year", "archives/2026.html"),
    ("comment-guidelines", "comment-guidelines.html"),
    ("not-found", "404.html"),
]


def browser_missing() -> str | None:
    """Why the browser cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing: install Debian's chromium and chromium-driver"
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def set_viewport(driver: webdriver.Chrome, size: tuple[int, int]) -> None:
    """Make the page area exactly `size` CSS pixels, as DevTools' device mode does, until
    it is set again. Not the window's size: headless Chromium keeps a window at least 500 px
    wide, and its own frame takes some of the height, whatever --window-size asks for."""
    phone = size[0] < TABLET_WIDTH
    metrics = {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": phone}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": phone})


def viewport(driver: webdriver.Chrome) -> tuple[int, int]:
    """The viewport's size in CSS pixels, on a page laid out at the device's width."""
    driver.get('data:text/html,<meta name="viewport" content="width=device-width">')
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    return int(width), int(height)


@contextlib.contextmanager
def chromium(size: tuple[int, int] = DESKTOP) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a viewport of exactly `size` CSS pixels (width, height)."""
    profile = tempfile.mkdtemp(prefix="trail-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        set_viewport(driver, size)
        # Checks that ran at another size than they say would pass or fail for nothing.
        if (got := viewport(driver)) != size:
            raise RuntimeError(f"Chromium's viewport is {got}, not {size} CSS px")
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
