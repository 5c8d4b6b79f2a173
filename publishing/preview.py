"""`invoke serve`: the site on 127.0.0.1, rebuilt whenever the CEC saves a change.

The server serves whatever `output/` holds at each request, and a build replaces `output/`
only when it succeeded, so a file saved half-written shows its problems in the terminal
while the browser keeps the last good site.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import watchfiles

from .build import BuildError

# What a build is made from, relative to the project (output/ and the caches are not).
WATCHED = ("content", "theme", "plugins", "pelicanconf.py", "publishconf.py")


class PortUnusable(Exception):
    """The preview cannot listen on the port it was given; the message says why."""


def _listening(port: int, handler: partial[SimpleHTTPRequestHandler]) -> ThreadingHTTPServer:
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OverflowError:  # the socket's own check of the number
        raise PortUnusable(f"port {port} is out of range (1 to 65535)") from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortUnusable(f"port {port} is in use (another `invoke serve`?)") from None
        raise PortUnusable(f"port {port} cannot be used: {error.strerror or error}") from None


@contextmanager
def serving(folder: Path, port: int = 8000) -> Iterator[ThreadingHTTPServer]:
    """Serve `folder` on 127.0.0.1:`port` (0: any free port) while the block runs; raises
    PortUnusable when the port cannot be had."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = _listening(port, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def follow_edits(
    root: Path,
    rebuild: Callable[[], str],
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Call `rebuild` (which says what it built) after every change to what the site is made
    of, until `stop` is set; a failed build is reported, and the last good one stays."""
    paths = [root / name for name in WATCHED if (root / name).exists()]
    for changes in watchfiles.watch(*paths, stop_event=stop, debounce=300):
        changed = sorted({Path(path).relative_to(root).as_posix() for _, path in changes})
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        say(f"Changed: {', '.join(changed[:3])}{more}; rebuilding.")
        try:
            say(rebuild())
        except BuildError as error:
            for line in error.problems:
                say(line)
            say("The preview still shows the last build that succeeded.")
