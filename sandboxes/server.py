"""The common base of the platform sandboxes: a stateful werkzeug app on 127.0.0.1 in a
background thread, with fault injection and a small control API under `/_sandbox/`.

Each platform (facebook.py, twitter.py, youtube.py) adds its routes and its error shapes.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

Handler = Callable[..., Response]
FAULT_KINDS = (
    "server_error",
    "rate_limit",
    "timeout",
    "drop_after_write",
    "quota",
    "not_json",
    "not_json_after_write",
    "server_error_after_write",
)
# Faults that let the write through, then answer in their own way.
AFTER_WRITE = ("drop_after_write", "not_json_after_write", "server_error_after_write")
# A proxy's or captive portal's page in the API's place: 200, and no JSON.
NOT_JSON_PAGE = "<html><body>Service unavailable</body></html>"
_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 seconds: close() resets the connection


class DropConnection(ConnectionError):
    """Raised after a write to reset the connection without answering (werkzeug treats a
    ConnectionError from the app as a dropped connection and sends nothing)."""


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path: str | None = None
    times: int = 1
    params: dict[str, Any] = field(default_factory=dict)
    after: int = 0  # matching calls let through first (an upload's first chunk, say)

    def matches(self, request: Request) -> bool:
        if self.method and self.method.upper() != request.method:
            return False
        return not self.path or re.search(self.path, request.path) is not None


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr, and a dropped connection is reset, as a real server's is."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        # Closed with a zero linger, the socket sends RST, not FIN: the client sees "connection
        # reset" at once. A clean close reads as a stale keep-alive connection, which httplib2
        # quietly sends the request on again, a resumable upload's chunk from a stream already
        # read, and the server then waits for a body that never comes.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
            self.connection.close()  # the file objects' close, in finish(), lets it go


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=UTF-8",
    )


class Sandbox:
    """A local emulator of one platform's API."""

    name = "sandbox"
    # The faults `inject` takes: the common ones, and any a platform adds (YouTube's
    # `session_expired`).
    fault_kinds: tuple[str, ...] = FAULT_KINDS

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        # The `lag` of the after-write fault answering the call this thread serves, if any.
        self._writing = threading.local()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.reset()
        self.routes = Map(
            [
                Rule("/_sandbox/state", endpoint=self._control_state, methods=["GET"]),
                Rule("/_sandbox/reset", endpoint=self._control_reset, methods=["POST"]),
                Rule("/_sandbox/faults", endpoint=self._control_fault, methods=["POST"]),
                *self.api_rules(),
            ]
        )

    # To be provided by each platform

    def api_rules(self) -> list[Rule]:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget every post (and any queued fault), and put the clock back to real time."""
        with self.lock:
            self.faults = []
            self.requests = []
            self.clock_offset = timedelta()  # moved on by pass_time()
            # Posts a platform's listings leave out until then (an after-write fault's `lag`).
            self.unlisted_until: dict[str, datetime] = {}

    def snapshot(self) -> dict[str, Any]:
        return {}

    def error(self, status: int, message: str, **extra: Any) -> Response:
        """An error in the platform's own shape."""
        return json_response({"error": {"code": status, "message": message, **extra}}, status)

    def fault_response(self, fault: Fault, request: Request) -> Response:
        """The platform's answer to an injected fault of the kinds it shapes itself."""
        status = int(fault.params.get("status", 503))
        return self.error(status, "Service temporarily unavailable")

    # The sandbox's clock: rate-limit windows, daily quotas and ages follow it

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def pass_time(self, by: timedelta) -> None:
        """Move the sandbox's clock on (the client's is left alone): windows and quotas reset,
        posts age, as they would on the platform after that long."""
        with self.lock:
            self.clock_offset += by

    # A listing slow to show a new post

    def made(self, item_id: str) -> None:
        """A post the call being answered made: left out of the platform's listings (a feed,
        a timeline, a playlist) for the `lag` seconds of the after-write fault answering it, as
        a platform's listings can be slow to show one."""
        lag = getattr(self._writing, "lag", 0.0)
        if lag > 0:
            with self.lock:
                self.unlisted_until[item_id] = self.now() + timedelta(seconds=lag)

    def listed(self, item_id: str) -> bool:
        """Whether the platform's listings show the post yet (see `made`)."""
        until = self.unlisted_until.get(item_id)
        return until is None or self.now() >= until

    # Lifecycle

    def start(self, port: int = 0) -> str:
        self._server = make_server(
            "127.0.0.1", port, self, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05),
            daemon=True,
            name=f"{self.name}-sandbox",
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Sandbox:
        if not self.url:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Faults and state

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        after: int = 0,
        **params: Any,
    ) -> None:
        if kind not in self.fault_kinds:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {self.fault_kinds}")
        with self.lock:
            self.faults.append(Fault(kind, method, path, times, params, after))

    def state(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.snapshot())

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(request):
                    if fault.after > 0:  # this call is let through
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # WSGI

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.routes.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return self.error(404, f"Unknown path {request.path}")
        except HTTPException as error:
            return self.error(error.code or 400, error.description or "Bad request")
        if request.path.startswith("/_sandbox/"):
            return endpoint(request, **values)
        with self.lock:
            self.requests.append((request.method, request.path))
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request)
        if fault and fault.kind == "timeout":
            time.sleep(float(fault.params.get("seconds", 5)))
        elif fault and fault.kind == "not_json":
            return _not_json(fault)
        elif fault and fault.kind not in AFTER_WRITE:
            return self.fault_response(fault, request)
        self._writing.lag = float(fault.params.get("lag", 0)) if fault else 0.0
        try:
            response = endpoint(request, **values)
        finally:
            self._writing.lag = 0.0
        if fault and fault.kind == "drop_after_write":
            raise DropConnection
        if fault and fault.kind == "not_json_after_write":
            # The write is done, but a proxy in between answers its page in the API's answer's
            # place: the client cannot tell whether it was.
            return _not_json(fault)
        if fault and fault.kind == "server_error_after_write":
            # The write is done, and then the platform (or a gateway answering in its own
            # shape) answers its 5xx all the same: the client cannot tell whether it was.
            return self.fault_response(fault, request)
        return response

    def _control_state(self, request: Request) -> Response:
        return json_response(self.state())

    def _control_reset(self, request: Request) -> Response:
        self.reset()
        return json_response({"reset": True})

    def _control_fault(self, request: Request) -> Response:
        spec = dict(request.get_json(force=True))
        kind = spec.pop("kind", "")
        try:
            self.inject(
                kind,
                method=spec.pop("method", None),
                path=spec.pop("path", None),
                times=int(spec.pop("times", 1)),
                after=int(spec.pop("after", 0)),
                **spec,
            )
        except ValueError as error:
            return json_response({"error": str(error)}, 400)
        return json_response({"queued": kind})


def _not_json(fault: Fault) -> Response:
    """The page a `not_json` fault answers: HTML, or labelled `content_type` (None: with no
    Content-Type at all, as some proxies answer), with HTTP `status` (200 unless given)."""
    page = Response(NOT_JSON_PAGE, fault.params.get("status", 200))
    content_type = fault.params.get("content_type", "text/html")
    if content_type is None:
        del page.headers["Content-Type"]
    else:
        page.content_type = content_type
    return page


def form_or_json(request: Request) -> dict[str, Any]:
    """Parameters as clients send them: query string, form body or JSON body."""
    data: dict[str, Any] = dict(request.args.items())
    if request.mimetype == "application/json":
        data.update(request.get_json(force=True, silent=True) or {})
    else:
        data.update(request.form.items())
    return data
