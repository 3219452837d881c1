"""A real HTTP receiver for the webhook tests, in a thread of the test process: each path
answers its own way (/ok 200, /fail 500, /slow 200 after 0.3 s, /hang no answer within the
dispatcher's timeout, /flaky 500 the first time it sees an event and 200 after), and every
request is kept (headers and raw body) for the tests to read."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    """One request as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event_id(self) -> str:
        return self.headers["shopdb-event-id"]

    @property
    def attempt(self) -> tuple[str, str]:
        return self.headers["shopdb-delivery-id"], self.headers["shopdb-attempt"]


class Receiver:
    """The server, its requests, and a hook run on each request (before it answers)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.hang_s = 3.0
        self.on_request: Callable[[Received], object] | None = None
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                got = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )  # fmt: skip
                self._answer(receiver.take(got))

            def _answer(self, status: int) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the dispatcher gave up waiting (a timeout)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the tests read ``requests``."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def take(self, got: Received) -> int:
        with self._lock:
            self.requests.append(got)
            first = got.event_id not in self._seen
            self._seen.add(got.event_id)
        if self.on_request is not None:
            self.on_request(got)
        behaviour = got.path.split("?", 1)[0]
        if behaviour == "/slow":
            time.sleep(0.3)
        elif behaviour == "/hang":
            time.sleep(self.hang_s)
        if behaviour == "/fail" or (behaviour == "/flaky" and first):
            return 500
        return 200

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
