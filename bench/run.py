"""`make bench`: the numbers behind "fast at a decade of announcements".

Writes bench/results.json and prints a Markdown table. Every ratio is measured side by side in
one run on this machine. Sizes and counts can be reduced (`make test` runs a tiny version).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archive.chain import ChainFile
from archive.git import commit_archive
from archive.index import reindex, search
from checks import lint as content_lint
from moderation.classifier import ModerationPolicy, classify
from moderation.evaluate import load_labelled
from publishing.build import build_site
from sandboxes import start_all
from syndication.config import load_settings
from syndication.runner import syndicate

from .corpus import GIT, commit_history, generate

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def measured(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stdout) of a command in its own process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    out = process.stdout.read() if process.stdout else ""
    err = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out


def lint_seconds(content: Path) -> float:
    """The content lint over every file, as `invoke publish` runs it before each build."""
    start = time.perf_counter()
    content_lint.lint(content, ROOT / "policy")
    return time.perf_counter() - start


def vanilla_pelican(content: Path, output: Path, cache: Path | None = None) -> list[str]:
    """The command for a vanilla Pelican build; with `cache`, Pelican's content cache there."""
    command = [PYTHON, "-m", "pelican", str(content), "-o", str(output)]
    command += ["-s", str(ROOT / "bench" / "vanilla.py"), "-q"]
    if cache is not None:
        command += ["-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]
        command += [f"CACHE_PATH={json.dumps(str(cache))}"]
    return command


def edit_one(content: Path, size: int) -> None:
    """Edit the body of the announcement in the middle of a corpus (the same one in both)."""
    edited = sorted((content / "announcements").glob("*.md"))[size // 2]
    edited.write_text(edited.read_text().replace("Details", "Details, updated"))


def builds(size: int, work: Path) -> dict[str, Any]:
    ours, vanilla = work / f"ours-{size}", work / f"vanilla-{size}"
    generate(size, ours, vanilla)
    commit_history(ours)
    cache = work / f"cache-{size}"
    ours_out = work / f"out-ours-{size}"
    seconds, rss, out = measured(
        [PYTHON, "-m", "bench.build", str(ours), str(ours_out), str(cache)]
    )
    parts = json.loads(out.strip().splitlines()[-1])
    vanilla_out = work / f"out-vanilla-{size}"
    vanilla_seconds, vanilla_rss, _ = measured(vanilla_pelican(vanilla, vanilla_out))
    # Pelican's own content cache, for comparison: a build to fill it (untimed: vanilla's
    # full build above is Pelican's default, which keeps no cache).
    vanilla_cache = work / f"cache-vanilla-{size}"
    measured(vanilla_pelican(vanilla, vanilla_out, vanilla_cache))
    # As the CEC would: edit one announcement's body and commit it; CI then builds.
    edit_one(ours, size)
    subprocess.run([*GIT, "-C", str(ours), "commit", "-qam", "Update one announcement"], check=True)
    rebuild_seconds, _, _ = measured(
        [PYTHON, "-m", "bench.build", str(ours), str(ours_out), str(cache)]
    )
    edit_one(vanilla, size)
    vanilla_rebuild_seconds, _, _ = measured(vanilla_pelican(vanilla, vanilla_out, vanilla_cache))
    # The page cache's record of the rebuild (the newest, should the code change meanwhile).
    pages = max(cache.glob("*/pages.json"), key=lambda p: p.stat().st_mtime_ns)
    page_cache = json.loads(pages.read_text())
    return {
        "announcements": size,
        "build_seconds": seconds,
        "build_peak_mib": rss,
        "vanilla_seconds": vanilla_seconds,
        "vanilla_peak_mib": vanilla_rss,
        "build_vs_vanilla": seconds / vanilla_seconds,
        "rebuild_one_edit_seconds": rebuild_seconds,
        "rebuild_fraction": rebuild_seconds / seconds,
        "vanilla_rebuild_seconds": vanilla_rebuild_seconds,
        "vanilla_rebuild_fraction": vanilla_rebuild_seconds / vanilla_seconds,
        "rebuild_pages_rendered": len(page_cache["rendered"]),
        "rebuild_pages_reused": page_cache["reused"],
        "feeds_seconds": parts.get("feeds", 0.0),
        "manifest_seconds": parts.get("manifest", 0.0),
        "sitemap_seconds": parts.get("discovery", 0.0),
        "lint_seconds": lint_seconds(ours),
    }


def syndication(count: int, latency: float, work: Path) -> dict[str, Any]:
    content, out = work / "syndicate-content", work / "syndicate-out"
    generate(count, content)
    build_site(
        ROOT / "publishconf.py",
        out,
        {
            "PATH": str(content),
            "SITEURL": "https://trail.ca",
            "BUILD_TIME": "2030-01-01T00:00:00-08:00",
        },
    )
    with start_all(latency=latency, daily_post_limit=10_000) as boxes:
        settings = load_settings({**boxes.env, "RECORDS_DIR": str(work / "syndicate-records")})
        start = time.perf_counter()
        report = syndicate(out / "syndication.json", content, settings, say=lambda _: None)
        seconds = time.perf_counter() - start
        calls = {box.name: len(box.requests) for box in boxes.all()}
    slowest = max(calls.values()) * latency
    return {
        "announcements": count,
        "latency_seconds": latency,
        "seconds": seconds,
        "calls": calls,
        "failed": report.failed,
        "sum_of_latencies": sum(calls.values()) * latency,
        "busiest_platform_latencies": slowest,
        "vs_busiest_platform": seconds / slowest if slowest else 0.0,
    }


def moderation(count: int) -> dict[str, Any]:
    policy = ModerationPolicy.load(ROOT / "policy")
    items = load_labelled()
    comments = [items[n % len(items)] for n in range(count)]
    start = time.perf_counter()
    for n, item in enumerate(comments):
        classify(str(n), item.text, item.post_text, policy)
    seconds = time.perf_counter() - start
    return {"comments": count, "seconds": seconds, "per_second": count / seconds}


# Comments a run adds to the archive before it commits it, for the commit's figure.
RUN_COMMENTS = 100


def add_comments(records: Path, numbers: range) -> None:
    """Comments numbered `numbers`, as `invoke collect` archives them."""
    items = load_labelled()
    ChainFile(records / "archive" / "comments.jsonl").extend(
        {
            "kind": "comment",
            "announcement": f"item-{n % 500}",
            "platform": "facebook",
            "post_id": f"p{n % 500}",
            "comment_id": f"c{n}",
            "version": 1,
            "author": f"Resident {n % 997}",
            "text": items[n % len(items)].text,
            "created": "2026-11-20T12:00:00+00:00",
        }
        for n in numbers
    )


def commit_seconds(records: Path, count: int) -> float:
    """How long committing the archive takes after a run added RUN_COMMENTS comments to the
    `count` committed before (as each step of a run commits it)."""
    commit_archive(records, "Comments so far")
    add_comments(records, range(count, count + RUN_COMMENTS))
    start = time.perf_counter()
    commit_archive(records, "Collect comments")
    return time.perf_counter() - start


def records_search(count: int, work: Path) -> dict[str, Any]:
    records = work / "records"
    add_comments(records, range(count))
    start = time.perf_counter()
    reindex(records)
    reindex_seconds = time.perf_counter() - start
    latencies = []
    for query in ["water", "bridge deck", "budget taxes", "Laurel", "snow plow", "council"] * 5:
        start = time.perf_counter()
        search(records, query)
        latencies.append(time.perf_counter() - start)
    commit = commit_seconds(records, count)
    # The next search indexes the run's RUN_COMMENTS comments, not the archive again.
    start = time.perf_counter()
    search(records, "water")
    search_after_run_seconds = time.perf_counter() - start
    return {
        "comments": count,
        "reindex_seconds": reindex_seconds,
        "search_median_ms": statistics.median(latencies) * 1000,
        "search_max_ms": max(latencies) * 1000,
        "commit_seconds": commit,
        "search_after_run_seconds": search_after_run_seconds,
    }


# The figures measured for each corpus, as the report names them when saying how they grow.
GROWING = {
    "build_seconds": "our build",
    "vanilla_seconds": "vanilla Pelican",
    "build_peak_mib": "peak memory",
    "rebuild_one_edit_seconds": "rebuild after one edit",
    "vanilla_rebuild_seconds": "vanilla Pelican's cached rebuild",
    "feeds_seconds": "feeds",
    "manifest_seconds": "manifest",
    "sitemap_seconds": "sitemap",
    "lint_seconds": "content lint",
}
LINEAR = 1.2  # growth up to this much above the corpus's own counts as linear (noise, start-up)


def growth(first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    """How each figure grew from the smallest corpus to the largest (None: nothing to compare)."""
    ratios: dict[str, Any] = {"factor": last["announcements"] / first["announcements"]}
    for key in GROWING:
        ratios[key] = last[key] / first[key] if first.get(key) else None
    return ratios


def growth_line(ratios: dict[str, Any]) -> str:
    factor = ratios["factor"]

    def verdict(ratio: float) -> str:
        return "linear or better" if ratio <= LINEAR * factor else "worse than linear"

    figures = ", ".join(
        f"{name} {ratios[key]:.1f}× ({verdict(ratios[key])})"
        for key, name in GROWING.items()
        if ratios.get(key) is not None
    )
    return (
        f"Growth from the smallest to the largest corpus ({factor:.0f}× the announcements; "
        f"linear would be {factor:.0f}×): {figures}."
    )


def table(results: dict[str, Any]) -> str:
    rows = [
        "| announcements | our build (s) | vanilla (s) | ratio | peak MiB (ours / vanilla) "
        "| rebuild after one edit (s, % of build) | vanilla's cached rebuild (s, %) "
        "| pages rendered / reused | feeds + manifest (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in results["builds"]:
        rows.append(
            f"| {b['announcements']:,} | {b['build_seconds']:.1f} | {b['vanilla_seconds']:.1f} "
            f"| {b['build_vs_vanilla']:.2f}× "
            f"| {b['build_peak_mib']:.0f} / {b['vanilla_peak_mib']:.0f} "
            f"| {b['rebuild_one_edit_seconds']:.1f} ({100 * b['rebuild_fraction']:.0f}%) "
            f"| {b['vanilla_rebuild_seconds']:.1f} ({100 * b['vanilla_rebuild_fraction']:.0f}%) "
            f"| {b['rebuild_pages_rendered']:,} / {b['rebuild_pages_reused']:,} "
            f"| {b['feeds_seconds'] + b['manifest_seconds']:.2f} |"
        )
    linted = ", ".join(
        f"{b['lint_seconds']:.1f} s for {b['announcements']:,}" for b in results["builds"]
    )
    rows.append(f"\nContent lint over every file (before each publish): {linted}.")
    if "growth" in results:
        rows.append("\n" + growth_line(results["growth"]))
    s = results["syndication"]
    rows.append(
        f"\nSyndication of {s['announcements']} announcements, "
        f"{s['latency_seconds'] * 1000:.0f} ms "
        f"per call: {s['seconds']:.1f} s for {sum(s['calls'].values())} calls "
        f"(sum of latencies {s['sum_of_latencies']:.1f} s; busiest platform alone "
        f"{s['busiest_platform_latencies']:.1f} s)."
    )
    m, r = results["moderation"], results["records"]
    rows.append(f"Moderation: {m['per_second']:,.0f} comments per second over {m['comments']:,}.")
    rows.append(
        f"Records search over {r['comments']:,} comments: median {r['search_median_ms']:.1f} ms "
        f"(max {r['search_max_ms']:.1f} ms); reindex {r['reindex_seconds']:.1f} s; committing "
        f"the archive after {RUN_COMMENTS} more: {r['commit_seconds']:.2f} s, and the search "
        f"after them: {r['search_after_run_seconds']:.2f} s."
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--syndicate", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="trail-bench-") as scratch:
        work = Path(scratch)
        results: dict[str, Any] = {"builds": [builds(size, work) for size in sizes]}
        first, last = results["builds"][0], results["builds"][-1]
        if len(sizes) > 1:
            results["growth"] = growth(first, last)
        results["syndication"] = syndication(args.syndicate, args.latency, work)
        results["moderation"] = moderation(args.comments)
        results["records"] = records_search(args.comments, work)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return results


if __name__ == "__main__":
    main()
