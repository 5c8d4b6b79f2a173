"""Pelican settings for CI builds that are published: pelicanconf.py plus these."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Settings files are not a package: Pelican runs this file by path, so find pelicanconf beside it.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import pelicanconf

# Take every setting from pelicanconf, by name, then override for publishing.
globals().update({name: value for name, value in vars(pelicanconf).items() if name.isupper()})

SITEURL = os.environ.get("SITEURL") or "https://trail.ca"
DELETE_OUTPUT_DIRECTORY = True
