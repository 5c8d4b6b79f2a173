"""One file committed and pushed for the person running a command, with their own git identity
and signature: `invoke alert` puts the alert's file on the branch CI publishes, or CI's next
run, building the branch without it, would take the live alert off the site.

Only that file is committed (other changes, staged or not, stay as they are), and nothing is
rebased, stashed or merged: a push the remote refuses is left for the person to finish."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from checks.addresses import without_credentials
from checks.git_command import run_git

# The branch CI builds and deploys: the one .github/workflows/publish.yml runs on when pushed
# to (and .gitlab-ci.yml.example's rules name); tests/test_workflows.py checks they agree.
PUBLISHED_BRANCH = "main"
# Seconds `commits_behind` waits for an SSH remote to answer before going on without it.
FETCH_CONNECT_TIMEOUT = 15


class CommitError(Exception):
    """The file cannot be committed or pushed from this checkout; the message says why."""


class PushRefused(Exception):
    """The commit is made, but the branch's upstream refused it; the message is git's."""


@dataclass(frozen=True)
class Branch:
    """The branch checked out, and its upstream: where a commit made here is pushed."""

    name: str
    remote: str  # the upstream's remote, as `git push` takes it (a name or a URL)
    merge: str  # the upstream's branch on that remote (refs/heads/main)

    @property
    def upstream(self) -> str:
        """The upstream as people read it: origin/main. A remote given as a URL (`git push -u
        https://user:token@host/…` sets it so) is shown without its credentials."""
        return f"{without_credentials(self.remote)}/{self.merge.removeprefix('refs/heads/')}"


def _git(root: Path, *args: str) -> tuple[int, str]:
    """`git ARGS` in `root`: its exit code, and its output (or message when it failed)."""
    done = run_git("-C", str(root), *args, error=CommitError)
    return done.returncode, (done.stdout if done.returncode == 0 else done.stderr).strip()


def branch_to_commit_on(root: Path) -> Branch:
    """The branch a file of `root` is committed on and pushed from, checked before anything is
    written: CommitError when `root` is not a git work tree, is not on a branch, is part way
    through a merge, has no upstream to push to or one other than the branch CI publishes,
    or does not sign its commits (verify-history refuses an unsigned commit of content)."""
    code, inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if code != 0 or inside != "true":
        raise CommitError(f"{root} is not a git work tree (a clone of the site's repository)")
    code, name = _git(root, "symbolic-ref", "-q", "--short", "HEAD")
    if code != 0:
        raise CommitError(
            f"{root} is not on a branch (HEAD is detached, or a rebase is under way); "
            "check out the branch CI publishes (`git switch main`)"
        )
    if _git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD")[0] == 0:
        raise CommitError(f"{root}: a merge is under way; finish it (`git commit`) or abort it")
    remote = _git(root, "config", f"branch.{name}.remote")[1]
    merge = _git(root, "config", f"branch.{name}.merge")[1]
    if not (remote and merge):
        raise CommitError(
            f"the branch {name} has no upstream to push to; set it "
            f"(`git branch --set-upstream-to origin/{PUBLISHED_BRANCH}`)"
        )
    branch = Branch(name, remote, merge)
    if merge != f"refs/heads/{PUBLISHED_BRANCH}":
        raise CommitError(
            f"the branch {name} is pushed to {branch.upstream}, but CI publishes "
            f"{PUBLISHED_BRANCH}: CI's next run would build {PUBLISHED_BRANCH} without the "
            f"alert's file and take the alert off the site; run it on {PUBLISHED_BRANCH} "
            f"(`git switch {PUBLISHED_BRANCH}`)"
        )
    if _git(root, "config", "--bool", "commit.gpgsign")[1] != "true":
        raise CommitError(
            "commits made here are not signed (git config commit.gpgsign is not true), and "
            "verify-history refuses an unsigned commit; set up signing as README's 'Setting up "
            "for your city' says (gpg.format ssh, user.signingkey, commit.gpgsign true)"
        )
    return branch


def commits_behind(root: Path, branch: Branch) -> int | None:
    """How many commits the branch's upstream has that this checkout lacks (what CI published,
    or a colleague pushed, since it was last pulled), fetched now; None when the upstream
    cannot be fetched (no network), which the caller says. Never asks for a password, and
    over SSH (unless its command is set up otherwise) gives up on a host that does not answer
    in FETCH_CONNECT_TIMEOUT seconds, rather than holding an urgent alert."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    configured = _git(root, "config", "core.sshCommand")[1]
    if not (configured or env.get("GIT_SSH_COMMAND") or env.get("GIT_SSH")):
        env["GIT_SSH_COMMAND"] = f"ssh -o BatchMode=yes -o ConnectTimeout={FETCH_CONNECT_TIMEOUT}"
    fetched = run_git(
        "-C",
        str(root),
        "fetch",
        "--quiet",
        "--no-tags",
        branch.remote,
        branch.merge,
        error=CommitError,
        env=env,
    )
    if fetched.returncode != 0:
        return None
    code, count = _git(root, "rev-list", "--count", "HEAD..FETCH_HEAD")
    return int(count) if code == 0 and count.isdigit() else None


def commit_file(root: Path, path: Path, message: str) -> bool:
    """Commit `path` alone, signed as the person's git config signs; False when it is
    committed already as it is (a command run again after a refused push). CommitError with
    git's message when git cannot make the commit (a signing key it cannot use, say)."""
    code, changed = _git(root, "status", "--porcelain", "--", str(path))
    if code == 0 and not changed:
        return False
    for args in (("add", "--", str(path)), ("commit", "-q", "-m", message, "--", str(path))):
        code, said = _git(root, *args)
        if code != 0:
            raise CommitError(f"git {args[0]} {path} failed: {said}")
    return True


def push_branch(root: Path, branch: Branch) -> None:
    """Push the branch to its upstream; PushRefused with git's message when the remote refuses
    it (another commit reached it first) or cannot be reached."""
    code, said = _git(root, "push", "-q", branch.remote, f"HEAD:{branch.merge}")
    if code != 0:
        raise PushRefused(without_credentials(said))
