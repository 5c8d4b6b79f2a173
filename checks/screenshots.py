"""`make screenshots`: PNGs of the key pages at desktop and phone sizes in screenshots/
(never published), so a reviewer can look without a browser."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from publishing.build import build_site

from .browser import DESKTOP, PAGES, PHONE, ROOT, browser_missing, chromium, serve, set_viewport


def main() -> None:
    if reason := browser_missing():
        sys.exit(f"screenshots: {reason}")
    target = ROOT / "screenshots"
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
                    for name, path in PAGES:
                        driver.get(f"{base}/{path}")
                        height = driver.execute_script("return document.body.scrollHeight")
                        set_viewport(driver, (size[0], min(int(height) + 100, 6000)))
                        driver.save_screenshot(str(target / f"{name}-{label}.png"))
                        set_viewport(driver, size)
    print(f"screenshots: {len(PAGES) * 2} PNGs in {target}")


if __name__ == "__main__":
    main()
