"""The City's editable rules (`policy/*.yml`), read the one way every part reads them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml


def read_mapping(path: Path, error: type[Exception], keys: Sequence[str] = ()) -> dict[str, Any]:
    """A policy file's settings: a YAML mapping whose every key is one of `keys` (any, when
    none are given). Anything else raises `error`, naming the file and the key: a misspelt
    setting would otherwise be ignored, silently."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as problem:
        raise error(f"{path}: not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping" + (f" with {', '.join(keys)}" if keys else ""))
    for key in data:
        if keys and key not in keys:
            raise error(f"{path}: {key}: unknown; expected {' or '.join(keys)}")
    return data
