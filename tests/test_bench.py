"""The benchmark runs end to end on a tiny corpus (the real one is `make bench`, not a test)."""

from __future__ import annotations

from pathlib import Path

from bench.run import main


def test_the_benchmark_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    results = main(
        [
            "--sizes",
            "8,16",
            "--syndicate",
            "3",
            "--comments",
            "200",
            "--output",
            str(tmp_path / "results.json"),
        ]
    )
    assert (tmp_path / "results.json").is_file()
    assert [b["announcements"] for b in results["builds"]] == [8, 16]
    for build in results["builds"]:
        assert build["build_seconds"] > 0 and build["vanilla_seconds"] > 0
        assert build["build_peak_mib"] > 0 and build["rebuild_one_edit_seconds"] > 0
        # One edited body: its page and the few listings that show it (home, category,
        # archives, its year's archive page, perhaps events), nothing else.
        assert 1 <= build["rebuild_pages_rendered"] <= 6
        assert build["rebuild_pages_reused"] >= build["announcements"] - 1
    assert results["syndication"]["failed"] is False
    assert sum(results["syndication"]["calls"].values()) >= 6  # 3 posts on Facebook and X
    assert results["moderation"]["comments"] == 200
    assert results["records"]["search_median_ms"] > 0
