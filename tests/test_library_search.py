"""The SQLite library search looks for a claim's rarest words only, as the full-text index spells them."""
from __future__ import annotations

import numpy as np

from core.storage import IndexedSentence, Storage
from core.storage.library_index import MAX_QUERY_WORDS
from testkit.factories import make_analysis


def _index(*texts: str) -> list[IndexedSentence]:
    return [IndexedSentence(i, t, np.zeros(384, np.float16).tobytes()) for i, t in enumerate(texts)]


def test_a_claim_with_many_words_finds_the_sentence_sharing_its_rare_ones(tmp_path):
    store = Storage(tmp_path / "library.db")
    # Many sentences share the claim's common words; one shares its rare ones.
    common = [f"The minister said on Monday that the government would act, report {n}." for n in range(30)]
    store.save(make_analysis(id="many", url="https://many.example/a"), index=_index(*common))
    store.save(make_analysis(id="rare", url="https://rare.example/a"),
               index=_index("Zanzibar's clove exports fell by a third, the minister said."))
    words = ["minister", "said", "monday", "government", "would", "act", "zanzibar", "clove", "exports", "fell"]
    assert len(words) > MAX_QUERY_WORDS
    hits = store.search_library(words, exclude_key="", exclude_text_hash="", limit=1)
    assert [h.article_key for h in hits] == ["https://rare.example/a"]


def test_words_match_whatever_their_case_and_accents(tmp_path):
    store = Storage(tmp_path / "library.db")
    store.save(make_analysis(id="geneva", url="https://news.example/geneva"),
               index=_index("Talks in Genève ended without a deal on Zürich's banks."))
    for words in (["GENEVE"], ["genève"], ["zurich"], ["Zürich", "unknownword"]):
        assert [h.article_key for h in store.search_library(words, exclude_key="", exclude_text_hash="", limit=5)] \
            == ["https://news.example/geneva"], words
    assert store.search_library(["unknownword"], exclude_key="", exclude_text_hash="", limit=5) == []


def test_a_stored_article_checked_again_searches_for_words_other_articles_hold(tmp_path):
    """Re-runs and re-checks check a stored article: its own words are the rarest, and must not crowd out the rest."""
    store = Storage(tmp_path / "library.db")
    own = ["The state of Westmark is to contribute 40 per cent of the cost, leaving a larger bill than hoped.",
           "Leaders feared the larger bill would be left to the city."]
    store.save(make_analysis(id="own", url="https://metro.example/tram"), index=_index(*own))
    store.save(make_analysis(id="other", url="https://courier.example/tram"),
               index=_index("The state of Westmark will cover 60 per cent of the cost."))
    words = ["state", "westmark", "contribute", "40", "per", "cent", "cost", "leaving", "larger", "bill", "hoped"]
    assert len(words) > MAX_QUERY_WORDS
    hits = store.search_library(words, exclude_key="https://metro.example/tram", exclude_text_hash="", limit=5)
    assert [h.article_key for h in hits] == ["https://courier.example/tram"]


# The statements the search ran before it ranked inside the full-text engine (issue 29), as the reference the
# faster search must agree with: the same passages, in the same order, for the same query. Passages ranked alike
# (PostgreSQL's ts_rank gives many ties) came in no defined order: both now break ties by the sentence's row.
_BEFORE_SQLITE = (
    "SELECT a.key, COALESCE(a.title, ''), a.url, a.outlet, s.text, s.embedding, l.id, COALESCE(l.published, '') "
    "FROM library_fts f JOIN library_sentences s ON s.id = f.rowid JOIN articles a ON a.id = s.article_id "
    "LEFT JOIN analyses l ON l.article_id = a.id AND l.latest "
    "WHERE library_fts MATCH :expression AND a.key != :key AND COALESCE(a.text_hash, '') != :hash "
    "ORDER BY bm25(library_fts), s.id LIMIT :limit")
_BEFORE_POSTGRESQL = (
    "SELECT a.key, COALESCE(a.title, ''), a.url, a.outlet, s.text, s.embedding, l.id, COALESCE(l.published, '') "
    "FROM library_sentences s JOIN articles a ON a.id = s.article_id "
    "LEFT JOIN analyses l ON l.article_id = a.id AND l.latest "
    "WHERE to_tsvector('simple', s.text) @@ to_tsquery('simple', :query) AND a.key != :key "
    "AND COALESCE(a.text_hash, '') != :hash ORDER BY ts_rank(to_tsvector('simple', s.text), to_tsquery('simple', :query)) "
    "DESC, s.id LIMIT :limit")


def _before(store: Storage, words: list[str], *, exclude_key: str, limit: int) -> list[tuple[str, str]]:
    from sqlalchemy import text

    from core.storage import library_index

    with store.database.read() as db:
        if store.database.dialect == "sqlite":
            own = library_index._term_counts(library_index._own_sentences(db, exclude_key, ""))
            rare = library_index._rarest_words(db, words, own)
            if not rare:
                return []
            rows = db.execute(text(_BEFORE_SQLITE), {"expression": " OR ".join(f'"{w}"' for w in rare),
                                                     "key": exclude_key, "hash": "", "limit": limit}).all()
        else:
            rows = db.execute(text(_BEFORE_POSTGRESQL), {"query": " | ".join(library_index._ts_word(w) for w in words),
                                                         "key": exclude_key, "hash": "", "limit": limit}).all()
    return [(row[0], row[4]) for row in rows]


def test_ranking_inside_the_engine_finds_the_same_passages_as_before(database_url):
    """A small library of varied sentences: every query of up to MAX_QUERY_WORDS words, with and without an article
    left out, gives the passages it gave before."""
    import random

    rng = random.Random(29)
    vocabulary = ("council budget minister tram bridge flood harbour school hospital tax rail election strike "
                  "court police water energy farm museum library wind solar port river mayor union").split()
    store = Storage(database_url)
    for article in range(12):
        sentences = [" ".join(rng.sample(vocabulary, rng.randint(3, 9))) + f" item{article}x{n}."
                     for n in range(rng.randint(3, 10))]
        store.save(make_analysis(id=f"a{article}", url=f"https://news.example/{article}"), index=_index(*sentences))
    checked = 0
    for _ in range(40):
        words = rng.sample(vocabulary, rng.randint(1, MAX_QUERY_WORDS))
        exclude = rng.choice(["", "https://news.example/3", "https://news.example/7"])
        limit = rng.choice([3, 10, 60])
        after = [(h.article_key, h.text) for h in store.search_library(words, exclude_key=exclude, exclude_text_hash="",
                                                                         limit=limit)]
        assert after == _before(store, words, exclude_key=exclude, limit=limit), (words, exclude, limit)
        checked += bool(after)
    assert checked > 30
