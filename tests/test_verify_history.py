"""verify-history on throw-away repositories with freshly generated SSH keys."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from archive.git import commit_archive
from checks.git_command import GIT_REQUIRED
from checks.history import HistoryError, parse_posters, verify
from publishing.build import BuildError
from syndication.ledger import Ledger
from tests.conftest import Site


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


class Repo:
    def __init__(self, root: Path) -> None:
        self.path = root / "repo"
        self.path.mkdir()
        self.keys = root / "keys"
        self.keys.mkdir()
        git(self.path, "init", "-q", "-b", "main")
        git(self.path, "config", "gpg.format", "ssh")
        git(self.path, "config", "commit.gpgsign", "false")
        self.enforce_from: str | None = None

    def key(self, name: str) -> Path:
        path = self.keys / name
        if not path.exists():
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)],
                check=True,
            )
        return path

    def posters_yaml(self, people: dict[str, str]) -> str:
        lines = [f"enforce_from: '{self.enforce_from or ''}'", "posters:"]
        for name, role in people.items():
            public = self.key(name).with_suffix(".pub").read_text().strip()
            lines += [
                f"  - name: {name}",
                f"    email: {name}@trail.ca",
                f"    role: {role}",
                f"    key: {public}",
            ]
        return "\n".join(lines) + "\n"

    def commit(
        self, who: str, files: dict[str, str], sign_as: str | None = None, message: str = "change"
    ) -> str:
        for name, text in files.items():
            path = self.path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            git(self.path, "add", name)
        args = [
            "-c",
            f"user.name={who}",
            "-c",
            f"user.email={who}@trail.ca",
            "commit",
            "-q",
            "-m",
            message,
        ]
        if sign_as:
            args[4:4] = ["-c", f"user.signingkey={self.key(sign_as)}"]
            args.append("-S")
        git(self.path, *args)
        return git(self.path, "rev-parse", "HEAD")

    def merge(self, who: str, branch: str, sign_as: str | None = None) -> str:
        args = [
            "-c",
            f"user.name={who}",
            "-c",
            f"user.email={who}@trail.ca",
            "merge",
            "-q",
            "--no-ff",
            "-m",
            f"Merge {branch}",
            branch,
        ]
        if sign_as:
            args[4:4] = ["-c", f"user.signingkey={self.key(sign_as)}"]
            args.append("-S")
        git(self.path, *args)
        return git(self.path, "rev-parse", "HEAD")

    def findings(self) -> list[str]:
        return [str(f) for f in verify(self.path)]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path)
    repo.enforce_from = repo.commit("setup", {"README.md": "City of Trail\n"})
    # The commit that adds the posters list is itself checked, against that list.
    repo.commit(
        "cec",
        {"policy/posters.yml": repo.posters_yaml({"cec": "cec", "emp": "employee"})},
        sign_as="cec",
    )
    return repo


def test_a_signed_commit_by_the_cec_passes(repo: Repo) -> None:
    repo.commit("cec", {"content/announcements/a.md": "A\n"}, sign_as="cec")
    assert repo.findings() == []


def test_an_unsigned_commit_fails(repo: Repo) -> None:
    commit = repo.commit("cec", {"content/announcements/a.md": "A\n"})
    assert repo.findings() == [f"{commit[:10]} cec: not signed"]


def test_an_authors_name_is_written_with_its_control_characters_spelt_out(repo: Repo) -> None:
    """Anyone can commit under any name, and git keeps escape sequences in it: printed as is,
    this one erased the line naming the unsigned commit, wrote "All good" and hid what
    followed, on the terminal of whoever runs the check."""
    name = "Mallory\x1b[2K\x1b[1GAll good\x1b[8m"  # erase the line, back to its start, hide
    commit = repo.commit(name, {"content/announcements/a.md": "A\n"})
    spelt_out = "Mallory\\x1b[2K\\x1b[1GAll good\\x1b[8m"
    assert repo.findings() == [f"{commit[:10]} {spelt_out}: not signed"]


def test_a_carriage_return_in_an_authors_name_is_written_out_as_such(repo: Repo) -> None:
    """Git keeps a name's CR as it is: read as text with its line ends translated, "Eve\rMallory"
    came out as two lines' worth, "Eve\x0aMallory", a name nobody committed under."""
    commit = repo.commit("Eve\rMallory", {"content/announcements/a.md": "A\n"})
    assert repo.findings() == [f"{commit[:10]} Eve\\x0dMallory: not signed"]


@pytest.mark.parametrize(
    "name",
    [
        "content/announcements/2026-11-24-fête-du-lac.md",  # git quotes it unless told not to
        "content/images/Gyro Park.jpg",
        'content/pages/"quoted".md',
    ],
)
def test_an_unsigned_commit_fails_whatever_its_file_is_called(repo: Repo, name: str) -> None:
    commit = repo.commit("stranger", {name: "A\n"})
    assert repo.findings() == [f"{commit[:10]} stranger: not signed"]


def test_an_unsigned_commit_that_moves_an_announcement_out_of_content_fails(repo: Repo) -> None:
    # git reports a move as the new path only, unless told not to: this one would look like
    # a change to attic/ alone, while the announcement leaves the site.
    text = "---\ntitle: Boil water advisory\n---\nBoil tap water before drinking it.\n" * 3
    repo.commit("cec", {"content/announcements/2026-11-23-boil.md": text}, sign_as="cec")
    (repo.path / "attic").mkdir()
    git(repo.path, "mv", "content/announcements/2026-11-23-boil.md", "attic/boil.md")
    moved = repo.commit("stranger", {}, message="tidy up")  # the move, staged above
    assert repo.findings() == [f"{moved[:10]} stranger: not signed"]


def test_a_commit_signed_by_an_unknown_key_fails(repo: Repo) -> None:
    commit = repo.commit("stranger", {"content/announcements/a.md": "A\n"}, sign_as="stranger")
    assert repo.findings() == [
        f"{commit[:10]} stranger: signed by a key that is not in policy/posters.yml"
    ]


def test_an_employees_direct_commit_to_main_fails(repo: Repo) -> None:
    commit = repo.commit("emp", {"content/announcements/a.md": "A\n"}, sign_as="emp")
    assert repo.findings() == [
        f"{commit[:10]} emp: an employee's change committed straight to main; it needs the "
        "CEC's merge"
    ]


def test_an_employee_branch_merged_by_the_cec_passes(repo: Repo) -> None:
    git(repo.path, "checkout", "-q", "-b", "emp-notice")
    repo.commit("emp", {"content/announcements/a.md": "A\n"}, sign_as="emp")
    repo.commit("emp", {"content/announcements/a.md": "A, fixed\n"}, sign_as="emp")
    git(repo.path, "checkout", "-q", "main")
    repo.merge("cec", "emp-notice", sign_as="cec")
    assert repo.findings() == []


def test_a_merge_of_an_unsigned_branch_commit_fails(repo: Repo) -> None:
    git(repo.path, "checkout", "-q", "-b", "emp-notice")
    loose = repo.commit("emp", {"content/announcements/a.md": "A\n"})
    git(repo.path, "checkout", "-q", "main")
    merge = repo.merge("cec", "emp-notice", sign_as="cec")
    assert repo.findings() == [f"{merge[:10]} cec: merges {loose[:10]}, which is not signed"]


def test_a_change_to_the_posters_by_an_employee_fails(repo: Repo) -> None:
    git(repo.path, "checkout", "-q", "-b", "emp-access")
    sneaky = repo.commit(
        "emp",
        {"policy/posters.yml": repo.posters_yaml({"cec": "cec", "emp": "cec"})},
        sign_as="emp",
    )
    git(repo.path, "checkout", "-q", "main")
    merge = repo.merge("cec", "emp-access", sign_as="cec")
    assert repo.findings() == [
        f"{merge[:10]} cec: merges {sneaky[:10]} by emp, an employee, which changes "
        "policy/posters.yml; only the CEC may"
    ]


def test_commits_that_touch_neither_content_nor_policy_are_not_checked(repo: Repo) -> None:
    repo.commit("dev", {"theme/static/css/site.css": "body{}\n"})
    assert repo.findings() == []


def test_keys_count_as_of_the_parent_commit(repo: Repo) -> None:
    # A new poster added and using the new key in the same commit does not pass.
    commit = repo.commit(
        "new",
        {
            "policy/posters.yml": repo.posters_yaml({"cec": "cec", "new": "cec"}),
            "content/announcements/b.md": "B\n",
        },
        sign_as="new",
    )
    assert repo.findings() == [
        f"{commit[:10]} new: signed by a key that is not in policy/posters.yml"
    ]


def test_the_first_posters_list_must_be_added_by_a_cec_it_lists(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.enforce_from = repo.commit("setup", {"README.md": "City of Trail\n"})
    commit = repo.commit(
        "emp",
        {"policy/posters.yml": repo.posters_yaml({"cec": "cec", "emp": "employee"})},
        sign_as="emp",
    )
    assert repo.findings() == [
        f"{commit[:10]} emp: an employee's change committed straight to main; it needs the "
        "CEC's merge"
    ]


def test_bad_posters_files_are_named() -> None:
    with pytest.raises(
        HistoryError, match=r"posters\[0\]: role: 'boss' is not one of cec, employee"
    ):
        parse_posters("posters:\n  - {name: A, email: a@x, role: boss, key: ssh-ed25519 AAAA}\n")
    with pytest.raises(HistoryError, match=r"posters\[0\]: missing key"):
        parse_posters("posters:\n  - {name: A, email: a@x, role: cec}\n")
    # A second `posters:` list would replace the first, and its people with it.
    with pytest.raises(HistoryError, match=r"^policy/posters.yml:3: posters: given a second time"):
        parse_posters("posters: []\nenforce_from: ''\nposters: []\n")


def test_an_employee_sharing_the_cecs_email_cannot_commit_straight_to_main(
    tmp_path: Path,
) -> None:
    # The office's shared mailbox on two entries (or a CEC entry copied for a new employee
    # and not fully edited): git names a commit's signer by that email, so the employee's
    # key would be judged as the CEC's. The list is refused, naming the entry and field.
    repo = Repo(tmp_path)
    repo.enforce_from = repo.commit("setup", {"README.md": "City of Trail\n"})
    people = []
    for name, role in (("cec", "cec"), ("emp", "employee")):
        key = repo.key(name).with_suffix(".pub").read_text().strip()
        people += [
            f"  - name: {name}",
            "    email: communications@trail.ca",
            f"    role: {role}",
            f"    key: {key}",
        ]
    posters = "\n".join([f"enforce_from: '{repo.enforce_from}'", "posters:", *people]) + "\n"
    repo.commit("cec", {"policy/posters.yml": posters}, sign_as="cec")
    repo.commit("emp", {"content/announcements/a.md": "A\n"}, sign_as="emp")
    with pytest.raises(
        HistoryError,
        match=r"policy/posters.yml at HEAD: posters\[1\]: email: "
        r"'communications@trail.ca' is posters\[0\]'s too",
    ):
        repo.findings()


def test_two_people_listed_with_one_key_are_refused_naming_the_entry() -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE"
    text = (
        "posters:\n"
        f"  - {{name: A, email: a@trail.ca, role: cec, key: {key} a@laptop}}\n"
        f"  - {{name: B, email: b@trail.ca, role: employee, key: {key}}}\n"
    )
    with pytest.raises(HistoryError, match=r"posters\[1\]: key: the same key as posters\[0\]'s"):
        parse_posters(text)


def test_a_clean_run_is_remembered_and_the_next_checks_only_new_commits(
    repo: Repo, tmp_path: Path
) -> None:
    record = tmp_path / "verified-history.json"
    repo.commit("cec", {"content/announcements/a.md": "A\n"}, sign_as="cec")
    assert list(verify(repo.path, remembered=record)) == []
    assert json.loads(record.read_text())["verified"] == git(repo.path, "rev-parse", "HEAD")

    # New commits are always checked, and a run with findings records nothing.
    bad = repo.commit("cec", {"content/announcements/b.md": "B\n"})
    found = [str(f) for f in verify(repo.path, remembered=record)]
    assert found == [f"{bad[:10]} cec: not signed"]
    assert found == [str(f) for f in verify(repo.path, remembered=record)]

    # Verdicts before the recorded commit are not computed again: a record claiming the
    # bad commit was verified (as only a clean run could write) is trusted...
    stored = json.loads(record.read_text())
    record.write_text(json.dumps({**stored, "verified": bad}))
    assert list(verify(repo.path, remembered=record)) == []
    # ...unless asked for everything, or the rules or enforce_from are not the same.
    assert [str(f) for f in verify(repo.path)] == found
    record.write_text(json.dumps({**stored, "verified": bad, "rules": "other"}))
    assert [str(f) for f in verify(repo.path, remembered=record)] == found
    record.write_text(json.dumps({**stored, "verified": bad, "enforce_from": "f" * 40}))
    assert [str(f) for f in verify(repo.path, remembered=record)] == found


def test_a_record_past_rewritten_history_is_ignored(repo: Repo, tmp_path: Path) -> None:
    record = tmp_path / "verified-history.json"
    repo.commit("cec", {"content/announcements/a.md": "A\n"}, sign_as="cec")
    assert list(verify(repo.path, remembered=record)) == []
    stored = json.loads(record.read_text())
    bad = repo.commit("cec", {"content/announcements/b.md": "B\n"})
    dropped = repo.commit("cec", {"content/announcements/c.md": "C\n"}, sign_as="cec")
    record.write_text(json.dumps({**stored, "verified": dropped}))
    git(repo.path, "reset", "-q", "--hard", "HEAD~1")  # the recorded commit leaves the history
    repo.commit("cec", {"content/announcements/d.md": "D\n"}, sign_as="cec")
    # Counted from the dropped commit, the unsigned one before it would never be checked.
    assert [str(f) for f in verify(repo.path, remembered=record)] == [f"{bad[:10]} cec: not signed"]


@pytest.mark.parametrize("value", ["HEAD", "main", "v1", "its own parent's id"])
def test_an_unsigned_commit_cannot_switch_verification_off_with_enforce_from(
    repo: Repo, value: str
) -> None:
    git(repo.path, "tag", "v1")
    people = {"cec": "cec", "emp": "employee"}
    parent = git(repo.path, "rev-parse", "HEAD")
    named = parent if value == "its own parent's id" else value
    posters = repo.posters_yaml(people).replace(f"'{repo.enforce_from}'", named)
    stranger = repo.commit(
        "stranger",
        {
            "content/announcements/2026-11-24-fake.md": "Fake notice\n",
            "policy/posters.yml": posters,
        },
    )
    git(repo.path, "tag", "-f", "v1")
    assert repo.findings() == [f"{stranger[:10]} stranger: not signed"]


def test_a_stranger_cannot_vouch_for_their_own_posters_list_by_moving_enforce_from(
    repo: Repo,
) -> None:
    # The first commit lists the stranger as a CEC (unsigned); the second, signed with the
    # stranger's key, points enforce_from at the first, so that the first is never checked
    # and the second is checked against the list the first wrote.
    takeover = repo.commit(
        "stranger", {"policy/posters.yml": repo.posters_yaml({"stranger": "cec"})}
    )
    repo.enforce_from = takeover
    notice = repo.commit(
        "stranger",
        {
            "policy/posters.yml": repo.posters_yaml({"stranger": "cec"}),
            "content/announcements/2026-11-24-fake.md": "Fake notice\n",
        },
        sign_as="stranger",
    )
    assert repo.findings() == [
        f"{takeover[:10]} stranger: not signed",
        f"{notice[:10]} stranger: signed by a key that is not in policy/posters.yml",
    ]


def test_the_cec_moves_enforce_from_forward_past_a_bad_commit(repo: Repo, tmp_path: Path) -> None:
    people = {"cec": "cec", "emp": "employee"}
    bad = repo.commit("stranger", {"content/announcements/a.md": "A\n"})
    fixed = repo.commit("cec", {"content/announcements/a.md": "A, checked\n"}, sign_as="cec")
    assert repo.findings() == [f"{bad[:10]} stranger: not signed"]
    repo.enforce_from = fixed
    repo.commit("cec", {"policy/posters.yml": repo.posters_yaml(people)}, sign_as="cec")
    assert repo.findings() == []
    # Also from a record made before the move, and the next record starts at the move.
    record = tmp_path / "verified-history.json"
    assert list(verify(repo.path, remembered=record)) == []
    assert json.loads(record.read_text())["enforce_from"] == fixed
    repo.commit("cec", {"content/announcements/b.md": "B\n"}, sign_as="cec")
    assert list(verify(repo.path, remembered=record)) == []


def test_a_posters_list_left_unreadable_is_a_finding_the_cec_moves_past(repo: Repo) -> None:
    """A typo in the posters file, committed, is named on its commit; the commits after are
    checked against the list before it, and the CEC's signed fix moves enforce_from past it,
    as past any other commit that broke the rules (it must not stop every later check)."""
    people = {"cec": "cec", "emp": "employee"}
    typo = repo.posters_yaml(people).replace("posters:", "posters:\n  - name: [unclosed", 1)
    broken = repo.commit("cec", {"policy/posters.yml": typo}, sign_as="cec")
    employee = repo.commit("emp", {"content/announcements/a.md": "A\n"}, sign_as="emp")
    with pytest.raises(HistoryError, match=r"posters\.yml at HEAD:\d+: not valid YAML"):
        repo.findings()  # as it is now: nothing can be checked against it
    fixed = repo.commit("cec", {"policy/posters.yml": repo.posters_yaml(people)}, sign_as="cec")
    (on_broken, on_employee) = repo.findings()
    assert on_broken.startswith(f"{broken[:10]} cec: leaves policy/posters.yml unusable: ")
    assert "not valid YAML" in on_broken
    assert on_employee.startswith(f"{employee[:10]} emp: an employee's change committed")
    repo.enforce_from = fixed
    repo.commit("cec", {"policy/posters.yml": repo.posters_yaml(people)}, sign_as="cec")
    assert repo.findings() == []


@pytest.mark.parametrize("named", ["main", "HEAD~1", "abc1234"])
def test_an_enforce_from_the_cec_gives_by_another_name_is_refused_naming_the_field(
    repo: Repo, named: str
) -> None:
    posters = repo.posters_yaml({"cec": "cec", "emp": "employee"})
    repo.commit(
        "cec",
        {"policy/posters.yml": posters.replace(f"'{repo.enforce_from}'", named)},
        sign_as="cec",
    )
    with pytest.raises(HistoryError, match=rf"posters.yml: enforce_from: '{named}' is not the"):
        repo.findings()


# A value of the posters file with an escape sequence (erase the line, back to its start)
# and more text than a message line holds: YAML writes one in quotes as `\e`.
FORGED = "boss\\e[2K\\e[1GAll good" + " and more" * 40
FORGED_SHOWN = "'boss\\x1b[2K\\x1b[1GAll good and more and more and more and more and mor…'"


@pytest.mark.parametrize(
    "posters",
    [
        f'posters:\n  - {{name: A, email: a@x, role: "{FORGED}", key: ssh-ed25519 AAAA}}\n',
        (
            f'posters:\n  - {{name: A, email: "{FORGED}", role: cec, key: ssh-ed25519 AAAA}}\n'
            f'  - {{name: B, email: "{FORGED}", role: cec, key: ssh-ed25519 BBBB}}\n'
        ),
    ],
)
def test_a_posters_files_values_are_named_printable_and_short(posters: str) -> None:
    """verify-history's exit-2 message quotes what the file holds as verify-history prints an
    author's name, each control character written out (a terminal would act on it), and cut
    short: the message is one line saying what to fix, not the value."""
    with pytest.raises(HistoryError) as refused:
        parse_posters(posters)
    assert FORGED_SHOWN in str(refused.value)
    assert str(refused.value).isprintable()


def test_an_enforce_from_that_cannot_be_used_is_named_printable_and_short(repo: Repo) -> None:
    posters = repo.posters_yaml({"cec": "cec", "emp": "employee"})
    named = posters.replace(f"'{repo.enforce_from}'", f'"{FORGED}"')
    repo.commit("cec", {"policy/posters.yml": named}, sign_as="cec")
    with pytest.raises(HistoryError, match=rf"enforce_from: {re.escape(FORGED_SHOWN)} is not the"):
        repo.findings()


def test_enforce_from_only_moves_forward(repo: Repo) -> None:
    people = {"cec": "cec", "emp": "employee"}
    start = repo.enforce_from
    repo.enforce_from = repo.commit("cec", {"content/announcements/a.md": "A\n"}, sign_as="cec")
    repo.commit("cec", {"policy/posters.yml": repo.posters_yaml(people)}, sign_as="cec")
    repo.enforce_from = start
    repo.commit("cec", {"policy/posters.yml": repo.posters_yaml(people)}, sign_as="cec")
    with pytest.raises(HistoryError, match=r"enforce_from: '[0-9a-f]{40}' is before .* --since"):
        repo.findings()
    assert [str(f) for f in verify(repo.path, since=str(start))] == []


def test_without_git_each_command_says_git_is_required_not_a_traceback(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a machine without git (a slim CI image), verify-history, the records archive's
    commands and the build each say that git is required and exit non-zero."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    site.add("2026-11-20-flushing")
    records = tmp_path / "records"
    Ledger.in_records(records).intend("2026-11-20-flushing", "facebook", "create")
    commit_archive(records, "A run, when git was installed")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.setenv("RECORDS_REMOTE", str(tmp_path / "records.git"))
    for command, call, code in (
        ("verify-history", lambda: tasks.verify_history(Context()), 2),
        ("records verify", lambda: tasks.verify(Context()), 2),
        ("records pull", lambda: tasks.pull(Context()), 1),
        ("records push", lambda: tasks.push(Context()), 1),
    ):
        with pytest.raises(Exit) as stopped:
            call()
        assert (stopped.value.code, stopped.value.message) == (code, f"{command}: {GIT_REQUIRED}")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [f"GitMissing: {GIT_REQUIRED}"]
