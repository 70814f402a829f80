"""Test isolation: a private home folder, private URLs allowed, and no internet."""
from __future__ import annotations

import ipaddress
import itertools
import os
import socket

import pytest

from core import http
from core.jobs import queue as queue_module
from core.jobs.queue import JobQueue
from core.sources.ddgs_search import BACKOFF
from core.settings import get_settings
from core.storage import Storage
from testkit.servers import ServerUnavailable, fresh_postgres_database, postgres_server, redis_server

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
    # The default sources reach Wikipedia and web search (ddgs needs no key) on the internet: a test
    # that wants them points them at loopback fakes (testkit/fake_services.py: use_services) and says so.
    monkeypatch.setenv("CROSSCHECK_SOURCES", "library")
    monkeypatch.setenv("CROSSCHECK_DDGS_BACKENDS", "")
    for name in ("GOOGLE_FACTCHECK_API_KEY",):
        monkeypatch.delenv(name, raising=False)
    # Jobs run inside the process that submits them (Huey's immediate mode); the queue tests
    # run real workers on the SQLite and Redis queues themselves.
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", "memory://")
    monkeypatch.setattr(socket.socket, "connect", _loopback_only_connect)
    get_settings.cache_clear()
    http._sessions.clear()
    queue_module._QUEUES.clear()
    BACKOFF.reset()
    yield
    get_settings.cache_clear()
    http._sessions.clear()
    queue_module._QUEUES.clear()


def _server(start):
    """Start a real server for the session, or skip (fail under CI=true) when its Debian package is missing."""
    try:
        manager = start()
        url = manager.__enter__()
    except ServerUnavailable as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def postgres_server_url():
    yield from _server(postgres_server)


@pytest.fixture(scope="session")
def redis_url():
    yield from _server(redis_server)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.processes)])
def queue_nobody_consumes(request, monkeypatch, tmp_path):
    """A queue that nobody consumes: the default SQLite file, or a real Redis server."""
    if request.param == "sqlite":
        monkeypatch.delenv("CROSSCHECK_QUEUE_URL")
    else:
        monkeypatch.setenv("CROSSCHECK_QUEUE_URL", request.getfixturevalue("redis_url"))
    get_settings.cache_clear()
    job_queue = JobQueue(get_settings(), Storage(tmp_path / "library.db"))
    job_queue.huey.flush()
    yield job_queue
    job_queue.huey.flush()


_databases = itertools.count()


# The PostgreSQL variant starts a server process (once per session): the fast lane leaves it out.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.processes)])
def database_url(request, tmp_path):
    """An empty database: a SQLite file, then a fresh database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    server = request.getfixturevalue("postgres_server_url")
    return fresh_postgres_database(server, f"test_{os.getpid()}_{next(_databases)}")
