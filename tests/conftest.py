"""Test isolation: a private home folder, private URLs allowed, and no internet."""
from __future__ import annotations

import ipaddress
import os
import socket

import pytest

from core import http
from core.settings import get_settings

_real_connect = socket.socket.connect


def _loopback_only_connect(sock: socket.socket, address, *args):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        if not ipaddress.ip_address(host.split("%", 1)[0]).is_loopback:
            raise OSError(f"tests must not reach the network (tried {host})")
    return _real_connect(sock, address, *args)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own database and caches, and no real keys or config."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "BRAVE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("CROSSCHECK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CROSSCHECK_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("CROSSCHECK_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setattr(socket.socket, "connect", _loopback_only_connect)
    get_settings.cache_clear()
    http._sessions.clear()
    yield
    get_settings.cache_clear()
    http._sessions.clear()
