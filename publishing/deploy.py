"""`invoke deploy`: publish output/ to DEPLOY_URL, in an order that never leaves a broken site.

1. new and changed files that are neither pages nor lists of pages (images, styles, an
   event's own calendar file);
2. the pages, which may link to what step 1 added;
3. the lists of pages (feeds, the sitemap, the events calendar, the syndication manifest),
   which name the pages step 2 added; then removal of files the new build no longer has.

A failure at any step leaves the site whole: old pages still find the old files, which are
removed last, and no feed or sitemap names a page before it is there. Targets:

  /srv/www/trail or user@host:/srv/www/trail   rsync (local path or SSH)
  s3://bucket/prefix                           S3-compatible storage through boto3, with the
                                               usual AWS_* variables and AWS_ENDPOINT_URL
  gh-pages[:REMOTE]                            GitHub Pages: ghp-import commits output/ to the
                                               gh-pages branch and pushes it (one atomic commit)
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from checks.addresses import without_credentials
from checks.git_command import run_git
from publishing.build import (  # BUILD_MARK's absence: output/ is not a complete build
    BUILD_MARK,
    holds_a_build_or_nothing,
)
from syndication.http import is_web_address

PAGES = (".html",)
STAGES = ("files other than pages", "pages", "lists of pages and removal of stale files")


def stage(name: str) -> int:
    """Which step of the deploy sends a file (its path relative to the site): 0, 1 or 2.
    Lists of pages are every XML and JSON file (feeds, sitemap, manifest, build mark) and
    text file, and a calendar at the top (the events calendar; an event's own sits beside
    its page)."""
    path = PurePosixPath(name)
    if path.suffix in PAGES:
        return 1
    if path.suffix in (".xml", ".json", ".txt") or (
        path.suffix == ".ics" and path.parent.name == ""
    ):
        return 2
    return 0


class DeployError(Exception):
    """The deploy cannot start or did not finish; the message says where it stopped."""


@dataclass(frozen=True)
class Result:
    target: str
    uploaded: int
    removed: int


def _files(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*") if p.is_file())


def check_build(output: Path) -> None:
    if not (output / BUILD_MARK).is_file():
        raise DeployError(
            f"{output}: no complete build here ({BUILD_MARK} is missing); run `invoke build` first"
        )


def _gh_pages(url: str) -> bool:
    """`gh-pages` or `gh-pages:REMOTE`."""
    return url == "gh-pages" or url.startswith("gh-pages:")


def _over_ssh(target: str) -> bool:
    """Whether rsync takes `target` for another machine's (`host:path`, `rsync://…`): a colon
    before any slash, as rsync reads it."""
    return ":" in target.partition("/")[0]


def _file_in_the_way(folder: Path) -> Path | None:
    """The file standing where `folder`, or a folder above it, would be; None if there is none."""
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


def _local_path(target: str) -> bool:
    """Whether `target` is plainly a folder on this machine: absolute, or explicitly relative
    (`./site`). A bare name is not: `deploy@www.trail.ca` without its `:path` is an SSH target
    cut short, which rsync would make a local folder of and report published."""
    return Path(target).is_absolute() or target in (".", "..") or target.startswith(("./", "../"))


@dataclass(frozen=True)
class Project:
    """What a deploy on this machine must leave alone: the project's folder (its repository,
    content and policy; a relative DEPLOY_URL such as ./site is taken from it), the content
    the site is built from, and the records archive (RECORDS_DIR, which may be elsewhere)."""

    folder: Path
    content: Path
    records: Path


def takes_from_the_project(target: Path, project: Project) -> str | None:
    """Why rsync to the folder `target` would delete or overwrite part of `project`, or None.
    rsync removes from its target whatever the site does not have: a target that is or holds
    the project, its content or its records would lose them (the repository, the ledger not
    yet pushed); one inside the content or the records would publish or archive the site
    with them; any other folder of the project may only be the site's own."""
    target = (project.folder / target).resolve()
    kept = {
        "the project": project.folder,
        "its content": project.content,
        "RECORDS_DIR, the records archive": project.records,
    }
    for what, folder in kept.items():
        folder = folder.resolve()
        if folder.is_relative_to(target):
            return f"holds {what} ({folder}), which rsync would delete"
        if what != "the project" and target.is_relative_to(folder):
            return f"is inside {what} ({folder}), which is no place for the site"
    if target.is_relative_to(project.folder.resolve()) and not holds_a_build_or_nothing(target):
        return (
            f"is a folder of the project holding files of its own ({BUILD_MARK} is missing), "
            "which rsync would delete"
        )
    return None


def check_target(url: str, project: Project | None = None) -> None:
    """The deploy's checks of where it goes (DEPLOY_URL) and, for S3, of the AWS_* variables,
    made before anything is sent; raises DeployError naming the variable. `invoke alert` and
    `invoke publish` make them before their first step, so that a value that cannot be used
    stops them before anything is written or built. With `project`, a folder on this machine
    that would take from it is refused too."""
    if url.startswith(("http://", "https://")):
        shown = without_credentials(url)
        raise DeployError(
            f"DEPLOY_URL: '{shown}' is a web address; give a path, user@host:path, "
            f"s3://bucket/prefix or gh-pages (a git repository's address as gh-pages:{shown})"
        )
    if url.startswith("s3://"):
        check_s3_variables()
    elif not (_gh_pages(url) or _over_ssh(url) or _local_path(url)):
        raise DeployError(
            f"DEPLOY_URL: '{without_credentials(url)}' is no place to deploy to; give a path "
            "(/srv/www/trail, or ./site from the project's folder), user@host:path (for SSH, "
            "the folder after a colon: user@host:/srv/www/trail), s3://bucket/prefix or gh-pages"
        )
    if not _local_path(url):
        return
    here = project.folder if project is not None else Path.cwd()
    in_the_way = _file_in_the_way(here / url)
    if in_the_way is not None:
        raise DeployError(
            f"DEPLOY_URL: cannot make the folder '{url}': {in_the_way} is a file, not a folder"
        )
    if project is not None:
        refused = takes_from_the_project(Path(url), project)
        if refused:
            raise DeployError(
                f"DEPLOY_URL: '{url}' {refused}; a deploy removes from its folder whatever the "
                "site does not have, so give a folder of the site's own: outside the project "
                "(/srv/www/trail), or a new one inside it (./site)"
            )


def deploy(
    output: Path, url: str, say: Callable[[str], None] = print, project: Project | None = None
) -> Result:
    check_build(output)
    check_target(url, project)
    if url.startswith("s3://"):
        return deploy_s3(output, url, say)
    if _gh_pages(url):
        return deploy_gh_pages(output, url.partition(":")[2] or "origin", say)
    return deploy_rsync(output, url, say)


# rsync names each change it makes, as --itemize-changes would: an 11-character code, then the
# path. "<f…" or ">f…" is a file sent ("<" to a remote, ">" to a local folder), "cL…" a link
# made, "*deleting" a removal; anything else (a folder made, a time set) is neither.
ITEMIZED = "--out-format=%i %n"


def rsync_changes(itemized: str) -> tuple[int, int]:
    """(files sent, files removed) in rsync's itemized output; folders are not counted, as
    S3, which has none, counts its objects."""
    sent = removed = 0
    for line in itemized.splitlines():
        change, name = line[:11].rstrip(), line[12:]
        if name.endswith("/"):
            continue
        if change == "*deleting":
            removed += 1
        elif change[:1] in ("<", ">") or change.startswith("cL"):
            sent += 1
    return sent, removed


# Bounded waits, so that a target that does not answer stops the deploy with an error instead
# of hanging (an urgent alert too) for ever. CONNECT_TIMEOUT: seconds to connect to the other
# machine (ssh's ConnectTimeout, or rsync's --contimeout for an rsync daemon). IO_TIMEOUT:
# seconds rsync waits for the other end to send or take anything (--timeout); it counts from
# the last data moved, not from the start, so a large site is not cut short.
CONNECT_TIMEOUT = 30
IO_TIMEOUT = 120
# rsync's exit codes for those waits: no data moved in IO_TIMEOUT; no daemon in CONNECT_TIMEOUT.
TIMED_OUT = (30, 35)


def _to_a_daemon(target: str) -> bool:
    """Whether rsync takes `target` for an rsync daemon's (`rsync://…`, `host::module`), which
    it reaches without ssh."""
    host = re.sub(r"\[[^\]]*\]", "", target.partition("/")[0])  # an IPv6 address's own ::
    return target.startswith("rsync://") or "::" in host


def rsync_waits(target: str) -> list[str]:
    """rsync's options bounding its waits on `target`. Over SSH, the ssh command (RSYNC_RSH's,
    if set, with its own options first, which ssh lets win) gets a connect timeout and
    BatchMode: a password or host key prompt no one answers fails at once."""
    waits = [f"--timeout={IO_TIMEOUT}"]
    if _to_a_daemon(target):
        waits.append(f"--contimeout={CONNECT_TIMEOUT}")
    elif _over_ssh(target):
        shell = os.environ.get("RSYNC_RSH", "").strip() or "ssh"
        waits += ["-e", f"{shell} -o ConnectTimeout={CONNECT_TIMEOUT} -o BatchMode=yes"]
    return waits


def deploy_rsync(output: Path, target: str, say: Callable[[str], None]) -> Result:
    if shutil.which("rsync") is None:
        raise DeployError("rsync is not installed (Debian: apt-get install rsync)")
    if not _over_ssh(target):
        try:
            Path(target).mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file where the folder (or one above it) would be, say
            raise DeployError(
                f"DEPLOY_URL: cannot make the folder '{target}': {error.strerror}"
            ) from None
    source, shown = f"{output}/", without_credentials(target)
    names = [path.relative_to(output).as_posix() for path in _files(output)]
    uploaded = removed = 0
    for step, name in enumerate(STAGES):
        if step < len(STAGES) - 1:  # this step's files, named on standard input
            extra, listed = ["--files-from=-"], "".join(f"{n}\n" for n in names if stage(n) == step)
        else:  # the rest of the site as a whole, then removal of what it no longer has
            extra, listed = ["--delete", "--delete-after"], None
        run = subprocess.run(
            ["rsync", "-rlt", "--checksum", ITEMIZED, *rsync_waits(target), *extra, source, target],
            capture_output=True,
            text=True,
            check=False,
            input=listed,
        )
        if run.returncode != 0:
            waited = (
                f"no answer from {shown} in time (connect: {CONNECT_TIMEOUT} s, "
                f"data: {IO_TIMEOUT} s): "
                if run.returncode in TIMED_OUT or "timed out" in run.stderr
                else ""
            )
            raise DeployError(
                f"rsync to {shown} failed during {name}: {waited}"
                f"{without_credentials(run.stderr.strip())}; "
                "the pages already there are unchanged or complete"
            )
        sent, gone = rsync_changes(run.stdout)
        uploaded, removed = uploaded + sent, removed + gone
        say(f"deploy: {name} done")
    return Result(shown, uploaded, removed)


def without_aws_secrets(text: str) -> str:
    """A message quoting AWS_ENDPOINT_URL, without the secret key (pasted into it, say, in
    place of the variable beside it) or the password an address carries before its host."""
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    return without_credentials(text.replace(secret, "[redacted]") if secret else text)


def check_s3_variables() -> None:
    """The AWS_* variables an S3 deploy cannot use, named before anything is sent."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")  # empty: unset, for boto3 too
    if endpoint and not is_web_address(endpoint):
        raise DeployError(
            without_aws_secrets(
                f"AWS_ENDPOINT_URL: '{endpoint}' is not an http(s) address; expected e.g. "
                "https://minio.example:9000"
            )
        )
    region = os.environ.get("AWS_DEFAULT_REGION")
    if not endpoint and region is not None and not region.strip():
        # A CI variable mapped from one never set is empty, not absent, and boto3 makes
        # AWS's endpoint of it (https://s3..amazonaws.com); an endpoint of its own needs none.
        raise DeployError(
            "AWS_DEFAULT_REGION is empty: set it to the bucket's region, e.g. ca-central-1"
        )


def s3_client(shown: str) -> Any:
    """boto3's S3 client, from the usual AWS_* variables and AWS_ENDPOINT_URL (checked first,
    by `check_target`); one it cannot make stops the deploy before anything is sent, naming
    what to fix (and `shown`, the target as messages give it)."""
    import boto3
    from botocore.exceptions import BotoCoreError

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    try:
        return boto3.client("s3")
    except BotoCoreError as error:  # e.g. an AWS_DEFAULT_REGION it cannot use
        raise DeployError(f"S3 deploy to {shown} cannot start: {error}") from None
    except ValueError as error:
        if endpoint:  # botocore's endpoint check is stricter (no `_` in a host)
            raise DeployError(
                without_aws_secrets(f"AWS_ENDPOINT_URL: '{endpoint}' cannot be used: {error}")
            ) from None
        raise DeployError(f"S3 deploy to {shown} cannot start: {error}") from None


def deploy_s3(output: Path, url: str, say: Callable[[str], None]) -> Result:
    from botocore.exceptions import BotoCoreError, ClientError

    parts, shown = urlsplit(url), without_credentials(url)
    bucket, prefix = parts.netloc, parts.path.strip("/")
    s3 = s3_client(shown)

    def key(path: Path) -> str:
        relative = path.relative_to(output).as_posix()
        return f"{prefix}/{relative}" if prefix else relative

    try:
        existing: dict[str, str] = {}
        # "www/", not "www": a neighbour such as "www-staging/" is not ours to prune.
        listed = f"{prefix}/" if prefix else ""
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=listed):
            for item in page.get("Contents", []):
                existing[item["Key"]] = item["ETag"].strip('"')
        files = {key(path): path for path in _files(output)}
        # S3's ETag of a single-part upload is the MD5 of the bytes: unchanged files are skipped.
        changed = {
            k: p
            for k, p in files.items()
            if existing.get(k) != hashlib.md5(p.read_bytes(), usedforsecurity=False).hexdigest()
        }
        for step, name in enumerate((*STAGES[:2], "lists of pages")):
            for object_key, path in sorted(changed.items()):
                if stage(path.relative_to(output).as_posix()) == step:
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    s3.put_object(
                        Bucket=bucket,
                        Key=object_key,
                        Body=path.read_bytes(),
                        ContentType=content_type,
                    )
            say(f"deploy: {name} uploaded")
        stale = sorted(set(existing) - set(files))
        for start in range(0, len(stale), 1000):
            batch = [{"Key": k} for k in stale[start : start + 1000]]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        say(f"deploy: {len(stale)} stale file(s) removed")
    except (BotoCoreError, ClientError) as error:
        raise DeployError(
            f"S3 deploy to {shown} stopped: {error}; pages already there still "
            "find every file they link to"
        ) from None
    return Result(shown, len(changed), len(stale))


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return run_git(*args, error=DeployError)


def _unchanged_failure(shown: str, failed: subprocess.CompletedProcess[str]) -> DeployError:
    return DeployError(
        f"gh-pages deploy to {shown} failed (the site there is unchanged): "
        f"{without_credentials(failed.stderr)}"
    )


def fetch_gh_pages(remote: str, shown: str) -> None:
    """Make the local gh-pages branch the one published on `remote`, so that the new commit
    follows it. ghp-import takes its parent from the ref REMOTE/gh-pages, which a URL never
    has and a fresh checkout (CI) has not fetched: the commit would have no parent and its
    push would be refused, and forcing it would erase the published site's history. No
    gh-pages there yet is the first deploy."""
    branch = "refs/heads/gh-pages"
    listed = _git("ls-remote", "--exit-code", "--heads", remote, branch)
    if listed.returncode == 2:  # the remote answered, without the branch
        return
    if listed.returncode != 0:
        raise _unchanged_failure(shown, listed)
    # For a named remote git also moves REMOTE/gh-pages here, so ghp-import keeps this tip.
    fetched = _git("fetch", "-q", remote, f"+{branch}:{branch}")
    if fetched.returncode != 0:
        raise _unchanged_failure(shown, fetched)


def custom_domain(output: Path) -> str | None:
    """The custom domain to keep on the gh-pages branch: GitHub keeps a branch-published
    site's in the branch's CNAME file (its Pages settings commit it there), and serves the
    site at that address only while the file is there; the new commit holds only `output`,
    so the one published is carried over, unless the build has a CNAME of its own."""
    if (output / "CNAME").exists():
        return None
    published = _git("show", "refs/heads/gh-pages:CNAME")  # fetched by fetch_gh_pages
    if published.returncode != 0:  # nothing published yet, or no custom domain
        return None
    return published.stdout.strip() or None


def deploy_gh_pages(output: Path, remote: str, say: Callable[[str], None]) -> Result:
    """One commit of the whole site on the gh-pages branch, pushed: atomic by nature.
    The push is ours, not ghp-import's, so that git's reason for a refusal reaches the
    message without the token a remote's URL may carry."""
    from ghp_import import GhpError, ghp_import

    shown = without_credentials(remote)
    fetch_gh_pages(remote, shown)
    try:
        ghp_import(
            str(output),
            mesg="Publish the City of Trail site",
            branch="gh-pages",
            remote=remote,
            nojekyll=True,
            cname=custom_domain(output),
        )
    except GhpError as error:
        raise DeployError(f"gh-pages deploy to {shown} failed: {error}") from None
    pushed = _git("push", remote, "gh-pages")
    if pushed.returncode != 0:
        raise _unchanged_failure(shown, pushed)
    say(f"deploy: gh-pages pushed to {shown}")
    return Result(f"gh-pages:{shown}", len(_files(output)), 0)
