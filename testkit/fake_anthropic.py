"""A local stand-in for Anthropic's Messages API (``POST /v1/messages``) for tests and benches.

It records every request (headers, JSON body, start and end times), answers
from a per-test script of :class:`Reply` objects and, when the script is
empty, from a responder function (by default :func:`plausible_responder`,
which answers the claude engine's two tools with quotes taken from the
article it was sent). It can add latency, return 429/529/500 with
``retry-after``, send a body that is not JSON, or hang until a timeout.

Use in a test::

    from testkit.fake_anthropic import fake_anthropic, tool_reply  # noqa: F401 (fixture)

    def test_something(fake_anthropic):
        fake_anthropic.script(tool_reply("record_reading", {...}))
        ...run the claude engine or `python -m core analyze ... --engine claude`...
        assert len(fake_anthropic.requests) == 1

The fixture points ``ANTHROPIC_BASE_URL`` at the server, sets a fake
``ANTHROPIC_API_KEY`` and clears the settings cache.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from testkit.local_server import LoopbackServer, send_reply

FAKE_KEY = "sk-ant-test-0123456789abcdef"


@dataclass
class Reply:
    """One scripted answer. ``body`` is JSON-encoded unless it is bytes."""

    status: int = 200
    body: dict[str, Any] | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False  # never answer; the client's timeout has to end it


@dataclass
class Recorded:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]
    started: float
    finished: float = 0.0
    # Token counts the server derives from the request (see FakeAnthropic._usage_for).
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def tool(self) -> str:
        """The forced tool's name (``tool_choice.name``), or ""."""
        return (self.body.get("tool_choice") or {}).get("name", "")

    @property
    def system_text(self) -> str:
        system = self.body.get("system", "")
        return system if isinstance(system, str) else "\n".join(b.get("text", "") for b in system)

    def text_blocks(self) -> list[dict[str, Any]]:
        """Every text block of every message, in order."""
        blocks = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                blocks.append({"type": "text", "text": content})
            else:
                blocks.extend(b for b in content if b.get("type") == "text")
        return blocks

    @property
    def user_text(self) -> str:
        return "\n".join(b["text"] for b in self.text_blocks())


Responder = Callable[[Recorded], Reply]


def usage(input_tokens: int = 100, output_tokens: int = 50, cache_write: int = 0, cache_read: int = 0) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
    }


def tool_reply(name: str, tool_input: Any, *, usage_: dict[str, int] | None = None, stop_reason: str = "tool_use",
               delay: float = 0.0) -> Reply:
    """A 200 answer whose content is one ``tool_use`` block calling ``name`` with ``tool_input``."""
    body = {
        "id": f"msg_{hashlib.sha1(repr(tool_input).encode()).hexdigest()[:16]}",
        "type": "message",
        "role": "assistant",
        "model": "fake",
        "content": [{"type": "tool_use", "id": "toolu_fake01", "name": name, "input": tool_input}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage_ or usage(),
    }
    return Reply(body=body, delay=delay)


def text_reply(text: str) -> Reply:
    """A 200 answer with plain text and no tool call."""
    return Reply(body={
        "id": "msg_text", "type": "message", "role": "assistant", "model": "fake",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": usage(),
    })


def error_reply(status: int, kind: str = "api_error", message: str = "fake failure", *,
                headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body={"type": "error", "error": {"type": kind, "message": message}}, headers=headers or {})


def rate_limited(retry_after: float = 0.05) -> Reply:
    return error_reply(429, "rate_limit_error", "rate limited", headers={"retry-after": f"{retry_after:g}"})


def overloaded(retry_after_ms: int | None = 20) -> Reply:
    headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
    return error_reply(529, "overloaded_error", "Overloaded", headers=headers)


def server_error(retry_after_ms: int | None = 20) -> Reply:
    headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
    return error_reply(500, "api_error", "Internal server error", headers=headers)


def malformed_reply() -> Reply:
    return Reply(body=b'{"id": "msg_broken", "content": [{"type": "tool_use", "input": {')


# A sentence ends at . ! or ? followed by white space, so "4.2%" does not end one.
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+[.!?](?=\s|$)")
_BLOCK = re.compile(r"<((?:article|data)_[0-9a-f]+)>\n(.*)\n</\1>", re.S)


def article_of(request: Recorded) -> str:
    """The article text inside the request's ``<article_...>`` block ("" if none)."""
    for block in request.text_blocks():
        match = _BLOCK.search(block["text"])
        if match and match.group(1).startswith("article_"):
            return match.group(2)
    return ""


def plausible_reading(article: str, *, max_claims: int = 15) -> dict[str, Any]:
    """A ``record_reading`` input for ``article``: sentences with a digit become claims,
    exclamations become Loaded_Language passages, every quote copied from the text."""
    sentences = [s.strip() for s in _SENTENCE.findall(article) if len(s.strip()) > 3]
    loud = [s for s in sentences if s.endswith("!")] or sentences[:1]
    factual = [s for s in sentences if any(ch.isdigit() for ch in s)] or sentences[:2]
    techniques = [
        {"name": "Loaded_Language", "confidence": 0.8, "stands_out": 0.8, "passages": [{"quote": s, "confidence": 0.7} for s in loud[:8]]},
        {"name": "Doubt", "confidence": 0.1, "stands_out": 0.1, "passages": []},
    ]
    claims = [{"quote": s, "checkworthiness": round(0.9 - 0.02 * i, 2)} for i, s in enumerate(factual[:max_claims])]
    return {"techniques": techniques, "claims": claims}


def plausible_stances(request: Recorded) -> dict[str, Any]:
    """A ``record_stances`` input: a passage sharing most of its claim's words supports it,
    or refutes it when it also says "not", "false", "denied" or "no"; else neutral."""
    document: dict[str, Any] = {"claims": []}
    for block in request.text_blocks():
        match = _BLOCK.search(block["text"])
        if match and match.group(1).startswith("data_"):
            document = json.loads(match.group(2))
    judgements = []
    for claim in document["claims"]:
        words = set(re.findall(r"\w+", claim["claim"].lower()))
        for evidence in claim["evidence"]:
            seen = set(re.findall(r"\w+", evidence["passage"].lower()))
            overlap = len(words & seen) / max(1, len(words))
            if overlap >= 0.5 and seen & {"not", "false", "denied", "no"}:
                probs = (0.1, 0.8, 0.1)
            elif overlap >= 0.5:
                probs = (0.8, 0.05, 0.15)
            else:
                probs = (0.1, 0.1, 0.8)
            judgements.append({"id": evidence["id"], "supports": probs[0], "refutes": probs[1], "neutral": probs[2]})
    return {"judgements": judgements}


def web_search_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The request's server-side web search tool (type ``web_search_…``), if it offers one."""
    return next((t for t in body.get("tools") or [] if str(t.get("type", "")).startswith("web_search_")), None)


def claim_of(request: Recorded) -> str:
    """The text inside the request's ``<claim_...>`` block ("" if none)."""
    for block in request.text_blocks():
        match = re.search(r"<(claim_[0-9a-f]+)>\n(.*)\n</\1>", block["text"], re.S)
        if match:
            return match.group(2)
    return ""


def web_search_message(content: list[dict[str, Any]], *, searches: int, usage_: dict[str, int] | None = None) -> Reply:
    """A 200 answer in the shape of a Messages API response that used the web search tool."""
    return Reply(body={
        "id": f"msg_web_{hashlib.sha1(json.dumps(content).encode()).hexdigest()[:12]}", "type": "message",
        "role": "assistant", "model": "fake", "content": content, "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {**(usage_ or usage()), "server_tool_use": {"web_search_requests": searches, "web_fetch_requests": 0}},
    })


def web_search_error(code: str = "too_many_requests") -> Reply:
    """An answer whose one search failed: the result block holds a ``web_search_tool_result_error``."""
    return web_search_message([
        {"type": "server_tool_use", "id": "srvtoolu_fake_error", "name": "web_search", "input": {"query": "…"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_fake_error",
         "content": {"type": "web_search_tool_result_error", "error_code": code}},
        {"type": "text", "text": "The search failed, so I cannot point to sources."},
    ], searches=1)


def web_search_refused() -> Reply:
    """The error answer of an organisation whose administrator has not enabled web search."""
    return error_reply(400, "invalid_request_error", "Web search is not enabled for your organization.")


def plausible_responder(request: Recorded) -> Reply:
    """Answers whichever tool the request forces, with usage that reflects prompt caching:
    a cache-marked block is written the first time and read on later requests."""
    if request.tool == "record_reading":
        answer = plausible_reading(article_of(request))
    elif request.tool == "record_stances":
        answer = plausible_stances(request)
    else:
        return error_reply(400, "invalid_request_error", f"fake server knows no tool {request.tool!r}")
    return tool_reply(request.tool, answer, usage_=request.usage)


class FakeAnthropic(LoopbackServer):
    """The server. ``latency`` delays every answer; ``script()`` queues answers."""

    def __init__(self, responder: Responder = plausible_responder, *, latency: float = 0.0) -> None:
        self.responder = responder
        self.latency = latency
        self.requests: list[Recorded] = []
        # Pages the web search tool "finds": (url, title, text, page_age), matched to the claim by shared words.
        self.web_pages: list[tuple[str, str, str, str | None]] = []
        self._queue: deque[Reply] = deque()
        self._web_search_queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._cached_prefixes: set[str] = set()
        self._stopping = threading.Event()
        super().__init__(self._handler())

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order, then fall back to the responder."""
        with self._lock:
            self._queue.extend(replies)

    def add_web_page(self, url: str, title: str, text: str, *, page_age: str | None = "March 5, 2024") -> None:
        self.web_pages.append((url, title, text, page_age))

    def script_web_search(self, *replies: Reply) -> None:
        """Answer the next requests that offer the web search tool with these replies (other requests are not affected)."""
        with self._lock:
            self._web_search_queue.extend(replies)

    def web_searches(self) -> list[Recorded]:
        """The requests that offered the web search tool."""
        return [r for r in self.requests if web_search_tool(r.body) is not None]

    def calls(self, tool: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if tool is None or r.tool == tool]

    def waves(self) -> int:
        """Sequential round trips: chains of overlapping request windows, in time order."""
        count, wave_end = 0, float("-inf")
        for r in sorted(self.requests, key=lambda r: r.started):
            if r.started >= wave_end:
                count += 1
                wave_end = r.finished
            else:
                wave_end = max(wave_end, r.finished)
        return count

    def max_concurrency(self) -> int:
        events = sorted([(r.started, 1) for r in self.requests] + [(r.finished, -1) for r in self.requests])
        level = peak = 0
        for _, step in events:
            level += step
            peak = max(peak, level)
        return peak

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self._web_search_queue.clear()

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers first
        super().stop()

    def _usage_for(self, body: dict[str, Any]) -> dict[str, int]:
        """Token counts from the request size (4 characters a token), with cache-marked
        prefixes counted as written on first sight and read afterwards."""
        total = len(json.dumps(body)) // 4
        cached = 0
        write = read = 0
        prefix = json.dumps([body.get("tools"), body.get("system")])
        for message in body.get("messages", []):
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                prefix += json.dumps(block)
                if block.get("cache_control"):
                    key = hashlib.sha256(prefix.encode()).hexdigest()
                    cached = len(prefix) // 4
                    with self._lock:
                        if key in self._cached_prefixes:
                            read, write = cached, 0
                        else:
                            self._cached_prefixes.add(key)
                            read, write = 0, cached
        return usage(max(1, total - cached), 400, write, read)

    def _next_reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            scripted = self._queue.popleft() if self._queue else None
        if scripted is not None:
            return scripted
        if web_search_tool(recorded.body) is not None:
            with self._lock:
                scripted = self._web_search_queue.popleft() if self._web_search_queue else None
            return scripted if scripted is not None else self._search_the_web(recorded)
        return self.responder(recorded)

    def _search_the_web(self, request: Recorded) -> Reply:
        """One search: pages sharing at least two words of four letters or more with the claim (blocked domains
        left out), each cited by its sentence with most words in common, quoted up to 150 characters."""
        tool = web_search_tool(request.body) or {}
        blocked = set(tool.get("blocked_domains") or [])
        claim = claim_of(request)
        wanted = {w for w in re.findall(r"\w+", claim.lower()) if len(w) > 3}
        found = []
        for url, title, text, page_age in self.web_pages:
            host = re.sub(r"^www\.", "", re.sub(r"^https?://([^/:]+).*$", r"\1", url))
            if host in blocked or len(wanted & set(re.findall(r"\w+", text.lower()))) < 2:
                continue
            sentences = [x.strip() for x in _SENTENCE.findall(text)] or [text]
            best = max(sentences, key=lambda x: len(wanted & set(re.findall(r"\w+", x.lower()))))
            found.append((url, title, best[:150], page_age))
        tool_id = f"srvtoolu_{hashlib.sha1(claim.encode()).hexdigest()[:16]}"
        content: list[dict[str, Any]] = [
            {"type": "text", "text": "I'll search for evidence on this claim."},
            {"type": "server_tool_use", "id": tool_id, "name": "web_search", "input": {"query": claim[:80]}},
            {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": [
                {"type": "web_search_result", "url": url, "title": title, "page_age": age,
                 "encrypted_content": hashlib.sha256(url.encode()).hexdigest()} for url, title, _, age in found]},
        ]
        for url, title, cited, _ in found:
            content.append({"type": "text", "text": f"{title} reports this.", "citations": [
                {"type": "web_search_result_location", "url": url, "title": title, "cited_text": cited,
                 "encrypted_index": hashlib.sha256(cited.encode()).hexdigest()[:24]}]})
        if not found:
            content.append({"type": "text", "text": "I found no sources on this claim."})
        return web_search_message(content, searches=1, usage_=request.usage)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                recorded = Recorded(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw or b"{}"),
                    started=time.monotonic(),
                )
                recorded.usage = server._usage_for(recorded.body)
                with server._lock:
                    server.requests.append(recorded)
                if self.path.split("?", 1)[0] != "/v1/messages":
                    reply = error_reply(404, "not_found_error", f"no route {self.path}")
                else:
                    reply = server._next_reply(recorded)
                if reply.hang:
                    server._stopping.wait(60)
                    recorded.finished = time.monotonic()
                    return
                pause = server.latency + reply.delay
                if pause:
                    server._stopping.wait(pause)
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                send_reply(self, reply.status, body, "application/json",
                           {"request-id": f"req_fake_{len(server.requests)}", **reply.headers})
                recorded.finished = time.monotonic()

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running :class:`FakeAnthropic` with ``ANTHROPIC_BASE_URL``/``ANTHROPIC_API_KEY`` pointing at it.

    Retries are kept short (``CROSSCHECK_CLAUDE_MAX_RETRIES=2``, timeout 5 s) so
    failure tests stay quick; override the variables after the fixture if needed.
    """
    from core.settings import get_settings

    with FakeAnthropic() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("CROSSCHECK_CLAUDE_MAX_RETRIES", "2")
        monkeypatch.setenv("CROSSCHECK_CLAUDE_TIMEOUT", "5")
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()
