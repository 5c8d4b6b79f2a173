"""`make screenshots`: PNGs of the key pages at desktop and phone sizes in screenshots/
(never published), so a reviewer can look without a browser."""

from __future__ import annotations

import base64
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from selenium import webdriver

from publishing.build import build_site

from .browser import DESKTOP, PAGES, PHONE, ROOT, browser_missing, chromium, serve


def save_whole_page(driver: webdriver.Chrome, path: Path) -> None:
    """Write a PNG of the whole page, however tall: Chromium draws it beyond the viewport,
    so nothing is cut off and the page is laid out at the viewport's own size."""
    content = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": content["width"], "height": content["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def main(target: Path = ROOT / "screenshots", pages: Sequence[tuple[str, str]] = PAGES) -> None:
    """Build the sample site and write `pages` (name, path) at both sizes into `target`."""
    if reason := browser_missing():
        sys.exit(f"screenshots: {reason}")
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        site = build_site(
            ROOT / "publishconf.py",
            Path(scratch) / "site",
            {"BUILD_TIME": "2026-11-24T12:00:00-08:00"},
        ).output
        with serve(site) as base:
            for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                with chromium(size) as driver:
                    for name, path in pages:
                        driver.get(f"{base}/{path}")
                        save_whole_page(driver, target / f"{name}-{label}.png")
    print(f"screenshots: {len(pages) * 2} PNGs in {target}")


if __name__ == "__main__":
    main()
