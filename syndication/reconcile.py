"""Deciding what to do: manifest + ledger → planned actions. Pure, so a plan can be printed
(`--dry-run`) and tested without any network.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from announcements.addresses import ANNOUNCEMENT_URL

from .ledger import CREATE, UPDATE, WITHDRAW, Record
from .manifest import Entry, Manifest


@dataclass(frozen=True)
class Action:
    kind: str
    platform: str
    entry: Entry
    record: Record | None = None

    @property
    def interrupted(self) -> bool:
        """A previous run stopped between its intent and the outcome of this very action."""
        return bool(self.record and self.record.pending)

    def describe(self) -> str:
        return f"{self.platform}: {self.kind} {self.entry.id} ({self.entry.url})"


def priority(entry: Entry) -> tuple[bool, datetime, str]:
    """Urgent alerts first, then oldest first (in time, whatever offset each date has)."""
    return (not entry.urgent, entry.published, entry.id)


def needs_update(entry: Entry, record: Record, platform: str) -> bool:
    post_hash = entry.posts[platform].get("hash")
    return record.hash != post_hash or bool(untold_corrections(entry, record))


def told_corrections(entry: Entry, record: Record) -> list[str]:
    """The notes of the corrections the platform was told. An older ledger recorded only how
    many: then the entry's first that many, as that code took them."""
    if isinstance(record.corrections, int):
        return entry.correction_notes[: record.corrections]
    return record.corrections


def untold_corrections(entry: Entry, record: Record) -> list[str]:
    """The entry's correction notes the platform was not told, oldest first: those added, and
    one written over an earlier one (`correction:` is a single note, dated by `modified`)."""
    told = told_corrections(entry, record)
    return [note for note in entry.correction_notes if note not in told]


def built_before_last_run(entry: Entry, record: Record) -> bool:
    """The build has the announcement as it was before a change a run already carried out on
    this platform (from a newer build, recorded in a copy of the records since joined): acting
    on it would undo that change, posting again what was withdrawn or reverting a correction.
    Unknown (a manifest or ledger from before `updated` was recorded): not older."""
    times = _updated_times(entry, record)
    return times is not None and times[0] < times[1]


def withdrawal_undated(entry: Entry, record: Record) -> bool:
    """Withdrawn, or put back, with the time of the change a run carried out before (the
    `modified` of a correction left as it was): a build from before the withdrawal says the
    same time, so no run can tell which of the two is newer, and acting on either could undo
    the other (posting again what was withdrawn). Neither is acted on until `modified` gives
    the time of the withdrawal. Unknown times: not so."""
    times = _updated_times(entry, record)
    same = times is not None and times[0] == times[1]
    # A withdrawal a run began (X: a reply deleted, the post not yet) recorded its own time:
    # the build that has it withdrawn is the one to carry it on.
    return same and entry.withdrawn != (record.withdrawn or record.withdrawing)


def _updated_times(entry: Entry, record: Record) -> tuple[datetime, datetime] | None:
    """The build's last change of the announcement and the last a run carried out here, as
    moments; None where either is unknown (a manifest or ledger from before it was kept)."""
    if entry.updated is None or record.updated is None:
        return None
    return datetime.fromisoformat(entry.updated), datetime.fromisoformat(record.updated)


def not_to_act_on(entry: Entry, record: Record) -> bool:
    """The build's announcement is not acted on here, but reported (`built_before_problem`)."""
    return built_before_last_run(entry, record) or withdrawal_undated(entry, record)


def built_before(
    manifest: Manifest,
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[tuple[Entry, Record]]:
    """Each announcement, per platform, the manifest has as it was before what a run already
    carried out there (`built_before_last_run`), or withdrawn or put back without a time of
    its own (`withdrawal_undated`): not acted on, but reported."""
    return [
        (entry, record)
        for platform in platforms
        for entry in manifest.entries
        for record in [records.get((entry.id, platform))]
        if record and not_to_act_on(entry, record)
    ]


# What to do about a build older than what a run already posted, in the CEC's words.
REBUILD = "rebuild from the current content (`invoke build`, after `git pull`) and run again"


def built_before_problem(entry: Entry, record: Record) -> str:
    """What is wrong with a build older than what was posted (or one no run can tell from
    such: `withdrawal_undated`), and what to do, in the CEC's words."""
    if withdrawal_undated(entry, record):
        change, was = (
            ("withdrawn", "withdrawn")
            if entry.withdrawn
            else ("published again after its withdrawal", "published again")
        )
        return (
            f"it is {change} with the `modified` of the change a run already carried out on "
            f"{record.platform} ({record.updated}), so this build cannot be told from one made "
            f"before it, which it would undo. Nothing was sent: give `modified` the time it was "
            f"{was} (City time), then build and run again"
        )
    return (
        f"the build this run read is older than what was posted on {record.platform}: it has "
        f"the announcement as of {entry.updated}, and a run already carried out its change of "
        f"{record.updated} (from a newer build). Nothing was sent, as that would undo it: "
        f"{REBUILD}; if the announcement was changed back since, give it a `modified` after "
        f"{record.updated}"
    )


def built_before_posting_problem(record: Record) -> str:
    """What is wrong with a build that lacks an announcement a run posted from a newer build,
    though the content puts it on the site (built before it was committed), and what to do,
    in the CEC's words: it is not to be put back as withdrawn (`_off_the_site`)."""
    return (
        f"the build this run read is older than what was posted on {record.platform}: it does "
        "not have the announcement, which the content puts on the site and a run already "
        f"posted (from a newer build). Nothing was sent: {REBUILD}"
    )


def still_public(record: Record) -> bool:
    """Something the City posted for it is still up: the post, the City's replies to it (X)
    that a withdrawal recorded before replies were taken down with their post left, or a
    second post of it (`Record.duplicates`)."""
    left = bool(record.replies_up or record.duplicates)
    return record.posted and (not record.withdrawn or left)


def duplicated(
    listed: Mapping[str, Collection[str] | None],
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[tuple[Record, str]]:
    """Each second post of an announcement (`Record.duplicates`) with the record of its first,
    per platform: reported, as no run keeps it in step; those of an announcement withdrawn
    (`listed` as posted nowhere) are left out, as its withdrawal takes them down."""
    wanted = set(platforms)
    return [
        (record, duplicate)
        for (announcement, platform), record in sorted(records.items())
        if platform in wanted and listed.get(announcement, ()) is not None
        for duplicate in record.duplicates
    ]


def duplicate_problem(record: Record, duplicate: str, label: str) -> str:
    """What is wrong with a second post of an announcement, and what to do, in the CEC's
    words."""
    second = record.duplicates.get(duplicate) or duplicate
    return (
        f"two posts of one announcement on {label}: {record.url or record.remote_id} (kept in "
        f"step with the page) and {second}, made by a run on a stale copy of the records "
        "before the copies were joined, kept in step with nothing. Delete the second on "
        f"{label} (its comments are collected into the records until then, as the first's "
        "are); the next run notes it gone. A withdrawal takes both down"
    )


def kept_on(withdrawn: bool, platforms: Collection[str]) -> Collection[str] | None:
    """Where runs keep an announcement's posts in step: the platforms it is posted to, or
    None (every one) when it is withdrawn, as its withdrawal takes its posts down wherever
    they are."""
    return None if withdrawn else platforms


def posted_to(manifest: Manifest) -> dict[str, Collection[str] | None]:
    """Each announcement the manifest lists, with where its posts are kept in step (`kept_on`)."""
    return {entry.id: kept_on(entry.withdrawn, entry.posts.keys()) for entry in manifest.entries}


def no_longer_wanted(record: Record, listed: Mapping[str, Collection[str] | None]) -> bool:
    """Nothing is left for a run to do with the announcement of `record` on its platform: it
    is on the site but no longer posted there (withdrawn, or taken out of its `syndicate:`),
    and nothing it posted there is up or may be (no create left open). A deferral or failure
    of it is then moot: no run will act on it again."""
    if record.announcement not in listed or record.pending or still_public(record):
        return False
    kept = listed[record.announcement]
    return kept is None or record.platform not in kept


def withdrawal_interrupted(record: Record) -> bool:
    """A previous run stopped between deleting the post itself (not one of its X replies)
    and recording that it did: the post may be gone though the ledger says it is up."""
    pending = record.pending
    return bool(pending and pending["action"] == WITHDRAW and not pending.get("reply_id"))


def reply_deletion_interrupted(record: Record) -> bool:
    """A previous run stopped between deleting one of the City's X replies (a withdrawal's
    first deletions) and recording that it did: the reply may be gone though the ledger says
    it is up, and with it what it told."""
    pending = record.pending
    return bool(pending and pending["action"] == WITHDRAW and pending.get("reply_id"))


def left_behind(
    listed: Mapping[str, Collection[str] | None],
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[tuple[Record, str]]:
    """The records, per platform, of posts still up that no run keeps in step, each with what
    is wrong and what to do: those of announcements not `listed` (`posted_to`: set back to
    a draft, dated after now, deleted or renamed), whose posts link to a page that is not
    there, and those on a platform a listed announcement is no longer posted to (taken out of
    its `syndicate:`), left as they were. Never taken down by themselves: a renamed file, or
    one deleted or edited by mistake, must not take posts down; each is reported instead."""
    wanted = set(platforms)
    found = []
    for (announcement, platform), record in sorted(records.items()):
        if platform not in wanted or not still_public(record) or record.removed_elsewhere:
            continue
        if announcement not in listed:
            found.append((record, _off_the_site(record)))
        elif (kept := listed[announcement]) is not None and platform not in kept:
            found.append((record, _off_the_platform(record)))
    return found


def unrecorded_left_behind(
    listed: Collection[str],
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[Record]:
    """The records, per platform, of creates a stopped run left open (the post may be up,
    unrecorded) for announcements not `listed`: their posts are looked for, and adopted, so
    that `left_behind` knows them."""
    wanted = set(platforms)
    return [
        record
        for (announcement, platform), record in sorted(records.items())
        if platform in wanted
        and announcement not in listed
        and record.pending
        and record.pending["action"] == CREATE
    ]


def removed_with_news(
    manifest: Manifest,
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[Record]:
    """The records of posts removed on the platform itself (`Record.removed_elsewhere`) whose
    announcement has changed since: the change cannot reach them, and is not sent."""
    return [
        record
        for entry in manifest.entries
        for platform in platforms
        if platform in entry.posts and not entry.withdrawn
        for record in [records.get((entry.id, platform))]
        if record and record.removed_elsewhere and needs_update(entry, record, platform)
    ]


def removed_elsewhere_problem(record: Record, label: str) -> str:
    """What is wrong with a post `removed_elsewhere` (on the platform `label` names), and what
    the CEC may do, in its words."""
    return (
        f"removed on {label} outside this system (by someone with access, or by the "
        "platform), never withdrawn: a change to the announcement is not sent to it. To post "
        f"it again, withdraw the announcement openly with {WITHDRAWAL_FIELDS}, run, then "
        "publish it again; or leave it off the platform"
    )


# What withdrawing an announcement openly takes, as the content model requires it.
WITHDRAWAL_FIELDS = "`status: withdrawn`, a `withdrawn_reason` and `modified` (when)"


def _off_the_site(record: Record) -> str:
    """A post of an announcement no longer on the site, and what to do, in the CEC's words.
    The file is named by its page's address: the address is made from the file's name
    (lowercase, dots dropped), but the name cannot be told from it."""
    address = ANNOUNCEMENT_URL.format(slug=record.announcement)
    return (
        "no longer on the site (set back to a draft, dated after now, deleted or renamed), but "
        f"still posted on {record.platform}, linking to a page that is not there. It is not "
        "taken down by itself, as a renamed or deleted file must not take posts down: to take "
        f"it down, put back the file that was published at {address} as it was published "
        f"(the name that address was made from, and its date) with {WITHDRAWAL_FIELDS}; if "
        "it was only renamed, give it back that name instead"
    )


def _off_the_platform(record: Record) -> str:
    """A post on a platform its announcement is no longer posted to, and what to do."""
    platform = record.platform
    video = " (with its `video:`)" if platform == "youtube" else ""
    why = "taken out of its `syndicate:`" + (", or its `video:` removed" if video else "")
    return (
        f"no longer posted to {platform} ({why}), but its post there "
        "is still up, no longer kept in step with the page. It is not taken down by itself, "
        "as an edit must not take posts down: to take it down, withdraw the announcement "
        f"openly with {WITHDRAWAL_FIELDS} (the next run takes its posts down on every "
        f"platform); to keep it, put {platform} back in its "
        f"`syndicate:`{video}"
    )


def plan(
    manifest: Manifest,
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[Action]:
    """Only what is needed, per platform, in priority order."""
    actions = []
    ordered = sorted(manifest.entries, key=priority)
    for platform in platforms:
        for entry in ordered:
            record = records.get((entry.id, platform))
            action = _decide(entry, record, platform)
            if action:
                actions.append(Action(action, platform, entry, record))
    return actions


def _decide(entry: Entry, record: Record | None, platform: str) -> str | None:
    if record and not_to_act_on(entry, record):
        return None  # reported instead (`built_before`)
    pending_create = bool(record and record.pending and record.pending["action"] == CREATE)
    if entry.withdrawn:
        # A create left open (its post may be up) is taken down even if an earlier post of
        # the same announcement already was.
        if record and (pending_create or still_public(record)):
            return WITHDRAW
        return None
    if platform not in entry.posts:
        return None
    if record is None or not record.posted or record.withdrawn:
        return CREATE
    if record.removed_elsewhere:
        # Not up, and never withdrawn: whether to post it again is the CEC's decision (by a
        # withdrawal and reinstatement), never made silently here.
        return None
    if withdrawal_interrupted(record):
        # Reinstated while its withdrawal was unrecorded: the post may be gone. Recovery
        # looks for it first, and posts again only if it is not there.
        return CREATE
    if record.pending and record.pending["action"] == UPDATE:
        return UPDATE
    if reply_deletion_interrupted(record):
        # Reinstated while a reply's deletion was unrecorded: recovery settles it first, and
        # what a deleted reply told is told again.
        return UPDATE
    return UPDATE if needs_update(entry, record, platform) else None
