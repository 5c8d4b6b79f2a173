"""One build in its own process, so its peak memory can be measured alone.

python -m bench.build CONTENT OUTPUT CACHE   → prints JSON: seconds, and the time spent in
                                               feeds, manifest and discovery
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from discovery import DiscoveryGenerator
from feeds import FeedsGenerator
from publishing.build import build_site
from syndication_manifest import ManifestGenerator

ROOT = Path(__file__).resolve().parent.parent
spent: dict[str, float] = {}


def _timed(name: str, method: Any) -> Any:
    def run(self: Any) -> None:
        start = time.perf_counter()
        method(self)
        spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    return run


def main(content: str, output: str, cache: str) -> None:
    FeedsGenerator.write_files = _timed("feeds", FeedsGenerator.write_files)  # type: ignore[method-assign]
    ManifestGenerator.write_files = _timed("manifest", ManifestGenerator.write_files)  # type: ignore[method-assign]
    DiscoveryGenerator.write_files = _timed("discovery", DiscoveryGenerator.write_files)  # type: ignore[method-assign]
    overrides = {
        "PATH": content,
        "SITEURL": "https://trail.ca",
        "BUILD_TIME": "2026-11-24T12:00:00-08:00",
    }
    start = time.perf_counter()
    build_site(ROOT / "publishconf.py", Path(output), overrides, cache=Path(cache))
    print(json.dumps({"seconds": time.perf_counter() - start, **spent}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
