"""The HTTP module: SSRF refusal, redirects, size cap, content types, errors, caching."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from core import address_policy, http
from core.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    RateLimitedError,
    ResponseTooLargeError,
    TransportError,
    UnsupportedContentError,
    is_retryable_status,
    retry_after_seconds,
)
from core.settings import Settings, get_settings
from testkit.local_server import LocalServer, RawServer, Reply, drip


def strict_settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "strict", allow_private_urls=False)


@pytest.mark.parametrize(
    "address, public",
    [("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.5", False), ("172.16.0.1", False),
     ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("::ffff:127.0.0.1", False),
     ("0.0.0.0", False), ("100.64.0.1", False), ("8.8.8.8", True), ("2606:4700::1111", True),
     # IPv6 addresses that embed an IPv4 one are judged by it: NAT64, 6to4, IPv4-compatible (audit item 4).
     ("64:ff9b::7f00:1", False), ("64:ff9b::a00:1", False), ("64:ff9b::808:808", True),
     ("2002:a00:1::1", False), ("2002:7f00:1::", False), ("2002:808:808::1", True),
     ("::7f00:1", False), ("::a9fe:a9fe", False), ("64:ff9b:1::a00:1", False),
     # IPv4-translated (SIIT) and site-local addresses are not routed on the Internet (issue 30, item 8).
     ("::ffff:0:7f00:1", False), ("::ffff:0:a00:1", False), ("::ffff:0:808:808", False), ("fec0::1", False),
     ("feff:1::5", False)],
)
def test_public_address_policy(address, public):
    assert address_policy.is_public_address(address) is public


def test_loopback_url_is_refused_by_default(tmp_path):
    with LocalServer() as server:
        server.routes["/"] = Reply(body="secret")
        with pytest.raises(BlockedURLError, match="non-public address 127.0.0.1"):
            http.get(server.url("/"), settings=strict_settings(tmp_path))
        assert server.hits["/"] == 0


def test_hostname_resolving_to_private_address_is_refused(tmp_path, monkeypatch):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(BlockedURLError, match="10.0.0.7"):
        http.get("http://news.example/story", settings=strict_settings(tmp_path))


def test_redirect_to_private_address_is_refused(tmp_path, monkeypatch):
    """A public page that redirects to a private one: the redirect hop is checked too."""
    settings = strict_settings(tmp_path)
    with LocalServer() as server:
        server.routes["/public"] = Reply(302, headers={"Location": server.url("/private")})
        server.routes["/private"] = Reply(body="internal")
        # Pretend the server is public and only "/private" resolves to a private address.
        monkeypatch.setattr(address_policy, "is_public_address", lambda address: True)

        def refuse_private_path(url, settings, **deadline):
            if url.endswith("/private"):
                raise BlockedURLError("private")

        monkeypatch.setattr(address_policy, "check_url", refuse_private_path)
        with pytest.raises(BlockedURLError):
            http.get(server.url("/public"), settings=settings)
        assert server.hits["/public"] == 1
        assert server.hits["/private"] == 0


def test_peer_address_is_checked_after_connecting(tmp_path, monkeypatch):
    """DNS rebinding: the name looked public when checked, but the socket reached loopback."""
    settings = strict_settings(tmp_path)
    monkeypatch.setattr(address_policy, "check_url", lambda url, settings, **deadline: None)
    with LocalServer() as server:
        server.routes["/"] = Reply(body="internal")
        with pytest.raises(BlockedURLError, match="connection reached the non-public address"):
            http.get(server.url("/"), settings=settings)


def test_non_http_scheme_is_refused():
    with pytest.raises(FetchError, match="Not a web address"):
        http.get("file:///etc/passwd")


def test_size_cap_with_and_without_content_length(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_MAX_DOWNLOAD_BYTES", "1000")
    get_settings.cache_clear()
    with LocalServer() as server:
        server.routes["/big"] = Reply(body="x" * 5000)
        with pytest.raises(ResponseTooLargeError, match="5,000 bytes"):
            http.get(server.url("/big"))

        def chunked(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.end_headers()
            handler.wfile.write(b"y" * 5000)
            handler.close_connection = True
            return None

        server.routes["/chunked"] = lambda handler: chunked(handler) or Reply(body=b"")
        with pytest.raises(ResponseTooLargeError, match="larger than the 1,000-byte limit"):
            http.get(server.url("/chunked"))


@pytest.mark.parametrize(
    "content_type, kind", [("application/pdf", "a PDF document"), ("image/png", "an image"), ("application/zip", "a ZIP archive")]
)
def test_non_page_content_is_refused_with_its_kind(content_type, kind):
    with LocalServer() as server:
        server.routes["/file"] = Reply(body=b"%PDF-1.4 ...", content_type=content_type)
        with pytest.raises(UnsupportedContentError, match=kind):
            http.get(server.url("/file"), accept=http.HTML_TYPES)


@pytest.mark.parametrize(
    "status, message", [(404, "not found"), (403, "refused access"), (500, "server error"), (503, "server error")]
)
def test_http_errors_become_clear_messages(status, message):
    with LocalServer() as server:
        server.routes["/x"] = Reply(status, "nope")
        with pytest.raises(FetchError, match=message):
            http.get(server.url("/x"))


def test_rate_limit_carries_retry_after():
    with LocalServer() as server:
        server.routes["/x"] = Reply(429, "slow down", headers={"Retry-After": "7"})
        with pytest.raises(RateLimitedError) as caught:
            http.get(server.url("/x"))
    assert caught.value.retry_after == 7 and caught.value.retryable


def test_a_server_error_carries_its_retry_after_and_is_retryable():
    with LocalServer() as server:
        server.routes["/x"] = Reply(503, "maintenance", headers={"Retry-After": "120"})
        server.routes["/gone"] = Reply(404, "nope")
        with pytest.raises(HTTPStatusError) as unavailable:
            http.get(server.url("/x"))
        with pytest.raises(HTTPStatusError) as missing:
            http.get(server.url("/gone"))
    assert unavailable.value.status == 503 and unavailable.value.retry_after == 120 and unavailable.value.retryable
    assert missing.value.retry_after is None and not missing.value.retryable


@pytest.mark.parametrize("status, retryable", [(408, True), (409, True), (429, True), (500, True), (529, True),
                                               (400, False), (401, False), (403, False), (404, False)])
def test_which_statuses_are_worth_retrying(status, retryable):
    assert is_retryable_status(status) is retryable


def test_retry_after_is_read_in_every_form():
    from requests.structures import CaseInsensitiveDict

    assert retry_after_seconds(CaseInsensitiveDict({"Retry-After": "7"})) == 7
    assert retry_after_seconds(CaseInsensitiveDict({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5
    in_a_minute = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 <= retry_after_seconds(CaseInsensitiveDict({"Retry-After": in_a_minute})) <= 60
    assert retry_after_seconds(CaseInsensitiveDict({"Retry-After": "Mon, 01 Jan 2001 00:00:00 GMT"})) == 0
    assert retry_after_seconds(CaseInsensitiveDict({"Retry-After": "soon"})) is None
    assert retry_after_seconds(CaseInsensitiveDict()) is None


def test_timeout_is_reported(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "0.3")
    get_settings.cache_clear()
    with LocalServer() as server:
        server.routes["/slow"] = Reply(body="late", delay=1.5)
        with pytest.raises(FetchError, match="did not answer within 0.3 seconds"):
            http.get(server.url("/slow"))


def test_unreachable_host_is_reported():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="Could not connect"):
        http.get(f"http://127.0.0.1:{port}/")


def test_responses_are_cached_and_cache_can_be_cleared():
    with LocalServer() as server:
        server.routes["/page"] = Reply(body="<p>hello</p>")
        assert http.get(server.url("/page")).text == "<p>hello</p>"
        assert http.get(server.url("/page")).text == "<p>hello</p>"
        assert server.hits["/page"] == 1
        assert http.cache_stats()["responses"] == 1
        assert http.clear_cache() == 1
        http.get(server.url("/page"))
        assert server.hits["/page"] == 2


def test_user_agent_is_sent():
    seen = {}

    def record(handler):
        seen["ua"] = handler.headers.get("User-Agent")
        return Reply(body="ok")

    with LocalServer() as server:
        server.routes["/ua"] = record
        http.get(server.url("/ua"))
    assert seen["ua"].startswith("Crosscheck/")


def test_api_keys_are_not_stored_in_the_cache(tmp_path):
    with LocalServer() as server:
        server.routes["/api"] = Reply(body='{"ok": true}', content_type="application/json")
        http.get(server.url("/api"), params={"q": "x", "api_key": "sk-very-secret"}, headers={"X-Subscription-Token": "tok-secret"})
    cache_file = get_settings().cache_path / "http_cache.sqlite"
    raw = cache_file.read_bytes()
    assert b"sk-very-secret" not in raw and b"tok-secret" not in raw


def test_refresh_goes_to_the_network_even_without_validators():
    with LocalServer() as server:
        server.routes["/page"] = Reply(body="<p>v1</p>")
        http.get(server.url("/page"))
        server.routes["/page"] = Reply(body="<p>v2</p>")
        assert http.get(server.url("/page")).text == "<p>v1</p>"
        assert http.get(server.url("/page"), refresh=True).text == "<p>v2</p>"
        assert http.get(server.url("/page")).text == "<p>v2</p>"
        assert server.hits["/page"] == 2


def test_a_page_cached_while_private_addresses_were_allowed_is_not_served_once_they_are_refused(tmp_path):
    """Audit item 2: cache hits never reach the adapter, so the cache is keyed by the address policy."""
    home = tmp_path / "shared-home"
    with LocalServer() as server:
        server.routes["/"] = Reply(body="internal page")
        assert http.get(server.url("/"), settings=Settings(home=home, allow_private_urls=True)).text == "internal page"
        with pytest.raises(BlockedURLError, match="non-public address 127.0.0.1"):
            http.get(server.url("/"), settings=Settings(home=home, allow_private_urls=False))
        assert server.hits["/"] == 1


@pytest.mark.parametrize(
    "answer",
    [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n" + b"x" * 100,
     b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"y" * 200 + b"\r\n\r\nbody"],
    ids=["body-with-content-length", "headers"],
)
def test_a_server_dripping_bytes_cannot_extend_the_deadline(monkeypatch, answer):
    """Audit item 3: a byte every 0.1 s resets a read timeout of 0.5 s forever; the deadline does not reset."""
    monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "0.5")
    get_settings.cache_clear()
    stop = threading.Event()
    with RawServer(drip(answer, interval=0.1, stop=stop)) as server:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match="did not (finish answering|answer) within 0.5 seconds"):
            http.get(server.url("/slow"))
        elapsed = time.monotonic() - started
        stop.set()
    assert elapsed < 1.5


def test_a_fast_keep_alive_connection_still_works_after_a_deadline():
    with LocalServer() as server:
        server.routes["/a"] = Reply(body="a")
        server.routes["/b"] = Reply(body="b")
        assert http.get(server.url("/a")).text == "a" and http.get(server.url("/b")).text == "b"


def test_a_garbage_status_line_is_not_called_a_connection_failure():
    with RawServer(lambda sock: sock.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")) as server:
        with pytest.raises(TransportError, match="did not answer in HTTP"):
            http.get(server.url("/"))


@pytest.mark.parametrize("url", ["http://[::1/", "http://" + "a" * 300 + ".example/", "http://host:99999/", "http://a..b/"])
@pytest.mark.parametrize("allow_private", [True, False])
def test_malformed_addresses_are_user_errors(tmp_path, url, allow_private):
    with pytest.raises(FetchError, match="Not a valid web address"):
        http.get(url, settings=Settings(home=tmp_path, allow_private_urls=allow_private))


def test_credentials_in_a_url_are_not_repeated_in_messages(tmp_path):
    with LocalServer() as server:
        url = server.url("/x?token=tok-secret").replace("http://", "http://analyst:pa55word@")
        with pytest.raises(BlockedURLError) as refused:
            http.get(url, settings=strict_settings(tmp_path))
        server.routes["/x"] = Reply(404, "nope")
        with pytest.raises(FetchError) as missing:
            http.get(url)
    for error in (refused.value, missing.value):
        assert "pa55word" not in error.user_message() and "tok-secret" not in error.user_message()
        assert "analyst" not in error.user_message() and "pa55word" not in str(error.url)


def test_one_deadline_covers_every_redirect_hop(monkeypatch):
    """Issue 30, item 8: six hops of 0.3 s each against a 0.8 s limit took 1.8 s when each hop had its own deadline."""
    monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "0.8")
    get_settings.cache_clear()
    with LocalServer() as server:
        for hop in range(5):
            server.routes[f"/hop{hop}"] = Reply(302, headers={"Location": server.url(f"/hop{hop + 1}")}, delay=0.3)
        server.routes["/hop5"] = Reply(body="arrived", delay=0.3)
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match="within 0.8 seconds"):
            http.get(server.url("/hop0"))
        elapsed = time.monotonic() - started
    assert elapsed < 1.3
    assert server.hits["/hop5"] == 0


@pytest.mark.parametrize("allow_private", [True, False])
def test_a_slow_name_lookup_counts_toward_the_deadline(tmp_path, monkeypatch, allow_private):
    """Issue 30, item 8: DNS was outside the deadline, so a resolver taking 3 s held a 0.5 s request for 3 s."""
    real_getaddrinfo = socket.getaddrinfo

    def slow_getaddrinfo(host, *args, **kwargs):
        if host == "slow.example":
            time.sleep(3)
            return real_getaddrinfo("127.0.0.1", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    settings = Settings(home=tmp_path, allow_private_urls=allow_private, http_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="slow.example did not answer within 0.5 seconds"):
        http.get("http://slow.example/story", settings=settings)
    assert time.monotonic() - started < 1.2


def test_a_name_with_several_addresses_is_tried_in_turn(tmp_path, monkeypatch):
    """The lookup moved inside the deadline: a name whose first address refuses still reaches the second."""
    real_getaddrinfo = socket.getaddrinfo
    with LocalServer() as server:  # on 127.0.0.1 only: 127.0.0.2 refuses
        server.routes["/"] = Reply(body="second")
        port = int(server.url("/").rsplit(":", 1)[1].split("/")[0])

        def two_addresses(host, *args, **kwargs):
            if host == "twice.example":
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port)),
                        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
        assert http.get(f"http://twice.example:{port}/", settings=Settings(home=tmp_path)).text == "second"
