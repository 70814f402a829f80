"""The library index: the sentences of stored articles, searched in full text to find passages about a claim.

Each article's sentences are stored with their embeddings (``library_sentences``).
The full-text search is the database's own, one per dialect: SQLite's FTS5
(``library_fts``, ranked by bm25) and PostgreSQL's stored tsvectors
(``library_words``, ranked by ts_rank), each searched for the rarest words of the
claim and ranking inside the engine: only the best hits are joined to their text,
vector and article. The embeddings re-rank what is found (core.sources.library). :class:`LibraryIndex` is part of the
:class:`core.storage.Storage` facade.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, text

from ..documents import read_document
from ..records import Analysis
from .database import Database
from .stories import join_story
from .tables import analyses, articles, library_sentences

# Words of a claim that the full-text search looks for: the rarest ones (see _rarest_words).
MAX_QUERY_WORDS = 6
# Changes moved into the word counts at once (PostgreSQL) past which their table is vacuumed (see compact_word_counts).
VACUUM_AFTER_CHANGES = 100_000


@dataclass(frozen=True)
class IndexedSentence:
    """A sentence of a stored article, as the library index keeps it."""

    position: int
    text: str
    embedding: bytes  # float16 vector


@dataclass(frozen=True)
class LibraryHit:
    """A sentence the full-text index found, with its article's details."""

    article_key: str
    title: str
    url: str | None
    outlet: str | None
    text: str
    embedding: bytes
    analysis_id: str | None = None  # the article's latest analysis, to open it at the passage
    published: str = ""


class LibraryIndex:
    """The Storage facade's library index: what is indexed, indexing, and the full-text search."""

    database: Database

    def unindexed_articles(self, *, limit: int) -> list[tuple[str, Analysis]]:
        """Latest analyses of articles that have no sentences in the library index yet (stored before it existed)."""
        with self.database.read() as db:
            rows = db.execute(
                select(analyses.c.id, analyses.c.document).where(
                    analyses.c.latest, ~exists().where(library_sentences.c.article_id == analyses.c.article_id)
                ).order_by(analyses.c.created_at.desc()).limit(limit)
            ).all()
        return [(analysis_id, read_document(json.loads(document))) for analysis_id, document in rows]

    def count_unindexed(self) -> int:
        """How many articles :meth:`unindexed_articles` has to offer."""
        with self.database.read() as db:
            return int(db.execute(select(func.count()).select_from(analyses).where(
                analyses.c.latest, ~exists().where(library_sentences.c.article_id == analyses.c.article_id))).scalar_one())

    def add_to_index(self, analysis_id: str, sentences: Sequence[IndexedSentence]) -> None:
        """Index an already stored analysis's article (its sentences replace any earlier ones)."""
        with self.database.write() as db:
            article_id = db.execute(select(analyses.c.article_id).where(analyses.c.id == analysis_id)).scalar()
            if article_id is None:
                return
            db.execute(delete(library_sentences).where(library_sentences.c.article_id == article_id))
            # An article with no usable sentence still gets a row, so it is not offered again.
            rows = sentences or [IndexedSentence(-1, "", b"")]
            db.execute(insert(library_sentences), [
                {"article_id": article_id, "analysis_id": analysis_id, "position": s.position, "text": s.text,
                 "embedding": s.embedding} for s in rows
            ])
            if sentences:  # an article stored before the index existed joins its story now
                article = read_document(json.loads(db.execute(select(analyses.c.document)
                                                              .where(analyses.c.id == analysis_id)).scalar_one())).article
                join_story(db, article_id, title=article.title or "", text=article.text, published=article.published,
                           embeddings=[s.embedding for s in sentences])

    def search_library(self, words: Sequence[str], *, exclude_key: str, exclude_text_hash: str, limit: int) -> list[LibraryHit]:
        """Sentences of stored articles matching any of ``words``, best full-text rank first.

        The article being checked is left out, by its key and by its text. Only the
        :data:`MAX_QUERY_WORDS` words found in the fewest stored sentences are searched for (see there).
        """
        words = list(dict.fromkeys(w for w in words if w))
        if not words:
            return []
        search = _search_sqlite if self.database.dialect == "sqlite" else _search_postgresql
        with self.database.read() as db:
            rows = search(db, words, exclude_key=exclude_key, exclude_text_hash=exclude_text_hash, limit=limit)
        return [LibraryHit(*row) for row in rows]

    def compact_word_counts(self) -> int:
        """Fold the search's per-word count changes into its counts (PostgreSQL; the workers do it every minute).

        How many changes were folded in; 0 on SQLite, whose full-text index keeps its own counts.
        """
        if self.database.dialect == "sqlite":
            return 0
        with self.database.write() as db:
            moved = compact_word_counts(db)
        if moved >= VACUUM_AFTER_CHANGES:
            # The moved changes are dead rows that every count would step over until autovacuum reaches them
            # (after a bulk import: millions, 1.4 s of searching per article at 10,000 articles); vacuumed now.
            with self.database.autocommit() as db:
                db.execute(text("VACUUM (ANALYZE) library_word_changes"))
        return moved

    def indexed_sentences(self, key: str) -> list[IndexedSentence]:
        """The library index's sentences of one stored article, in order."""
        return self.indexed_sentences_of([key]).get(key, [])

    def indexed_sentences_of(self, keys: Sequence[str]) -> dict[str, list[IndexedSentence]]:
        """The library index's sentences of each stored article named, in order, read at once (a read per article
        cost about as much as its rows on PostgreSQL); an article not stored or not indexed is left out."""
        found: dict[str, list[IndexedSentence]] = {}
        if not keys:
            return found
        with self.database.read() as db:
            rows = db.execute(select(articles.c.key, library_sentences.c.position, library_sentences.c.text,
                                     library_sentences.c.embedding)
                              .join(articles, articles.c.id == library_sentences.c.article_id)
                              .where(articles.c.key.in_(list(dict.fromkeys(keys))), library_sentences.c.position >= 0)
                              .order_by(articles.c.key, library_sentences.c.position)).all()
        for key, *sentence in rows:
            found.setdefault(key, []).append(IndexedSentence(*sentence))
        return found


# SQLite: FTS5 ----------------------------------------------------------------------------------------

def _search_sqlite(db: Connection, words: list[str], *, exclude_key: str, exclude_text_hash: str,
                   limit: int) -> Sequence[Any]:
    """The hits of FTS5 (``library_fts``) for the rarest of ``words``, best bm25 first.

    FTS5 ranks its matches and keeps the best on its own; only those are joined to their text,
    vector and article. It keeps as many more as the left-out article has sentences, which the
    join then drops, so that ``limit`` hits remain whenever the whole index holds them.
    """
    own = _own_sentences(db, exclude_key, exclude_text_hash)
    words = _rarest_words(db, words, _term_counts(own))
    if not words:
        return []
    expression = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    statement = (
        "SELECT a.key, COALESCE(a.title, ''), a.url, a.outlet, s.text, s.embedding, l.id, COALESCE(l.published, '') "
        "FROM (SELECT rowid AS id, bm25(library_fts) AS rank FROM library_fts WHERE library_fts MATCH :expression "
        "      ORDER BY rank, rowid LIMIT :best) f "
        "JOIN library_sentences s ON s.id = f.id JOIN articles a ON a.id = s.article_id "
        "LEFT JOIN analyses l ON l.article_id = a.id AND l.latest "
        "WHERE a.key != :key AND COALESCE(a.text_hash, '') != :hash "
        "ORDER BY f.rank, f.id LIMIT :limit"
    )
    return db.execute(text(statement), {"expression": expression, "key": exclude_key, "hash": exclude_text_hash,
                                        "best": limit + len(own), "limit": limit}).all()


def _own_sentences(db: Connection, exclude_key: str, exclude_text_hash: str) -> list[str]:
    """The indexed sentences of the left-out article (by its key, or its text under another address)."""
    return list(db.execute(text(f"SELECT s.text FROM library_sentences s WHERE s.article_id IN {_LEFT_OUT}"),
                           {"key": exclude_key, "hash": exclude_text_hash}).scalars())


# The left-out articles' ids: by key, or by text (COALESCE(text_hash, '') = :hash), as three lookups in indexes (the
# condition written with OR read every article: 0.2 s of every claim's search at 10,000 articles).
_LEFT_OUT = ("(SELECT id FROM articles WHERE key = :key UNION SELECT id FROM articles WHERE text_hash = :hash "
             "UNION SELECT id FROM articles WHERE :hash = '' AND text_hash IS NULL)")


def _term_counts(sentences: Sequence[str]) -> Counter[str]:
    """In how many of the left-out article's own indexed sentences each term occurs.

    A stored article checked again (a re-run, a re-check) is in the index itself; its own words
    are the rarest of all, and searching for them finds only its own sentences, which are then
    left out: every claim came back with no passage.
    """
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(set(_FTS_TOKEN.findall(_fts_term(sentence))))
    return counts


def _rarest_words(db: Connection, words: list[str], own: Counter[str]) -> list[str]:
    """The words of a query that occur in the fewest stored sentences (at most MAX_QUERY_WORDS); words in none are dropped.

    ``own``: the left-out article's own sentences per term, which do not count (see :func:`_term_counts`).

    FTS5 computes the rank of every sentence that matches any word of the query before it can
    keep the best ones, and a claim's common words ("said", "government") match a large share of
    a big library: at 10,000 articles (400,000 sentences) a claim matched about 30,000 of them.
    Rare words carry most of the rank's weight anyway, and the embeddings re-rank what is found.
    The counts come from an fts5vocab table over the index, created per connection in ``temp``.
    """
    db.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.library_vocab USING fts5vocab(main, library_fts, row)")
    # As the index splits them: "9.4" is the terms "9" and "4", "31-14" is "31" and "14".
    terms = list(dict.fromkeys(t for w in words for t in _FTS_TOKEN.findall(_fts_term(w))))
    marks = ", ".join("?" * len(terms))
    found = dict(db.exec_driver_sql(f"SELECT term, doc FROM temp.library_vocab WHERE term IN ({marks})", tuple(terms)).all())
    return _fewest(terms, found, own)


def _fewest(terms: Sequence[str], found: dict[str, int], own: Counter[str]) -> list[str]:
    """The MAX_QUERY_WORDS terms in the fewest sentences other than the left-out article's own (none: dropped)."""
    elsewhere = {t: found[t] - own[t] for t in terms if found.get(t, 0) > own[t]}
    return sorted(elsewhere, key=lambda t: (elsewhere[t], t))[:MAX_QUERY_WORDS]


# A token as FTS5's unicode61 tokenizer splits text: runs of letters and digits.
_FTS_TOKEN = re.compile(r"[^\W_]+")


def _fts_term(word: str) -> str:
    """A word as FTS5's default tokenizer (unicode61) indexes it: lower case, without diacritics ("Genève" → "geneve")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# PostgreSQL: tsvector --------------------------------------------------------------------------------

def _search_postgresql(db: Connection, words: list[str], *, exclude_key: str, exclude_text_hash: str,
                       limit: int) -> Sequence[Any]:
    """The hits of a tsvector match (the ``simple`` configuration) of the rarest of ``words``, best ts_rank first.

    The vectors are stored (``library_words``, GIN-indexed); as on SQLite, the words are the
    :data:`MAX_QUERY_WORDS` found in the fewest sentences other than the left-out article's (their counts kept
    at save and delete, migration 0017: see _rarest_lexemes), and only the best matches (and as many more as
    that article has sentences) are joined. The index keeps no pending list (migration 0016), which every one
    of these searches would read.
    """
    lexemes = list(dict.fromkeys(w for w in (_ts_word(w) for w in words) if w != "''"))
    if not lexemes:
        return []
    params = {"lexemes": lexemes, "key": exclude_key, "hash": exclude_text_hash}
    own_sentences = db.execute(text(f"SELECT count(*) FROM library_sentences s WHERE s.article_id IN {_LEFT_OUT}"),
                               params).scalar_one()
    chosen = _rarest_lexemes(db, lexemes, params)
    if not chosen:
        return []
    # The ranked matches are a few thousand at most: two workers cost more to start (50 ms a claim at 10,000 articles)
    # than the whole plan takes without them (15 ms). SET LOCAL: for this read's transaction only.
    db.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    statement = (
        "SELECT a.key, COALESCE(a.title, ''), a.url, a.outlet, s.text, s.embedding, l.id, COALESCE(l.published, '') "
        "FROM (SELECT w.sentence_id AS id, ts_rank(w.words, q) AS rank FROM library_words w, "
        "      to_tsquery('simple', :query) q WHERE w.words @@ q ORDER BY rank DESC, w.sentence_id LIMIT :best) f "
        "JOIN library_sentences s ON s.id = f.id JOIN articles a ON a.id = s.article_id "
        "LEFT JOIN analyses l ON l.article_id = a.id AND l.latest "
        "WHERE a.key != :key AND COALESCE(a.text_hash, '') != :hash "
        "ORDER BY f.rank DESC, f.id LIMIT :limit"
    )
    return db.execute(text(statement), {"query": " | ".join(chosen), "key": exclude_key, "hash": exclude_text_hash,
                                        "best": limit + own_sentences, "limit": limit}).all()


# The lexeme of a one-lexeme tsquery (its text is the lexeme in quotes: words are quoted by _ts_word).
_LEXEME = "trim(both '''' FROM querytree(q.query))"


def _rarest_lexemes(db: Connection, lexemes: list[str], params: dict[str, Any]) -> list[str]:
    """The MAX_QUERY_WORDS lexemes in the fewest stored sentences other than the left-out article's (see _fewest).

    A word that is one lexeme is counted from ``library_word_counts`` plus the changes not yet moved into it
    (migration 0017): counting its sentences, as before, read every sentence holding a common word. A word the
    parser makes into several lexemes ("u.s." and the like) is counted by matching, as the search will match it.
    """
    rows = db.execute(text(
        "WITH own AS MATERIALIZED (SELECT w.words FROM library_words w JOIN library_sentences s ON s.id = w.sentence_id "
        f"WHERE s.article_id IN {_LEFT_OUT}), "
        "q AS (SELECT word, to_tsquery('simple', word) AS query FROM unnest(CAST(:lexemes AS text[])) AS word) "
        "SELECT q.word, CASE WHEN numnode(q.query) = 1 THEN "
        f"COALESCE((SELECT c.sentences FROM library_word_counts c WHERE c.lexeme = {_LEXEME}), 0) "
        f"+ COALESCE((SELECT sum(c.change) FROM library_word_changes c WHERE c.lexeme = {_LEXEME}), 0) "
        "ELSE (SELECT count(*) FROM library_words w WHERE w.words @@ q.query) END, "
        "(SELECT count(*) FROM own w WHERE w.words @@ q.query) FROM q"), params).all()
    return _fewest(lexemes, {word: int(n) for word, n, _ in rows}, Counter({word: mine for word, _, mine in rows}))


def compact_word_counts(db: Connection) -> int:
    """Fold ``library_word_changes`` into ``library_word_counts`` (PostgreSQL; see migration 0017); how many changes.

    One compaction at a time (an advisory lock; another that finds it taken returns 0 at once). The changes it
    deletes are those its snapshot sees, so changes committed meanwhile stay for the next one: no sentence is
    counted twice or lost. Lexemes no sentence holds any more are dropped.
    """
    if not db.execute(text("SELECT pg_try_advisory_xact_lock(hashtext('crosscheck.library_word_counts'))")).scalar_one():
        return 0
    moved = db.execute(text(
        "WITH moved AS (DELETE FROM library_word_changes RETURNING lexeme, change), "
        "summed AS (SELECT lexeme, sum(change) AS change, count(*) AS n FROM moved GROUP BY lexeme), "
        "written AS (INSERT INTO library_word_counts (lexeme, sentences) SELECT lexeme, change FROM summed ORDER BY lexeme "
        "ON CONFLICT (lexeme) DO UPDATE SET sentences = library_word_counts.sentences + EXCLUDED.sentences RETURNING 1) "
        "SELECT COALESCE(sum(n), 0) FROM summed")).scalar_one()
    db.execute(text("DELETE FROM library_word_counts WHERE sentences = 0"))
    return int(moved)


def _ts_word(word: str) -> str:
    """A word as a PostgreSQL tsquery lexeme (quoted, so punctuation in it cannot change the query)."""
    return "'" + word.replace("\\", "").replace("'", "") + "'"
