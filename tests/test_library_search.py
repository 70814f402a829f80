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
