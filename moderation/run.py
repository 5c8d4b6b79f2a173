"""`invoke moderate`: classify collected comments, hide only what policy allows, queue the rest
for a person, and apply a reviewer's decision on the platform."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archive.comments import (
    REMOVED_WITH_DELETED_POST,
    CommentArchive,
    CommentState,
    attachment_sources,
)
from archive.index import city_time, printable
from syndication.base import (
    AnswerLost,
    AuthError,
    NotFound,
    Platform,
    PlatformError,
    QuotaExhausted,
    RateLimited,
    redacted_logs,
)
from syndication.config import Settings
from syndication.ledger import Ledger
from syndication.runner import make_platforms

from .classifier import CATEGORIES, Decision, ModerationPolicy, classify, hiding_category
from .log import (
    ANSWER_LOST,
    EARLIER_POLICY,
    HIDDEN_UNDER_EARLIER_POLICY,
    ModerationLog,
    Status,
)
from .terms import DECISIONS

CLASSIFIER = "classifier (policy/moderation.yml)"
# The states in which a platform holds a comment back from the public until the channel
# publishes or rejects it (YouTube's review queue).
HELD = ("heldForReview", "likelySpam")


def unknown_since_removed(comment: CommentState) -> str:
    """The result of a decision a stopped run sent, on a comment gone from the platform (its
    author deleted it, or it went with the comment it replied to) before the next run could
    send it again."""
    return (
        "not known: the run stopped before the platform answered, and the comment has been "
        f"{comment.removal} since"
    )


# How a decision's result starts when the platform's rate limit or daily quota refused it: not
# applied, so the next run sends it again, and no failure (issue 4: a limit is a normal
# condition); the platform is asked nothing more in that run.
HELD_BACK = "not applied yet: the platform's limit is used up"


def held_back(error: RateLimited | QuotaExhausted) -> str:
    return f"{HELD_BACK}: {error}"


# How a decision's result starts when the platform refused the City's credentials: a failure
# (named, tried again by the next run), and the platform is asked nothing more in that run.
REFUSED = "failed: the platform refused the credentials"


def refused(error: AuthError) -> str:
    return f"{REFUSED}: {error}"


# How a decision's result starts when the comment went with its post, deleted on the platform
# outside this system: final, and no failure; the comment is recorded as removed with it.
GONE_WITH_POST = f"not applied: {REMOVED_WITH_DELETED_POST}"


class DecisionError(ValueError):
    """A decision cannot be taken as asked; the message says why."""


@dataclass(frozen=True)
class Order:
    """A decision to apply on a platform, as its intent and decision lines record it: which
    comment, keep or hide, who decided, why and under which of the policy's reasons, and the
    intent a stopped run recorded for it (`operation`), if any. `comment` is the comment as
    archived, when known; `version` the comment version it is about (the latest collected
    when it was taken, which the reviewer was shown), when known."""

    platform: str
    comment_id: str
    decision: str
    who: str
    reason: str
    category: str | None
    operation: str | None = None
    comment: CommentState | None = None
    version: int | None = None


@dataclass
class Tally:
    """What a run of `moderate_collected` has counted, and the platforms it asks nothing more:
    those whose limit a decision met (`limited`) and those that refused the City's
    credentials (`refusing`)."""

    say: Callable[[str], None]
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("keep", "review", "hide", "failed", "held", "refused"), 0
        )
    )
    limited: set[str] = field(default_factory=set)
    refusing: set[str] = field(default_factory=set)
    # Of the decisions counted held back and not sent, the keeps: a reviewer's, showing a
    # comment again, that a stopped run left to send (the rest are hides, whoever decided).
    keeps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("held", "refused"), 0))

    def put_off(self, counted: str, decision: str) -> None:
        """Count a decision held back by a platform's limit (`held`) or not sent to one that
        refused the credentials (`refused`): left for the next run."""
        self.counts[counted] += 1
        if decision == "keep":
            self.keeps[counted] += 1

    def hides_and_keeps(self, counted: str) -> str:
        """The decisions counted `held` or `refused`, as the summary names them (`2 hide(s)`,
        `2 hide(s) and 1 keep(s)`): a keep is no hide, and the reader should not take it for
        one."""
        keeps = self.keeps[counted]
        both = ((self.counts[counted] - keeps, "hide"), (keeps, "keep"))
        return " and ".join(f"{count} {name}(s)" for count, name in both if count)


def classify_file(source: Path, target: Path, policy: ModerationPolicy) -> int:
    """JSON Lines in (id, text, post_text, author?) → decisions out (id, action, categories,
    evidence). Returns the number of comments.

    The decisions go to a temporary file beside the target, renamed into place at the end: a
    bad line leaves an existing target as it was. The target may not be the source."""
    if source.resolve() == target.resolve() or (
        source.exists() and target.exists() and source.samefile(target)
    ):
        raise DecisionError(f"{target}: the output would overwrite the input; give another file")
    try:
        lines = source.open("rb")
    except OSError as error:
        raise DecisionError(f"{source}: cannot read it ({error.strerror})") from None
    count = 0
    writing = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with lines, writing.open("w", encoding="utf-8") as out:
            for number, raw in enumerate(lines, start=1):
                item = _comment(source, number, raw)
                if item is None:
                    continue
                decision = classify(item["id"], item["text"], item["post_text"], policy)
                out.write(json.dumps(decision.as_dict(), ensure_ascii=False, sort_keys=True))
                out.write("\n")
                count += 1
        writing.replace(target)
    except OSError as error:
        raise DecisionError(f"{target}: cannot write the decisions ({error.strerror})") from None
    finally:
        writing.unlink(missing_ok=True)  # left only when the run stopped
    return count


def _comment(source: Path, number: int, raw: bytes) -> dict[str, str] | None:
    """One line of `classify_file`'s input: id, text and post_text as text (None: blank)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DecisionError(f"{source}:{number}: not UTF-8 text") from None
    if not line.strip():
        return None
    try:
        item = json.loads(line)
        fields = {"id": item["id"], "text": item["text"], "post_text": item.get("post_text", "")}
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise DecisionError(
            f"{source}:{number}: expected JSON with id and text ({error})"
        ) from None
    for name in ("text", "post_text"):
        if not isinstance(fields[name], str):
            value = json.dumps(fields[name])
            raise DecisionError(f"{source}:{number}: {name}: expected text, not {value}")
    fields["id"] = str(fields["id"])
    return fields


def moderate_collected(
    settings: Settings,
    content_dir: Path,
    policy: ModerationPolicy,
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Settle the decisions a stopped run sent but never recorded; classify every comment
    version not yet classified; apply strong hides, and retry those not applied before; put
    each hide of the classifier's that the policy no longer allows before a person; count
    classifications, hides applied, decisions a platform's limit held back (after the first,
    that platform is asked nothing more in the run), decisions that failed, and decisions not
    sent to a platform that refused the credentials earlier in the run (a reviewer's keep a
    stopped run left is among them: the summary names it apart from the hides). Decisions
    settled and hides retried alike are sent through `_send`, so that neither asks such a
    platform again."""
    log = ModerationLog(settings.records_dir)
    posts = {
        (r.announcement, r.platform): r.text or ""
        for r in Ledger.in_records(settings.records_dir).records().values()
    }
    run = Tally(say)
    counts = run.counts
    with redacted_logs(settings.secrets):
        platforms = make_platforms(settings, content_dir)
        archive = CommentArchive(settings.records_dir)
        comments = archive.state()
        settled = settle_interrupted(log, platforms, comments, archive, run)
        statuses = log.statuses()
        # Posts found deleted on the platform in this run: their comments went with them.
        gone_posts = {
            (key[0], comments[key].post_id)
            for key, result in settled.items()
            if result is not None and result.startswith(GONE_WITH_POST)
        }
        for (platform, comment_id), comment in sorted(comments.items()):
            if comment.deleted or comment.by_city:
                continue  # gone, or the City's own answer: nothing to moderate
            if (platform, comment.post_id) in gone_posts:
                continue  # recorded as removed with its post in this run
            status = statuses.get((platform, comment_id))
            post_text = posts.get((comment.announcement, platform), "")
            if (
                status is not None
                and status.version == comment.version
                and not _hide_no_longer_allowed(status, policy)
            ):
                if _hidden_by_the_classifier(status):
                    # Hidden under the rules of the day: read again under today's.
                    again = _classified(comment, post_text, policy)
                    if hiding_category(again.evidence, policy) is None:
                        log.classified(
                            platform, comment.version, for_review_again(again, status), comment
                        )
                        counts["review"] += 1
                if not _hide_pending(status) or (platform, comment_id) in settled:
                    continue  # a hide sent again, or held back, above: once a run
                evidence = status.evidence  # classified already: only the hide is retried
            else:
                # A new version, or a hide never applied that today's rules would not make:
                # classified under them, so a person sees what nobody would otherwise.
                decision = _classified(comment, post_text, policy)
                log.classified(platform, comment.version, decision, comment)
                decided = _decided_by_a_person(status, comment.version)
                if decision.action != "hide":
                    # Hidden before this edit: it stays hidden until a person looks again
                    # (one who decided on this version, collected since, has looked).
                    hidden = status is not None and status.hidden and not decided
                    counts["review" if hidden else decision.action] += 1
                if decided:
                    continue  # the person's decision on this very text stands over the hide
                evidence = decision.evidence
            # Hidden for the category that allows it, not the first one found.
            category = hiding_category(evidence, policy)
            if category and platform in platforms:
                reason = evidence[category]["reason"]
                order = Order(
                    platform,
                    comment_id,
                    "hide",
                    CLASSIFIER,
                    reason,
                    category,
                    comment=comment,
                    version=comment.version,
                )
                result = _send(run, platforms[platform], log, order, archive)
                if result is not None and result.startswith(GONE_WITH_POST):
                    gone_posts.add((platform, comment.post_id))
    summary = f"{counts['keep']} kept, {counts['review']} for review, {counts['hide']} hidden"
    if counts["held"]:
        summary += f", {run.hides_and_keeps('held')} held back by a platform's limit (the next run)"
    if counts["refused"]:
        summary += (
            f", {run.hides_and_keeps('refused')} not sent: a platform refused the credentials "
            "(the next run)"
        )
    if counts["failed"]:
        summary += f", {counts['failed']} decision(s) failed on the platform (named above)"
    say(f"moderate: {summary}")
    return counts


def settle_interrupted(
    log: ModerationLog,
    platforms: Mapping[str, Platform],
    comments: Mapping[tuple[str, str], CommentState],
    archive: CommentArchive | None,
    run: Tally,
) -> dict[tuple[str, str], str | None]:
    """Each decision a stopped run sent to the platform but never recorded the result of, sent
    again as it was intended (by whom, why, under which clause) and recorded with the
    platform's answer: the result for each (platform, comment id). Setting a comment hidden
    or shown again changes nothing if the first call landed, so whether it did need not be
    known. One for a platform the run asks nothing more (`_send`) is not sent: its result is
    None, and the next run settles it. One whose comment has since gone from the platform is
    answered without asking it (Graph answers that it does not exist): whether it landed is
    not known."""
    settled: dict[tuple[str, str], str | None] = {}
    for key, status in sorted(log.statuses().items()):
        intent, comment = status.intent, comments.get(key)
        if intent is None:
            continue
        decision, operation = intent["decision"], intent["op"]
        who, reason, category = intent["who"], intent["reason"], intent["category"]
        version = intent.get("version")  # the version decided on, whatever was collected since
        if comment is not None and comment.deleted:
            result = unknown_since_removed(comment)
            log.decided(
                *key, decision, who, reason, category, result, operation, comment, version=version
            )
            continue
        if key[0] not in platforms:
            continue  # no credentials on this machine: settled by a run that has them
        # Answered as the stopped run would have answered its intent.
        order = Order(*key, decision, who, reason, category, operation, comment, version)
        settled[key] = _send(run, platforms[key[0]], log, order, archive)
    return settled


def _send(
    run: Tally,
    platform: Platform,
    log: ModerationLog,
    order: Order,
    archive: CommentArchive | None,
) -> str | None:
    """A decision of the run, applied (`_apply`) and counted, or None: not sent to a platform
    whose limit a decision met, or that refused the credentials, earlier in the run (each
    would be refused the same way). Counted then as held back or not sent; it stays pending,
    and the next run sends it."""
    if order.platform in run.limited:
        run.put_off("held", order.decision)
        return None
    if order.platform in run.refusing:
        run.put_off("refused", order.decision)
        return None
    result = _apply(platform, log, order, archive)
    _count(run, order.platform, order.comment_id, order.decision, result)
    return result


def _count(run: Tally, platform: str, comment_id: str, decision: str, result: str) -> None:
    """Count a hide applied, a decision a platform's limit held back (the platform joins
    `limited`, asked nothing more in the run), or one the platform refused (one refusing the
    credentials joins `refusing`, asked nothing more in the run), and name the refusal."""
    if result == "applied":
        if decision == "hide":
            run.counts["hide"] += 1
        return
    # The platform's message may quote what it was sent: shown, never acted on.
    run.say(printable(f"moderate: {platform}:{comment_id}: {decision} {result}"))
    if result.startswith(GONE_WITH_POST):
        return  # final: said once, and the comment is recorded as gone
    if result.startswith(HELD_BACK):
        run.put_off("held", decision)
        run.limited.add(platform)
    else:
        run.counts["failed"] += 1  # tried again by the next run (a hide of the classifier's)
        if result.startswith(REFUSED):
            run.refusing.add(platform)


def _classified(comment: CommentState, post_text: str, policy: ModerationPolicy) -> Decision:
    """The classifier's decision on a comment's latest version, with what only a person can
    judge."""
    decision = classify(comment.id, comment.text, post_text, policy)
    return with_a_person(decision, for_a_person(comment.versions[-1]))


def _decided_by_a_person(status: Status | None, version: int) -> bool:
    """A person's decision applied on this comment version, taken before it was classified
    (on the text the report showed): it wins over the classifier's for that version. One on
    an earlier version does not, since the text it judged has changed."""
    if status is None or status.decided_version != version:
        return False
    return status.decision is not None and status.decided_by != CLASSIFIER


def _hidden_by_the_classifier(status: Status) -> bool:
    """Hidden by the classifier itself on this version, and not yet put before a person."""
    hidden = status.hidden and status.decided_by == CLASSIFIER and status.decided_this_version
    return hidden and not status.hidden_under_earlier_policy


def for_review_again(decision: Decision, status: Status) -> Decision:
    """A comment the classifier hid, which the policy in force would not let it hide: for a
    person, marked as hidden under an earlier policy (it stays hidden until they decide)."""
    note = {
        "matched": [status.category] if status.category else [],
        "reason": f"{HIDDEN_UNDER_EARLIER_POLICY} (as {status.category or 'a reason'}): the "
        "classifier may no longer hide it (policy/moderation.yml); it stays hidden until a "
        "person decides",
        "clause": "a person decides whether it stays hidden",
    }
    return replace(decision, action="review", evidence={EARLIER_POLICY: note, **decision.evidence})


def for_a_person(version: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a comment's version asks of a person that its text cannot tell the classifier, as
    evidence for the review queue: a photo, sticker or GIF with no words, which the classifier
    would keep for want of any; a comment the platform holds back from the public, which
    keeping would leave unseen for good, and which only the City's review may publish."""
    notes: dict[str, dict[str, Any]] = {}
    attachment = version.get("attachment")
    if attachment and not str(version.get("text") or "").strip():
        notes["attachment_only"] = {
            "matched": [_shown(attachment)],
            "reason": f"{attachment.get('type') or 'an attachment'} with no text: the "
            "classifier reads only text",
            "clause": "a person looks at what it shows",
        }
    state = version.get("moderation_status")
    if state in HELD:
        notes["held_by_platform"] = {
            "matched": [],
            "reason": f"the platform holds it back from the public ({state}) until the City "
            "publishes or rejects it",
            "clause": "the City's review decides: keep publishes it, hide rejects it",
        }
    return notes


def _shown(attachment: dict[str, Any]) -> str:
    """Where to see an attachment: its picture (a photo, sticker, GIF, a video's frame), or
    else its link."""
    return next(iter(attachment_sources(attachment)), "")


def with_a_person(decision: Decision, notes: dict[str, dict[str, Any]]) -> Decision:
    """The classifier's decision with what only a person can judge: a comment it would keep
    goes to review instead (a hide its evidence allows stands)."""
    if not notes:
        return decision
    action = "review" if decision.action == "keep" else decision.action
    return replace(decision, action=action, evidence={**decision.evidence, **notes})


def _hide_pending(status: Status) -> bool:
    """A hide the classifier allowed for this version but never applied (the platform refused
    it, or the run stopped before it), and that no person has decided about since."""
    untouched = status.tried_by in (None, CLASSIFIER)
    unapplied = not status.decided_this_version
    return status.action == "hide" and unapplied and untouched


def _hide_no_longer_allowed(status: Status, policy: ModerationPolicy) -> bool:
    """A hide the classifier never applied (the platform refused it, or the run stopped before
    it) that the policy in force no longer lets it make: retrying it would break today's rules,
    and skipping it would leave a public comment nobody reviews."""
    return _hide_pending(status) and hiding_category(status.evidence, policy) is None


def decide(
    settings: Settings,
    content_dir: Path,
    comment: str,
    decision: str,
    reason: str,
    who: str,
    category: str | None = None,
    say: Callable[[str], None] = print,
) -> str:
    """A reviewer's decision, applied on the platform and logged with who, when and why, and
    the comment version it is about: the latest collected, which the report shows. One edited
    since `invoke moderate` last ran is decided all the same, and `say` warns of it."""
    if decision not in DECISIONS:
        raise DecisionError(f"decision: '{decision}' is not keep or hide")
    if not reason.strip():
        raise DecisionError("--reason: say why; the decision is a public record")
    log = ModerationLog(settings.records_dir)
    archive = CommentArchive(settings.records_dir)
    matches = [
        s
        for s in log.statuses().values()
        if comment in (s.comment_id, f"{s.platform}:{s.comment_id}")
    ]
    comments = archive.state()
    if not matches:
        raise DecisionError(_not_classified(comment, comments))
    if len(matches) != 1:
        raise DecisionError(
            f"{comment}: more than one collected comment has this id (use platform:id)"
        )
    status = matches[0]
    comment_now = comments.get((status.platform, status.comment_id))
    if comment_now is not None and comment_now.deleted:
        raise DecisionError(_gone(comment_now))
    version = status.version if comment_now is None else comment_now.version
    if version > status.version:
        say(
            f"warning: {status.platform}:{status.comment_id}: its version {version} is not "
            f"classified yet (the classifier's view is of version {status.version}); the "
            f"decision is recorded as about version {version}, the text the report shows"
        )
    if decision == "hide":
        if not category:
            category = _the_category_found(status, say)
        if category not in CATEGORIES:
            raise DecisionError(
                "--category: hiding needs one of the policy's reasons: " + ", ".join(CATEGORIES)
            )
    with redacted_logs(settings.secrets):
        platform = make_platforms(settings, content_dir).get(status.platform)
        if platform is None:
            raise DecisionError(f"{status.platform}: no credentials to apply the decision")
        category = category if decision == "hide" else None
        order = Order(
            status.platform,
            status.comment_id,
            decision,
            who,
            reason,
            category,
            comment=comment_now,
            version=version,
        )
        return _apply(platform, log, order, archive)


def _the_category_found(status: Status, say: Callable[[str], None]) -> str | None:
    """The policy's reason a hide without `--category` is for: the one category the classifier
    found, said so; None when it found none. Found in several, the reviewer says which."""
    found = [category for category in status.categories if category in CATEGORIES]
    if len(found) > 1:
        raise DecisionError(
            f"--category: the classifier found {', '.join(found)}; give the one the hide is for"
        )
    if found:
        say(f"--category {found[0]}: the one category the classifier found")
    return next(iter(found), None)


def _not_classified(comment: str, comments: Mapping[tuple[str, str], CommentState]) -> str:
    """Why `decide` cannot take a comment the moderation log has no line of: the City's own
    answer (never moderated), one gone before it was classified, one collected since the
    last `invoke moderate`, or one never collected."""
    found = [c for c in comments.values() if comment in (c.id, f"{c.platform}:{c.id}")]
    if len(found) != 1:
        many = "more than one" if found else "no"
        return f"{comment}: {many} collected comment has this id (use platform:id)"
    (collected,) = found
    name = f"{collected.platform}:{collected.id}"
    if collected.by_city:
        return f"{name} is the City's own answer: never moderated"
    if collected.deleted:
        return _gone(collected)
    return f"{name} is collected but not classified yet: run `invoke moderate` first"


def _gone(comment: CommentState) -> str:
    """Why `decide` refuses a comment gone from the platform: nothing is left there to keep or
    hide (Graph answers that it does not exist)."""
    when = city_time(str(comment.versions[-1].get("time", "")))
    return (
        f"{comment.platform}:{comment.id}: {comment.removal} on {when}; "
        "nothing to decide (its versions stay in the records)"
    )


def _apply(
    platform: Platform, log: ModerationLog, order: Order, archive: CommentArchive | None
) -> str:
    """Apply a decision on the platform and record it. Its intent is recorded before the
    platform is asked, so that a run killed mid-call leaves who, why and the clause of what it
    may have done; the next run settles it, answering that intent (the order's `operation`). A
    comment the platform answers does not exist whose post is gone from it too (`_not_found`)
    is recorded in `archive` as removed with its post."""
    # What the intent and decision lines both say of it.
    said = (
        order.platform,
        order.comment_id,
        order.decision,
        order.who,
        order.reason,
        order.category,
    )
    operation = order.operation or log.intend(*said, order.comment, version=order.version)
    try:
        platform.hide_comment(order.comment_id, order.decision == "hide")
        result = "applied"
    except (RateLimited, QuotaExhausted) as error:
        result = held_back(error)
    except NotFound as error:
        result = _not_found(platform, order.platform, order.comment, archive, error)
    except AuthError as error:
        result = refused(error)
    except AnswerLost as error:
        # The platform may have carried it out (a 5xx, a dropped answer): a failure, tried
        # again as any is, but a hide so answered may be in force (`Status.maybe_hidden`).
        result = f"{ANSWER_LOST}: {error}"
    except PlatformError as error:
        result = f"failed: {error}"
    log.decided(*said, result, operation, order.comment, version=order.version)
    return result


def _not_found(
    platform: Platform,
    name: str,
    comment: CommentState | None,
    archive: CommentArchive | None,
    error: NotFound,
) -> str:
    """The result of a decision the platform answered the comment does not exist for. Graph
    gives that answer for a comment that went with its post, deleted on facebook.com, and for
    a Page token that lost its permissions alike; asked about the post and the Page, it tells
    them apart (`Platform.post_gone`). The post gone, the comment went with it: recorded so,
    with the post's other comments, as a withdrawn post's are, and final. Otherwise a failure,
    tried again by the next run: a hide given up on would leave public a comment the policy
    removes."""
    if comment is None or archive is None:
        return f"failed: {error}"
    try:
        gone = platform.post_gone(comment.post_id)
    except (RateLimited, QuotaExhausted) as limit:
        return held_back(limit)
    except AuthError as check:
        return f"{REFUSED}: {error}; {check}"
    except PlatformError as check:
        return f"failed: {error}; {check}"
    if not gone:
        return f"failed: {error}"
    archive.removed_with_post(comment.announcement, name, comment.post_id, deleted_on_platform=True)
    return (
        f"{GONE_WITH_POST} ({platform.label} knows the post no more, while it answers for the "
        "account itself): nothing is left there to decide, and its comments are recorded as "
        "removed with it"
    )
