"""Carrying out the plan: each platform in its own thread, each call bracketed in the ledger,
transient faults retried, quotas deferred to the next run, and one report at the end.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from announcements.addresses import ANNOUNCEMENT_URL

from .base import (
    AnswerLost,
    AuthError,
    CommentsOff,
    Duplicate,
    NotFound,
    Platform,
    PlatformError,
    QuotaExhausted,
    RateLimited,
    RemotePost,
    TransientError,
    redact,
)
from .ledger import ADOPT, SYNDICATE, Ledger, Record
from .manifest import Entry, Manifest
from .reconcile import (
    CREATE,
    UPDATE,
    WITHDRAW,
    Action,
    built_before,
    built_before_posting_problem,
    built_before_problem,
    duplicate_problem,
    duplicated,
    left_behind,
    needs_update,
    plan,
    posted_to,
    removed_elsewhere_problem,
    removed_with_news,
    reply_deletion_interrupted,
    unrecorded_left_behind,
    withdrawal_interrupted,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

OUTCOMES = ("created", "updated", "withdrawn", "unchanged", "deferred", "failed")
DONE = {CREATE: "created", UPDATE: "updated", WITHDRAW: "withdrawn"}


@dataclass(frozen=True)
class Result:
    """What happened to one planned action."""

    platform: str
    announcement: str
    action: str
    # created | updated | withdrawn | adopted | unchanged | gone | deferred | failed | planned
    outcome: str
    remote_id: str | None = None
    url: str | None = None
    error: str | None = None
    resume_at: datetime | None = None
    # A failure every further call to the platform would meet (its credentials refused): the
    # rest of its actions are not sent in this run.
    halts: bool = False
    # A post created in this run that did not get what had to follow it (X: the reply telling
    # a correction made before it went out): that update's outcome, "failed" or "deferred",
    # with `error` and `resume_at` saying why. The ledger has it so; the next run sends it.
    follow_up: str | None = None

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The action's outcome, then its follow-up's if one did not go out."""
        return (self.outcome, self.follow_up) if self.follow_up else (self.outcome,)


class CommentKeeper(Protocol):
    """Keeps the public's comments on a post the City is about to delete, where the platform
    deletes them with it (`Platform.comments_outlive_withdrawal` false: Facebook), so that no
    order of commands loses one to the records (archive/collect.py's `KeptBeforeDeleting`)."""

    def before_deleting(self, platform: Platform, record: Record, post_id: str) -> None:
        """Archive the post's comments as they are now, as collect would. Raises the
        platform's error if it cannot list them: then the post is not deleted."""

    def deleted(self, platform: Platform, announcement: str, post_id: str) -> None:
        """The post is deleted: each of its comments archived is recorded as removed with it."""


@dataclass(frozen=True)
class Retry:
    """How a call to a platform is tried again, by syndication and by collect alike: a
    transient fault after a pause that doubles each time, a rate limit once it resets if that
    is within `max_wait`. A reset further away is raised at once (`RateLimited`): the caller
    leaves the platform until then (`resume_at`)."""

    max_wait: float = 60.0
    backoff: float = 0.5
    attempts: int = 4
    sleep: Callable[[float], None] = time.sleep

    def __call__(self, function: Callable[..., T], *args: Any) -> T:
        def worth_retrying(error: BaseException) -> bool:
            if not isinstance(error, TransientError):
                return False
            return error.retry_after is None or error.retry_after <= self.max_wait

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, TransientError) and error.retry_after is not None:
                return max(0.0, error.retry_after)
            return float(min(self.max_wait, self.backoff * 2 ** (state.attempt_number - 1)))

        retrying = Retrying(
            retry=retry_if_exception(worth_retrying),
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(function, *args)


def resume_at(error: RateLimited) -> datetime:
    """When a platform that answered with `error` may be asked again (local time)."""
    return datetime.fromtimestamp(time.time() + (error.retry_after or 0)).astimezone()


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any("failed" in r.outcomes for r in self.results)

    def counts(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {}
        for result in self.results:
            outcome, *follow_up = result.outcomes
            outcome = DONE[result.action] if outcome == "adopted" else outcome
            table.setdefault(result.platform, Counter()).update([outcome, *follow_up])
        for platform, count in self.unchanged.items():
            table.setdefault(platform, Counter())["unchanged"] += count
        return table

    def table(self) -> str:
        """A fixed-width summary: one row per platform, one column per outcome."""
        header = f"{'platform':<10}" + "".join(f"{name:>11}" for name in OUTCOMES)
        rows = [header, "-" * len(header)]
        for platform, count in sorted(self.counts().items()):
            rows.append(f"{platform:<10}" + "".join(f"{count[n]:>11}" for n in OUTCOMES))
        return "\n".join(rows)


class Syndicator:
    """Runs a plan against the platforms, recording every call in the ledger."""

    def __init__(
        self,
        ledger: Ledger,
        platforms: Mapping[str, Platform],
        *,
        secrets: Iterable[str] = (),
        max_wait: float = 60.0,
        backoff: float = 0.5,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        on_site_now: Callable[[], Collection[str] | None] = lambda: None,
        comments: CommentKeeper | None = None,
    ) -> None:
        self.ledger = ledger
        self.platforms = dict(platforms)
        self.secrets = tuple(secrets)
        self.retry = Retry(max_wait, backoff, attempts, sleep)
        # The announcements the content puts on the site now (None: not known), read only
        # for posts of announcements the manifest lacks: reading the content takes seconds.
        self.on_site_now = on_site_now
        # Where a deletion takes a post's comments with it, they are archived first (None:
        # not kept, as in tests of syndication alone).
        self.comments = comments

    def plan(self, manifest: Manifest) -> list[Action]:
        return plan(manifest, self.ledger.records(), self.platforms)

    def run(self, manifest: Manifest, dry_run: bool = False) -> Report:
        records = self.ledger.records()
        actions = plan(manifest, records, self.platforms)
        listed = posted_to(manifest)
        # Posts a stopped run left unrecorded are looked for first, so that they are known.
        unrecorded = [
            self._look_for_unrecorded(record, manifest.site, dry_run)
            for record in unrecorded_left_behind(listed, records, self.platforms)
        ]
        looked = {(r.announcement, r.platform): r for r in unrecorded if isinstance(r, Record)}
        # Failed, in a dry run too: nothing the run does can put them right, the CEC must.
        behind = left_behind(listed, {**records, **looked}, self.platforms)
        # Posted from a newer build: the content has them on the site, this build does not.
        newer = self._posted_after_build(listed, [record for record, _ in behind])
        left = [r for r in unrecorded if isinstance(r, Result)] + [
            _built_before_posting(record)
            if record.announcement in newer
            else _left_behind(record, problem)
            for record, problem in behind
        ]
        # Failed until taken down: a second post no run keeps in step.
        entries = manifest.by_id()
        left += [
            seconds
            for record, duplicate in duplicated(listed, records, self.platforms)
            if (seconds := self._second_post(record, duplicate, entries, dry_run)) is not None
        ]
        # Failed, not acted on: acting on an older build would undo what a newer one did.
        outdated = built_before(manifest, records, self.platforms)
        left += [_built_before(entry, record) for entry, record in outdated]
        # Said, never failed: a run cannot put them right, and they must not fail every run.
        left += [
            _gone(record, self.platforms[record.platform])
            for record in removed_with_news(manifest, records, self.platforms)
        ]
        report = Report()
        for name in self.platforms:
            applicable = sum(1 for e in manifest.entries if name in e.posts and not e.withdrawn)
            changing = sum(1 for a in actions if a.platform == name and a.kind != WITHDRAW)
            held = sum(1 for e, r in outdated if r.platform == name and not e.withdrawn)
            report.unchanged[name] = applicable - changing - held
        if dry_run:
            planned = [Result(a.platform, a.entry.id, a.kind, "planned") for a in actions]
            report.results = [*planned, *left]
            return report
        by_platform = {name: [a for a in actions if a.platform == name] for name in self.platforms}
        with ThreadPoolExecutor(max_workers=max(1, len(by_platform))) as pool:
            futures = [
                pool.submit(self._run_platform, self.platforms[name], todo)
                for name, todo in by_platform.items()
            ]
            for future in futures:
                report.results.extend(future.result())
        report.results.extend(left)
        return report

    def _posted_after_build(
        self, listed: Collection[str], behind: Iterable[Record]
    ) -> Collection[str]:
        """The announcements of `behind` that the manifest does not list but the content puts
        on the site: posted from a build made after this one, not taken off the site. The
        content is read only if there is one to ask about."""
        unlisted = {record.announcement for record in behind} - set(listed)
        return unlisted & set(self.on_site_now() or ()) if unlisted else set()

    def _second_post(
        self, record: Record, duplicate: str, entries: Mapping[str, Entry], dry_run: bool
    ) -> Result | None:
        """A second post of an announcement (`duplicated`), as the run reports it, or None
        once it is no longer up (deleted by hand, as the report asks): then noted gone, so
        that it is named no more. A dry run only reports it."""
        platform = self.platforms[record.platform]
        entry = entries.get(record.announcement)
        if not dry_run and entry is not None:
            try:
                up = self._call(_still_up, platform, entry, duplicate)
            except PlatformError:
                up = True  # not known to be gone: named again
            if not up:
                self.ledger.gone(record.announcement, platform.name, duplicate, found_by=SYNDICATE)
                return None
        return Result(
            record.platform,
            record.announcement,
            CREATE,
            "failed",
            duplicate,
            record.duplicates.get(duplicate),
            error=duplicate_problem(record, duplicate, platform.label),
        )

    def _run_platform(self, platform: Platform, actions: list[Action]) -> list[Result]:
        results: list[Result] = []
        quota: QuotaExhausted | None = None
        refused: Result | None = None
        for action in actions:
            if refused:
                results.append(_not_sent(action, platform, refused))
                continue
            if quota and action.kind != WITHDRAW:
                results.append(self._deferred(action, quota))
                continue
            result = self._execute(platform, action)
            if "deferred" in result.outcomes and quota is None:
                quota = QuotaExhausted(result.error or "", result.resume_at)
                logger.warning(
                    "%s: %s; the rest waits for the next run", platform.name, result.error
                )
            if result.halts:
                refused = result
            results.append(result)
        return results

    def _deferred(self, action: Action, quota: QuotaExhausted) -> Result:
        note = {
            "error": str(quota),
            "resume_at": quota.resume_at.isoformat() if quota.resume_at else None,
        }
        # Noted so that `invoke status` lists every post held back, not only the first; once,
        # as a daily cap may hold it back for every run of a day.
        if not _deferred_already(action, note):
            self.ledger.defer(action.entry.id, action.platform, action.kind, **note)
        return Result(
            action.platform,
            action.entry.id,
            action.kind,
            "deferred",
            error=str(quota),
            resume_at=quota.resume_at,
        )

    def _execute(self, platform: Platform, action: Action) -> Result:
        entry, name = action.entry, platform.name
        record = action.record
        operation: str | None = None  # the ledger intent a failure answers
        write: _Once[Any] | None = None  # the remote write, once it has been tried
        named: dict[str, Any] = {}  # the post (or reply) the intent names, for its outcome
        created = False  # posted in this run, then told what its post did not say
        archiving: str | None = None  # the post whose comments are being archived first
        try:
            if action.interrupted:
                recovered = self._recover(platform, action)
                if isinstance(recovered, Result):
                    return recovered
                action = recovered
            if action.kind == CREATE:
                payload = platform.preview(entry)
                sent = {**_sent(entry, name), "corrections": platform.told_by_create(entry)}
                operation = self.ledger.intend(entry.id, name, CREATE, payload=payload, **sent)
                write = _Once(platform.create, lambda: self._find_existing(platform, entry))
                post = self._call(write, entry)
                record = action.record or Record(entry.id, name)
                record.apply(self._done(operation, action, post, **sent))
                if not needs_update(entry, record, name):
                    return Result(name, entry.id, CREATE, "created", post.id, post.url)
                # Corrections the post could not tell (X): told now, as for an adopted post.
                action, created = replace(action, kind=UPDATE, record=record), True
            assert record is not None  # planned updates and withdrawals have a record
            remote_id = record.remote_id
            if action.kind == UPDATE and remote_id:
                # Step by step where one call tells part of the change (X: a reply per
                # correction), each step recorded before the next: a crash between them
                # neither repeats nor loses one. Each tells more, so the steps end.
                told = False  # on X, a change with nothing new to tell sends nothing
                while True:
                    sent = {**_sent(entry, name), **platform.update_preview(entry, record)}
                    named = {"remote_id": remote_id}
                    operation = self.ledger.intend(entry.id, name, UPDATE, **named, **sent)
                    write = _Once(platform.update, lambda: platform.find_update(entry, record))
                    try:
                        reply = self._call(write, entry, record)
                    except NotFound as error:
                        return self._found_gone(platform, action, operation, error)
                    told = told or reply is not None or platform.edits_posts
                    record.apply(self._updated(operation, entry, record, reply, sent))
                    if not needs_update(entry, record, name):
                        # Nothing sent (X): said so, though recorded in step all the same.
                        updated = "updated" if told else "unchanged"
                        done = (CREATE, "created") if created else (UPDATE, updated)
                        return Result(name, entry.id, *done, remote_id, record.url)
            if action.kind == WITHDRAW and remote_id:
                for takedown in _takedowns(entry, record):
                    named = _post_named(takedown)
                    # A post whose deletion takes its comments with it (Facebook): they are
                    # archived first, or the post is left up for the next run.
                    keeper = self._keeper(platform, takedown)
                    if keeper is not None:
                        archiving = takedown["remote_id"]
                        # Already gone (Facebook has made sure the token reaches the Page):
                        # nothing left to read; turned off: nothing to read now.
                        with contextlib.suppress(NotFound, CommentsOff):
                            self._call(keeper.before_deleting, platform, record, archiving)
                        archiving = None
                    operation = self.ledger.intend(entry.id, name, WITHDRAW, **takedown)
                    with contextlib.suppress(NotFound):  # already gone: the goal is met
                        self._call(
                            platform.withdraw, takedown.get("reply_id", takedown["remote_id"])
                        )
                    self.ledger.outcome(operation, entry.id, name, WITHDRAW, "done", **takedown)
                    if keeper is not None:
                        keeper.deleted(platform, entry.id, takedown["remote_id"])
                return Result(name, entry.id, WITHDRAW, "withdrawn", remote_id, record.url)
            if action.kind == WITHDRAW:
                # An interrupted post that never reached the platform: nothing to take down.
                return Result(name, entry.id, WITHDRAW, "withdrawn")
            raise PlatformError(f"nothing to {action.kind}: no remote post is recorded")
        except QuotaExhausted as error:
            error = _before_deleting(platform, archiving, error)
            held = self._fail(action, operation, "deferred", error, error.resume_at, write, named)
        except RateLimited as error:
            # Reset is further away than we are willing to wait: treat like a quota.
            error = _before_deleting(platform, archiving, error)
            held = self._fail(action, operation, "deferred", error, resume_at(error), write, named)
        except AuthError as error:
            error = _before_deleting(platform, archiving, error)
            failed = self._fail(action, operation, "failed", error, write=write, named=named)
            held = replace(failed, halts=True)
        except PlatformError as error:
            error = _before_deleting(platform, archiving, error)
            held = self._fail(action, operation, "failed", error, write=write, named=named)
        # The post itself went out if this run created it: only what followed it is held.
        return _created_but(held, action.record) if created and action.record else held

    def _keeper(self, platform: Platform, takedown: Mapping[str, Any]) -> CommentKeeper | None:
        """Who archives the comments of the post `takedown` deletes first: none for a reply
        (X's), nor where the comments outlive the deletion (X's replies stay public, a private
        YouTube video keeps its comments: collect reads them after it as before)."""
        if self.comments is None or "reply_id" in takedown:
            return None
        return None if platform.comments_outlive_withdrawal else self.comments

    def _found_gone(
        self, platform: Platform, action: Action, operation: str, error: NotFound
    ) -> Result:
        """An update refused because the post is no longer there: deleted on the platform
        itself, never withdrawn, and not (yet) seen gone by collect (X's search still lists
        the replies of a deleted post). Noted gone as collect notes it, so that later runs
        send it nothing and say so (`removed_with_news`) rather than fail every run."""
        record = action.record
        assert record is not None and record.remote_id is not None
        message = redact(str(error), self.secrets)
        self.ledger.outcome(
            operation,
            record.announcement,
            platform.name,
            UPDATE,
            "failed",
            remote_id=record.remote_id,
            error=message,
        )
        self.ledger.gone(
            record.announcement, platform.name, record.remote_id, found_by=UPDATE, error=message
        )
        logger.warning("%s: %s: %s", platform.name, record.announcement, message)
        return _gone(record, platform)

    def _recover(self, platform: Platform, action: Action) -> Result | Action:
        """A previous run stopped mid-call: adopt what it did instead of doing it twice.
        Returns the result when that is all, else what is left to do: the action itself, or
        an update of the adopted post when the entry has changed since it was sent."""
        entry, record = action.entry, action.record
        assert record is not None and record.pending is not None
        pending = record.pending
        found: RemotePost | None = None
        # What the interrupted call sent, not what the entry says now: an edit made since
        # then has still to reach the platform.
        sent = _sent_by(pending, record)
        if pending["action"] == CREATE:
            found = self._call(self._find_existing, platform, entry)
            if found is not None:
                self._adopt(platform.name, record, found)
                if action.kind != CREATE:
                    return action
                if needs_update(entry, record, platform.name):
                    # Changed since the post was sent (a correction, say): this run, not the
                    # next, brings the post up to date.
                    return replace(action, kind=UPDATE)
                return Result(platform.name, entry.id, CREATE, "adopted", found.id, found.url)
        elif pending["action"] == UPDATE and record.remote_id and action.kind != CREATE:
            # Adopted for a withdrawal too: a reply is taken down only if it is recorded.
            # Looked for as its intent sent it: the announcement may have changed since.
            found = self._call(platform.find_update, entry, record, pending)
            # An edit (Facebook, YouTube) leaves no reply to find: it landed if the post says
            # what its intent recorded it would, and is then recorded done, as it was made.
            edited = found is None and self._edit_landed(platform, record, pending)
            if edited:
                sent = {**sent, "text": pending["text"]}
            if found is not None or edited:
                record.apply(self._updated(pending["op"], entry, record, found, sent))
                if action.kind == WITHDRAW or needs_update(entry, record, platform.name):
                    return action
                return Result(
                    platform.name, entry.id, UPDATE, "adopted", record.remote_id, record.url
                )
        elif action.kind == CREATE and record.remote_id and withdrawal_interrupted(record):
            # Withdrawn, then reinstated: the interrupted deletion decides whether the post
            # is still up or to be posted again.
            return self._settle_withdrawal(platform, action, record.remote_id)
        elif action.kind == UPDATE and reply_deletion_interrupted(record):
            # Withdrawn, then reinstated, its post still up: the interrupted deletion decides
            # whether the reply is still up or what it told is to be told again.
            return self._settle_reply_deletion(platform, action, pending["reply_id"])
        if pending["action"] == CREATE and action.kind == WITHDRAW:
            # A post that never went out, its announcement withdrawn since: called off, not
            # failed, so that nothing is left for `invoke status` to list as a failure.
            self._call_off_create(
                record, "interrupted; not found on the platform, and withdrawn since"
            )
            return action
        # Nothing was found: the interrupted call never reached the platform. A deletion is
        # not looked for: it is simply made again (one already made answers "not found").
        unanswered = self.ledger.outcome(
            pending["op"],
            entry.id,
            platform.name,
            pending["action"],
            "failed",
            error="interrupted; taken down again"
            if pending["action"] == WITHDRAW
            else "interrupted; not found on the platform",
        )
        record.apply(unanswered)
        return action

    def _edit_landed(self, platform: Platform, record: Record, pending: Mapping[str, Any]) -> bool:
        """Whether the edit an interrupted update sent is on the platform: the post says the
        text its intent recorded. An intent without one (X's, or an older one) cannot tell,
        nor one whose text is what the post said before (an edit of what the text leaves out,
        a video's tags): it is sent again, which does no harm. A post gone is not edited (the
        update sent again then finds it gone and says so)."""
        text = pending.get("text")
        if text is None or text == record.text or record.remote_id is None:
            return False
        try:
            return self._call(platform.says_now, record.remote_id) == text
        except NotFound:
            return False

    def _settle_withdrawal(
        self, platform: Platform, action: Action, remote_id: str
    ) -> Result | Action:
        """A withdrawal interrupted mid-call, its announcement published again since: if the
        post is gone, the withdrawal is recorded as done and the post made again; if it is
        still up, the withdrawal never happened and the post is kept (updated if changed)."""
        entry, record = action.entry, action.record
        assert record is not None and record.pending is not None
        pending = record.pending
        if self._call(_still_up, platform, entry, remote_id):
            # Closed as called off, not failed: nothing is wrong for `invoke status` to list.
            called_off = self.ledger.outcome(
                pending["op"],
                entry.id,
                platform.name,
                WITHDRAW,
                "cancelled",
                note="interrupted before the post was taken down; published again since",
            )
            record.apply(called_off)
            if needs_update(entry, record, platform.name):
                return replace(action, kind=UPDATE)
            return Result(platform.name, entry.id, CREATE, "unchanged", remote_id, record.url)
        takedown = {
            key: pending[key] for key in ("remote_id", "reason", "updated") if key in pending
        }
        record.apply(
            self.ledger.outcome(
                pending["op"], entry.id, platform.name, WITHDRAW, "done", **takedown
            )
        )
        logger.info(
            "%s: %s was taken down by an interrupted withdrawal; posting %s again",
            platform.name,
            remote_id,
            entry.id,
        )
        return action

    def _settle_reply_deletion(
        self, platform: Platform, action: Action, reply_id: str
    ) -> Result | Action:
        """A withdrawal interrupted while deleting one of the post's replies (X), its
        announcement published again since, the post kept: if the reply is gone, its deletion
        is recorded as done, and what it told is told again; if it is still up, the deletion
        never happened and is called off."""
        entry, record = action.entry, action.record
        assert record is not None and record.pending is not None
        pending = record.pending
        takedown: dict[str, Any] = {
            key: pending[key] for key in ("remote_id", "reply_id", "updated") if key in pending
        }
        if self._call(platform.reply_up, reply_id):
            settled = self.ledger.outcome(
                pending["op"],
                entry.id,
                platform.name,
                WITHDRAW,
                "cancelled",
                note="interrupted before the reply was taken down; published again since",
                **_post_named(takedown),
            )
        else:
            settled = self.ledger.outcome(
                pending["op"], entry.id, platform.name, WITHDRAW, "done", **takedown
            )
            logger.info(
                "%s: reply %s was taken down by an interrupted withdrawal of %s; what it told "
                "is told again",
                platform.name,
                reply_id,
                entry.id,
            )
        record.apply(settled)
        if needs_update(entry, record, platform.name):
            return action
        return Result(platform.name, entry.id, UPDATE, "unchanged", record.remote_id, record.url)

    def _adopt(self, platform: str, record: Record, found: RemotePost) -> None:
        """Record the post an interrupted create made, found on the platform, as the City's
        post of the announcement, carrying what the create sent."""
        assert record.pending is not None
        adoption = self.ledger.outcome(
            record.pending["op"],
            record.announcement,
            platform,
            ADOPT,
            "done",
            remote_id=found.id,
            url=found.url,
            text=found.text,
            **_sent_by(record.pending, record),
        )
        logger.info(
            "%s: adopted %s for %s after an interrupted run",
            platform,
            found.id,
            record.announcement,
        )
        record.apply(adoption)

    def _look_for_unrecorded(self, record: Record, site: str, dry_run: bool) -> Record | Result:
        """A create a stopped run left open for an announcement no longer on the site: its
        post, if it landed, is adopted (in a dry run only looked at), so that it is reported
        as left up; if it never landed, the create is closed. The record as it then is, or
        the failure to look."""
        platform = self.platforms[record.platform]
        assert record.pending is not None
        try:
            found = self._call(self._find_existing, platform, _no_longer_listed(record, site))
        except PlatformError as error:
            return Result(
                record.platform,
                record.announcement,
                CREATE,
                "failed",
                error=redact(
                    "a run stopped before recording whether it posted this announcement, no "
                    f"longer on the site, and looking for the post failed: {error}",
                    self.secrets,
                ),
            )
        if dry_run:
            return replace(record, remote_id=found.id, url=found.url) if found else record
        if found:
            self._adopt(platform.name, record, found)
        else:
            self._call_off_create(
                record, "interrupted; not found on the platform, and no longer on the site"
            )
        return record

    def _call_off_create(self, record: Record, note: str) -> None:
        """Close a create a stopped run left open that never landed and is no longer wanted:
        called off (`cancelled`), not failed, as nothing is wrong that `invoke status` should
        list, nor anything left to do."""
        assert record.pending is not None
        record.apply(
            self.ledger.outcome(
                record.pending["op"],
                record.announcement,
                record.platform,
                CREATE,
                "cancelled",
                note=note,
            )
        )

    def _find_existing(self, platform: Platform, entry: Entry) -> RemotePost | None:
        """The entry's post if it is on the platform already; never a post the ledger gives
        another announcement, which would leave this one unposted."""
        taken = self.ledger.remote_ids(platform.name, other_than=entry.id)
        return platform.find_existing(entry, taken)

    def _done(
        self, operation: str, action: Action, post: RemotePost, **sent: Any
    ) -> dict[str, Any]:
        return self.ledger.outcome(
            operation,
            action.entry.id,
            action.platform,
            action.kind,
            "done",
            remote_id=post.id,
            url=post.url,
            text=post.text,
            **sent,
        )

    def _updated(
        self,
        operation: str,
        entry: Entry,
        record: Record,
        reply: RemotePost | None,
        sent: dict[str, Any],
    ) -> dict[str, Any]:
        """Record a done update of the record's post, naming it (a joined copy of the records
        may hold a second post of the announcement): what the post now says where it was
        edited, or the reply that told the change (X), so that search and FOI exports find
        what the City said."""
        replied = (
            {"reply_id": reply.id, "reply_url": reply.url, "reply_text": reply.text}
            if reply
            else {}
        )
        return self.ledger.outcome(
            operation,
            entry.id,
            record.platform,
            UPDATE,
            "done",
            remote_id=record.require_remote_id(),
            **{**sent, **replied},
        )

    def _fail(
        self,
        action: Action,
        operation: str | None,
        outcome: str,
        error: PlatformError,
        resume_at: datetime | None = None,
        write: _Once[Any] | None = None,
        named: Mapping[str, Any] | None = None,
    ) -> Result:
        """Record and report a call that failed or was deferred; its outcome line names the
        post (or reply) its intent named, so each line of the records says which post."""
        message = redact(str(error), self.secrets)
        may_have_landed = operation is not None and write is not None and write.uncertain
        if may_have_landed:
            message += "; it may be there all the same: the next run looks for it first"
        if operation:
            # A write whose answer was lost may have landed: the next run looks first.
            uncertain = {"uncertain": True} if may_have_landed else {}
            self.ledger.outcome(
                operation,
                action.entry.id,
                action.platform,
                action.kind,
                outcome,
                error=message,
                resume_at=resume_at.isoformat() if resume_at else None,
                **(named or {}),
                **uncertain,
            )
        logger.log(
            logging.WARNING if outcome == "deferred" else logging.ERROR,
            "%s: %s %s %s: %s",
            action.platform,
            action.kind,
            action.entry.id,
            outcome,
            message,
        )
        return Result(
            action.platform,
            action.entry.id,
            action.kind,
            outcome,
            error=message,
            resume_at=resume_at,
        )

    def _call(self, function: Callable[..., T], *args: Any) -> T:
        """Retry transient faults with backoff; honour rate-limit resets up to `max_wait`."""
        return self.retry(function, *args)


class _Once(Generic[T]):
    """A write that is retried only after looking for its effect on the platform.

    A transient failure can come after the platform did the write; sending it again would
    post twice. So every retry first asks the platform whether it is there. A write whose
    answer was lost (a timeout, a dropped connection) is never sent again in the run: the
    platform may still be carrying it out when the run looks (Graph scraping a slow link), so
    each retry only looks again. Nor is one the platform refuses as a duplicate: it is there
    already, and is looked for at once. `uncertain` says whether the write may have landed
    unseen, in which case its intent is left open for the next run to look again.
    """

    def __init__(self, write: Callable[..., T], find: Callable[[], T | None]) -> None:
        self.write = write
        self.find = find
        self.attempted = False
        self.uncertain = False
        self.unseen: AnswerLost | Duplicate | None = None  # why it may be there unseen

    def __call__(self, *args: Any) -> T:
        if self.attempted:
            found = self.find()
            if found is not None:
                self.uncertain = False
                return found
            if self.unseen is not None:
                raise self.unseen  # not found (yet): look again, never write again
            self.uncertain = False  # looked, and the earlier attempt is not there
        self.attempted = True
        try:
            result = self.write(*args)
        except RateLimited:
            raise  # refused before anything was done
        except AnswerLost as error:
            self.uncertain, self.unseen = True, error
            raise
        except Duplicate as error:
            self.uncertain, self.unseen = True, error
            return self(*args)  # the platform has it: look for it now, as a retry would
        except TransientError:
            self.uncertain = True
            raise
        return result


def _no_longer_listed(record: Record, site: str) -> Entry:
    """The announcement of `record`, no longer in the manifest, as far as looking for its
    post needs it: its id and the address its page had."""
    url = f"{site}/{ANNOUNCEMENT_URL.format(slug=record.announcement)}"
    return Entry(
        id=record.announcement,
        url=url,
        title=record.title or "",
        date="",
        urgent=False,
        status="",
        hash="",
        posts={},
    )


def _still_up(platform: Platform, entry: Entry, remote_id: str) -> bool:
    """Whether the post is still one of the City's public posts of the entry (a withdrawn
    YouTube video is private, so not one of them)."""
    return any(post.id == remote_id for post in platform.announcing(entry))


def _left_behind(record: Record, problem: str) -> Result:
    """A post left up that no run keeps in step (`left_behind`), as the run reports it."""
    return Result(
        record.platform,
        record.announcement,
        WITHDRAW,
        "failed",
        record.remote_id,
        None if record.withdrawn else record.url,  # only its replies are left (X)
        error=problem,
    )


def _built_before(entry: Entry, record: Record) -> Result:
    """An announcement the build has as it was before what a run already did (`built_before`),
    as the run reports it: failed, nothing sent."""
    return Result(
        record.platform,
        entry.id,
        UPDATE,
        "failed",
        record.remote_id,
        error=built_before_problem(entry, record),
    )


def _built_before_posting(record: Record) -> Result:
    """A post of an announcement the build lacks though the content puts it on the site, as
    the run reports it: failed, nothing sent, as for `_built_before`."""
    return Result(
        record.platform,
        record.announcement,
        UPDATE,
        "failed",
        record.remote_id,
        record.url,
        error=built_before_posting_problem(record),
    )


def _gone(record: Record, platform: Platform) -> Result:
    """A post removed on the platform itself (`Record.removed_elsewhere`), as the run reports
    it: what is wrong and what the CEC may do, said but not failed."""
    return Result(
        record.platform,
        record.announcement,
        UPDATE,
        "gone",
        record.remote_id,
        error=removed_elsewhere_problem(record, platform.label),
    )


def _created_but(held: Result, record: Record) -> Result:
    """A post created in this run whose follow-up update (X: the reply telling a correction
    made before it went out) failed or was deferred, as the run reports it: created, naming
    the post, with the update's outcome and why (`Result.follow_up`), not as an update that
    failed as if nothing were posted."""
    return replace(
        held,
        action=CREATE,
        outcome="created",
        remote_id=record.remote_id,
        url=record.url,
        follow_up=held.outcome,
    )


def _deferred_already(action: Action, note: Mapping[str, Any]) -> bool:
    """Whether the post's latest ledger line already holds this action back for the same
    reason until the same reset: a further run under the same quota has nothing new to note
    (a new reset time is news, and noted)."""
    last = action.record.history[-1] if action.record and action.record.history else {}
    if last.get("phase") != "deferred" or last.get("action") != action.kind:
        return False
    return all(last.get(name) == value for name, value in note.items())


def _not_sent(action: Action, platform: Platform, refused: Result) -> Result:
    """An action held back because the platform refused the credentials earlier in the run:
    sending it would only be refused the same way. Nothing was called, so nothing is recorded;
    the next run plans it again."""
    return Result(
        action.platform,
        action.entry.id,
        action.kind,
        "failed",
        error=f"not sent: {platform.label} refused the credentials (see {refused.announcement})",
    )


E = TypeVar("E", bound=PlatformError)


def _before_deleting(platform: Platform, post_id: str | None, error: E) -> E:
    """`error`, met while archiving the comments of post `post_id` before deleting it (None:
    elsewhere, left as it is), saying that the post is left up and why. Its kind stays, so a
    rate limit still defers and refused credentials still halt the platform."""
    if post_id is None:
        return error
    error.args = (
        f"its comments could not be archived, so post {post_id} is left up ({platform.label} "
        f"deletes a post's comments with it); the next run archives them, then deletes it: "
        f"{error}",
        *error.args[1:],
    )
    return error


def _takedowns(entry: Entry, record: Record) -> list[dict[str, Any]]:
    """What a withdrawal deletes, in order, as its ledger lines name each deletion. Deleting a
    post on X leaves its replies public, and the City's update replies repeat the withdrawn
    news and link: they go first, each on its own line; the post goes last, as its deletion
    is what marks the withdrawal done (so an interrupted one is planned again). A post
    already withdrawn (by a run from before replies went with it) has only its replies left
    to delete; they are planned again until none is left up. So are second posts of it
    (`Record.duplicates`), each deleted on its own line before the post."""
    post = {"remote_id": record.remote_id, "updated": entry.updated}
    replies = [{**post, "reply_id": reply} for reply in record.replies_up]
    # Second posts (made on a stale copy of the records) go before the one kept in step.
    seconds = [
        {**post, "remote_id": duplicate, "reason": entry.withdrawn_reason}
        for duplicate in record.duplicates
    ]
    if record.withdrawn:
        return [*replies, *seconds]
    return [*replies, *seconds, {**post, "reason": entry.withdrawn_reason}]


def _post_named(takedown: Mapping[str, Any]) -> dict[str, Any]:
    """The ids a takedown's ledger lines name: the post, and the reply when it is one."""
    return {key: takedown[key] for key in ("remote_id", "reply_id") if key in takedown}


def _sent(entry: Entry, platform: str) -> dict[str, Any]:
    """What a create or update brings the platform: recorded with its intent and outcome."""
    return {
        "hash": entry.posts[platform].get("hash"),
        "corrections": entry.correction_notes,
        "title": entry.title,
        "updated": entry.updated,  # so that a run on an older build does not undo it
    }


def _sent_by(pending: dict[str, Any], record: Record) -> dict[str, Any]:
    """What an interrupted call sent, from its intent. An older intent lacks some of it: then
    what the platform was known to have before (none for a create), so that a correction
    made since is told again rather than taken as told."""
    payload = pending.get("payload") or {}
    before = record.corrections if pending["action"] == UPDATE else 0
    return {
        "hash": pending.get("hash", payload.get("hash")),
        "corrections": pending.get("corrections", before),
        "title": pending.get("title", record.title if pending["action"] == UPDATE else None),
        "updated": pending.get("updated"),
    }
