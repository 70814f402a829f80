"""Feed subscriptions and the items already seen, so that each new item is queued once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import InputError, NotFoundError
from .database import Database
from .tables import feed_items, feeds

# Item keys looked up per query, far below what PostgreSQL and SQLite take as parameters of one statement.
KEYS_PER_QUERY = 1000


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str
    engine: str
    sources: tuple[str, ...]
    etag: str | None
    last_modified: str | None
    last_polled_at: str | None
    last_error: str
    items_seen: int
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "sources": list(self.sources)}


@dataclass(frozen=True)
class FeedItem:
    key: str  # the entry's id, else its link
    url: str
    title: str
    published: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FeedStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, url: str, *, engine: str = "local", sources: tuple[str, ...] = ()) -> Feed:
        try:
            with self.database.write() as db:
                feed_id = db.execute(insert(feeds).values(url=url, engine=engine, sources=",".join(sources),
                                                          created_at=_now())).inserted_primary_key[0]
        except IntegrityError:
            raise InputError(f"You already follow {url}.", hint="See `python -m core feeds list`.") from None
        return self.get(int(feed_id))

    def get(self, feed_id: int) -> Feed:
        _require_possible(feed_id)
        with self.database.read() as db:
            row = db.execute(select(feeds).where(feeds.c.id == feed_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"No feed has the id {feed_id}.", hint="See `python -m core feeds list`.")
        return _feed(row)

    def list(self) -> list[Feed]:
        with self.database.read() as db:
            return [_feed(r) for r in db.execute(select(feeds).order_by(feeds.c.id)).mappings().all()]

    def remove(self, feed_id: int) -> None:
        _require_possible(feed_id)
        with self.database.write() as db:
            if not db.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount:
                raise NotFoundError(f"No feed has the id {feed_id}.", hint="See `python -m core feeds list`.")

    def record_poll(self, feed_id: int, *, title: str | None = None, etag: str | None = None,
                    last_modified: str | None = None, error: str = "") -> None:
        values: dict[str, Any] = {"last_polled_at": _now(), "last_error": error[:500]}
        if not error:
            values.update(etag=etag, last_modified=last_modified)
        if title:
            values["title"] = title[:300]
        with self.database.write() as db:
            db.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def claim_poll(self, feed_id: int, *, every_seconds: float) -> bool:
        """Whether the caller should poll the feed now; True for the first caller within half a polling interval.

        Every worker's scheduler runs the periodic poll, so with N workers each feed would be
        polled N times per interval. The claim marks the feed polled, atomically (a write lock on
        SQLite, a row lock on PostgreSQL), so the other workers leave it alone.
        """
        now = datetime.now(timezone.utc)
        cutoff = (now - timedelta(seconds=every_seconds / 2)).isoformat(timespec="seconds")
        with self.database.write() as db:
            return bool(db.execute(
                update(feeds).where(feeds.c.id == feed_id, or_(feeds.c.last_polled_at.is_(None), feeds.c.last_polled_at < cutoff))
                .values(last_polled_at=now.isoformat(timespec="seconds"))
            ).rowcount)

    def unseen(self, feed_id: int, items: list[FeedItem]) -> list[FeedItem]:
        """The items never marked seen, in the feed's order, each key once."""
        keys = list(dict.fromkeys(item.key for item in items))
        seen: set[str] = set()
        with self.database.read() as db:
            # In slices: one IN list of every key of a big feed passes PostgreSQL's 65,535 parameters (SQLite's 32,766).
            for start in range(0, len(keys), KEYS_PER_QUERY):
                seen.update(db.execute(select(feed_items.c.item_key).where(
                    feed_items.c.feed_id == feed_id, feed_items.c.item_key.in_(keys[start:start + KEYS_PER_QUERY]))).scalars())
        fresh = []
        for item in items:
            if item.key not in seen:
                seen.add(item.key)
                fresh.append(item)
        return fresh

    def mark_seen(self, feed_id: int, queued: list[tuple[FeedItem, str]]) -> None:
        """Record items as seen with the job queued for each; an item already recorded (a poll run twice) is left as it is."""
        with self.database.write() as db:
            keys = [item.key for item, _ in queued]
            already = set(db.execute(select(feed_items.c.item_key).where(feed_items.c.feed_id == feed_id,
                                                                          feed_items.c.item_key.in_(keys))).scalars())
            added = 0
            for item, job_id in queued:
                if item.key in already:
                    continue
                already.add(item.key)
                db.execute(insert(feed_items).values(feed_id=feed_id, item_key=item.key, url=item.url, title=item.title[:500],
                                                     published=item.published, seen_at=_now(), job_id=job_id))
                added += 1
            if added:
                db.execute(update(feeds).where(feeds.c.id == feed_id).values(items_seen=feeds.c.items_seen + added))

    def count(self) -> int:
        with self.database.read() as db:
            return int(db.execute(select(func.count()).select_from(feeds)).scalar_one())


# Feed ids are INTEGER columns: 32-bit on PostgreSQL. A larger number is no feed's (the databases refuse to compare it).
MAX_FEED_ID = 2**31 - 1


def _require_possible(feed_id: int) -> None:
    if not 1 <= feed_id <= MAX_FEED_ID:
        raise NotFoundError(f"No feed has the id {feed_id}.", hint="See `python -m core feeds list`.")


def _feed(row: Any) -> Feed:
    return Feed(id=int(row["id"]), url=row["url"], title=row["title"], engine=row["engine"],
                sources=tuple(s for s in row["sources"].split(",") if s), etag=row["etag"], last_modified=row["last_modified"],
                last_polled_at=row["last_polled_at"], last_error=row["last_error"], items_seen=int(row["items_seen"]),
                created_at=row["created_at"])
