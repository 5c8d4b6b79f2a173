"""The benchmark runs end to end on a tiny corpus (the real one is `make bench`, not a test)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from bench.corpus import commit_history, generate
from bench.run import GROWING, growth, growth_line, main, vanilla_pelican


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
        assert build["lint_seconds"] > 0 and build["vanilla_rebuild_seconds"] > 0
        assert build["vanilla_rebuild_fraction"] == (
            build["vanilla_rebuild_seconds"] / build["vanilla_seconds"]
        )
        # One edited body: its page and the few listings that show it (home, category,
        # archives, its year's archive page, perhaps events), nothing else.
        assert 1 <= build["rebuild_pages_rendered"] <= 6
        assert build["rebuild_pages_reused"] >= build["announcements"] - 1
    assert results["syndication"]["failed"] is False
    assert sum(results["syndication"]["calls"].values()) >= 6  # 3 posts on Facebook and X
    assert results["moderation"]["comments"] == 200
    assert set(GROWING) <= set(results["growth"]) and results["growth"]["factor"] == 2
    assert results["records"]["search_median_ms"] > 0
    assert results["records"]["commit_seconds"] > 0
    assert results["records"]["search_after_run_seconds"] > 0


def test_the_report_says_how_each_figure_grows_and_whether_that_is_linear() -> None:
    def corpus(size: int, seconds: float, memory: float) -> dict[str, float]:
        figures = dict.fromkeys(GROWING, 1.0)
        return {
            **figures,
            "announcements": size,
            "build_seconds": seconds,
            "build_peak_mib": memory,
        }

    ratios = growth(corpus(1000, 2.0, 100.0), corpus(10000, 30.0, 300.0))
    assert ratios["factor"] == 10
    assert (ratios["build_seconds"], ratios["build_peak_mib"], ratios["feeds_seconds"]) == (
        15.0,
        3.0,
        1.0,
    )
    assert set(GROWING) <= set(ratios)
    line = growth_line(ratios)
    assert "our build 15.0× (worse than linear)" in line
    assert "peak memory 3.0× (linear or better)" in line
    assert "linear would be 10×" in line


def test_the_corpus_has_a_history_like_the_citys(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate(5, corpus)
    commit_history(corpus)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(corpus), *args], check=True, capture_output=True, text=True
        ).stdout

    assert git("status", "--porcelain") == ""  # the history ends at the files as written
    log = git("log", "--format=%aI %s").splitlines()
    assert len(log) == 6 and log[-1].endswith("Add the images and pages")
    for path in (corpus / "announcements").glob("*.md"):
        dated = git("log", "--format=%aI %s", "--", f"announcements/{path.name}").strip()
        assert dated == f"{path.name[:10]}T09:00:00-08:00 Announce {path.stem}"


def test_vanilla_pelicans_cached_rebuild_keeps_pelicans_content_cache(tmp_path: Path) -> None:
    ours, vanilla = tmp_path / "ours", tmp_path / "vanilla"
    generate(3, ours, vanilla)
    cache = tmp_path / "cache"
    subprocess.run(vanilla_pelican(vanilla, tmp_path / "out", cache), check=True)
    assert (cache / "ArticlesGenerator-Readers").is_file()
    plain = tmp_path / "plain"
    plain.mkdir()
    subprocess.run(vanilla_pelican(vanilla, plain / "out"), check=True, cwd=plain)
    assert (plain / "out" / "index.html").is_file()
    # Pelican's default: no cache (it would be `cache/` here), so the full build writes none.
    assert sorted(p.name for p in plain.iterdir()) == ["out"]


def test_the_corpus_is_valid_content_across_daylight_saving_changes(tmp_path: Path) -> None:
    """Nine hours apart, with events two hours long, its times reach the hour clocks skip."""
    from announcements.model import parse_announcement
    from bench.corpus import CITY, _local

    assert _local(datetime(2027, 3, 14, 2, 30)) == "2027-03-14 03:30"
    assert _local(datetime(2027, 3, 14, 1, 30)) == "2027-03-14 01:30"
    corpus = tmp_path / "corpus"
    generate(400, corpus)  # 2016-01-01 to mid-May: past the change of March 13
    problems = [
        problem
        for path in sorted((corpus / "announcements").glob("*.md"))
        for problem in parse_announcement(
            str(path), path.read_text(encoding="utf-8"), CITY, corpus
        )[1]
    ]
    assert problems == []
