"""Stories in the database: each article joins one as it is stored; analysts merge, split and move.

An article joins a story in the transaction that stores it (:func:`join_story`, called by
``Storage.save``) from the lead vectors the library index stores with it: nothing is embedded here.
The clustering itself is core.story_clusters; this module keeps its state (``stories``,
``story_members``, migration 0012); core.storage.story_cache keeps the candidates' lead vectors in memory
between joins, in step through the change record of migration 0015. Corrections are kept in each moved
article's review activity log (action ``story``), with who made them and why; an analyst's placement is kept
when the library is re-clustered.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import (
    Connection,
    Text,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from ..errors import InputError, NotFoundError
from ..review import now, require_reviewer
from ..story_clusters import (
    DEFAULT,
    LEAD_SENTENCES,
    DocumentFrequencies,
    Params,
    Signature,
    StoryState,
    best_story,
    signature,
)
from .database import Database
from .story_cache import candidates, forget_changes, record_change
from .tables import (
    analyses,
    articles,
    library_sentences,
    review_activity,
    revision,
    stories,
    story_members,
    story_words,
)

logger = logging.getLogger(__name__)

MAX_REASON_CHARS = 2_000
# What the review log says a correction did to an article, from the story it left to the one it went to.
MOVED = "moved from story {left} to story {to}"
MERGED = "merged story {left} into story {to}"
SPLIT = "split out of story {left} into story {to}"


@dataclass(frozen=True)
class StorySummary:
    id: int
    title: str
    size: int
    outlets: int
    first_day: int | None
    last_day: int | None
    created_at: str


@dataclass(frozen=True)
class StoryMember:
    article_key: str
    title: str
    url: str | None
    outlet: str
    published: str
    analysis_id: str | None  # the article's latest analysis
    placed_by: str  # "" the machine, else the analyst who placed it
    joined_at: str


def _vector_bytes(vector: np.ndarray) -> bytes:
    return vector.astype(np.float16).tobytes()


def _state(row) -> StoryState:  # type: ignore[no-untyped-def]
    return StoryState(id=row.id, size=row.size, first_day=row.first_day, last_day=row.last_day)


class StoredFrequencies(DocumentFrequencies):
    """The library's word frequencies (``story_words``), read for the words a comparison needs, when it needs them;
    ``articles``: how many articles are in stories."""

    def __init__(self, db: Connection, articles: int) -> None:
        super().__init__(articles=articles)
        self.db = db

    def prepare(self, texts: Sequence[Mapping[str, int | float]]) -> None:
        missing = list(dict.fromkeys(t for terms in texts for t in terms if t not in self.counts))
        # PostgreSQL takes the words as one array: an IN (...) of a thousand parameters cost 0.1 s a join to build.
        size = max(1, len(missing)) if self.db.dialect.name == "postgresql" else 500
        for start in range(0, len(missing), size):
            chunk = missing[start:start + size]
            self.counts.update({t: 0 for t in chunk})
            among = (story_words.c.term == any_(bindparam("terms", chunk, type_=ARRAY(Text)))
                     if self.db.dialect.name == "postgresql" else story_words.c.term.in_(chunk))
            self.counts.update(dict(self.db.execute(select(story_words.c.term, story_words.c.articles).where(among)).all()))

    def weights(self, terms: Mapping[str, int | float]) -> dict[str, float]:
        self.prepare([terms])
        return super().weights(terms)


def _count_words(db: Connection, terms: Mapping[str, int], change: int) -> None:
    """Add ``change`` (1 or -1) to the article counts of the words of one article's lead.

    Adding is an upsert, so that two workers saving articles with a new word at once (PostgreSQL) both count it.
    """
    if not terms:
        return
    if change < 0:
        db.execute(update(story_words).where(story_words.c.term.in_(list(terms)))
                   .values(articles=story_words.c.articles + change))
        return
    dialect_insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(story_words).values([{"term": t, "articles": change} for t in terms])
    db.execute(statement.on_conflict_do_update(index_elements=["term"],
                                               set_={"articles": story_words.c.articles + change}))


def _story(db: Connection, story_id: int) -> StoryState:
    return _state(db.execute(select(stories).where(stories.c.id == story_id)).one())


def _write_state(db: Connection, story: StoryState) -> None:
    db.execute(update(stories).where(stories.c.id == story.id).values(
        size=story.size, first_day=story.first_day, last_day=story.last_day))


def _new_story(db: Connection, title: str) -> StoryState:
    story_id = db.execute(insert(stories).values(title=title, created_at=now(), size=0)
                          .returning(stories.c.id)).scalar_one()
    return StoryState(id=story_id)


def _member_signature(row) -> Signature:  # type: ignore[no-untyped-def]
    return Signature(np.frombuffer(row.vector, dtype=np.float16).astype(np.float32), row.day,
                     frozenset(json.loads(row.actors)), json.loads(row.terms))


def _add_member(db: Connection, story: StoryState, article_id: int, article: Signature, placed_by: str) -> None:
    record_change(db, article_id, story.id)
    story.add(article)
    _write_state(db, story)
    db.execute(insert(story_members).values(
        article_id=article_id, story_id=story.id, vector=_vector_bytes(article.vector), day=article.day,
        actors=json.dumps(sorted(article.actors)), terms=json.dumps(dict(article.terms)), placed_by=placed_by,
        joined_at=now()))


def join_story(db: Connection, article_id: int, *, title: str, text: str, published: str | None,
               embeddings: Sequence[bytes], params: Params = DEFAULT) -> int:
    """Put a stored article into the story it fits (or a new one); returns the story's id.

    An article already in a story stays there (a re-analysis does not move it).
    """
    found = db.execute(select(story_members.c.story_id).where(story_members.c.article_id == article_id)).scalar()
    if found is not None:
        return int(found)
    article = signature(embeddings=embeddings, title=title, text=text, published=published)
    # The candidates' lead vectors come from this process's cache (core.storage.story_cache), already held to the
    # time window: every story they name takes the article.
    pool = candidates(db, article.vector, article.day, params.window_days)

    def members(rows: Sequence[int]) -> list[Signature]:
        wanted = [int(pool.articles[row]) for row in rows]
        read = {r.article_id: r for r in db.execute(select(story_members).where(story_members.c.article_id.in_(wanted)))}
        return [_member_signature(read[article_id]) for article_id in wanted]

    best = best_story(article, pool.closeness, pool.stories, members, lambda story: True, params,
                      StoredFrequencies(db, pool.members))
    story = _story(db, int(best[0])) if best is not None else _new_story(db, title)
    _add_member(db, story, article_id, article, "")
    _count_words(db, article.terms, 1)
    return story.id


def leave_story(db: Connection, article_id: int, *, deleted: bool = True) -> int | None:
    """Take an article out of its story (``deleted`` from the library, else moved): its part of the story's state
    goes with it (and of the word counts, when deleted), and a story left empty is deleted. Returns the story it left."""
    row = db.execute(select(story_members).where(story_members.c.article_id == article_id)).first()
    if row is None:
        return None
    record_change(db, article_id, row.story_id)
    db.execute(delete(story_members).where(story_members.c.article_id == article_id))
    if deleted:
        _count_words(db, json.loads(row.terms), -1)
    remaining = db.execute(select(story_members).where(story_members.c.story_id == row.story_id)).all()
    if not remaining:
        db.execute(delete(stories).where(stories.c.id == row.story_id))
        return int(row.story_id)
    story = StoryState(id=row.story_id)
    for member in remaining:  # from the members, not by subtraction: float sums drift
        story.add(_member_signature(member))
    _write_state(db, story)
    return int(row.story_id)


def _outlet_counts(db: Connection, story_ids: Sequence[int]) -> dict[int, int]:
    """How many outlets (else sites: the article's key) each of these stories has articles from; a story without
    members is left out."""
    counted: dict[int, int] = {}
    for start in range(0, len(story_ids), 500):
        counted.update((int(story_id), int(outlets)) for story_id, outlets in db.execute(
            select(story_members.c.story_id, func.count(func.distinct(func.coalesce(articles.c.outlet, articles.c.key))))
            .join(articles, articles.c.id == story_members.c.article_id)
            .where(story_members.c.story_id.in_(list(story_ids[start:start + 500])))
            .group_by(story_members.c.story_id)))
    return counted


class StoryStore:
    """The stories of the library: reading them, and an analyst's corrections."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # ------------------------------------------------------------------ reading

    def list(self, *, limit: int = 100, offset: int = 0, min_size: int = 1) -> list[StorySummary]:
        """Stories, most recent activity first (the newest publication day, else the newest story).

        The outlets are counted for the stories listed only: counted for every story first, the list took seconds
        at 100,000 stored articles (issue 31)."""
        query = (select(stories).where(stories.c.size >= min_size)
                 .order_by(func.coalesce(stories.c.last_day, 0).desc(), stories.c.id.desc()).limit(limit).offset(offset))
        with self.database.read() as db:
            rows = db.execute(query).all()
            outlets = _outlet_counts(db, [row.id for row in rows])
        return [StorySummary(row.id, row.title, row.size, outlets[row.id], row.first_day, row.last_day, row.created_at)
                for row in rows if row.id in outlets]

    def count(self) -> int:
        with self.database.read() as db:
            return int(db.execute(select(func.count()).select_from(stories)).scalar_one())

    def summary(self, story_id: int) -> StorySummary:
        with self.database.read() as db:
            row = db.execute(select(stories).where(stories.c.id == story_id)).first()
            outlets = _outlet_counts(db, [story_id]) if row is not None else {}
        if row is None:
            raise NotFoundError(f"No story has the id {story_id}.", hint="List them with `python -m core stories`.")
        return StorySummary(row.id, row.title, row.size, outlets.get(row.id, 0), row.first_day, row.last_day,
                            row.created_at)

    def members(self, story_id: int) -> list[StoryMember]:
        """A story's articles, in publication order (undated ones last, by when they joined)."""
        # Every run of each article: its latest is picked here, not in SQL. With "latest" in the join SQLite walked
        # its index over every latest analysis for each member (3 s a story at 100,000 articles, issue 31).
        query = (select(articles.c.key, articles.c.title, articles.c.url, articles.c.outlet, analyses.c.published,
                        analyses.c.id, analyses.c.latest, story_members.c.placed_by, story_members.c.joined_at,
                        story_members.c.day)
                 .join(articles, articles.c.id == story_members.c.article_id)
                 .outerjoin(analyses, analyses.c.article_id == articles.c.id)
                 .where(story_members.c.story_id == story_id))
        with self.database.read() as db:
            runs = db.execute(query).all()
        found: dict[str, tuple] = {}  # article key -> (row, whether it is the latest run), in the rows' order
        for run in runs:
            if run.latest or run.key not in found:
                found[run.key] = (run, bool(run.latest))
        rows = sorted(found.values(), key=lambda found: (found[0].day is None, found[0].day or 0, found[0].joined_at))
        return [StoryMember(r.key, r.title or "", r.url, r.outlet or "", (r.published or "") if latest else "",
                            r.id if latest else None, r.placed_by, r.joined_at) for r, latest in rows]

    def story_of(self, article_key: str) -> int | None:
        with self.database.read() as db:
            found = db.execute(select(story_members.c.story_id).join(articles, articles.c.id == story_members.c.article_id)
                               .where(articles.c.key == article_key)).scalar()
        return None if found is None else int(found)

    def stories_of(self, analysis_ids: Sequence[str]) -> dict[str, int]:
        """The story of each analysis's article, for the Library's story column."""
        if not analysis_ids:
            return {}
        with self.database.read() as db:
            rows = db.execute(select(analyses.c.id, story_members.c.story_id)
                              .join(story_members, story_members.c.article_id == analyses.c.article_id)
                              .where(analyses.c.id.in_(list(analysis_ids)))).all()
        return {analysis_id: int(story_id) for analysis_id, story_id in rows}

    # ------------------------------------------------------------------ corrections

    def move(self, article_key: str, story_id: int | None, *, who: str, why: str = "") -> int:
        """Move an article into another story, or into a story of its own (``story_id`` None); returns its story."""
        analyst = require_reviewer(who, needing_it="Moving an article between stories needs")
        with self.database.write() as db:
            return self._move(db, self._article_id(db, article_key), story_id, analyst, why.strip()[:MAX_REASON_CHARS])

    def merge(self, into: int, other: int, *, who: str, why: str = "") -> int:
        """Put every article of story ``other`` into story ``into``; returns ``into``."""
        analyst = require_reviewer(who, needing_it="Merging stories needs")
        if into == other:
            raise InputError("A story cannot be merged with itself.")
        with self.database.write() as db:
            for story_id in (into, other):
                self._require_story(db, story_id)
            for article_id in db.execute(select(story_members.c.article_id)
                                         .where(story_members.c.story_id == other)).scalars().all():
                self._move(db, article_id, into, analyst, why.strip()[:MAX_REASON_CHARS], wording=MERGED)
        return into

    def split(self, story_id: int, article_keys: Sequence[str], *, who: str, why: str = "") -> int:
        """Take the given articles out of a story into a new story of their own; returns the new story."""
        analyst = require_reviewer(who, needing_it="Splitting a story needs")
        if not article_keys:
            raise InputError("Say which articles go into the new story.")
        with self.database.write() as db:
            self._require_story(db, story_id)
            ids = [self._article_id(db, key) for key in article_keys]
            outside = [k for k, i in zip(article_keys, ids) if db.execute(select(story_members.c.story_id).where(
                story_members.c.article_id == i)).scalar() != story_id]
            if outside:
                raise InputError(f"Not in story {story_id}: {', '.join(outside)}.")
            new = self._move(db, ids[0], None, analyst, why.strip()[:MAX_REASON_CHARS], wording=SPLIT)
            for article_id in ids[1:]:
                self._move(db, article_id, new, analyst, why.strip()[:MAX_REASON_CHARS], wording=SPLIT)
        return new

    @staticmethod
    def _article_id(db: Connection, article_key: str) -> int:
        found = db.execute(select(articles.c.id).where(articles.c.key == article_key)).scalar()
        if found is None:
            raise NotFoundError(f"No stored article has the key {article_key!r}.")
        return int(found)

    @staticmethod
    def _require_story(db: Connection, story_id: int) -> None:
        if db.execute(select(stories.c.id).where(stories.c.id == story_id)).first() is None:
            raise NotFoundError(f"No story has the id {story_id}.", hint="List them with `python -m core stories`.")

    def _move(self, db: Connection, article_id: int, story_id: int | None, who: str, why: str, *,
              wording: str = MOVED) -> int:
        row = db.execute(select(story_members, articles.c.title).join(articles, articles.c.id == story_members.c.article_id)
                         .where(story_members.c.article_id == article_id)).first()
        if row is None:
            raise InputError("This article is in no story yet.", hint="Run `python -m core stories --recluster`.")
        if story_id is not None:
            self._require_story(db, story_id)
        article = _member_signature(row)
        left = leave_story(db, article_id, deleted=False)
        target = _new_story(db, row.title or "") if story_id is None else _story(db, story_id)
        _add_member(db, target, article_id, article, who)
        db.execute(update(revision).values(value=revision.c.value + 1))  # the pages' caches key on it
        latest = db.execute(select(analyses.c.id).where(analyses.c.article_id == article_id, analyses.c.latest)).scalar()
        if latest is not None:
            db.execute(insert(review_activity).values(analysis_id=latest, at=now(), who=who, action="story",
                                                      what=wording.format(left=left, to=target.id), why=why))
        return target.id

    # ------------------------------------------------------------------ re-clustering

    def recluster(self, *, params: Params = DEFAULT, on_progress: Callable[[int, int], None] = lambda done, total: None) -> int:
        """Cluster the whole library again, in publication order (undated articles by when they were first stored).

        Articles an analyst placed stay where they are, and their stories with them; every other article
        is taken out and joins again. Articles without indexed sentences are left out (index them first).
        Returns how many articles were placed.
        """
        with self.database.read() as db:
            order = db.execute(
                select(articles.c.id, articles.c.title, analyses.c.document, analyses.c.published)
                .join(analyses, and_(analyses.c.article_id == articles.c.id, analyses.c.latest))
                .outerjoin(story_members, story_members.c.article_id == articles.c.id)
                .where(func.coalesce(story_members.c.placed_by, "") == "")
                .order_by(articles.c.first_seen, articles.c.id)).all()
        from ..documents import (
            read_document,  # the documents are read once, here, for the article texts
        )

        items = []
        for row in order:
            article = read_document(json.loads(row.document)).article
            items.append((row.id, row.title or "", article.text, row.published or None))
        from ..story_clusters import publication_day

        items.sort(key=lambda item: (publication_day(item[3]) is None, publication_day(item[3]) or 0))
        with self.database.write() as db:
            pinned = db.execute(select(story_members.c.article_id).where(story_members.c.placed_by != "")).scalars().all()
            forget_changes(db)  # every process reads the members again
            db.execute(delete(story_members).where(story_members.c.placed_by == ""))
            db.execute(delete(story_words))  # counted again: the analysts' articles now, the others as they join
            db.execute(delete(stories).where(~stories.c.id.in_(select(story_members.c.story_id))))
            for story_id in db.execute(select(stories.c.id)).scalars().all():
                story = StoryState(id=story_id)
                for member in db.execute(select(story_members).where(story_members.c.story_id == story_id)).all():
                    story.add(_member_signature(member))
                    _count_words(db, json.loads(member.terms), 1)
                _write_state(db, story)
            db.execute(update(revision).values(value=revision.c.value + 1))
        logger.info("re-clustering %d articles (%d placed by analysts stay)", len(items), len(pinned))
        placed = 0
        for done, (article_id, title, text, published) in enumerate(items, start=1):
            with self.database.write() as db:
                embeddings = db.execute(select(library_sentences.c.embedding)
                                        .where(library_sentences.c.article_id == article_id, library_sentences.c.position >= 0)
                                        .order_by(library_sentences.c.position).limit(LEAD_SENTENCES)).scalars().all()
                if embeddings:
                    join_story(db, article_id, title=title, text=text, published=published, embeddings=embeddings,
                               params=params)
                    placed += 1
            on_progress(done, len(items))
        return placed
