"""Deploying: to a folder with rsync, to S3-compatible storage (moto's server), and GitHub
Pages; new files first, pages next, stale files last; a failed deploy leaves the old site whole."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from invoke.context import Context
from invoke.exceptions import Exit
from moto.server import ThreadedMotoServer

import tasks
from publishing import deploy as deploy_module
from publishing.deploy import DeployError, check_target, deploy, stage


def site(folder: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (folder / "build.json").write_text("{}")
    return folder


@pytest.fixture
def old_and_new(tmp_path: Path) -> tuple[Path, Path]:
    old = site(
        tmp_path / "old",
        {
            "index.html": "old home",
            "theme/site.css": "old css",
            "announcements/gone.html": "withdrawn long ago",
        },
    )
    new = site(
        tmp_path / "new",
        {
            "index.html": "new home <img src=images/new.png>",
            "theme/site.css": "new css",
            "images/new.png": "PNG",
        },
    )
    return old, new


def files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()
    }


def rsync_fails_on_pages(monkeypatch: pytest.MonkeyPatch, error: str) -> None:
    """rsync works for the deploy's first step (everything but pages) and fails after it."""
    real_run = subprocess.run
    calls = 0

    def fail_on_pages(command: list[str], **kwargs):
        nonlocal calls
        if command[0] == "rsync":
            calls += 1
            if calls > 1:
                return subprocess.CompletedProcess(command, 23, "", error)
        return real_run(command, **kwargs)

    monkeypatch.setattr(deploy_module.subprocess, "run", fail_on_pages)


def test_an_incomplete_build_is_never_deployed(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "index.html").write_text("half")
    with pytest.raises(DeployError, match="no complete build here"):
        deploy(tmp_path / "out", str(tmp_path / "www"), say=lambda _: None)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_rsync_to_a_folder_replaces_the_site_and_removes_stale_files(
    old_and_new: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = old_and_new
    www = tmp_path / "www"
    deploy(old, str(www), say=lambda _: None)
    assert files(www) == files(old)
    said: list[str] = []
    deploy(new, str(www), say=said.append)
    assert files(www) == files(new)
    assert said == [
        "deploy: files other than pages done",
        "deploy: pages done",
        "deploy: lists of pages and removal of stale files done",
    ]


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_rsync_deploy_reports_what_it_uploaded_and_removed(
    old_and_new: tuple[Path, Path], tmp_path: Path
) -> None:
    """As S3's deploy counts them: files sent (changed or new), and stale files removed."""
    old, new = old_and_new
    www = tmp_path / "www"
    first = deploy(old, str(www), say=lambda _: None)
    assert (first.uploaded, first.removed) == (4, 0)
    result = deploy(new, str(www), say=lambda _: None)
    assert not (www / "announcements" / "gone.html").exists()
    assert (result.uploaded, result.removed) == (3, 1)  # build.json is unchanged
    again = deploy(new, str(www), say=lambda _: None)
    assert (again.uploaded, again.removed) == (0, 0)


def test_rsync_changes_sent_to_an_ssh_target_are_counted_as_to_a_folder() -> None:
    itemized = (
        "<f+++++++++ index.html\n"  # sent to a remote host
        "cd+++++++++ images/\n"  # a folder made: not a file
        "<fc.t...... theme/site.css\n"
        "cL+++++++++ latest.html\n"  # a link made
        ".f..t...... build.json\n"  # unchanged, only its time set
        "*deleting   announcements/gone.html\n"
        "*deleting   announcements/\n"
    )
    assert deploy_module.rsync_changes(itemized) == (3, 1)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_a_failure_before_removal_leaves_the_old_pages_whole(
    old_and_new: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = old_and_new
    www = tmp_path / "www"
    deploy(old, str(www), say=lambda _: None)
    rsync_fails_on_pages(monkeypatch, "connection lost")
    with pytest.raises(DeployError, match="during pages: connection lost"):
        deploy(new, str(www), say=lambda _: None)
    after = files(www)
    assert after["index.html"] == "old home"  # old pages are untouched...
    assert after["announcements/gone.html"] == "withdrawn long ago"  # ...and nothing removed
    assert after["images/new.png"] == "PNG"  # new files arrived first


def test_each_file_goes_in_the_step_that_keeps_the_site_whole() -> None:
    assert [
        stage(name)
        for name in (
            "images/new.png",
            "theme/css/site.css",
            "announcements/skate.ics",  # an event's own calendar, beside its page
            "announcements/skate.html",
            "index.html",
            "feeds/all.atom.xml",
            "sitemap.xml",
            "events.ics",
            "syndication.json",
            "build.json",
        )
    ] == [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_no_feed_or_sitemap_names_a_page_before_it_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = {"feeds/all.atom.xml": "old feed", "sitemap.xml": "old map", "events.ics": "old"}
    old = site(tmp_path / "old", {"index.html": "old home", **listing})
    new = site(
        tmp_path / "new",
        {
            "index.html": "new home",
            "announcements/skate.html": "skate",
            "announcements/skate.ics": "skate event",
            **{name: f"{name} lists skate.html" for name in listing},
        },
    )
    www = tmp_path / "www"
    deploy(old, str(www), say=lambda _: None)
    rsync_fails_on_pages(monkeypatch, "connection reset")
    with pytest.raises(DeployError, match="during pages: connection reset"):
        deploy(new, str(www), say=lambda _: None)
    after = files(www)
    assert {name: after[name] for name in listing} == listing  # still the old lists
    assert "announcements/skate.html" not in after
    assert after["announcements/skate.ics"] == "skate event"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto keeps its state in the process: start each test from an empty account.
    requests.post(f"http://127.0.0.1:{port}/moto-api/reset", timeout=10)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "AWS_DEFAULT_REGION": "ca-central-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3")
    client.create_bucket(
        Bucket="trail-site", CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    yield client
    server.stop()


def bucket(client: object, prefix: str = "www/") -> dict[str, str]:
    listing = client.list_objects_v2(Bucket="trail-site", Prefix=prefix)  # type: ignore[attr-defined]
    return {
        o["Key"].removeprefix(prefix): client.get_object(  # type: ignore[attr-defined]
            Bucket="trail-site", Key=o["Key"]
        )["Body"]
        .read()
        .decode()
        for o in listing.get("Contents", [])
    }


def test_s3_deploy_uploads_changes_and_removes_stale_objects(
    s3: object, old_and_new: tuple[Path, Path]
) -> None:
    old, new = old_and_new
    deploy(old, "s3://trail-site/www", say=lambda _: None)
    assert bucket(s3) == files(old)
    result = deploy(new, "s3://trail-site/www", say=lambda _: None)
    assert bucket(s3) == files(new)
    assert (result.uploaded, result.removed) == (3, 1)  # build.json is unchanged
    head = s3.head_object(Bucket="trail-site", Key="www/index.html")  # type: ignore[attr-defined]
    assert head["ContentType"] == "text/html"


def test_s3_deploy_leaves_a_neighbouring_prefix_alone(
    s3: object, old_and_new: tuple[Path, Path]
) -> None:
    _, new = old_and_new
    s3.put_object(Bucket="trail-site", Key="www-staging/index.html", Body=b"staging")  # type: ignore[attr-defined]
    result = deploy(new, "s3://trail-site/www", say=lambda _: None)
    assert bucket(s3) == files(new)
    assert bucket(s3, "www-staging/") == {"index.html": "staging"}
    assert result.removed == 0


def test_a_failed_s3_upload_leaves_the_old_site_whole(
    s3: object, old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = old_and_new
    deploy(old, "s3://trail-site/www", say=lambda _: None)
    from botocore.exceptions import EndpointConnectionError

    real_client = boto3.client

    def flaky(*args, **kwargs):
        client = real_client(*args, **kwargs)
        put = client.put_object

        def put_object(**params):
            if params["Key"].endswith(".html"):
                raise EndpointConnectionError(endpoint_url="s3")
            return put(**params)

        client.put_object = put_object
        return client

    monkeypatch.setattr(boto3, "client", flaky)
    with pytest.raises(DeployError, match="S3 deploy to s3://trail-site/www stopped"):
        deploy(new, "s3://trail-site/www", say=lambda _: None)
    after = bucket(s3)
    assert after["index.html"] == "old home" and "announcements/gone.html" in after
    assert after["images/new.png"] == "PNG"


def in_a_checkout(work: Path, origin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work from a clone of the site's repository whose `origin` is `origin`, as CI does."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "remote", "add", "origin", str(origin)], check=True)
    monkeypatch.chdir(work)
    for who in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{who}_NAME", "CI")
        monkeypatch.setenv(f"{who}_EMAIL", "ci@localhost")


def test_github_pages_gets_one_commit_of_the_site(
    old_and_new: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, new = old_and_new
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    in_a_checkout(tmp_path / "work", origin, monkeypatch)
    deploy(new, "gh-pages", say=lambda _: None)
    listed = subprocess.run(
        ["git", "-C", str(origin), "ls-tree", "-r", "--name-only", "gh-pages"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(listed) == sorted([*files(new), ".nojekyll"])


def gh_pages_log(origin: Path) -> list[str]:
    """What each published commit's home page said, newest first."""
    log = ["git", "-C", str(origin), "log", "--format=%H", "gh-pages"]
    commits = subprocess.run(log, capture_output=True, text=True, check=True).stdout.split()
    show = ["git", "-C", str(origin), "show"]
    return [
        subprocess.run(
            [*show, f"{c}:index.html"], capture_output=True, text=True, check=True
        ).stdout
        for c in commits
    ]


@pytest.mark.parametrize("named", [True, False], ids=["origin", "a URL"])
def test_github_pages_deploys_again_from_a_fresh_checkout_keeping_the_sites_history(
    named: bool, old_and_new: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each CI run is a fresh checkout without the gh-pages branch: its commit must follow
    the one published before, or the push is refused (and is never forced)."""
    old, new = old_and_new
    origin = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    target = "gh-pages" if named else f"gh-pages:{origin.as_uri()}"
    for work, output in (("run1", old), ("run2", new)):
        in_a_checkout(tmp_path / work, origin if named else tmp_path / "site.git", monkeypatch)
        deploy(output, target, say=lambda _: None)
    assert gh_pages_log(origin) == [files(new)["index.html"], files(old)["index.html"]]


def test_github_pages_keeps_the_custom_domain_its_settings_wrote(
    old_and_new: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub keeps a branch-published site's custom domain in the branch's CNAME file: a
    deploy that dropped it took the site off the City's address."""
    old, new = old_and_new
    origin = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    in_a_checkout(tmp_path / "run1", origin, monkeypatch)
    deploy(old, "gh-pages", say=lambda _: None)
    github = tmp_path / "github"  # Settings, Pages, Custom domain: a commit of CNAME
    subprocess.run(["git", "clone", "-q", "-b", "gh-pages", str(origin), str(github)], check=True)
    (github / "CNAME").write_text("www.trail.ca")
    subprocess.run(["git", "-C", str(github), "add", "CNAME"], check=True)
    subprocess.run(["git", "-C", str(github), "commit", "-qm", "Create CNAME"], check=True)
    subprocess.run(["git", "-C", str(github), "push", "-q"], check=True)
    for work in ("run2", "run3"):
        in_a_checkout(tmp_path / work, origin, monkeypatch)
        deploy(new, "gh-pages", say=lambda _: None)
        cname = ["git", "-C", str(origin), "show", "gh-pages:CNAME"]
        kept = subprocess.run(cname, capture_output=True, text=True, check=False)
        assert kept.stdout.strip() == "www.trail.ca", kept.stderr
    assert gh_pages_log(origin)[0] == files(new)["index.html"]


def test_a_gh_pages_push_that_fails_is_a_deploy_error_naming_the_remote(
    old_and_new: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, new = old_and_new
    in_a_checkout(tmp_path / "work", tmp_path / "missing.git", monkeypatch)
    with pytest.raises(DeployError, match=r"gh-pages deploy to origin failed .*missing\.git"):
        deploy(new, "gh-pages", say=lambda _: None)


def test_a_token_in_the_gh_pages_remote_never_reaches_a_message(
    old_and_new: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, new = old_and_new
    in_a_checkout(tmp_path / "work", tmp_path / "origin.git", monkeypatch)
    said: list[str] = []
    remote = "https://x-access-token:s3cret-token@git.invalid/city/site.git"
    with pytest.raises(DeployError) as failure:
        deploy(new, f"gh-pages:{remote}", say=said.append)
    assert "https://***@git.invalid/city/site.git" in str(failure.value)
    assert "s3cret-token" not in str(failure.value) + "".join(said)


def test_a_token_in_a_deploy_url_given_as_a_web_address_never_reaches_the_message(
    tmp_path: Path,
) -> None:
    (tmp_path / "build.json").write_text("{}")
    # The gh-pages: prefix forgotten: the repository's authenticated address as DEPLOY_URL.
    url = "https://x-access-token:s3cret-token@github.com/city-of-trail/site.git"
    with pytest.raises(DeployError) as failure:
        deploy(tmp_path, url, say=lambda _: None)
    assert str(failure.value).startswith(
        "DEPLOY_URL: 'https://***@github.com/city-of-trail/site.git' is a web address"
    )
    assert "gh-pages:https://***@github.com/city-of-trail/site.git" in str(failure.value)
    assert "s3cret-token" not in str(failure.value)


@pytest.mark.parametrize("url", ["deploy@www.trail.ca", "www", "~/www"])
def test_a_deploy_url_that_is_no_place_to_deploy_to_is_refused_before_anything_is_sent(
    old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """An SSH target without its `:path` (or a bare name, or a `~` no shell expanded) would be
    a folder of that name made in the working directory, reported as published."""
    _, new = old_and_new
    monkeypatch.chdir(new.parent)
    with pytest.raises(DeployError) as refused:
        deploy(new, url, say=lambda _: None)
    assert str(refused.value).startswith(f"DEPLOY_URL: '{url}' is no place to deploy to")
    assert sorted(p.name for p in new.parent.iterdir()) == ["new", "old"]


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.parametrize("under", ["", "site"])
def test_a_deploy_url_naming_a_file_is_refused_naming_it_not_a_traceback(
    old_and_new: tuple[Path, Path], under: str
) -> None:
    """A file where the site's folder, or a folder above it, would be: the deploy names it
    and sends nothing; the file is left as it was."""
    _, new = old_and_new
    notes = new.parent / "notes.txt"
    notes.write_text("kept\n")
    target = str(notes / under) if under else str(notes)
    for attempt in (lambda: check_target(target), lambda: deploy(new, target, say=print)):
        with pytest.raises(DeployError) as refused:
            attempt()
        assert str(refused.value) == (
            f"DEPLOY_URL: cannot make the folder '{target}': {notes} is a file, not a folder"
        )
    assert notes.read_text() == "kept\n"


def a_project(folder: Path) -> Path:
    """A project as a City's machine holds it: a build, the content, the records archive and
    files of its own (the theme), beside tasks.py."""
    site(folder / "output", {"index.html": "home"})
    for name, text in {
        "content/announcements/2026-11-20-a.md": "---\ntitle: A\n---\n",
        "records/syndication/ledger.jsonl": '{"seq": 1}\n',  # what was posted
        "theme/templates/base.html": "<html>",
        "tasks.py": "",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.parametrize(
    ("target", "records"),
    [
        ("www/announcements", None),  # DEPLOY_URL=. in the project's folder
        ("www", None),  # a web root holding the clone
        ("www/announcements/content/site", None),
        ("www/announcements/records/site", None),
        ("www/announcements/theme", None),  # a folder of the project's own
        ("archive", "archive"),  # RECORDS_DIR outside the project
        ("archive/site", "archive"),
    ],
)
def test_a_deploy_url_holding_or_inside_the_project_or_its_records_is_refused_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, records: str | None
) -> None:
    """rsync removes from the target whatever the site does not have: given the project's
    folder, or one holding it, it deleted the repository, the content and the records not
    yet pushed (and reported it published); inside the content or the records, the site
    would be published or archived with them."""
    project = a_project(tmp_path / "www" / "announcements")
    (tmp_path / "archive" / "archive").mkdir(parents=True)
    (tmp_path / "archive" / "archive" / "comments.jsonl").write_text('{"seq": 1}\n')
    before = files(tmp_path)
    monkeypatch.chdir(tmp_path)  # tasks.deploy changes to ROOT; back after the test
    monkeypatch.setattr(tasks, "ROOT", project)
    monkeypatch.setenv("DEPLOY_URL", str(tmp_path / target))
    if records:
        monkeypatch.setenv("RECORDS_DIR", str(tmp_path / records))
    else:
        monkeypatch.delenv("RECORDS_DIR", raising=False)
    with pytest.raises(Exit) as refused:
        tasks.deploy(Context())
    assert refused.value.code == 2
    assert str(refused.value.message).startswith(f"deploy: DEPLOY_URL: '{tmp_path / target}'")
    assert files(tmp_path) == before


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_a_folder_of_the_sites_own_inside_the_project_is_still_a_place_to_deploy_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's `./site` from the project's folder: new at the first deploy, an earlier
    deploy (with its build.json) at the next."""
    project = a_project(tmp_path / "announcements")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tasks, "ROOT", project)
    monkeypatch.delenv("RECORDS_DIR", raising=False)
    for _ in range(2):
        tasks.deploy(Context(), url="./site")
    assert files(project / "site") == files(project / "output")


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.parametrize("rsync_rsh", [None, "ssh -o StrictHostKeyChecking=yes -p 2222"])
def test_an_ssh_target_that_does_not_answer_fails_in_bounded_time(
    old_and_new: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rsync_rsh: str | None,
) -> None:
    """An unreachable host (`deploy@10.255.255.1:…`) hung the deploy, and an urgent alert, for
    ever: ssh is told to give up connecting, and rsync to give up waiting for data. Here an
    ssh that connects and then says nothing, with rsync's wait made one second."""
    _, new = old_and_new
    bin_dir, called = tmp_path / "bin", tmp_path / "ssh-args"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(f'#!/bin/sh\necho "$@" > {called}\nexec sleep 30\n')
    (bin_dir / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    if rsync_rsh is None:
        monkeypatch.delenv("RSYNC_RSH", raising=False)
    else:
        monkeypatch.setenv("RSYNC_RSH", rsync_rsh)
    monkeypatch.setattr(deploy_module, "IO_TIMEOUT", 1)
    started = time.monotonic()
    with pytest.raises(DeployError) as failure:
        deploy(new, "deploy@10.255.255.1:/srv/www", say=lambda _: None)
    assert time.monotonic() - started < 15
    message = str(failure.value)
    assert message.startswith(
        "rsync to deploy@10.255.255.1:/srv/www failed during files other than pages: "
        "no answer from deploy@10.255.255.1:/srv/www in time (connect: 30 s, data: 1 s)"
    )
    ssh = called.read_text()
    assert "-o ConnectTimeout=30 -o BatchMode=yes" in ssh
    assert ssh.startswith("-o StrictHostKeyChecking=yes -p 2222 " if rsync_rsh else "-o Connect")


@pytest.mark.parametrize(
    ("target", "waits"),
    [
        ("/srv/www/trail", ["--timeout=120"]),
        (
            "deploy@www.trail.ca:/srv/www",
            ["--timeout=120", "-e", "ssh -o ConnectTimeout=30 -o BatchMode=yes"],
        ),
        ("rsync://www.trail.ca/site/", ["--timeout=120", "--contimeout=30"]),
        ("www.trail.ca::site", ["--timeout=120", "--contimeout=30"]),
        (  # an IPv6 address's "::" is no daemon's
            "deploy@[2001:db8::1]:/srv/www",
            ["--timeout=120", "-e", "ssh -o ConnectTimeout=30 -o BatchMode=yes"],
        ),
    ],
)
def test_rsync_waits_are_bounded_for_every_kind_of_target(
    target: str, waits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An rsync daemon is reached without ssh: `-e` would make rsync start one over ssh."""
    monkeypatch.delenv("RSYNC_RSH", raising=False)
    assert deploy_module.rsync_waits(target) == waits


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_a_password_in_an_rsync_address_never_reaches_a_message(
    old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, new = old_and_new
    url = "rsync://deploy:s3cret-token@www.trail.example/site/"

    def refused(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 5, "", f"@ERROR: auth failed on {url}")

    monkeypatch.setattr(deploy_module.subprocess, "run", refused)
    with pytest.raises(DeployError) as failure:
        deploy(new, url, say=lambda _: None)
    assert "rsync to rsync://***@www.trail.example/site/ failed" in str(failure.value)
    assert "s3cret-token" not in str(failure.value)


def _refused_s3_deploy(
    old_and_new: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
    region: str = "ca-central-1",
    secret: str = "y",
) -> DeployError:
    """The error of an S3 deploy with these settings, which must refuse it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(DeployError) as failure:
        deploy(old_and_new[1], "s3://trail-site/www", say=lambda _: None)
    return failure.value


@pytest.mark.parametrize("endpoint", ["minio.example:9000", "http://minio_1.example:9000"])
def test_an_s3_endpoint_that_is_not_a_web_address_is_a_deploy_error_naming_the_variable(
    endpoint: str, old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first is not an http(s) address at all; the second only botocore refuses (a host
    name may not hold `_`)."""
    refused = _refused_s3_deploy(old_and_new, monkeypatch, endpoint=endpoint)
    assert str(refused).startswith(f"AWS_ENDPOINT_URL: '{endpoint}'")


@pytest.mark.parametrize(
    ("endpoint", "shown"),
    [
        # The secret key pasted into the variable beside it, as a CI admin may.
        ("wJalrXUtnFEMI/K7MDENG", "[redacted]"),
        ("minio.example:9000?secret=wJalrXUtnFEMI/K7MDENG", "minio.example:9000?secret=[redacted]"),
        ("htps://minio:wJalrXUtnFEMI@minio.example", "htps://***@minio.example"),
        ("http://minio:wJalrXUtnFEMI@minio_1.example:9000", "http://***@minio_1.example:9000"),
    ],
)
def test_an_s3_endpoint_refused_is_named_without_a_secret_in_it(
    endpoint: str, shown: str, old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = _refused_s3_deploy(
        old_and_new, monkeypatch, endpoint=endpoint, secret="wJalrXUtnFEMI/K7MDENG"
    )
    assert str(refused).startswith(f"AWS_ENDPOINT_URL: '{shown}' ")
    assert "wJalrXUtnFEMI" not in str(refused)


def test_an_empty_region_is_refused_by_name_not_blamed_on_aws_endpoint_url(
    old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """publish.yml maps unset CI variables to empty ones: boto3 then makes the endpoint
    https://s3..amazonaws.com of the empty region, which is not the endpoint's fault."""
    refused = _refused_s3_deploy(old_and_new, monkeypatch, endpoint="", region="")
    assert str(refused).startswith("AWS_DEFAULT_REGION is empty")
    assert "AWS_ENDPOINT_URL" not in str(refused)


def test_an_empty_region_is_no_matter_with_an_endpoint_of_its_own(
    s3: object, old_and_new: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, new = old_and_new
    monkeypatch.setenv("AWS_DEFAULT_REGION", "")
    deploy(new, "s3://trail-site/www", say=lambda _: None)
    assert bucket(s3) == files(new)
