"""The lead vectors of the stories' articles, kept in memory between joins (issue 31: a join in under 0.2 s at
100,000 stored articles, where reading the candidates' vectors from the database took 1.2-1.8 s of 1.35 s).

One cache per database and process, shared by its threads and Storage instances: each member's article and story,
its lead vector (float32, the stored float16 widened: exactly the values the database holds) and its story's first
and last day. It is kept in step with ``story_members`` by a change record in the database (migration 0015): every
change of a member (a join, a deletion, a move, a merge, a split) takes the next story generation in its
transaction (:func:`record_change`) and writes which article and which story it changed to ``story_changes``; a
process that has seen generation g reads only the changes after g and the members and stories they name. The
generation lives in the one ``revision`` row, so a transaction that took one holds the row until it ends: no other
can change stories meanwhile, generations are committed in their order with no gaps, and a reader that sees g has
seen every change up to g. The record keeps the last :data:`KEEP_CHANGES` changes and a re-clustering forgets it
(:func:`forget_changes`); a process further behind reads every member again, as on its first join.

Only committed rows enter the shared cache. A transaction that has changed stories itself (an import saving many
articles at once) works on its own copy, which goes with the transaction, committed or rolled back.
"""
from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, RootTransaction, delete, insert, select, update

from ..story_clusters import DIMENSIONS
from .tables import revision, stories, story_changes, story_members

logger = logging.getLogger(__name__)

KEEP_CHANGES = 20_000  # changes the record keeps: a process further behind reads every member again
PRUNE_EVERY = 1_000  # generations between two prunings of the record
COMPACT_AFTER = 1_024  # slots of members that left before the slots are compacted (and a quarter of them)
MAX_DATABASES = 4  # caches a process keeps, the most recently used databases
_CHUNK = 500  # ids per IN (...) query


@dataclass(frozen=True)
class Candidates:
    """The members a new article may join, with their cosine to the article's lead vector (one entry each)."""

    closeness: np.ndarray
    stories: np.ndarray
    articles: np.ndarray
    members: int  # every member of every story: the library's article count for word rarity


def record_change(db: Connection, article_id: int, story_id: int) -> None:
    """Note in the transaction that an article joined or left a story (its state changed with it)."""
    generation = _next_generation(db)
    db.execute(insert(story_changes).values(generation=generation, article_id=article_id, story_id=story_id))
    if generation % PRUNE_EVERY == 0 and generation > KEEP_CHANGES:
        oldest = generation - KEEP_CHANGES
        db.execute(delete(story_changes).where(story_changes.c.generation <= oldest))
        db.execute(update(revision).values(story_changes_since=oldest))


def _next_generation(db: Connection) -> int:
    """Take the stories' next generation, and mark this transaction as one that changed them."""
    generation = db.execute(update(revision).values(story_generation=revision.c.story_generation + 1)
                            .returning(revision.c.story_generation)).scalar_one()
    _changed_stories.add(db.get_transaction())
    return generation


def forget_changes(db: Connection) -> None:
    """After changing members wholesale (re-clustering): every process reads every member again."""
    generation = _next_generation(db)
    db.execute(delete(story_changes))
    db.execute(update(revision).values(story_changes_since=generation))


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    return (ordered[start:start + _CHUNK] for start in range(0, len(ordered), _CHUNK))


def _day(value: int | None) -> float:
    return np.nan if value is None else float(value)


class MemberVectors:
    """The members in slots (first those read at load, in article order, then those that joined since); a member
    that left leaves a dead slot, reused by none, until the slots are compacted."""

    def __init__(self, epoch: str, generation: int, capacity: int) -> None:
        self.epoch, self.generation, self.size = epoch, generation, 0
        self.articles = np.zeros(capacity, dtype=np.int64)
        self.stories = np.zeros(capacity, dtype=np.int64)
        self.first = np.full(capacity, np.nan)  # the story's first and last day, NaN when it has no dated member
        self.last = np.full(capacity, np.nan)
        self.live = np.zeros(capacity, dtype=bool)
        self.vectors = np.zeros((capacity, DIMENSIONS), dtype=np.float32)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.articles, self.stories, self.first, self.last, self.live, self.vectors))

    @classmethod
    def load(cls, db: Connection) -> MemberVectors:
        generation, _since, epoch = _generation(db)  # read first: rows read after it are at least as new
        rows = db.execute(select(story_members.c.article_id, story_members.c.story_id, story_members.c.vector,
                                 stories.c.first_day, stories.c.last_day)
                          .join(stories, stories.c.id == story_members.c.story_id)
                          .order_by(story_members.c.article_id)).all()
        cache = cls(epoch, generation, len(rows) + max(1_024, len(rows) // 8))
        n = cache.size = len(rows)
        if n:
            cache.articles[:n] = [r.article_id for r in rows]
            cache.stories[:n] = [r.story_id for r in rows]
            cache.first[:n] = [_day(r.first_day) for r in rows]
            cache.last[:n] = [_day(r.last_day) for r in rows]
            cache.live[:n] = True
            cache.vectors[:n] = np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float16).reshape(n, DIMENSIONS)
        logger.info("story candidates read: %d members, %.0f MB in memory", n, cache.nbytes / 1e6)
        return cache

    def copy(self) -> MemberVectors:
        twin = MemberVectors(self.epoch, self.generation, 0)
        twin.size = self.size
        for name in ("articles", "stories", "first", "last", "live", "vectors"):
            setattr(twin, name, getattr(self, name).copy())
        return twin

    def usable(self, generation: int, since: int, epoch: str) -> bool:
        """Whether the record can bring this cache to the database's generation (else it is read again)."""
        return self.epoch == epoch and since <= self.generation <= generation

    def catch_up(self, db: Connection) -> None:
        """Read the changes after this cache's generation, and the members and stories they name."""
        changes = db.execute(select(story_changes.c.generation, story_changes.c.article_id, story_changes.c.story_id)
                             .where(story_changes.c.generation > self.generation)).all()
        if not changes:
            return
        changed_stories = {c.story_id for c in changes}
        self._place({c.article_id for c in changes}, changed_stories, db)
        self._set_windows(changed_stories, db)
        self.generation = max(c.generation for c in changes)
        if self.size - int(self.live[:self.size].sum()) > max(COMPACT_AFTER, self.size // 4):
            self._compact()

    def _place(self, changed: set[int], changed_stories: set[int], db: Connection) -> None:
        now = {}
        for chunk in _chunks(changed):
            now.update({r.article_id: r for r in db.execute(
                select(story_members.c.article_id, story_members.c.story_id, story_members.c.vector)
                .where(story_members.c.article_id.in_(chunk)))})
        n = self.size
        held = np.flatnonzero(np.isin(self.articles[:n], list(changed)) & self.live[:n])
        slot_of = dict(zip(self.articles[held].tolist(), held.tolist()))
        for article_id in sorted(changed):
            row, slot = now.get(article_id), slot_of.get(article_id)
            if row is None:
                if slot is not None:
                    self.live[slot] = False
                continue
            if slot is None:
                slot = self._new_slot(article_id)
            self.stories[slot] = row.story_id
            self.vectors[slot] = np.frombuffer(row.vector, dtype=np.float16)
            changed_stories.add(row.story_id)

    def _set_windows(self, changed_stories: set[int], db: Connection) -> None:
        found = []
        for chunk in _chunks(changed_stories):
            found += db.execute(select(stories.c.id, stories.c.first_day, stories.c.last_day)
                                .where(stories.c.id.in_(chunk))).all()
        if not found:
            return
        found.sort()
        ids = np.array([r.id for r in found], dtype=np.int64)
        n = self.size
        rows = np.flatnonzero(np.isin(self.stories[:n], ids) & self.live[:n])
        at = np.searchsorted(ids, self.stories[rows])
        self.first[rows] = np.array([_day(r.first_day) for r in found])[at]
        self.last[rows] = np.array([_day(r.last_day) for r in found])[at]

    def _new_slot(self, article_id: int) -> int:
        if self.size == len(self.articles):
            grown = max(1_024, self.size // 4)
            for name in ("articles", "stories", "first", "last", "live"):
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros(grown, dtype=old.dtype)]))
            self.vectors = np.concatenate([self.vectors, np.zeros((grown, DIMENSIONS), dtype=np.float32)])
        slot = self.size
        self.size += 1
        self.articles[slot], self.live[slot] = article_id, True
        return slot

    def _compact(self) -> None:
        keep = np.flatnonzero(self.live[:self.size])
        for name in ("articles", "stories", "first", "last", "live", "vectors"):
            array = getattr(self, name)
            array[:len(keep)] = array[keep]
        self.live[len(keep):] = False
        self.size = len(keep)

    def candidates(self, vector: np.ndarray, day: int | None, window_days: int) -> Candidates:
        """The members of the stories an article of this lead vector and day may join: those within
        ``window_days`` of its day, and those of stories without a dated member (every one when it has no day)."""
        n = self.size
        live = self.live[:n]
        members = int(live.sum())
        closeness = self.vectors[:n] @ vector
        chosen = live
        if day is not None:
            first, last = self.first[:n], self.last[:n]
            chosen = live & (np.isnan(last) | ((last >= day - window_days) & (first <= day + window_days)))
        if members == n and chosen is live:  # every slot: copies, since other threads change the cache after
            return Candidates(closeness, self.stories[:n].copy(), self.articles[:n].copy(), members)
        rows = np.flatnonzero(chosen)
        return Candidates(closeness[rows], self.stories[rows], self.articles[rows], members)


def _generation(db: Connection) -> tuple[int, int, str]:
    row = db.execute(select(revision.c.story_generation, revision.c.story_changes_since, revision.c.story_epoch)).one()
    return int(row[0]), int(row[1]), str(row[2])


_caches: OrderedDict[str, MemberVectors] = OrderedDict()
_caches_lock = threading.Lock()
# Per transaction, gone with it: the transactions that changed stories, and the copy of the cache each works on.
_changed_stories: weakref.WeakSet[RootTransaction] = weakref.WeakSet()
_own_copies: weakref.WeakKeyDictionary[RootTransaction, MemberVectors] = weakref.WeakKeyDictionary()


def candidates(db: Connection, vector: np.ndarray, day: int | None, window_days: int) -> Candidates:
    """The candidates, as the transaction ``db`` sees the stories, from this process's cache of the database."""
    key = db.engine.url.render_as_string(hide_password=True)
    with _caches_lock:
        generation, since, epoch = _generation(db)
        shared = _caches.get(key)
        if shared is not None and not shared.usable(generation, since, epoch):
            shared = None
        transaction = db.get_transaction()
        if transaction not in _changed_stories:  # everything this transaction sees is committed: the shared cache may hold it
            if shared is None:
                shared = _caches[key] = MemberVectors.load(db)
                while len(_caches) > MAX_DATABASES:
                    _caches.popitem(last=False)
            else:
                shared.catch_up(db)
            _caches.move_to_end(key)
            return shared.candidates(vector, day, window_days)
        own = _own_copies.get(transaction)
        if own is None:
            own = shared.copy() if shared is not None else None
    if own is None:
        own = MemberVectors.load(db)
    _own_copies[transaction] = own
    own.catch_up(db)
    return own.candidates(vector, day, window_days)


def cache_bytes(db: Connection) -> int:
    """The memory the shared cache of this database holds (0 before its first join in this process)."""
    with _caches_lock:
        found = _caches.get(db.engine.url.render_as_string(hide_password=True))
        return found.nbytes if found is not None else 0
