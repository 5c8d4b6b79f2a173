"""The store of derived values: reused for equal inputs and code, remade otherwise."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from page_cache.store import DerivedStore


def settings(tmp_path: Path, reuse: bool = True) -> dict[str, object]:
    return {"CACHE_PATH": str(tmp_path), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": reuse}


def build(tmp_path: Path, inputs: list[str], code: bytes = b"v1", reuse: bool = True) -> list[str]:
    """One build: derive a value from each input; returns what was made (not reused)."""
    made: list[str] = []

    def make(value: str) -> str:
        made.append(value)
        return value.upper()

    store = DerivedStore(settings(tmp_path, reuse), "shout", code)
    results = [store.get(value, partial(make, value)) for value in inputs]
    assert results == [value.upper() for value in inputs]
    store.save()
    return made


def test_equal_inputs_are_made_once_and_reused_by_the_next_build(tmp_path: Path) -> None:
    assert build(tmp_path, ["a", "b", "a"]) == ["a", "b"]
    assert build(tmp_path, ["a", "b", "c"]) == ["c"]


def test_new_code_remakes_everything(tmp_path: Path) -> None:
    build(tmp_path, ["a", "b"])
    assert build(tmp_path, ["a", "b"], code=b"v2") == ["a", "b"]


def test_entries_a_build_did_not_use_are_dropped(tmp_path: Path) -> None:
    build(tmp_path, ["a", "b"])
    build(tmp_path, ["b"])
    assert build(tmp_path, ["a"]) == ["a"]


def test_without_reuse_everything_is_made_and_the_store_renewed(tmp_path: Path) -> None:
    build(tmp_path, ["a"])
    assert build(tmp_path, ["a"], reuse=False) == ["a"]
    assert build(tmp_path, ["a"]) == []


def test_a_damaged_store_is_ignored(tmp_path: Path) -> None:
    build(tmp_path, ["a"])
    (tmp_path / "shout.pickle").write_bytes(b"not a pickle")
    assert build(tmp_path, ["a"]) == ["a"]
