"""`invoke serve`: the local preview serves the site and follows the CEC's edits."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
from publishing.build import BUILD_MARK, BuildError
from publishing.preview import follow_edits, serving
from tests.conftest import ROOT, Site


def fetch(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as response:
        return str(response.read().decode("utf-8"))


def save_until(path: Path, text: str, condition: Callable[[], bool], what: str) -> None:
    """Save `text` and wait for `condition`, saving again each second in case the watcher was
    not yet watching. Not a timing test: the limit only keeps a broken watcher from hanging
    the suite."""
    deadline = time.monotonic() + 30
    while True:
        path.write_text(text)
        retry = time.monotonic() + 1
        while time.monotonic() < retry:
            if condition():
                return
            time.sleep(0.05)
        assert time.monotonic() < deadline, f"gave up waiting for {what}"


def test_the_preview_rebuilds_on_save_and_keeps_the_last_good_site(site: Site) -> None:
    path = site.add("2026-11-20-flushing", title="Flushing in Glenmerry")
    site.build()
    said: list[str] = []
    builds: list[str] = []

    def rebuild() -> str:
        try:
            result = site.build()
        except BuildError:
            builds.append("failed")
            raise
        builds.append("built")
        return f"Built {result.articles} announcement(s)"

    stop = threading.Event()
    watcher = threading.Thread(target=follow_edits, args=(site.root, rebuild, said.append, stop))
    with serving(site.output, port=0) as server:
        port = server.server_address[1]
        page = "announcements/2026-11-20-flushing.html"
        assert "<h1>Flushing in Glenmerry</h1>" in fetch(port, page)
        watcher.start()
        try:
            edited = path.read_text().replace("Flushing in Glenmerry", "Flushing moved")
            save_until(path, edited, lambda: "built" in builds, "the rebuild after an edit")
            assert "<h1>Flushing moved</h1>" in fetch(port, page)
            assert any(line.startswith("Changed: content/announcements/") for line in said)

            broken = edited.replace("category: service-change", "category: x")
            save_until(path, broken, lambda: "failed" in builds, "the failed rebuild")
            assert any(": category: 'x' is not one of" in line for line in said)
            assert said[-1] == "The preview still shows the last build that succeeded."
            assert "<h1>Flushing moved</h1>" in fetch(port, page)
        finally:
            stop.set()
            watcher.join(timeout=30)
    assert not watcher.is_alive()


@pytest.mark.parametrize("taken", [True, False])
def test_invoke_serve_on_a_port_in_use_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken: bool
) -> None:
    """A second `make serve`, or a port no server can have, is named with what to do (exit 2),
    not a traceback."""
    monkeypatch.setattr(tasks, "_build", lambda *args, **kwargs: tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1] if taken else 99999
        with pytest.raises(Exit) as stopped:
            tasks.serve(Context(), port=port, watch=False)
    assert stopped.value.code == 2
    assert str(port) in str(stopped.value.message)
    assert ("is in use" if taken else "out of range") in str(stopped.value.message)


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["serve", "--port", "80o1", "--no-watch"], "--port"),
        (["sandbox", "--port-base", "abc"], "--port-base"),
        (["sandbox", "--x-daily-limit", "a hundred"], "--x-daily-limit"),
        (["serve", "--port", "²", "--no-watch"], "--port"),  # a digit to str.isdigit, not int
    ],
)
def test_a_number_option_given_words_is_named_without_a_traceback(
    command: list[str], option: str
) -> None:
    """invoke casts a number option as it reads the command line, where a value it cannot
    cast is a traceback: the task reads it instead, naming the option (exit 2)."""
    run = subprocess.run(
        [sys.executable, "-m", "invoke", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert f"{option}: '{command[2]}' is not a whole number" in run.stderr


@pytest.mark.parametrize("built_before", [True, False])
def test_invoke_serve_starts_on_a_file_with_a_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    built_before: bool,
) -> None:
    """`make serve` on a file saved half-written names the problem and serves anyway, then
    follows the edits, as it does for a problem found once it runs; it used to stop."""
    output = tmp_path / "output"
    if built_before:
        output.mkdir()
        (output / "index.html").write_text("<h1>City of Trail</h1>")
        (output / BUILD_MARK).write_text("{}")
    problem = "content/announcements/2026-11-20-flushing.md:3: category: 'x' is not one of …"

    def fails(*args: object, **kwargs: object) -> None:
        raise BuildError([problem])

    followed: list[str] = []

    def follow(root: Path, rebuild: Callable[[], str]) -> None:
        followed.append(fetch(port, "") if built_before else "serving")

    monkeypatch.setattr(tasks, "_build_once", fails)
    monkeypatch.setattr(tasks, "follow_edits", follow)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    tasks.serve(Context(), port=port, output=str(output))
    said = capsys.readouterr()
    assert problem in said.err
    assert followed == (["<h1>City of Trail</h1>"] if built_before else ["serving"])
    last = "the last build that succeeded" if built_before else "nothing"
    assert f"The preview shows {last} until the file is fixed and saved." in said.out
    assert f"at http://127.0.0.1:{port}/" in said.out
    # Without the watcher nothing would build it again: it stops, naming the problem.
    with pytest.raises(Exit) as stopped:
        tasks.serve(Context(), port=port, output=str(output), watch=False)
    assert stopped.value.code == 1 and problem in capsys.readouterr().err
