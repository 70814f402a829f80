"""Loopback HTTP servers for tests: a shared base, and a scripted server with routes, latency and hit counts."""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Reply | Callable[[BaseHTTPRequestHandler], Reply]


def send_reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
               headers: dict[str, str] | None = None) -> None:
    """Write one complete response; a client that hung up early is not an error."""
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


class LoopbackServer:
    """A threaded HTTP server on a loopback address and a free port, run in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        self.host = host
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # a hanging handler must not block stop()
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LocalServer(LoopbackServer):
    """Routes by path to fixed or computed replies, counting hits."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                route = server.routes.get(path, Reply(404, "not found", "text/plain"))
                reply = route(self) if callable(route) else route
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                send_reply(self, reply.status, body, reply.content_type, reply.headers)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)


def article_html(title: str, paragraphs: list[str], *, outlet: str = "Test Gazette", author: str = "Ada Writer",
                 date: str = "2024-03-05", lang: str = "en") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="{outlet}">
<meta name="author" content="{author}"><meta property="article:published_time" content="{date}"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>{body}</article><footer>Copyright {outlet}</footer></body></html>"""
