"""`invoke alert`: the fast path for time-sensitive notices. One command writes an urgent
alert, checks it with the content lint, builds, deploys and syndicates it (urgent alerts go
first on every platform), and prints the live URL and the post links. Run again after a
failure (after midnight too), it carries on with the alert it wrote: the build, the deploy
and syndication are each safe to repeat."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from announcements.addresses import slug_of
from announcements.model import (
    parse_announcement,
    read_source,
    says_nothing,
    split_front_matter,
)
from announcements.reader import text_blocks
from announcements.sentences import CLOSING, SENTENCE_STOPS, full_stop, sentences
from archive.chain import ChainWriteError
from checks.history import uncommitted
from checks.lint import WAIVER, LintConfigError, lint, too_long_for_x
from syndication.config import REQUIRED, load_settings
from syndication.ledger import Ledger, LedgerError, Record
from syndication.manifest import ManifestError, load_manifest
from syndication.runner import PLATFORM_ORDER, syndicate
from syndication.syndicate import Report
from syndication.text import X_MAX_LENGTH

from .author import CITY, AuthoringError, announcement_path, new_announcement
from .build import BuildError, build_site, caches_beside
from .commit import Branch, CommitError, PushRefused, commit_file, push_branch
from .deploy import DeployError, Project, deploy


class AlertError(Exception):
    """A step failed after the alert was written; the message names the file and the
    commands that finish the job. `live`: the deploy had put it on the site."""

    def __init__(self, message: str, source: Path | None = None, live: bool = False) -> None:
        super().__init__(message)
        self.source = source
        self.live = live


@dataclass(frozen=True)
class AlertResult:
    source: Path
    url: str
    report: Report
    # The platforms set up for the alert (credentials given, if only in part) that do not have
    # it after this run: an urgent notice the CEC must see to (`invoke alert` exits 3).
    not_posted: tuple[str, ...] = ()


def first_sentence(text: str) -> str:
    """The summary for social media: the first sentence of the Markdown `text` as text (the
    summary is never Markdown: `**` would reach the posts as typed), on one line as the posts
    show it, not cut at an abbreviation: a summary cut short would leave out what people must
    do. It is never longer than the first block (paragraph, heading, list item): a bold
    heading without a full stop ends there, not run into the next paragraph's sentence.
    Empty when the page would show no text (only a comment, an empty heading, a rule, an
    image without alt text, a zero-width space): never a full stop alone."""
    line = next((block for block in text_blocks(text) if not says_nothing(block)), "")
    if not line:
        return ""
    _, end = next(sentences(line))
    sentence = line[:end]
    if sentence.rstrip(CLOSING).endswith(SENTENCE_STOPS):
        return sentence
    return sentence + full_stop(sentence)


def one_line(text: str) -> str:
    """`text` with each run of spaces and line breaks as one space: the same however YAML
    folded the line breaks of a quoted value written over several lines."""
    return " ".join(text.split())


def publish_alert(
    root: Path,
    content_dir: Path,
    output: Path,
    title: str,
    body: str,
    deploy_url: str,
    env: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    say: Callable[[str], None] = print,
    now: datetime | None = None,
) -> AlertResult:
    """Raises AuthoringError when nothing was published (the content lint refuses the alert's
    text, X would cut its first sentence, or another file has its name), AlertError when a
    later step failed, ConfigError when a platform setting cannot be used (before anything
    is written: refused only at syndication, the alert would be live on the site and on no
    platform)."""
    settings = load_settings(env, site_root=root)
    when = (now or datetime.now(CITY)).astimezone(CITY)
    source = _alert_file(content_dir, root / "policy", title, body, when, say)
    try:
        site = build_site(  # with the caches: only the alert and the listings showing it render
            root / "publishconf.py",
            output,
            {"PATH": str(content_dir), **(overrides or {})},
            cache=caches_beside(output),
        )
    except BuildError as error:
        raise _unfinished(source, error, "build", "deploy", "syndicate") from None
    try:
        deploy(
            site.output,
            deploy_url,
            say=say,
            project=Project(root, content_dir, settings.records_dir),
        )
    except DeployError as error:
        raise _unfinished(source, error, "deploy", "syndicate") from None
    try:
        report = syndicate(site.output / "syndication.json", content_dir, settings, say=say)
        # What each platform has, this run's posts and an earlier run's of the same alert.
        records = Ledger.in_records(settings.records_dir).records()
    except (ManifestError, LedgerError, ChainWriteError) as error:
        raise _unfinished(source, error, "syndicate") from None
    # Its address as the build gave it (SITEURL and all), from the manifest syndication read.
    entry = load_manifest(site.output / "syndication.json").by_id().get(slug_of(source))
    if entry is None:  # e.g. a BUILD_TIME before the alert's time: scheduled, not published
        raise _unfinished(
            source, "the build did not publish it (see its date)", "build", "deploy", "syndicate"
        )
    url = entry.url
    say(f"alert: live at {url}")
    linked: set[str] = set()
    for result in report.results:
        if result.announcement == entry.id and result.url:
            say(f"alert: {result.platform}: {result.url}")
            linked.add(result.platform)
    for platform in (name for name in PLATFORM_ORDER if name not in linked):
        earlier = _post_up(records.get((entry.id, platform)))
        if earlier:  # posted by an earlier run of this alert, which stopped part way
            say(f"alert: {platform}: {earlier}")
    not_posted = []
    for platform in (name for name in PLATFORM_ORDER if name in entry.posts):
        why = _why_not_on(platform, source, report)
        if why:
            say(f"alert: {why}")
            if _set_up(platform, report):
                not_posted.append(platform)
    # Other announcements pending from before are posted in the same run, after the alert:
    # their failures are said, but are not the alert's, which fails only on its own.
    for result in report.results:
        if result.announcement != entry.id and "failed" in result.outcomes:
            say(
                f"alert: not the alert: {result.platform}: failed {result.announcement}: "
                f"{result.error}; `invoke syndicate` tries it again (so does CI's next run)"
            )
    failed = dict.fromkeys(  # once each, in the run's order
        r.platform for r in report.results if r.announcement == entry.id and "failed" in r.outcomes
    )
    if failed:
        raise _unfinished(
            source,
            f"live on the site, but its post failed on {', '.join(failed)} (see above)",
            "syndicate",
        )
    return AlertResult(source, url, report, tuple(not_posted))


def _post_up(record: Record | None) -> str | None:
    """The link of the post the ledger has up for an announcement on a platform, or None."""
    if record is None or not record.posted or record.withdrawn or record.removed_elsewhere:
        return None
    return record.url


def _set_up(platform: str, report: Report) -> bool:
    """Whether the City uses `platform` here: any of its credentials is given. One with none
    is not expected to have the alert (CI's own run posts it, where it is set up)."""
    return report.skipped.get(platform) != REQUIRED[platform]


def _why_not_on(platform: str, source: Path, report: Report) -> str | None:
    """Why `platform` does not have the alert after this run, and what to do, in the words
    `invoke syndicate` uses; None when it has it (posted now, or by an earlier run)."""
    if platform in report.skipped:
        missing = ", ".join(report.skipped[platform])
        if not _set_up(platform, report):
            return (
                f"not on {platform}: no credentials for it on this machine (missing {missing}); "
                "the first run that has them posts it (CI's, once the alert is pushed)"
            )
        return (
            f"NOT on {platform}: skipped, missing {missing}; set what is missing and run "
            "`invoke syndicate`"
        )
    announcement = slug_of(source)  # its id in the manifest: the slug the build gave it
    held = [
        r
        for r in report.results
        if r.platform == platform
        and r.announcement == announcement
        and r.outcome in ("deferred", "failed")
    ]
    if not held:
        return None
    result = held[0]
    if result.outcome == "failed":
        return f"NOT on {platform}: failed: {result.error}"
    after = (
        f"after {result.resume_at.astimezone(CITY):%Y-%m-%d %H:%M %Z}"
        if result.resume_at
        else "in its next run"
    )
    text = f"`invoke preview {source}` shows the text"
    return (
        f"NOT on {platform}: deferred: {result.error}; `invoke syndicate` posts it {after} "
        f"(so does CI's next run then). If people must see it there sooner, post it by hand "
        f"({text}), and delete one of the two once the automatic post is up: nothing tells "
        "the ledger of a post made by hand"
    )


# A run that stopped late in the evening is finished after midnight: yesterday's file of the
# same alert is carried on with, not written again under today's date and posted twice.
RERUN_DAYS = 2


def _alert_file(
    content_dir: Path,
    policy_dir: Path,
    title: str,
    body: str,
    now: datetime,
    say: Callable[[str], None],
) -> Path:
    """Write the alert; or, when the same command already wrote it (today or yesterday) and
    then stopped part way, reuse that file, so running it again finishes the alert instead of
    being refused (and a new title then publishing the alert twice). Either way the content
    lint passes it first, as CI's would: the alert goes out without waiting for CI."""
    earlier = _written_by_an_earlier_run(content_dir, title, body, now)
    if earlier is None:
        cut = _cut_by_x(title, body)
        if cut:
            raise AuthoringError(cut)
        path = announcement_path(content_dir, title, now)
        if path.exists():
            raise AuthoringError(
                f"{path}: already exists with another text; if it is this alert as edited, "
                "finish it with `invoke build`, `invoke deploy`, `invoke syndicate`; "
                "otherwise choose another title"
            )
        source = new_announcement(
            content_dir,
            title,
            "alert",
            summary=first_sentence(body),
            urgent=True,
            body=body,
            status="published",
            now=now,
            # The summary repeats the first sentence: what --body waives there, it waives too.
            summary_waivers=[waiver.group(0) for waiver in WAIVER.finditer(body)],
        )
        refused = _refused_by_lint(source, content_dir, policy_dir, say)
        if refused:
            source.unlink()  # not left in content/ to be committed and pushed as it is
            raise AuthoringError(
                f"{refused}\nNothing was published, and {source} is not kept. Say it "
                "without what is named above in --body and run `invoke alert` again. A contact "
                "the City publishes belongs in policy/public-contacts.yml; a false positive is "
                "waived on its line with a reason: <!-- lint-ok RULE: why -->."
            )
        say(f"alert: wrote {source}")
        return source
    refused = _refused_by_lint(earlier, content_dir, policy_dir, say)
    if refused:
        raise AuthoringError(
            f"{refused}\nNothing more was published: {earlier}, written by an earlier run, has "
            "what is named above. Correct it (or waive a false positive on its line with a "
            "reason: <!-- lint-ok RULE: why -->), then run `invoke lint`, `invoke build`, "
            "`invoke deploy`, `invoke syndicate`."
        )
    say(f"alert: {earlier} was written by an earlier run; carrying on from the build")
    return earlier


def _cut_by_x(title: str, body: str) -> str | None:
    """Why X would cut the alert's post, or None. X cuts a post at its end, the first
    sentence of `body`: what people must do, which an urgent notice must not lose to a long
    title. The lint only warns of it; here it is refused, before anything is written."""
    summary = first_sentence(body)
    post = too_long_for_x(one_line(title), summary, urgent=True)
    if post is None:
        return None
    if post.over < post.title:  # shortening the title alone leaves room for the instruction
        fix = (
            f"shorten the title by at least {post.over} characters as X counts them (it counts "
            f"{post.title})"
        )
    else:
        fix = (
            f"shorten the title (it counts {post.title}) and the first sentence of --body "
            f"({post.summary}) by {post.over} characters in all, as X counts them"
        )
    return (
        "the title is too long for X with the alert's first sentence: the post (URGENT:, "
        f"title, first sentence of --body, guidelines and link) counts {post.length} as X "
        f"counts, over X's limit of {X_MAX_LENGTH}, and X would cut it to: '{post.cut_to}', "
        f"leaving out what people must do. Nothing was published and nothing was written: "
        f"{fix}, and run `invoke alert` again."
    )


def changes_besides_the_alert(
    root: Path, title: str, body: str, now: datetime | None = None
) -> list[str]:
    """The changes to content/ and policy/ not committed in the checkout at `root`, but this
    alert's own file left by an earlier run of it (which running it again finishes): the
    alert's build would publish them with it, unsigned, and CI's next run, building the
    branch without them, would take them off the site again."""
    earlier = alert_written(root / "content", title, body, now)
    own = earlier.relative_to(root).as_posix() if earlier is not None else None
    return [path for path in uncommitted(root) if path != own]


def alert_written(
    content_dir: Path, title: str, body: str, now: datetime | None = None
) -> Path | None:
    """The file `invoke alert` wrote this alert to (this run, or one within RERUN_DAYS), or
    None: what a run interrupted part way names, for the same command to finish."""
    when = (now or datetime.now(CITY)).astimezone(CITY)
    return _written_by_an_earlier_run(content_dir, title, body, when)


def _written_by_an_earlier_run(
    content_dir: Path, title: str, body: str, now: datetime
) -> Path | None:
    """The file this same alert was written to by a run within RERUN_DAYS, newest first."""
    for days_ago in range(RERUN_DAYS):
        path = announcement_path(content_dir, title, now - timedelta(days=days_ago))
        if path.exists() and _is_this_alert(path, title, body):
            return path
    return None


def _is_this_alert(path: Path, title: str, body: str) -> bool:
    """Whether `path` is what `invoke alert` writes for this title and body."""
    text, _ = read_source(path, str(path))
    item, _ = parse_announcement(str(path), text, CITY) if text else (None, [])
    parts = split_front_matter(text) if text else None
    return (
        item is not None
        and parts is not None
        # The title and summary as they read back: YAML folds a line break in them to a space.
        and (one_line(item.title), item.category, item.urgent, item.status, item.summary)
        == (one_line(title), "alert", True, "published", first_sentence(body))
        and parts[1].strip() == body.strip()
    )


def _refused_by_lint(
    source: Path, content_dir: Path, policy_dir: Path, say: Callable[[str], None]
) -> str:
    """The content lint's errors in the alert, one a line as `invoke lint` prints them
    (file:line: severity rule: message); empty when it may be published. Its warnings and
    waivers are said, as `invoke lint` reports them."""
    try:
        findings = lint(content_dir, policy_dir, [source])
    except LintConfigError as error:
        return str(error)
    errors = [f for f in findings if f.blocks_publishing]
    for finding in findings:
        if finding not in errors:
            say(f"alert: {finding}")
    return "\n".join(str(f) for f in errors)


def _unfinished(source: Path, error: object, *steps: str) -> AlertError:
    commands = ", then ".join(f"`invoke {step}`" for step in steps)
    return AlertError(
        f"{error}\nThe alert is written in {source} but not yet everywhere. Once the problem is "
        f"fixed, run {commands} (or this same `invoke alert` again) to finish it.",
        source,
        live="deploy" not in steps,  # deployed: on the site, whatever failed after
    )


def commit_alert(
    root: Path, source: Path, title: str, branch: Branch, say: Callable[[str], None] = print
) -> None:
    """Commit the live alert's file (it alone), signed by the person's git config. Made as soon
    as the alert is live, before the records are pushed: a records push that fails then
    leaves the site's repository with what is on the site, for the same `invoke alert` run
    again to push. A file committed by an earlier run is not committed again."""
    try:
        if commit_file(root, source, f"Alert: {one_line(title)}"):
            say(f"alert: committed {source}")
    except CommitError as error:
        raise _not_on_branch(source, branch, error) from None


def put_on_branch(
    root: Path, source: Path, title: str, branch: Branch, say: Callable[[str], None] = print
) -> None:
    """Commit the live alert's file (`commit_alert`, if not yet) and push it to the branch's
    upstream, which CI publishes: CI's next run, building the branch without it, would take
    the alert off the site. Run after the records are pushed, so that the CI run this push
    starts finds the posts on record and posts nothing twice. Never rebases or stashes the
    person's other work: AlertError says how to finish instead."""
    commit_alert(root, source, title, branch, say)
    try:
        push_branch(root, branch)
    except (CommitError, PushRefused) as error:
        raise _not_on_branch(source, branch, error) from None
    say(f"alert: {source} is on {branch.upstream}")


def _not_on_branch(source: Path, branch: Branch, error: CommitError | PushRefused) -> AlertError:
    """The live alert's file could not be committed or pushed: what happens next, and how to
    finish, in the CEC's words."""
    refused = isinstance(error, PushRefused)
    finish = (
        "`git pull --rebase && git push`"
        if refused
        else f"`git add {source} && git commit -- {source} && git push`"
    )
    return AlertError(
        f"the alert is live, but its file {source} is not on {branch.upstream}: "
        + (f"the push was refused ({error})" if refused else f"{error}")
        + f". CI's next run builds {branch.upstream} without it and would take the alert "
        f"off the site: finish now with {finish} (or this same `invoke alert` again once "
        "that is fixed).",
        source,
        live=True,
    )


def records_not_pushed(source: Path, branch: Branch) -> AlertError:
    """The alert is live and its file committed, but its records could not be pushed to
    RECORDS_REMOTE (why is said before): the file is not pushed either, and what to do, in
    the CEC's words."""
    return AlertError(
        f"the alert is live and its file {source} is committed, but not pushed to "
        f"{branch.upstream}: the records of its posts are not on RECORDS_REMOTE, so the CI run "
        "that push starts would not know it was posted and would post it again. Once the "
        "problem above is fixed, run this same `invoke alert` again to push the records, then "
        f"the file (nothing is posted again); until then CI's next run builds "
        f"{branch.upstream} without the file and would take the alert off the site.",
        source,
        live=True,
    )
