"""Tasks for the City of Trail site: `invoke --list` shows them all."""

from __future__ import annotations

import contextlib
import functools
import getpass
import logging
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec, TextIO, TypeVar

from invoke import task
from invoke.context import Context
from invoke.exceptions import Exit

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from announcements.addresses import slug_of  # noqa: E402
from announcements.model import CATEGORIES  # noqa: E402
from announcements.settings import SettingsError, canonical_siteurl  # noqa: E402
from archive.chain import ChainError, ChainWriteError  # noqa: E402
from archive.collect import collect as collect_comments  # noqa: E402
from archive.export import ExportError  # noqa: E402
from archive.export import export as export_package  # noqa: E402
from archive.git import (  # noqa: E402
    ArchiveSyncError,
    NotAnArchive,
    commit_archive,
    is_an_archive,
    pull_archive,
    push_archive,
    removed_records,
)
from archive.index import (  # noqa: E402
    FILES,
    SearchIndexError,
    chains,
    city_time,
    date_bound,
    platform_name,
    printable,
    read_records,
    search_author,
    search_query,
)
from archive.index import reindex as rebuild_index  # noqa: E402
from archive.index import search as search_records  # noqa: E402
from archive.lock import ArchiveBusy, holds_nothing_but_the_lock, one_run_at_a_time  # noqa: E402
from archive.pictures import verify_pictures  # noqa: E402
from archive.retention import (  # noqa: E402
    RetentionError,
    RetentionPolicy,
    due_for_disposition,
    hold_warnings,
    line_note,
    pictures_due,
)
from checks import history  # noqa: E402
from checks import lint as content_lint  # noqa: E402
from moderation.classifier import ModerationPolicy, PolicyError  # noqa: E402
from moderation.report import write_report  # noqa: E402
from moderation.run import DecisionError, classify_file, moderate_collected  # noqa: E402
from moderation.run import decide as apply_decision  # noqa: E402
from publishing.alert import (  # noqa: E402
    AlertError,
    alert_written,
    changes_besides_the_alert,
    commit_alert,
    first_sentence,
    publish_alert,
    put_on_branch,
    records_not_pushed,
)
from publishing.author import AuthoringError, latest_announcement, new_announcement  # noqa: E402
from publishing.author import preview as preview_posts  # noqa: E402
from publishing.build import (  # noqa: E402
    BuildError,
    BuildResult,
    as_the_build_names,
    build_site,
    caches_beside,
    not_replaceable,
)
from publishing.build import load_settings as load_site_settings  # noqa: E402
from publishing.commit import (  # noqa: E402
    Branch,
    CommitError,
    branch_to_commit_on,
    commits_behind,
)
from publishing.demo import run_demo  # noqa: E402
from publishing.deploy import DeployError, Project, check_target  # noqa: E402
from publishing.deploy import deploy as deploy_site  # noqa: E402
from publishing.preview import PortUnusable, follow_edits, serving  # noqa: E402
from publishing.status import status_time, waiting  # noqa: E402
from sandboxes.__main__ import main as sandboxes_main  # noqa: E402
from sandboxes.twitter import BASIC_DAILY_POSTS  # noqa: E402
from syndication import runner  # noqa: E402
from syndication.config import (  # noqa: E402
    ConfigError,
    Settings,
    is_whole_number,
    load_settings,
    records_location,
)
from syndication.ledger import Ledger, LedgerError, Record  # noqa: E402
from syndication.manifest import ManifestError  # noqa: E402

P = ParamSpec("P")
T = TypeVar("T")
SETTINGS = {"dev": ROOT / "pelicanconf.py", "publish": ROOT / "publishconf.py"}
VERIFIED_HISTORY = "verified-history.json"  # beside the build caches: see verify_history


def _logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _platform_settings() -> Settings:
    """The platforms' settings from the environment; a bad value stops with its name."""
    try:
        return load_settings(site_root=ROOT)
    except ConfigError as error:
        raise Exit(str(error), code=2) from None


def _reads_records(command: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """For a task that reads the records archive: a damaged file (a line cut short by a power
    cut, or one that is not JSON) stops it with the file and line and exit 2, not a
    traceback; a search index that cannot be built (a full disk) with why, and exit 1."""

    def wrap(body: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(body)
        def reading(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                body(*args, **kwargs)
            except ChainError as error:
                raise Exit(
                    f"{command}: {error}: the records archive is damaged; `invoke records "
                    "verify` names every broken line.",
                    code=2,
                ) from None
            except SearchIndexError as error:
                raise Exit(f"{command}: {error}", code=1) from None

        return reading

    return wrap


def _writes_records(command: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """For a task that writes records: a record that could not be written (a full disk)
    stops it with the file and exit 1, not a traceback. The file is as it was, so the same
    command carries on once the cause is fixed."""

    def wrap(body: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(body)
        def writing(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                body(*args, **kwargs)
            except ChainWriteError as error:
                raise Exit(
                    f"{command}: {error}; once that is fixed, run it again.", code=1
                ) from None

        return writing

    return wrap


def _content_folder(command: str, given: str | None) -> Path:
    """The content folder a task reads: `--content`, or content/. One that is not a folder (a
    typo, a file) stops the task naming the option (exit 2), not with a traceback from deep in
    the build or the lint."""
    folder = Path(given).resolve() if given else ROOT / "content"
    if not folder.is_dir():
        raise Exit(
            f"{command}: --content: {folder} is not a folder; give the content folder "
            "(default: content/)",
            code=2,
        )
    return folder


def _output_usable(command: str, output: str | None, content: Path | None = None) -> None:
    """`--output`, checked as the build checks it before it starts: a folder the build must
    not replace (the content, the records archive) stops the task naming the option (exit 2,
    as for `--content`), not as a build that failed."""
    refused = output and not_replaceable(Path(output).resolve(), content or ROOT / "content")
    if refused:
        raise Exit(f"{command}: --output: {refused}", code=2)


def _build_once(
    settings: Path, output: str | None, content: Path | None = None, fresh: bool = False
) -> BuildResult:
    """One build with the caches beside the output; raises BuildError."""
    _logging()
    overrides = {"PATH": str(content)} if content else {}
    target = Path(output).resolve() if output else None
    cache = caches_beside(target or ROOT / "output")
    os.chdir(ROOT)
    return build_site(settings, target, overrides, cache, reuse=not fresh)


def _built(result: BuildResult) -> str:
    return f"Built {result.articles} announcements and {result.pages} pages into {result.output}"


def _build(
    settings: Path, output: str | None, content: Path | None = None, fresh: bool = False
) -> Path:
    try:
        result = _build_once(settings, output, content, fresh)
    except BuildError as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        raise Exit(
            f"Build failed with {len(error.problems)} problem(s); the previous output/ is "
            "unchanged.",
            code=1,
        ) from None
    print(_built(result))
    return result.output


@task(
    help={
        "dev": "use pelicanconf.py (local preview settings) instead of publishconf.py",
        "output": "folder to build into (default: output/)",
        "content": "content folder to build (default: content/)",
        "fresh": "render every page, ignoring (and then renewing) the last build's caches",
    }
)
def build(
    c: Context,
    dev: bool = False,
    output: str | None = None,
    content: str | None = None,
    fresh: bool = False,
) -> None:
    """Build the site into output/; exit non-zero on any content or build error.

    Unchanged files and pages are reused from the last build (caches in .output.cache/).
    """
    folder = _content_folder("build", content) if content else None  # None: the settings'
    _output_usable("build", output, folder)
    _build(SETTINGS["dev" if dev else "publish"], output, folder, fresh)


def _whole_number(command: str, option: str, value: int | str) -> int:
    """A number option as the task reads it: its default, or the text given (the tasks
    declare these as text, as invoke would otherwise cast the value while reading the
    command line, where one it cannot cast is a traceback). Not one: exit 2, naming it."""
    if isinstance(value, int):
        return value
    if not is_whole_number(value.strip()):
        raise Exit(f"{command}: {option}: '{value}' is not a whole number", code=2)
    return int(value)


@task(
    help={
        "port": "port on 127.0.0.1 (default 8000)",
        "output": "folder to build into and serve (default: output/)",
        "watch": "rebuild when content, theme, plugins or settings change (default: yes)",
    }
)
def serve(
    c: Context, port: int | str = "8000", output: str | None = None, watch: bool = True
) -> None:
    """Preview the site on http://127.0.0.1:PORT/, rebuilt on every saved change.

    Built with the local settings (pelicanconf.py) into output/, or into --output.
    """
    port = _whole_number("serve", "--port", port)
    _output_usable("serve", output)
    folder = Path(output).resolve() if output else ROOT / "output"
    try:
        print(_built(_build_once(SETTINGS["dev"], output)))
    except BuildError as error:
        # A file saved half-written must not stop the preview: the CEC fixes it and saves,
        # and the watcher builds again, as it does for a problem found after the start.
        for line in error.problems:
            print(line, file=sys.stderr)
        if not watch:  # nothing would build it again
            raise Exit(
                f"serve: the build failed with {len(error.problems)} problem(s)", code=1
            ) from None
        last = "the last build that succeeded" if (folder / "index.html").exists() else "nothing"
        folder.mkdir(parents=True, exist_ok=True)
        print(f"The preview shows {last} until the file is fixed and saved.")
    try:
        with serving(folder, port), contextlib.suppress(KeyboardInterrupt):
            print(f"Previewing {folder} at http://127.0.0.1:{port}/ (Ctrl+C to stop)")
            if watch:
                follow_edits(ROOT, lambda: _built(_build_once(SETTINGS["dev"], output)))
            else:
                threading.Event().wait()
    except PortUnusable as error:  # a second `make serve`, say
        raise Exit(f"serve: {error}; give another with --port, e.g. --port 8001", code=2) from None


@task(
    help={
        "port_base": "Facebook on this port, X on +1, YouTube on +2 (default 8701)",
        "x_daily_limit": "X posts allowed in 24 hours (default 100, X Basic's; 17: the free "
        "tier's, to rehearse its cap)",
    }
)
def sandbox(
    c: Context, port_base: int | str = "8701", x_daily_limit: int | str = str(BASIC_DAILY_POSTS)
) -> None:
    """Run the local Facebook, X and YouTube sandboxes and print the environment to use."""
    base = _whole_number("sandbox", "--port-base", port_base)
    limit = _whole_number("sandbox", "--x-daily-limit", x_daily_limit)
    sandboxes_main(["--port-base", str(base), "--x-daily-limit", str(limit)])


@task
@_writes_records("demo")
def demo(c: Context) -> None:
    """Show the whole chain on the sample site and local sandboxes (all under demo/).

    Builds the sample site, syndicates it to local sandboxes, collects and moderates sample
    comments, exports an FOI package, and says where to look.
    """
    folder = _build(SETTINGS["publish"], None)
    try:
        report = run_demo(ROOT, folder)
    except PolicyError as error:
        raise Exit(f"demo: {error}", code=2) from None
    if report.failed:
        raise Exit("Some syndication failed in the demo (see above).", code=1)


@task(
    help={
        "dry_run": "print exactly what would be done; call nothing that writes",
        "platform": "only this platform: facebook, twitter or youtube",
        "manifest": "the build's manifest (default: output/syndication.json)",
    }
)
@_writes_records("syndicate")
def syndicate(
    c: Context, dry_run: bool = False, platform: str | None = None, manifest: str | None = None
) -> None:
    """Post new announcements, update corrected ones, take down withdrawn ones.

    With RECORDS_REMOTE set, the records archive is fetched first and pushed after.
    """
    _logging()
    settings = _platform_settings()
    if dry_run:  # reads the ledger; records nothing
        _fetch_to_read(c, "syndicate --dry-run")
    with contextlib.nullcontext() if dry_run else _shared_records(c, "syndicate"):
        _syndicate(settings, platform, manifest, dry_run)


def _syndicate(
    settings: Settings, platform: str | None, manifest: str | None, dry_run: bool
) -> None:
    refused = False
    try:
        report = runner.syndicate(
            Path(manifest) if manifest else ROOT / "output" / "syndication.json",
            ROOT / "content",
            settings,
            only=platform,
            dry_run=dry_run,
        )
    except (ManifestError, LedgerError, runner.UnknownPlatform) as error:
        refused = True
        raise Exit(str(error), code=2) from None
    finally:
        # What was posted is committed even when a platform failed: the next run must know.
        # A run refused before it posted anything (a manifest or a ledger line it cannot
        # read, one added by hand) commits nothing either: not that line.
        if not dry_run and not refused and settings.records_dir.exists():
            commit_archive(settings.records_dir, "Syndicate")
    if report.failed and dry_run:  # posts left up that no run keeps in step
        raise Exit("A run would fail on what is named above; nothing was done.", code=1)
    if report.failed:
        raise Exit("Some syndication failed (see above); the rest was done.", code=1)


@task(
    name="verify-history",
    help={
        "since": "check commits after this one (default: enforce_from in policy/posters.yml)",
        "branch": "the branch whose first-parent history is checked (default: HEAD)",
        "full": "check every commit, not only those since the last clean run",
    },
)
def verify_history(
    c: Context, since: str | None = None, branch: str = "HEAD", full: bool = False
) -> None:
    """Check that every content or policy commit is signed by an authorized poster.

    A clean run records the commit it verified up to beside the build caches (CI keeps
    them), and the next run checks only the commits since; `--full` checks them all.
    """
    remembered = None if full else caches_beside(ROOT / "output") / VERIFIED_HISTORY
    try:
        findings = [str(f) for f in history.verify(ROOT, since, branch, remembered)]
    except history.HistoryError as error:
        raise Exit(f"verify-history: {error}", code=2) from None
    for line in findings:
        print(line, file=sys.stderr)
    if findings:
        raise Exit(f"verify-history: {len(findings)} commit(s) break the rules above.", code=1)
    print("verify-history: every content and policy commit is signed by an authorized poster.")


@task(help={"content": "content folder to check (default: content/)"})
def lint(c: Context, content: str | None = None) -> None:
    """Check content for personal or confidential information, accessibility and links."""
    folder = _content_folder("lint", content)
    try:
        findings = content_lint.lint(folder, ROOT / "policy")
    except content_lint.LintConfigError as error:
        raise Exit(f"lint: {error}", code=2) from None
    for finding in findings:
        print(finding, file=sys.stderr if finding.severity == "error" else sys.stdout)
    errors = [f for f in findings if f.blocks_publishing]
    if errors:
        raise Exit(f"lint: {len(errors)} error(s); fix them or waive each with a reason.", code=1)
    print(f"lint: no errors ({len(findings)} warning(s) or waiver(s)).")


@task(
    help={
        "days": "visit only posts syndicated or changed within this many days "
        "(default: COLLECT_DAYS; 0 or unset: every post)"
    }
)
@_reads_records("collect")
@_writes_records("collect")
def collect(c: Context, days: str | None = None) -> None:
    """Fetch comments on every syndicated post and keep every version in the records archive."""
    window = None if days is None else str(days).strip()  # invoke gives the option as text
    if window is not None and not is_whole_number(window):
        raise Exit(f"collect: --days: '{days}' is not a whole number of days, e.g. 30", code=2)
    _logging()
    settings = _platform_settings()
    with _shared_records(c, "collect"):  # else CI would record the same versions again
        _, failures = collect_comments(
            settings, ROOT / "content", days=None if window is None else int(window)
        )
    if failures:
        raise Exit(f"collect: {len(failures)} post(s) could not be read (see above).", code=1)


def _followed_by(task_name: str, *subcommands: str) -> bool:
    """True when the command line reads `invoke TASK SUBCOMMAND ...`.

    The documented commands `invoke moderate decide ...` and `invoke records search ...` are,
    to invoke, two tasks in a row; the first then leaves the work to the second.
    """
    args = sys.argv[1:]
    return task_name in args and any(a in subcommands for a in args[args.index(task_name) + 1 :])


@task(
    help={
        "input": "JSON Lines of comments (id, text, post_text, author) to classify",
        "output": "where to write the decisions (JSON Lines)",
    }
)
@_reads_records("moderate")
@_writes_records("moderate")
def moderate(c: Context, input: str | None = None, output: str | None = None) -> None:
    """Classify comments by the policy's nine reasons: a file, or every collected comment."""
    if _followed_by("moderate", "decide"):
        return
    try:
        policy = ModerationPolicy.load(ROOT / "policy")
    except PolicyError as error:
        raise Exit(f"moderate: {error}", code=2) from None
    if input or output:
        if not (input and output):
            raise Exit("moderate: give both --input and --output", code=2)
        try:
            count = classify_file(Path(input), Path(output), policy)
        except DecisionError as error:
            raise Exit(f"moderate: {error}", code=2) from None
        print(f"moderate: {count} comments classified into {output}")
        return
    _logging()
    settings = _platform_settings()
    with _shared_records(c, "moderate"):  # classifies what CI collected, once
        counts = moderate_collected(settings, ROOT / "content", policy)
        print(f"moderate: report in {write_report(settings.records_dir)}")
        commit_archive(settings.records_dir, "Moderate comments")
    if counts["failed"]:
        raise Exit(
            f"moderate: {counts['failed']} decision(s) failed on the platform (see above); "
            "those comments are as they were (one whose answer was lost, as said above, may "
            "be hidden): a hide the classifier decided is tried again on the next run, a "
            "reviewer's decision is given again with `invoke moderate decide`.",
            code=1,
        )


@task(
    positional=["comment", "decision"],
    help={
        "comment": "the comment's id (or platform:id), as in the moderation report",
        "decision": "keep or hide",
        "reason": "why, in words the records officer can read later (required)",
        "category": "for hide: which of the policy's reasons applies (needed when the "
        "classifier found more than one)",
        "who": "who decides (default: MODERATOR, or the login name)",
    },
)
@_reads_records("moderate decide")
@_writes_records("moderate decide")
def decide(
    c: Context,
    comment: str,
    decision: str,
    reason: str = "",
    category: str | None = None,
    who: str | None = None,
) -> None:
    """A reviewer's decision (`invoke moderate decide ID keep|hide --reason ...`)."""
    _logging()
    settings = _platform_settings()
    person = who or os.environ.get("MODERATOR") or getpass.getuser()
    # The decision must be where CI and the records officer look.
    with _shared_records(c, "moderate decide"):
        try:
            result = apply_decision(
                settings,
                ROOT / "content",
                comment,
                decision,
                reason,
                person,
                category,
                say=lambda line: print(printable(f"moderate decide: {line}")),
            )
        except DecisionError as error:
            raise Exit(f"moderate decide: {error}", code=2) from None
        write_report(settings.records_dir)
        commit_archive(settings.records_dir, f"Decide {comment}: {decision}")
    print(printable(f"moderate decide: {comment} {decision} by {person}: {result}"))
    if result != "applied":
        raise Exit(code=1)


RECORDS_COMMANDS = ("verify", "reindex", "search", "export", "retention", "pull", "push")


def _records_dir() -> Path:
    return _platform_settings().records_dir


def _archive_to_read(command: str) -> Path:
    """RECORDS_DIR for a command that only reads the archive. A folder that is not there, or
    holds no archive (`is_an_archive`), is a mistyped RECORDS_DIR or an archive never fetched,
    not an intact archive of no records:
    verify would vouch for it, and an FOI export answer the request with nothing (exit 2).
    The commands that record make the folder instead."""
    records_dir = _records_dir()
    if not is_an_archive(records_dir):  # not there, or a folder that holds none
        raise Exit(
            f"{command}: RECORDS_DIR: no archive at {records_dir}; check RECORDS_DIR, or fetch "
            "the archive from RECORDS_REMOTE with `invoke records pull`",
            code=2,
        )
    return records_dir


@task
def records(c: Context) -> None:
    """The records archive: `invoke records verify|reindex|search|export|retention|pull|push`."""
    if not _followed_by("records", *RECORDS_COMMANDS):
        print(f"usage: invoke records {{{'|'.join(RECORDS_COMMANDS)}}} ... (see invoke --help)")


@task(help={"full": "check every commit, not only those since the last clean verify"})
@_reads_records("records verify")
def verify(c: Context, full: bool = False) -> None:
    """`invoke records verify`: check the hash chains, and the files against their history.

    What is left of a file cut short, or of one removed whole, still chains, as does a last
    line changed: what the archive's git history holds shows what is gone or changed."""
    records_dir = _archive_to_read("records verify")
    problems = [p for chain in chains(records_dir).values() for p in chain.verify()]
    # Each picture kept with a comment, against the SHA-256 its line records.
    problems += verify_pictures(records_dir)
    # Lines cut from a file's end, or a file removed whole, leave chains that verify.
    try:
        problems += removed_records(records_dir, FILES.values(), full)
    except ArchiveSyncError as error:  # git cannot read the archive's history (not installed)
        raise Exit(f"records verify: {error}", code=2) from None
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        raise Exit(
            f"records verify: {len(problems)} problem(s): records were altered or removed.",
            code=1,
        )
    print("records verify: every archive file is intact.")


@task
@_reads_records("records reindex")
def reindex(c: Context) -> None:
    """`invoke records reindex`: rebuild the search index from the archive files."""
    count = rebuild_index(_archive_to_read("records reindex"))
    print(f"records reindex: {count} records indexed.")


def _search_option(
    option: str, value: str | None, parse: Callable[[str], T], expected: str = ""
) -> T | None:
    """A `records search` option as `parse` reads it (None when not given); one it refuses
    stops the search with exit 2, naming the option."""
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as error:
        raise Exit(f"records search: {option}: {error}{expected}", code=2) from None


# invoke gives a command's QUERY whatever follows the command that is not one of its options
# (`--help` and `-h` too, which it takes for its own help only where nothing is missing): a
# search for "help" would answer with records, or a package of them, not the help asked for.
AN_OPTION = re.compile(r"-{1,2}[^\W\d_]")


def _not_an_option(command: str, given: str, value: str) -> None:
    """Stop (exit 2) when the value given for `given` reads as an option, naming it."""
    if AN_OPTION.match(value):
        raise Exit(
            f"{command}: {given}: '{value}' is no QUERY but an option `invoke {command}` does "
            f"not have; `invoke --help {command.split()[-1]}` lists its options",
            code=2,
        )


@task(
    positional=["query"],
    help={
        "query": "words that must all appear (text, author, commenter or announcement); "
        '"" for every record the options allow (--author alone: all of one person\'s)',
        "platform": "facebook, twitter (or x) or youtube, in any case",
        "from_": "from this date or time (ISO 8601; City time unless an offset is given)",
        "to": "up to and including this date or time (ISO 8601; City time)",
        "author": "part of the author's name, or of the commenter's a moderation record is about",
    },
)
@_reads_records("records search")
def search(
    c: Context,
    query: str,
    platform: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    author: str | None = None,
) -> None:
    """`invoke records search QUERY [--platform] [--from] [--to] [--author]`: find records.

    With RECORDS_REMOTE set, the records archive is fetched first.
    """
    # Checked before anything is fetched: a value that cannot be searched is an error, never
    # a search that finds nothing.
    _not_an_option("records search", "QUERY", query)
    date = "; expected e.g. 2026-11-24"
    since = _search_option("--from", from_, date_bound, date)
    until = _search_option("--to", to, functools.partial(date_bound, end=True), date)
    if since and until and since > until:  # else an empty span: "0 record(s)", falsely
        raise Exit(
            f"records search: --from: '{from_}' is after --to '{to}'; no record could match: "
            "give the earlier date or time with --from",
            code=2,
        )
    on = _search_option("--platform", platform, platform_name)
    _search_option("QUERY", query, search_query)
    if author is not None:  # given, if only as "": blank, it would match every record
        try:
            search_author(author)
        except ValueError as error:
            raise Exit(f"records search: --author: {error}", code=2) from None
    _fetch_to_read(c, "records search", sys.stderr)  # the results alone on stdout
    records_dir = _archive_to_read("records search")
    found = search_records(records_dir, query, platform=on, since=since, until=until, author=author)
    for record in found:
        print(record.summary())
    print(f"records search: {len(found)} record(s).")


@task(
    positional=["query"],
    iterable=["also"],
    help={
        "request": "the FOI request's id",
        "query": "what to look for (all records if empty)",
        # invoke shows a list option without its value (`-a, --also`): the help says it.
        "also": "QUERY: one more query whose records join the package; give --also QUERY "
        "once per query",
        "out": "folder for the package",
        "redact": "also write a severed copy in OUT/redacted/",
    },
)
@_reads_records("records export")
def export(
    c: Context,
    query: str,
    request: str = "",
    out: str = "",
    also: list[str] | None = None,
    redact: bool = False,
) -> None:
    """`invoke records export --request ID QUERY --out DIR`: write an FOI package.

    `--also QUERY` adds the records of one more query (once per query), `--redact` a severed
    copy. With RECORDS_REMOTE set, the records archive is fetched first, and no package is
    written when it cannot be.
    """
    queries = [("QUERY", query), *(("--also", q) for q in also or [])]
    for option, asked in queries:  # `--help` first: it would be told --request is missing
        _not_an_option("records export", option, asked)
    missing = [option for option, given in (("--request", request), ("--out", out)) if not given]
    if missing:
        required = "is required" if len(missing) == 1 else "are required"
        raise Exit(f"records export: {' and '.join(missing)} {required}", code=2)
    for option, asked in queries:
        try:  # before anything is fetched: a package of no records would answer falsely
            search_query(asked)
        except ValueError as error:
            raise Exit(f"records export: {option}: {error}", code=2) from None
    local_only = _fetched_to_read(c, "records export")
    if local_only:
        # An FOI response from a stale copy would leave out records the City holds.
        raise Exit(
            f"records export: {printable(local_only)}; no package was written, since the "
            "local copy may be missing what CI recorded since. To export that copy knowingly, "
            "run the command with RECORDS_REMOTE unset.",
            code=1,
        )
    records_dir = _archive_to_read("records export")
    try:
        summary = export_package(
            records_dir, ROOT, request, [query, *(also or [])], Path(out), redact
        )
    except ExportError as error:
        raise Exit(f"records export: {error}", code=2) from None
    print(
        f"records export: {summary['records']} records about {summary['announcements']} "
        f"announcement(s), {summary['flags']} personal-information flag(s), in {out}"
    )


@task(
    help={
        "dry_run": "list what is due for disposition (required: disposing of records is the "
        "records officer's act)"
    }
)
@_reads_records("records retention")
def retention(c: Context, dry_run: bool = False) -> None:
    """`invoke records retention --dry-run`: records past their period, never held ones."""
    if not dry_run:
        raise Exit(
            "records retention: only --dry-run is supported; disposition is the records "
            "officer's act under the City's records procedure.",
            code=2,
        )
    policy_file = ROOT / "policy" / "retention.yml"
    try:
        policy = RetentionPolicy.load(policy_file)
    except RetentionError as error:
        raise Exit(f"records retention: {error}", code=2) from None
    records_dir = _archive_to_read("records retention")
    for warning in hold_warnings(read_records(records_dir), policy):
        print(f"records retention: warning: {policy_file}: {warning}", file=sys.stderr)
    due = due_for_disposition(records_dir, policy, datetime.now(UTC))
    for r in due:
        about = f"  ({line_note(r)})" if line_note(r) else ""
        print(f"{city_time(r.time)}  {r.type:<10} {r.key}  {r.announcement}{about}")
    # The pictures comments showed go with them (never one a held or kept comment showed).
    pictures = pictures_due(records_dir, due)
    for picture in pictures:
        latest = max(picture.records, key=lambda r: r.time)
        versions = ", ".join(r.key for r in picture.records)
        print(f"{city_time(latest.time)}  {'picture':<10} {picture.file}  with {versions}")
    print(f"records retention: {len(due)} record(s) due for disposition (dry run).")
    if pictures:
        print(f"records retention: {len(pictures)} picture file(s) due with their comments.")


# What to do when RECORDS_REMOTE is missing: said by every command that needs it.
SET_RECORDS_REMOTE = (
    "set the RECORDS_REMOTE secret (in CI) or variable to the archive's private git repository"
)


def _in_ci(env: Mapping[str, str]) -> bool:
    """Whether this runs in CI: GitHub Actions and GitLab CI both set CI=true."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _records_shared(command: str) -> bool:
    """Whether the records archive is shared through RECORDS_REMOTE. In CI it must be: the
    runner's copy is lost when the run ends, and a run that started from an empty ledger
    would post every announcement again. On a City machine the archive may stay local."""
    if os.environ.get("RECORDS_REMOTE", "").strip():
        return True
    if _in_ci(os.environ):
        raise Exit(
            f"{command}: RECORDS_REMOTE is not set, and in CI the records archive would be lost "
            f"with the runner and everything posted again; {SET_RECORDS_REMOTE}",
            code=2,
        )
    return False


@contextlib.contextmanager
def _one_run(command: str) -> Iterator[None]:
    """The records archive held by this run alone (archive/lock.py): a second run that would
    record at the same time stops at once (exit 2), naming the first's process, rather than
    post again what the first is posting."""
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(one_run_at_a_time(_records_dir()))
        except ArchiveBusy as busy:
            raise Exit(f"{command}: {busy}", code=2) from None
        yield


# Commands inside one that already shares the records (publish's steps) fetch and push
# nothing of their own: the outer command does both, once.
_sharing: list[str] = []


@contextlib.contextmanager
def _shared_records(c: Context, command: str) -> Iterator[None]:
    """The records archive held by this run (see `_one_run`) and, with RECORDS_REMOTE set,
    fetched before and pushed after (a failure too): what a command records on this machine
    then reaches where CI looks, and what CI recorded is known here (a stale ledger would post
    again what CI posted). An archive git cannot commit stops the command with git's message
    (exit 1), not a traceback."""
    shared = not _sharing and _records_shared(command)
    with _one_run(command):
        if shared:
            pull(c)
        _sharing.append(command)
        try:
            yield
        except ArchiveSyncError as error:  # git could not commit what the command recorded
            raise Exit(f"{command}: {error}", code=1) from None
        finally:
            _sharing.pop()
            if shared:
                push(c)


def _records_remote() -> str:
    remote = os.environ.get("RECORDS_REMOTE", "").strip()
    if not remote:
        raise Exit(f"records: RECORDS_REMOTE is not set: {SET_RECORDS_REMOTE}", code=2)
    return remote


@task
def pull(c: Context) -> None:
    """`invoke records pull`: clone the archive from RECORDS_REMOTE, or take its new commits.

    CI runs it first: a run that started from an empty archive would post everything again.
    """
    remote = _records_remote()  # a missing one stops it before the archive is touched
    try:
        with _one_run("records pull"):
            state = pull_archive(_records_dir(), remote)
    except NotAnArchive as error:  # a variable that cannot be used
        raise Exit(f"records pull: {error}", code=2) from None
    except ArchiveSyncError as error:
        raise Exit(f"records pull: {error}", code=1) from None
    print(f"records pull: {state}.")


@task
def push(c: Context) -> None:
    """`invoke records push`: commit what a run left and push it to RECORDS_REMOTE.

    It is put after whatever reached RECORDS_REMOTE meanwhile. CI runs it last, even after a
    failed step.
    """
    remote = _records_remote()
    try:
        with _one_run("records push"):
            commit = push_archive(_records_dir(), remote)
    except NotAnArchive as error:
        raise Exit(f"records push: {error}", code=2) from None
    except ArchiveSyncError as error:
        raise Exit(f"records push: {error}", code=1) from None
    print(f"records push: {commit[:10] if commit else 'nothing to push'}.")


def _deploy_target_usable(command: str, target: str) -> None:
    """For a command that deploys: the target checked as the deploy checks it, before the
    first step. Refused only at the deploy, an alert would be written and built, or publish
    would have built, before stopping (exit 2: a value that cannot be used, whichever command
    was given it)."""
    try:
        check_target(target, _project())
    except DeployError as error:
        raise Exit(f"{command}: {error}", code=2) from None


def _project() -> Project:
    """What a deploy from this project must leave alone: the project, its content and the
    records archive (where RECORDS_DIR points, whether or not it can be used: that is for the
    commands that record to say)."""
    return Project(ROOT, ROOT / "content", records_location(os.environ, ROOT))


@task(help={"url": "where to publish (default: DEPLOY_URL)"})
def deploy(c: Context, url: str | None = None) -> None:
    """Publish output/ to DEPLOY_URL: files, then pages, then removal of stale files."""
    target = url or os.environ.get("DEPLOY_URL")
    if not target:
        raise Exit(
            "deploy: set DEPLOY_URL (a path, user@host:path, s3://bucket/prefix or gh-pages)",
            code=2,
        )
    _deploy_target_usable("deploy", target)  # a value to fix (2), not a failed deploy (1)
    os.chdir(ROOT)
    try:
        result = deploy_site(ROOT / "output", target, project=_project())
    except DeployError as error:
        raise Exit(f"deploy: {error}", code=1) from None
    print(
        f"deploy: published to {result.target} ({result.uploaded} uploaded, "
        f"{result.removed} removed)"
    )


def _branch_for_the_alert() -> Branch:
    """Where `invoke alert` commits and pushes the alert's file once it is live, checked
    before anything is written (exit 2): an alert whose file never reaches the branch CI
    publishes is taken off the site by CI's next run."""
    try:
        return branch_to_commit_on(ROOT)
    except CommitError as error:
        raise Exit(
            f"alert: {error}; nothing was written: the alert's file must be committed and "
            "pushed once it is live, or CI's next run would take it off the site",
            code=2,
        ) from None


def _only_the_alert_goes_out(title: str, body: str, branch: Branch) -> None:
    """The alert's build publishes the checkout's content/ as it is, and the deploy replaces
    the site with it: refused (exit 2) before anything is written when the checkout holds
    changes not committed (they would go live with the alert, unsigned, and CI's next run
    would take them off again) or lacks commits of its upstream (the deploy would take their
    pages off the site). An upstream that cannot be fetched is said, and the alert goes on."""
    try:
        others = changes_besides_the_alert(ROOT, title, body)
    except history.HistoryError as error:
        raise Exit(f"alert: {error}", code=2) from None
    if others:
        raise Exit(
            f"alert: not committed: {', '.join(others)}; the alert's build would publish them "
            f"with it, and CI's next run, building {branch.upstream} without them, would take "
            "them off the site again; nothing was written: commit them (signed), or stash or "
            "remove them, and run the alert again",
            code=2,
        )
    behind = commits_behind(ROOT, branch)
    if behind is None:
        print(
            f"alert: warning: {branch.upstream} could not be fetched, so this checkout may lack "
            "what was published since it was last pulled; going on",
            file=sys.stderr,
        )
    elif behind:
        commits = "commit" if behind == 1 else "commits"
        raise Exit(
            f"alert: this checkout lacks {behind} {commits} of {branch.upstream}, published "
            "since it was last pulled: the alert's deploy would take their pages off the site; "
            "nothing was written: run `git pull --rebase`, then the alert again",
            code=2,
        )


# `invoke alert`'s exit code when the alert is live but a platform set up for it lacks it.
ALERT_NOT_EVERYWHERE = 3
# Its exit code when interrupted (Ctrl-C) while publishing: 128 + SIGINT, as a shell gives.
INTERRUPTED = 130


def _interrupted(title: str, body: str, branch: Branch, committed: Path | None) -> str:
    """What `invoke alert` interrupted part way says: the alert's file, if it was written, and
    that the same command run again finishes it (it carries on with that file, and posts
    nothing twice)."""
    again = "run this same `invoke alert` command again"
    source = committed or alert_written(ROOT / "content", title, body)
    if source is None:
        return f"alert: interrupted before the alert was written; nothing was published: {again}"
    try:  # committed by this run, or by an earlier one whose push did not happen
        pending = source.relative_to(ROOT).as_posix() in history.uncommitted(ROOT)
    except (history.HistoryError, ValueError):
        pending = committed is None
    where = "is not committed" if pending else f"is committed, if not yet on {branch.upstream}"
    return (
        f"alert: interrupted. The alert is written in {source}, which {where}; the site and "
        f"each platform may or may not have it yet. To finish it, {again}: it carries on with "
        "that file and posts nothing twice."
    )


@task(
    positional=["title"],
    help={
        "title": 'what the alert is about, e.g. "Boil water advisory for Sunningdale"',
        "body": "the alert's text (its first sentence is the summary for social media)",
    },
)
def alert(c: Context, title: str, body: str = "") -> None:
    """Urgent: write an alert, lint, build, deploy and syndicate it first, print where it is.

    Then commits its file and, once the records are pushed, pushes it to the branch's
    upstream, which must be main, the branch CI publishes (CI's next run would take an alert
    off the site whose file main lacks). Exits 3 when it is live but not on every platform set
    up for it (each is named), 1 when its own post failed; other announcements posted in the
    same run that fail are named, and change neither.
    """
    if not body.strip():
        raise Exit("alert: --body is required: say what people must do", code=2)
    if not first_sentence(body):  # its text as the page shows it: the summary would be empty
        raise Exit(
            "alert: --body has no text the page would show (only a comment, an empty heading, "
            "a rule or an image without alt text): say what people must do",
            code=2,
        )
    target = os.environ.get("DEPLOY_URL")
    if not target:
        raise Exit("alert: set DEPLOY_URL so the alert can go live", code=2)
    _deploy_target_usable("alert", target)
    _platform_settings()  # a value that cannot be used stops it here, not once it is live
    branch = _branch_for_the_alert()
    _only_the_alert_goes_out(title, body, branch)
    _logging()
    os.chdir(ROOT)
    # Posted from this machine, the alert must be on record where CI looks, or CI's next run
    # would not know it was posted and would post it again.
    stopped: AlertError | None = None
    committed: Path | None = None  # the live alert's file, once committed
    try:
        try:
            with _shared_records(c, "alert"):
                try:
                    result = publish_alert(
                        ROOT, ROOT / "content", ROOT / "output", title, body, target, os.environ
                    )
                    source = result.source
                except AuthoringError as error:
                    raise Exit(f"alert: {error}", code=1) from None
                except AlertError as error:
                    if not error.live or error.source is None:
                        raise Exit(f"alert: {error}", code=1) from None
                    # On the site: its file goes on the branch.
                    source, stopped = error.source, error
                # Committed before the records are pushed, so that a push that fails leaves the
                # site's repository with what is live; pushed only after them.
                try:
                    commit_alert(ROOT, source, title, branch)
                except AlertError as error:
                    raise Exit(f"alert: {error}", code=1) from None
                committed = source
        except Exit as error:
            if committed is None:
                raise
            # All else done as far as it went: the records push failed, saying why.
            said = f"{error.message}\nalert: {records_not_pushed(committed, branch)}"
            if stopped is not None:
                said += f"\nalert: {stopped}"
            raise Exit(said, code=1) from None
        # Only now, the records pushed: the CI run this push starts knows what was posted.
        try:
            put_on_branch(ROOT, source, title, branch)
        except AlertError as error:
            raise Exit(f"alert: {error}", code=1) from None
    except KeyboardInterrupt:  # Ctrl-C: say where the alert stands, and how to finish it
        raise Exit(_interrupted(title, body, branch, committed), code=INTERRUPTED) from None
    if stopped is not None:
        raise Exit(f"alert: {stopped}", code=1)
    if result.not_posted:  # live, but people on those platforms have not been told
        raise Exit(
            f"alert: live on the site, but not on {', '.join(result.not_posted)} (see above).",
            code=ALERT_NOT_EVERYWHERE,
        )


# In order; nothing public changes before every check has passed.
PUBLISH_STEPS = ("verify_history", "lint", "build", "deploy", "syndicate", "collect", "moderate")


@task
def publish(c: Context) -> None:
    """CI: verify-history, lint, build, deploy, syndicate, collect, moderate; stops at a failure.

    Refused while content/ or policy/ holds changes not committed: only commits are verified.

    A syndication failure after the deploy is reported and leaves the deploy in place. Each
    step that records commits the archive; with RECORDS_REMOTE set (required in CI) the
    archive is fetched first and pushed after, a failed run's too.
    """
    # Refused only at syndicate, a setting would stop publish after the build and the deploy
    # (and a RECORDS_DIR in output/ would go with the old output/).
    _platform_settings()
    deploy_url = os.environ.get("DEPLOY_URL")
    if deploy_url:  # without one, the deploy step stops, naming it
        _deploy_target_usable("publish", deploy_url)
    try:
        unsigned = history.uncommitted(ROOT)
    except history.HistoryError as error:
        raise Exit(f"publish: {error}", code=2) from None
    if unsigned:
        raise Exit(
            "publish: not committed, so verify-history cannot vouch for them: "
            + ", ".join(unsigned)
            + "; commit them (signed), or stash or remove them, and publish again",
            code=2,
        )
    with _shared_records(c, "publish"):
        for name in PUBLISH_STEPS:
            print(f"== {name.replace('_', '-')}", flush=True)
            globals()[name](c)  # looked up at run time, so each step is the task of that name


@task(
    positional=["title"],
    help={
        "title": "the announcement's title",
        "category": "required: one of " + ", ".join(CATEGORIES),
        "date": "publication time, YYYY-MM-DD HH:MM in City time, or with an offset such as "
        "+00:00 (written in City time; default: now)",
        "event_start": "for events: when it starts, YYYY-MM-DD HH:MM, as for --date; a date "
        "alone, YYYY-MM-DD, for an all-day event",
    },
)
def new(
    c: Context,
    title: str,
    category: str = "",
    date: str | None = None,
    event_start: str | None = None,
) -> None:
    """Write a new announcement (a draft) in content/announcements/ that builds at once."""
    if not category:
        raise Exit(f"new: --category is required: one of {', '.join(CATEGORIES)}", code=2)
    try:
        path = new_announcement(ROOT / "content", title, category, date, event_start)
    except AuthoringError as error:
        raise Exit(f"new: {error}", code=2) from None
    print(
        f"new: wrote {path.relative_to(ROOT)} (status: draft). Fill in the TODO parts, set "
        "status: published, then `invoke preview` and `invoke build`."
    )


def _content_of(announcement: Path) -> Path:
    """The content folder an announcement is in: the one holding its `announcements/` (a copy
    of the content elsewhere, built with `invoke build --content DIR`, has its images beside
    it), or the project's own."""
    folder = announcement.resolve().parent
    return folder.parent if folder.name == "announcements" else ROOT / "content"


@task(positional=["file"], help={"file": "announcement file, or `latest` for the one changed last"})
def preview(c: Context, file: str) -> None:
    """Show exactly what each platform will receive for one announcement; sends nothing.

    With RECORDS_REMOTE set, the records archive is fetched first, for what CI posted."""
    settings = load_site_settings(SETTINGS["publish"])
    try:
        _fetch_to_read(c, "preview", sys.stderr)
    except Exit as nothing_fetched:
        # Not a reason to stop: the texts are the preview; what is posted is then not known.
        print(nothing_fetched.message, file=sys.stderr)
    try:
        siteurl = canonical_siteurl(settings["SITEURL"])  # as the build checks it
        path = latest_announcement(ROOT / "content") if file == "latest" else Path(file)
        if not path.is_file():
            raise AuthoringError(f"{file}: no such announcement file")
        ledger = Ledger.in_records(_platform_settings().records_dir)
        posted = _posted(ledger, slug_of(path)) if ledger.path.is_file() else None
        shown = preview_posts(path, _content_of(path), siteurl, posted=posted)
    except (AuthoringError, SettingsError, LedgerError) as error:
        raise Exit(f"preview: {error}", code=2) from None
    urgent = ", urgent" if shown["urgent"] else ""
    state = f", expired on {shown['expired']}" if shown["expired"] else urgent
    if shown["scheduled"]:
        state = f", scheduled for {shown['scheduled']}{state}"
    print(f"Page: {shown['page']} (status: {shown['status']}{state})")
    if shown["image"]:
        print(f"Image: {shown['image']}\n  alt text: {shown['image_alt']}")
    if shown["first_post"] and shown["status"] != "withdrawn":  # not known to be posted
        unread = f" (no ledger at {ledger.path}: whether it is posted is not known)"
        print(f"preview: the texts are for a first post{unread if posted is None else ''}.")
    for name, post in shown["platforms"].items():
        if "withdrawal" in post:
            print(f"\n== {name}\nwithdrawn: {post['withdrawal']}")
            continue
        print(f"\n== {name}" + (f" ({post['count']})" if "count" in post else ""))
        if "run" in post:
            print(post["run"])
        for key in ("reply", "text", "message", "title", "description", "link"):
            if key in post:
                print(f"{key}:\n{post[key]}" if key != "link" else f"link: {post[key]}")


def _posted(ledger: Ledger, announcement: str) -> dict[str, Record]:
    """The ledger's records of one announcement, by platform, as `invoke syndicate` reads them."""
    return {p: r for (a, p), r in ledger.records().items() if a == announcement}


def _fetched_to_read(c: Context, command: str) -> str | None:
    """With RECORDS_REMOTE set, the records archive fetched before a command that only reads
    it, so that it shows what CI recorded (nothing is pushed: reading records nothing). Returns
    why the local copy alone is read when the fetch fails, else None. With no copy here
    either, the command stops (exit 2): there is no archive to read, and an empty folder
    read as one would answer "no records"."""
    if not os.environ.get("RECORDS_REMOTE", "").strip():
        return None  # the archive is this machine's own
    # A setting that cannot be used stops the command here (exit 2), not taken for a fetch
    # that failed (an export would blame a stale local copy).
    records_dir = _records_dir()
    try:
        pull(c)
    except Exit as failure:
        why = " ".join(str(failure.message).split())  # git's message, on one line
        if holds_nothing_but_the_lock(records_dir):
            raise Exit(
                f"{command}: RECORDS_REMOTE: no records archive could be fetched, and there is "
                f"no copy of it at {records_dir}: {printable(why)}",
                code=2,
            ) from None
        return why
    return None


def _fetch_to_read(c: Context, command: str, stream: TextIO | None = None) -> None:
    """`_fetched_to_read` for a command that still reads the local copy when the fetch fails:
    what this machine has is better than nothing, said as such first."""
    local_only = _fetched_to_read(c, command)
    if local_only:
        print(
            f"{command}: from the local copy of the records only ({_records_dir()}), which may "
            f"be missing what CI recorded since: {printable(local_only)}",
            file=stream,
        )


@task
@_reads_records("status")
def status(c: Context) -> None:
    """List what waits: scheduled, deferred, failed, comments to review, what the build stops on.

    Scheduled announcements, posts deferred by a quota, failed syndications, posts left up for
    announcements no longer on the site or no longer posted there, comments awaiting review,
    and each problem the build would stop on, all as of BUILD_TIME, as the build reads it
    (exit 2 on one it refuses). With RECORDS_REMOTE set, the records archive is fetched first;
    a RECORDS_DIR that is not there stops it (exit 2), never read as no records.
    """
    try:
        now = status_time()
    except SettingsError as error:  # the build stops on it, naming it so
        raise Exit(f"status: {as_the_build_names(error)}", code=2) from None
    _fetch_to_read(c, "status")
    records_dir = _archive_or_none_yet("status")
    for line in waiting(ROOT / "content", records_dir, now).lines():
        print(line)


def _archive_or_none_yet(command: str) -> Path:
    """`_archive_to_read` for a command that also reads the content (status): only the default
    records/ of a project with no RECORDS_REMOTE may be missing, as before its first syndicate
    (said so, the content's part still worth listing). A RECORDS_DIR given, or an archive
    RECORDS_REMOTE should have fetched, that is not there stops it (exit 2)."""
    records_dir = _records_dir()
    given = os.environ.get("RECORDS_DIR") or os.environ.get("RECORDS_REMOTE", "").strip()
    if given or records_dir.is_dir():
        return _archive_to_read(command)
    print(f"{command}: no records yet ({records_dir} is not there): nothing recorded to list")
    return records_dir


@task
def clean(c: Context) -> None:
    """Remove the built site (output/) and its build caches (.output.cache/)."""
    shutil.rmtree(ROOT / "output", ignore_errors=True)
    shutil.rmtree(ROOT / ".output.cache", ignore_errors=True)
