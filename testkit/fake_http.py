"""The scripted loopback HTTP service every fake of testkit/fake_services.py and testkit/fake_search.py builds on.

A ``ThreadingHTTPServer`` on a loopback address (port 0) that counts hits per path, can add
latency to every request, sends ETags (and answers 304 to If-None-Match), and can be told to
fail (any status, e.g. 429 with Retry-After) for the next N requests or until healed.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from testkit.local_server import LoopbackServer, Reply, send_reply

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


@dataclass
class Request:
    path: str
    query: dict[str, str]  # the URL's query, and for a POST the form fields too
    headers: dict[str, str]
    method: str = "GET"


def json_reply(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data), "application/json")


class FakeService(LoopbackServer):
    """A scripted loopback HTTP service. Subclasses implement :meth:`handle`."""

    def __init__(self, host: str = "127.0.0.1", *, latency: float = 0.0, etags: bool = True) -> None:
        self.latency = latency
        self.etags = etags
        self.hits: Counter[str] = Counter()
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._failure: Reply | None = None
        self._failures_left: int | None = None
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer("GET", "")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                self._answer("POST", self.rfile.read(length).decode("utf-8", "replace"))

            def _answer(self, method: str, form: str) -> None:
                parts = urlsplit(self.path)
                fields = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fields.update({k: v[-1] for k, v in parse_qs(form).items()})
                request = Request(unquote(parts.path), fields, {k.lower(): v for k, v in self.headers.items()}, method)
                reply = service._serve(request)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                send_reply(self, reply.status, body, reply.content_type, reply.headers)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler, host)

    # -- control -------------------------------------------------------------
    def fail(self, status: int = 500, *, times: int | None = None, retry_after: float | None = None,
             body: str = "failure injected by the test") -> None:
        """Answer ``status`` to the next ``times`` requests (all of them while ``times`` is None)."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        with self._lock:
            self._failure = Reply(status, body, "text/plain", headers)
            self._failures_left = times

    def heal(self) -> None:
        with self._lock:
            self._failure = None
            self._failures_left = None

    @property
    def requests(self) -> int:
        """Requests received so far, on every path."""
        return sum(self.hits.values())

    # -- serving ---------------------------------------------------------------
    def _serve(self, request: Request) -> Reply:
        with self._lock:
            self.hits[request.path] += 1
            self.log.append(request)
            failure = self._failure
            if failure is not None and self._failures_left is not None:
                self._failures_left -= 1
                if self._failures_left <= 0:
                    self._failure, self._failures_left = None, None
        if self.latency:
            time.sleep(self.latency)
        if failure is not None:
            return failure
        reply = self.handle(request)
        if reply.status == 200 and self.etags:
            # Validators let a client revalidate (``refresh``) instead of downloading again.
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if request.headers.get("if-none-match") == etag:
                return Reply(304, b"", reply.content_type, {"ETag": etag})
            reply = Reply(reply.status, reply.body, reply.content_type, {**reply.headers, "ETag": etag})
        return reply

    def handle(self, request: Request) -> Reply:
        return Reply(404, "not found", "text/plain")
