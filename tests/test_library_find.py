"""The library source finds the passages it found before issue 29's speed-up (one product per story article, claims
embedded once), to the last digit of their relevance."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.records import Article
from core.settings import get_settings
from core.sources.base import SourceContext
from core.sources.library import CANDIDATES, PER_ARTICLE, MAX_PASSAGES, STORY_ARTICLES, STORY_HITS, \
    STORY_SENTENCES, STORY_SENTENCES_SEARCHED, LibrarySource, _document, _same_text_ranked_alike, index_sentences
from core.sources.ranking import Candidate, claim_embedding, pick_passages, same_words, tokenize
from core.storage import Storage
from core.text import segment_sentences
from testkit.factories import make_analysis

TRAM = [
    ("Metro Courier", "Westmark tram line approved",
     "Westmark tram line approved\nThe council approved the Westmark tram line on Tuesday by 31 votes to 14. "
     "Construction is due to start in March 2027 and the line should open in 2030. The state of Westmark will cover "
     "60 per cent of the 420 million euro cost. Critics said the bill for the city would be larger than hoped.\n"
     "The mayor called the vote a historic day for the city. Buses will run on the route while the work goes on."),
    ("Evening Herald", "Council backs tram",
     "Council backs tram\nCouncillors backed the tram by 31 votes to 14 on Tuesday evening. Building work is set to "
     "begin in September 2026, a council spokesman said. The line will cost 450 million euros, of which the state "
     "pays 40 per cent.\nShopkeepers on the route fear two years of road works."),
    ("Daily Ledger", "Harbour bridge closes",
     "Harbour bridge closes\nThe harbour bridge will close for repairs for six weeks from Monday. Traffic will be "
     "diverted through the tunnel, adding 20 minutes to a typical journey. The repairs cost 12 million euros."),
    ("Westmark Post", "Tram vote",
     "Tram vote\nThe tram line won a council vote on Tuesday. The line should open in 2031, the transport office "
     "said. The mayor said the city would pay the larger share of the cost. It was a historic day, he said."),
]
NEW = ("Tribune", "Tram approved after long debate",
       "Tram approved after long debate\nWestmark's council approved a tram line on Tuesday. But construction is due "
       "to start in March 2027, officials said. The state will pay 60 per cent of the cost of 420 million euros.\n"
       "The line should open in 2030. The mayor said it was a historic day. Shopkeepers fear years of road works.")


def _article(outlet: str, title: str, text: str, number: int) -> Article:
    return Article(text=text, url=f"https://{outlet.split()[-1].lower()}.example/{number}", title=title, outlet=outlet,
                   language="en")


def _find_before(source: LibrarySource, storage: Storage, query: str) -> list:
    """``LibrarySource.find`` as it was before issue 29's speed-up: every story sentence embedded-compared one by one."""
    article = source.context.article
    story = {}
    opening = [s.text for s in segment_sentences(article.text)[:STORY_SENTENCES_SEARCHED]]
    for words in tokenize([article.title or "", *opening], article.language):
        for hit in storage.search_library(words, exclude_key=source._key, exclude_text_hash=source._text_hash,
                                          limit=STORY_HITS):
            if len(story) < STORY_ARTICLES:
                story.setdefault(hit.article_key, _document(hit))
    hits = storage.search_library(tokenize([query], article.language)[0], exclude_key=source._key,
                                  exclude_text_hash=source._text_hash, limit=CANDIDATES)
    claim_vector = claim_embedding(query)
    candidates, documents = {}, dict(story)
    for rank, hit in enumerate(hits):
        if hit.title and same_words(hit.text, hit.title):
            continue
        vector = np.frombuffer(hit.embedding, dtype=np.float16).astype(np.float32)
        document = documents.setdefault(hit.article_key, _document(hit))
        candidates[(hit.article_key, hit.text)] = Candidate(document, hit.text, float(len(hits) - rank),
                                                            float(vector @ claim_vector), hit.article_key)
    for key in list(documents)[:2 * STORY_ARTICLES]:
        title = documents[key].title
        for sentence in storage.indexed_sentences(key)[:STORY_SENTENCES]:
            if (key, sentence.text) in candidates or (title and same_words(sentence.text, title)):
                continue
            vector = np.frombuffer(sentence.embedding, dtype=np.float16).astype(np.float32)
            candidates[(key, sentence.text)] = Candidate(documents[key], sentence.text, 0.0,
                                                         float(vector @ claim_vector), key)
    passages = pick_passages(_same_text_ranked_alike(list(candidates.values())), source_type=source.source_type,
                             limit=MAX_PASSAGES, per_document=PER_ARTICLE, claim=query)
    return source._with_origins(storage, passages, documents)


def test_the_library_finds_the_passages_it_found_before(tmp_path):
    storage = Storage(tmp_path / "library.db")
    # Each story also syndicated twice, so that the article's story is full (STORY_ARTICLES) before its last query.
    for copy in range(3):
        for number, (outlet, title, text) in enumerate(TRAM):
            stored = _article(outlet, title, f"{text}\nCopy {copy}.", 10 * copy + number)
            storage.save(replace(make_analysis(id=f"tram{copy}x{number}"), article=stored), index=index_sentences(stored))
    new = _article(*NEW, 99)
    queries = [s.text for s in segment_sentences(new.text)] + ["Construction is due to start in March 2027."]
    source = LibrarySource(SourceContext(settings=get_settings(), article=new, storage=storage))
    assert len(source._story_articles(storage)) == STORY_ARTICLES
    found = 0
    for query in queries:
        passages = source.find(query)
        assert passages == _find_before(source, storage, query), query
        found += len(passages)
    assert found >= 10
