"""The database: an SQLAlchemy engine on SQLite (the default, a file) or PostgreSQL, brought to the newest schema.

Opening a database upgrades it with Alembic in one transaction: on SQLite the
upgrade holds the write lock from its first statement (``BEGIN IMMEDIATE``),
on PostgreSQL an advisory lock, so a process killed half-way leaves the old
schema intact and processes opening a new database at the same time upgrade it
once. Databases written before Alembic (SQLite ``user_version`` 0-3) are
brought to the schema of version 3 first, then stamped and upgraded.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from ..errors import StorageError
from ..settings import redact_url
from . import legacy

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Written to SQLite's user_version once Alembic manages the file, so that a Crosscheck from
# before Alembic (which counted up to 3) refuses it instead of writing rows it does not understand.
ALEMBIC_USER_VERSION = 100
# Key of PostgreSQL's advisory lock held while a database is upgraded.
UPGRADE_LOCK_KEY = 0x43524F5353  # "CROSS"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_POOL_SIZE, SQLITE_POOL_OVERFLOW = 10, 40
STORAGE_HINT = "Check CROSSCHECK_DATABASE_URL (or CROSSCHECK_DB) points to a database Crosscheck can write."


def database_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL: given as such, or a SQLite file path; StorageError for a URL Crosscheck cannot use.

    Crosscheck ships the drivers for SQLite and PostgreSQL (psycopg 3) only. Another database, a
    driver that is not installed, a port that is not a number from 1 to 65535 or an unclosed
    bracket would otherwise fail deep in SQLAlchemy or the driver, with no word about the URL.
    """
    value = str(path_or_url)
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    scheme = value.split("://", 1)[0]
    try:
        url = make_url(value)
        port = url.port
    except (ArgumentError, ValueError):
        raise _unusable(value, "it cannot be read as a URL (is the port a number, is an IPv6 address in [ ]?)") from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3, the pinned driver
    elif url.drivername not in ("sqlite", "sqlite+pysqlite"):
        raise _unusable(value, f"{scheme}:// is not a database Crosscheck can use (SQLite or PostgreSQL with psycopg)")
    if port is not None and not 1 <= port <= 65535:
        raise _unusable(value, f"its port {port} is not a port number (1 to 65535)")
    return url.render_as_string(hide_password=False)


def _unusable(value: str, reason: str) -> StorageError:
    try:
        shown = redact_url(value)
    except ValueError:  # not even a URL to redact: show its scheme only, never a password
        shown = value.split("://", 1)[0] + "://…"
    return StorageError(f"The database URL {shown} cannot be used: {reason}.",
                        hint="Give a SQLite file (a path, or sqlite:///path/crosscheck.db) or "
                             "postgresql://user:password@host:5432/name in --db, CROSSCHECK_DATABASE_URL or CROSSCHECK_DB.")


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_events(engine: Engine, *, read_only: bool = False) -> None:
    # pysqlite's own transaction handling starts transactions late and never around DDL;
    # SQLAlchemy's documented recipe: let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        # Writers take the lock up front: a deferred transaction that reads, then writes,
        # fails with "database is locked" when another writer got there in between.
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine per database URL; safe to share between threads.

    ``read_only`` opens an existing database without ever writing to it (exports, and
    the library of an analysis that is not stored): it is not upgraded, so it must
    already have this Crosscheck's schema. Every failure of the database, a damaged
    file included, comes out as a :class:`~core.errors.StorageError` saying what is wrong.
    """

    def __init__(self, path_or_url: str | Path, *, read_only: bool = False) -> None:
        self.url = database_url(path_or_url)
        self.dialect = make_url(self.url).get_backend_name()
        self.read_only = read_only
        if self.dialect == "sqlite":
            path = Path(make_url(self.url).database or "")
            if read_only:
                if not path.is_file():
                    raise StorageError(f"There is no database at {path}.", hint="Check --db, CROSSCHECK_DATABASE_URL or CROSSCHECK_DB.")
                self.engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true", poolclass=NullPool)
            else:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StorageError(f"The database folder {path.parent} cannot be created: {exc.strerror}.",
                                       hint=STORAGE_HINT) from None
                # Connections stay open in a pool. Closing the last connection to a WAL database makes
                # SQLite checkpoint the log and delete it, so a connection per operation (NullPool)
                # paid a reconnect and a checkpoint on every query: 7x slower reads, 2x the CPU per save.
                # The pool is large because threads share it: worker threads with their heartbeats,
                # evidence look-ups (CROSSCHECK_SOURCE_WORKERS) and Streamlit sessions.
                self.engine = create_engine(self.url, pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_OVERFLOW)
            _sqlite_events(self.engine, read_only=read_only)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        with self._errors("cannot be opened"):
            if not read_only:
                self.upgrade()
            elif self.dialect != "sqlite":
                self._require_current()
            else:
                try:
                    self._require_current()
                except StorageError:
                    # A WAL file in a folder where its shared-memory index cannot be made: nobody can
                    # write it either, so it cannot change under us, and SQLite may read it as immutable.
                    self.engine.dispose()
                    self.engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&immutable=1&uri=true", poolclass=NullPool)
                    _sqlite_events(self.engine, read_only=True)
                    self._require_current()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """The database's failures as a StorageError that says what is wrong and what to do."""
        try:
            yield
        except (StorageError, IntegrityError):
            raise  # an integrity error means something to the caller (an id already stored)
        except (SQLAlchemyError, sqlite3.DatabaseError) as exc:
            raise storage_error(self.url, doing, exc) from None

    def _require_writable(self) -> None:
        if self.read_only:
            raise StorageError(f"The database {describe(self.url)} was opened read-only.", hint=STORAGE_HINT)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction for writing: committed whole or rolled back."""
        self._require_writable()
        with self._errors("could not be written"), self.engine.connect().execution_options(write=True) as connection, \
                connection.begin():
            yield connection

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection outside any transaction, for the statements that cannot run in one (VACUUM)."""
        self._require_writable()
        with self._errors("could not be written"), \
                self.engine.connect().execution_options(isolation_level="AUTOCOMMIT", write=True) as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._errors("could not be read"), self.engine.connect() as connection:
            yield connection

    def _require_current(self) -> None:
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        current = self.revision()
        if current != head:
            raise StorageError(f"The database {describe(self.url)} has schema {current or 'from before Alembic'}; "
                               f"this Crosscheck reads {head}.",
                               hint="Open it once with this Crosscheck without --no-store, so that it is upgraded.")

    def upgrade(self) -> None:
        """Bring the schema to the newest revision, in one transaction (see the module docstring)."""
        script = ScriptDirectory.from_config(self._alembic_config())
        head = script.get_current_head()
        with self.write() as connection:
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
            current = MigrationContext.configure(connection).get_current_revision()
            if current is not None and current not in {r.revision for r in script.walk_revisions()}:
                raise StorageError(f"The database {describe(self.url)} was written by a newer Crosscheck (schema {current}).",
                                   hint="Upgrade Crosscheck.")
            if current == head:
                return
            if current is None and self.dialect == "sqlite":
                self._bring_legacy_file_to_version_3(connection)
            config = self._alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if self.dialect == "sqlite":
                connection.exec_driver_sql(f"PRAGMA user_version = {ALEMBIC_USER_VERSION}")
            logger.info("database %s upgraded to %s", describe(self.url), head)

    def _bring_legacy_file_to_version_3(self, connection: Connection) -> None:
        """A file from before Alembic: finish its old migrations, then record it as Alembic's first revision."""
        version = connection.exec_driver_sql("PRAGMA user_version").scalar_one()
        has_tables = bool(inspect(connection).get_table_names())
        if version > legacy.LAST_VERSION:
            raise StorageError(f"The database {describe(self.url)} was written by a newer Crosscheck (schema {version}).",
                               hint="Upgrade Crosscheck.")
        if version == 0 and not has_tables:
            return  # a new file: Alembic builds it from the first revision
        legacy.upgrade(connection, version)
        config = self._alembic_config()
        config.attributes["connection"] = connection
        command.stamp(config, legacy.ALEMBIC_REVISION)

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def revision(self) -> str | None:
        with self.read() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def size_bytes(self) -> int | None:
        """The file's size (with its WAL) for SQLite, the database's size for PostgreSQL."""
        if self.dialect == "sqlite":
            path = Path(make_url(self.url).database or "")
            return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        with self.read() as connection:
            return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())

    def dispose(self) -> None:
        self.engine.dispose()


def storage_error(url: str, doing: str, exc: BaseException) -> StorageError:
    """What the database said, as a user error: read-only, damaged, busy, or else its own words."""
    detail = _reason(exc)
    where = describe(url)
    lowered = detail.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return StorageError(f"The database {where} is read-only ({detail}).",
                            hint="Point CROSSCHECK_DATABASE_URL, CROSSCHECK_DB or --db at a writable database, or make this one writable.")
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return StorageError(f"The database {where} is damaged or not a Crosscheck database ({detail}).",
                            hint="Restore it from a backup, or point CROSSCHECK_DB or --db at another file.")
    if "locked" in lowered or "busy" in lowered:
        return StorageError(f"The database {where} is busy ({detail}).", hint="Another process holds it; try again.")
    return StorageError(f"The database {where} {doing}: {detail}.", hint=STORAGE_HINT)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip().splitlines()[0]
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
