"""PostgreSQL keeps each word's sentence count for the library search (migration 0017, issue 29): exact at every
moment, through saves, re-analyses, deletes, compactions and the upgrade of a library stored before."""
from __future__ import annotations

from collections import Counter

import numpy as np
from sqlalchemy import create_engine, text

from core.storage import IndexedSentence, Storage, library_index
from core.storage.database import database_url as database_url_of
from testkit.factories import make_analysis
from tests.test_storage import HEAD
from tests.test_storage_upgrades import _database_at


def _index(*texts: str) -> list[IndexedSentence]:
    return [IndexedSentence(i, t, np.zeros(384, np.float16).tobytes()) for i, t in enumerate(texts)]


def test_postgresql_word_counts_stay_exact_through_saves_deletes_and_compactions(postgres_server_url, monkeypatch):
    """PostgreSQL keeps each word's sentence count (migration 0017) instead of counting at every search: the kept
    count must be the matching sentences' count after saves, a re-analysis that re-indexes an article, deletes,
    and compactions run at any point; and the words a search chooses, those exact counts' choice."""
    import random

    from testkit.servers import fresh_postgres_database

    rng = random.Random(31)
    # Word n is in about 1/(n+1) of the sentences: a few common words, many rare ones.
    vocabulary = [f"w{n}" for n in range(40)]
    store = Storage(fresh_postgres_database(postgres_server_url, f"word_counts_{rng.randrange(10**9)}"))

    def save(article: int, version: int = 0) -> None:
        sentences = [" ".join(w for n, w in enumerate(vocabulary) if rng.random() < 1 / (n + 1)) + f" item{article}."
                     for _ in range(rng.randint(4, 12))]
        store.save(make_analysis(id=f"a{article}v{version}", url=f"https://news.example/{article}"),
                   index=_index(*sentences))

    def check(exclude: str = "") -> None:
        with store.database.read() as db:
            kept = dict(db.execute(text(
                "SELECT w, COALESCE((SELECT sentences FROM library_word_counts WHERE lexeme = w), 0) "
                "+ COALESCE((SELECT sum(change) FROM library_word_changes WHERE lexeme = w), 0) "
                "FROM unnest(CAST(:words AS text[])) AS w"), {"words": vocabulary}).all())
            counted = dict(db.execute(text(
                "SELECT w, (SELECT count(*) FROM library_words WHERE words @@ to_tsquery('simple', w)) "
                "FROM unnest(CAST(:words AS text[])) AS w"), {"words": vocabulary}).all())
            assert kept == counted
            for _ in range(10):
                words = rng.sample(vocabulary, rng.randint(2, 14))
                lexemes = [library_index._ts_word(w) for w in words]
                params = {"lexemes": lexemes, "key": exclude, "hash": ""}
                own = library_index._term_counts(library_index._own_sentences(db, exclude, ""))
                exact = {lex: counted[lex.strip("'")] for lex in lexemes}
                assert library_index._rarest_lexemes(db, lexemes, params) == \
                    library_index._fewest(lexemes, exact, Counter({library_index._ts_word(t): n for t, n in own.items()}))

    for article in range(8):
        save(article)
    check()
    assert store.compact_word_counts() > 0
    check("https://news.example/3")
    save(3, version=1)  # re-analysed: its sentences indexed again
    check("https://news.example/3")
    assert store.delete_article("https://news.example/5", deleted_by="test") >= 1
    check()
    monkeypatch.setattr(library_index, "VACUUM_AFTER_CHANGES", 1)  # a big compaction vacuums the moved changes away
    assert store.compact_word_counts() > 0
    assert store.compact_word_counts() == 0
    check("https://news.example/2")
    with store.database.read() as db:
        assert db.execute(text("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                               "WHERE relname = 'library_word_changes'")).scalar_one()
    with store.database.read() as db:
        assert db.execute(text("SELECT count(*) FROM library_word_counts WHERE sentences <= 0")).scalar_one() == 0


def test_revision_0017_counts_the_words_of_sentences_stored_before(database_url):
    """A database at 0016 with indexed sentences (issue 29): on PostgreSQL the upgrade counts each word's sentences
    into library_word_counts, sentences stored or deleted later change the count, and the search still chooses and
    finds by them; on SQLite (FTS5 keeps its own counts) the search works as before."""
    _database_at(database_url, "0016")
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:
        article = db.execute(text("INSERT INTO articles (key, url, title, outlet, first_seen) VALUES ('k1', "
                                  "'https://one.example/1', 'Harbour', 'One', '2026-11-20') RETURNING id")).scalar_one()
        for position, sentence in enumerate(["The harbour dredging cost 40 million.", "The quay was crowded.",
                                             "The harbour reopens."]):
            db.execute(text("INSERT INTO library_sentences (article_id, analysis_id, position, text, embedding) "
                            "VALUES (:article, 'a1', :position, :text, :embedding)"),
                       {"article": article, "position": position, "text": sentence, "embedding": b"\0" * 768})
    engine.dispose()
    store = Storage(database_url)
    assert store.schema_version == HEAD
    postgresql = store.database.dialect == "postgresql"

    def kept(word: str) -> int:
        with store.database.read() as db:
            return db.execute(text("SELECT COALESCE((SELECT sentences FROM library_word_counts WHERE lexeme = :w), 0) "
                                   "+ COALESCE((SELECT sum(change) FROM library_word_changes WHERE lexeme = :w), 0)"),
                              {"w": word}).scalar_one()

    if postgresql:
        assert (kept("the"), kept("harbour"), kept("quay"), kept("dredging")) == (3, 2, 1, 1)
    with store.database.write() as db:
        db.execute(text("DELETE FROM library_sentences WHERE position = 1"))
        db.execute(text("INSERT INTO library_sentences (article_id, analysis_id, position, text, embedding) "
                        "VALUES (:article, 'a1', 3, 'Dredging resumes at the harbour in May.', :embedding)"),
                   {"article": article, "embedding": b"\0" * 768})
    if postgresql:
        assert (kept("the"), kept("harbour"), kept("quay"), kept("dredging")) == (3, 3, 0, 2)
        assert store.compact_word_counts() == 11  # the deleted sentence's 4 lexemes, the new one's 7
        assert (kept("the"), kept("harbour"), kept("quay"), kept("dredging")) == (3, 3, 0, 2)
    hits = store.search_library(["dredging", "quay"], exclude_key="other", exclude_text_hash="other", limit=10)
    assert sorted(h.text for h in hits) == ["Dredging resumes at the harbour in May.", "The harbour dredging cost 40 million."]
