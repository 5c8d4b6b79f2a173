"""`invoke verify-history`: git history proves that only authorized people published.

Every commit on the first-parent history of the branch after `enforce_from` that touches
`content/` or `policy/` must be signed (git SSH signatures) by a key listed in
`policy/posters.yml` as of its parent, and either be by the CEC, or be the CEC's merge of a
branch whose commits are all by listed posters (the CEC's permission). Only the CEC may change
`policy/posters.yml`. Verification is git's own (`gpg.format=ssh` with an allowed-signers
file generated from the posters list).

Where the rules start is read from the history, never taken from the commit being checked: it
is the first commit `enforce_from` named on the first-parent history, and each commit is
checked against the posters list as the last commit that passed left it. A later change of
`enforce_from` is a change to the posters file like any other: it moves the start forward only
once it has passed, so no commit can exempt itself, or the commits before it, from the rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archive.index import printable

from .git_command import run_git
from .policy_file import parse_yaml

POSTERS = "policy/posters.yml"
WATCHED = ("content/", "policy/")
ROLES = ("cec", "employee")
KEY_TYPES = ("ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-nistp256 ", "sk-ssh-ed25519@openssh.com ")
# enforce_from names a commit by its full id (SHA-1 or SHA-256): a branch, a tag or HEAD moves
# with the very history it is meant to check.
FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# How much of a value of the posters file a message quotes: a full commit id whole (64 hex
# digits for SHA-256), no more of a longer value, whose start says which it is.
QUOTED_LENGTH = 64


class HistoryError(Exception):
    """The posters file or the repository cannot be read; the message says which."""


@dataclass(frozen=True)
class Poster:
    name: str
    email: str
    role: str
    key: str


@dataclass(frozen=True)
class Posters:
    people: tuple[Poster, ...]
    enforce_from: str | None

    def by_email(self, email: str) -> Poster | None:
        return next((p for p in self.people if p.email.lower() == email.lower()), None)

    def allowed_signers(self) -> str:
        return "".join(f'{p.email} namespaces="git" {p.key}\n' for p in self.people)


@dataclass(frozen=True)
class Finding:
    commit: str
    author: str
    problem: str

    def __str__(self) -> str:
        # Anyone may commit under any name (and a posters file may hold anything): a terminal
        # would act on the escape sequences in either, hiding or forging the findings.
        return printable(f"{self.commit[:10]} {self.author}: {self.problem}")


def _quoted(value: object) -> str:
    """A value of the posters file as a message names it: in quotes, cut short, each control
    character written out as in an author's name (see `Finding`), which a terminal would act
    on. The file may hold anything: a message says what to fix there, on one line."""
    text = str(value)
    cut = text if len(text) <= QUOTED_LENGTH else f"{text[:QUOTED_LENGTH]}…"
    return f"'{printable(cut)}'"


def parse_posters(text: str, where: str = POSTERS) -> Posters:
    """Validate the posters file; errors name the file, the entry and the field."""
    data = parse_yaml(text, where, HistoryError) or {}
    if not isinstance(data, dict) or not isinstance(data.get("posters"), list):
        raise HistoryError(f"{where}: expected 'posters:' with a list of people")
    people: list[Poster] = []
    for index, entry in enumerate(data["posters"]):
        label = f"{where}: posters[{index}]"
        if not isinstance(entry, dict):
            raise HistoryError(f"{label}: expected name, email, role and key")
        missing = [f for f in ("name", "email", "role", "key") if not entry.get(f)]
        if missing:
            raise HistoryError(f"{label}: missing {', '.join(missing)}")
        if entry["role"] not in ROLES:
            raise HistoryError(
                f"{label}: role: {_quoted(entry['role'])} is not one of {', '.join(ROLES)}"
            )
        key = " ".join(str(entry["key"]).split()[:2])
        if not key.startswith(KEY_TYPES):
            raise HistoryError(f"{label}: key: expected an SSH public key ('ssh-ed25519 AAAA…')")
        poster = Poster(str(entry["name"]), str(entry["email"]), entry["role"], key)
        _refuse_shared(poster, people, label)
        people.append(poster)
    enforce_from = data.get("enforce_from")
    return Posters(tuple(people), str(enforce_from) if enforce_from else None)


def _refuse_shared(poster: Poster, listed: list[Poster], label: str) -> None:
    """Refuse an entry whose email or key is an earlier entry's. Git names a commit's signer
    by the email listed with its key, so with one email on two entries (an office's shared
    mailbox, a copied entry) an employee's commit would be judged as the CEC's, and with one
    key on two, either person could be taken for the other."""
    for index, earlier in enumerate(listed):
        if earlier.email.lower() == poster.email.lower():
            raise HistoryError(
                f"{label}: email: {_quoted(poster.email)} is posters[{index}]'s too; give each "
                "person their own address (git names the signer of a commit by it)"
            )
        if earlier.key == poster.key:
            raise HistoryError(
                f"{label}: key: the same key as posters[{index}]'s; each person signs with "
                "their own key"
            )


class Repository:
    """The few git questions verify-history asks."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_git("-C", str(self.path), *args, error=HistoryError)

    def git(self, *args: str, check: bool = True) -> str:
        result = self._run(*args)
        if check and result.returncode != 0:
            raise HistoryError(f"git {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def posters_at(self, commit: str) -> Posters | None:
        result = self._run("show", f"{commit}:{POSTERS}")
        if result.returncode != 0:
            return None
        return parse_posters(result.stdout, f"{POSTERS} at {commit[:10]}")

    def enforce_from_at(self, commit: str) -> str | None:
        """`enforce_from` as written at `commit`, whatever else its posters file holds."""
        text = self.git("show", f"{commit}:{POSTERS}", check=False)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return None
        named = data.get("enforce_from") if isinstance(data, dict) else None
        return str(named).strip() if named else None

    def first_parent_commits(self, since: str, branch: str) -> list[str]:
        return self.git("rev-list", "--first-parent", "--reverse", f"{since}..{branch}").split()

    def first_parent_history(self, head: str) -> list[str]:
        return self.git("rev-list", "--first-parent", "--reverse", head).split()

    def posters_changes(self, head: str) -> list[str]:
        """The commits on the first-parent history that change the posters file, oldest first."""
        return self.git("rev-list", "--first-parent", "--reverse", head, "--", POSTERS).split()

    def parents(self, commit: str) -> list[str]:
        return self.git("rev-list", "--parents", "-n", "1", commit).split()[1:]

    def changed(self, base: str | None, commit: str) -> list[str]:
        # NUL-separated and unquoted: git otherwise quotes a name with an accent or a space
        # ("content/f\303\252te.md"), which would then not look like a watched path. Without
        # rename detection: a move lists both paths, not only the new one (a file moved out
        # of content/ leaves the site, and must count as a change to content/).
        if base is None:
            out = self.git("show", "--name-only", "--no-renames", "--format=", "-z", commit)
        else:
            out = self.git("diff", "--name-only", "--no-renames", "-z", base, commit)
        return [name for name in out.split("\0") if name]

    def branch_commits(self, merge: str) -> list[str]:
        first, *others = self.parents(merge)
        return [c for other in others for c in self.git("rev-list", f"{first}..{other}").split()]

    def signature(self, commit: str, signers_file: Path) -> tuple[str, str, str]:
        """(status, signer principal, author) as git verifies it: G good, N none, U unknown key."""
        out = self.git(
            "-c",
            "gpg.format=ssh",
            "-c",
            f"gpg.ssh.allowedSignersFile={signers_file}",
            "log",
            "-1",
            "--format=%G?%x00%GS%x00%an",
            commit,
        )
        status, signer, author = out.rstrip("\n").split("\x00")
        return status, signer, author


def _touches(paths: list[str]) -> bool:
    return any(path.startswith(WATCHED) for path in paths)


# A change to these rules verifies every commit again, not only the new ones.
RULES = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def verify(
    repo_path: Path,
    since: str | None = None,
    branch: str = "HEAD",
    remembered: Path | None = None,
) -> Iterator[Finding]:
    """Yield one finding per commit that breaks the rules.

    With `remembered` (a file), a run that finds nothing records the commit it verified up
    to, and where the rules applied from there; the next run without `since` starts there: a
    commit's content, parents and signature never change, so neither does its verdict. The
    record is ignored when these rules changed, or history was rewritten past it.
    """
    repo = Repository(repo_path)
    if repo.posters_at(branch) is None:
        raise HistoryError(f"{POSTERS}: not found on {branch}")
    head = repo.git("rev-parse", branch).strip()
    order = {commit: index for index, commit in enumerate(repo.first_parent_history(head))}
    with tempfile.TemporaryDirectory() as scratch:
        if since is not None:
            # The operator's own starting point: every commit after it is reported.
            start = repo.git("rev-parse", "--verify", f"{since}^{{commit}}").strip()
            yield from _walk(repo, start, head, Path(scratch), order=None).findings
            return
        resumed = _recall(remembered, order) if remembered is not None else None
        start, applies_from = resumed or (_rules_start(repo, head, order),) * 2
        walked = _walk(repo, start, head, Path(scratch), order, applies_from)
        _check_enforce_from(walked, order)
        yield from walked.findings
    if not walked.findings and remembered is not None:
        remembered.parent.mkdir(parents=True, exist_ok=True)
        record = {"enforce_from": walked.applies_from, "rules": RULES, "verified": head}
        remembered.write_text(json.dumps(record) + "\n", encoding="utf-8")


def _names_a_commit_before(named: str, commit: str, order: dict[str, int]) -> bool:
    """Whether `named` is the full id of a commit before `commit` on the first-parent history."""
    return FULL_ID.fullmatch(named) is not None and order.get(named, len(order)) < order[commit]


def _unusable(named: str | None) -> HistoryError:
    if not named:
        return HistoryError(
            f"{POSTERS}: enforce_from is empty; set it to the commit from which "
            "the rules apply, or pass --since"
        )
    return HistoryError(
        f"{POSTERS}: enforce_from: {_quoted(named)} is not the full id (40 hex digits) of a commit "
        "before it on the first-parent history; set it to the commit from which the rules "
        "apply, or pass --since"
    )


def _rules_start(repo: Repository, head: str, order: dict[str, int]) -> str:
    """The first commit enforce_from named on the first-parent history: where the rules start.

    Not the value on `head`, which the commits being checked could have set.
    """
    for commit in repo.posters_changes(head):
        named = repo.enforce_from_at(commit)
        if named and _names_a_commit_before(named, commit, order):
            return named
    raise _unusable(repo.enforce_from_at(head))


@dataclass
class _Walked:
    findings: list[Finding]
    applies_from: str
    trusted: Posters | None  # the posters list as the last commit that passed left it


def _walk(
    repo: Repository,
    start: str,
    head: str,
    scratch: Path,
    order: dict[str, int] | None,
    applies_from: str | None = None,
) -> _Walked:
    """Check the commits after `start`, each against the list the commits before it passed.

    With `order` (the first-parent history), a commit that passes and moves enforce_from
    forward starts the check again from there, trusting the list as it is there.
    """
    walked = _Walked([], applies_from or start, repo.posters_at(start))
    commits = deque(repo.first_parent_commits(start, head))
    while commits:
        commit = commits.popleft()
        parents = repo.parents(commit)
        changed = repo.changed(parents[0] if parents else None, commit)
        found = list(_check(repo, commit, parents, changed, walked.trusted, scratch))
        walked.findings += found
        if found or POSTERS not in changed:
            continue
        try:
            listed = repo.posters_at(commit)
        except HistoryError as error:
            # Named on its commit, like any other broken rule; the commits after are checked
            # against the list before it, so the CEC's signed fix can move enforce_from past
            # it instead of every later check stopping here.
            author = repo.git("log", "-1", "--format=%an", commit).strip()
            walked.findings.append(Finding(commit, author, f"leaves {POSTERS} unusable: {error}"))
            continue
        walked.trusted = listed
        named = walked.trusted.enforce_from if walked.trusted else None
        if (
            order is not None
            and named
            and _names_a_commit_before(named, commit, order)
            and order[named] > order[walked.applies_from]
        ):
            walked = _Walked([], named, repo.posters_at(named))
            commits = deque(repo.first_parent_commits(named, head))
    return walked


def _check_enforce_from(walked: _Walked, order: dict[str, int]) -> None:
    """Refuse an enforce_from the checked history set but cannot be used."""
    named = walked.trusted.enforce_from if walked.trusted else walked.applies_from
    if named == walked.applies_from:
        return
    if named is None or FULL_ID.fullmatch(named) is None or named not in order:
        raise _unusable(named)
    raise HistoryError(
        f"{POSTERS}: enforce_from: {_quoted(named)} is before {walked.applies_from[:10]}, where "
        "the rules already apply: it only moves forward; to check the commits before, pass --since"
    )


def _recall(remembered: Path, order: dict[str, int]) -> tuple[str, str] | None:
    """(The commit verified up to, where the rules applied there), if made under these rules."""
    try:
        stored = json.loads(remembered.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("rules") != RULES:
        return None
    verified, applies_from = str(stored.get("verified")), str(stored.get("enforce_from"))
    # Both on the first-parent history, in that order: otherwise it was rewritten.
    if order.get(applies_from, len(order)) > order.get(verified, -1):
        return None
    return verified, applies_from


def _check(
    repo: Repository,
    commit: str,
    parents: list[str],
    changed: list[str],
    posters: Posters | None,
    scratch: Path,
) -> Iterator[Finding]:
    """The findings on one commit, checked against `posters` (None: no list before it)."""
    if not _touches(changed):
        return
    if posters is None:
        # The commit that first adds the posters file is checked against itself: it must be
        # signed by a CEC it lists.
        posters = repo.posters_at(commit)
        if posters is None:
            _, _, author = repo.signature(commit, scratch / "none")
            yield Finding(commit, author, f"no {POSTERS} before this commit to authorize it")
            return
    signers = scratch / f"{commit}.allowed"
    signers.write_text(posters.allowed_signers(), encoding="utf-8")
    signer = _signer(repo, commit, signers, posters)
    if isinstance(signer, Finding):
        yield signer
        return
    if len(parents) < 2:
        if signer.role != "cec":
            yield Finding(
                commit,
                signer.name,
                "an employee's change committed straight to main; it needs the CEC's merge",
            )
        return
    if signer.role != "cec":
        yield Finding(
            commit,
            signer.name,
            "a merge into main by an employee; only the CEC may merge content changes",
        )
        return
    for branch_commit in repo.branch_commits(commit):
        member = _signer(repo, branch_commit, signers, posters)
        if isinstance(member, Finding):
            yield Finding(
                commit, signer.name, f"merges {branch_commit[:10]}, which is {member.problem}"
            )
        elif member.role != "cec" and POSTERS in repo.changed(None, branch_commit):
            yield Finding(
                commit,
                signer.name,
                f"merges {branch_commit[:10]} by {member.name}, "
                f"an employee, which changes {POSTERS}; only the CEC may",
            )


def _signer(repo: Repository, commit: str, signers: Path, posters: Posters) -> Any:
    """The listed poster who signed `commit`, or a Finding saying what is wrong."""
    status, principal, author = repo.signature(commit, signers)
    if status == "N":
        return Finding(commit, author, "not signed")
    if status != "G" or not principal:
        return Finding(commit, author, f"signed by a key that is not in {POSTERS}")
    poster = posters.by_email(principal)
    if poster is None:  # cannot happen: principals come from the same file
        return Finding(commit, author, f"signer {principal} is not in {POSTERS}")
    return poster


def uncommitted(repo_path: Path) -> list[str]:
    """The watched files whose working copy differs from HEAD (changed, staged, new or
    removed): verify-history vouches for commits, so a build of these would publish what no
    authorized poster signed."""
    out = Repository(repo_path).git(
        "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", *WATCHED
    )
    return sorted({entry[3:] for entry in out.split("\0") if entry})
