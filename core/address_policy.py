"""Which web addresses Crosscheck may fetch: http(s) only, valid host names, and public addresses only.

Private, loopback, link-local and other non-public addresses are refused unless
``CROSSCHECK_ALLOW_PRIVATE_URLS`` is set; IPv6 addresses that embed an IPv4 one
(mapped, NAT64, 6to4, IPv4-compatible) are judged by the IPv4 address; IPv4-translated
(``::ffff:0:0:0/96``) and site-local (``fec0::/10``) ones are never public.
:mod:`core.http` checks every request and redirect hop here before connecting,
and the peer each connection actually reached after connecting. Messages show
addresses through :func:`redact`, never with the credentials a URL carries.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from urllib.parse import SplitResult, quote, urlsplit

from .errors import BlockedURLError, FetchError, NetworkUnreachableError
from .settings import Settings

# Prefixes whose addresses carry an IPv4 address in their low 32 bits: the well-known NAT64 prefix
# (RFC 6052) and the deprecated IPv4-compatible addresses (RFC 4291). Mapped (::ffff:0:0/96) and
# 6to4 (2002::/16) addresses are decoded by the ipaddress module itself.
_LOW_32_BITS_EMBED_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))
# Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the network, so never public.
# IPv4-translated addresses (RFC 2765, SIIT) and the deprecated site-local ones (RFC 3879) are not routed on the
# Internet, yet the ipaddress module calls them global; a translator or an old network may still reach inside with them.
_NEVER_PUBLIC_IPV6 = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("::ffff:0:0:0/96"),
                      ipaddress.ip_network("fec0::/10"))
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@")
_SECRET_QUERY = re.compile(r"([?&](?:" + "|".join(re.escape(p) for p in ("api_key", "key", "token")) + r")=)[^&#]*", re.IGNORECASE)


def redact(url: str) -> str:
    """``url`` as messages may show it: without user name, password or credential parameters, and with
    line breaks and control characters percent-encoded (a message is one line, and never drives a terminal)."""
    shown = _SECRET_QUERY.sub(r"\1REDACTED", _USERINFO.sub(r"\1", url))
    return "".join(ch if ch.isprintable() else quote(ch) for ch in shown)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it embeds one (mapped, 6to4, NAT64, IPv4-compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in prefix for prefix in _LOW_32_BITS_EMBED_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in prefix for prefix in _NEVER_PUBLIC_IPV6):
            return False
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return embedded.is_global and not embedded.is_multicast
    return ip.is_global and not ip.is_multicast


def _invalid_address(url: str, reason: str) -> FetchError:
    return FetchError(f"Not a valid web address: {redact(url)!r} ({reason}).", url=redact(url),
                      hint="Give a full http:// or https:// address.")


def require_web_address(url: str) -> SplitResult:
    """The parts of ``url``, if it is an http(s) address with a valid host; FetchError if not."""
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise _invalid_address(url, str(exc)) from None
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(f"Not a web address: {redact(url)!r}.", url=redact(url), hint="Give a full http:// or https:// address.")
    _require_valid_host(url, host)
    return parts


def _require_valid_host(url: str, host: str) -> None:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return
    except ValueError:
        pass
    try:
        encoded = host.encode("idna")  # refuses empty labels and labels over 63 characters
    except UnicodeError as exc:
        raise _invalid_address(url, f"the host name is not valid: {exc.reason if hasattr(exc, 'reason') else exc}") from None
    if len(encoded) > 253 or any(ch.isspace() or ord(ch) < 32 for ch in host):
        raise _invalid_address(url, "the host name is not valid")


def resolve(host: str, port: int, *, ends_at: float | None = None) -> list[tuple]:
    """``socket.getaddrinfo`` for a TCP connection, given up with TimeoutError at ``ends_at`` (``time.monotonic()``).

    getaddrinfo cannot be interrupted, so with a deadline the lookup runs in a daemon thread that is
    left behind if the resolver is slower than the request may take (DNS counts toward the deadline).
    """
    if ends_at is None:
        return socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    answer: list = []

    def look_up() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP))
        except BaseException as exc:  # noqa: BLE001 (handed to the waiting thread, which raises it)
            answer.append(exc)

    lookup = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    lookup.start()
    while lookup.is_alive() and (left := ends_at - time.monotonic()) > 0:
        lookup.join(left)
    if not answer:
        raise TimeoutError(f"the name {host!r} did not resolve in time")
    if isinstance(answer[0], BaseException):
        raise answer[0]
    return answer[0]


def check_url(url: str, settings: Settings, *, ends_at: float | None = None) -> None:
    """Raise unless ``url`` is http(s) and, when private addresses are refused, resolves to public ones only
    (the lookup given up with TimeoutError at ``ends_at``, the request's deadline)."""
    parts = require_web_address(url)
    if settings.allow_private_urls:
        return
    host = parts.hostname
    try:
        infos = resolve(host, parts.port or (443 if parts.scheme == "https" else 80), ends_at=ends_at)
    except socket.gaierror as exc:
        raise NetworkUnreachableError(f"The host {host!r} could not be found ({exc.strerror}).", url=redact(url)) from None
    except (UnicodeError, ValueError) as exc:
        raise _invalid_address(url, f"the host name is not valid: {exc}") from None
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise BlockedURLError(f"Refused to fetch {redact(url)}: {host} resolves to the non-public address {address}.",
                                  url=redact(url))
