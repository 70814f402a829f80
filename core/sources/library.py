"""Cross-references: passages of the other articles stored in the library (offline), from a persistent index.

Every stored article's sentences are embedded once, when the analysis is
saved (:func:`index_sentences`, called by the pipeline), and kept in the
database with a full-text index (SQLite FTS5 or PostgreSQL's). A claim's
search asks the full-text index for candidate sentences and ranks them with
their stored embeddings, so its cost does not grow with re-reading the
library: no stored document is parsed and no stored sentence is embedded
during an analysis, except for articles stored before the index existed,
which are indexed a few at a time (:data:`BACKLOG_PER_ANALYSIS`).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import numpy as np

from ..identity import article_key
from ..ml.embeddings import DIM
from ..ml.loading import get_embedder
from ..origins import SourceArticle, group_origins
from ..records import Article, SourceType
from ..registry import Needs
from ..storage import IndexedSentence, LibraryHit, Storage, text_hash
from ..text import Segment, segment_sentences
from .base import SOURCES, Passage, Source, SourceContext
from .ranking import (MIN_SENTENCE_CHARS, Candidate, Document, claim_embedding, clip, is_headline, pick_passages,
                      relevance_floor, same_words, tokenize)

logger = logging.getLogger(__name__)

# The library source's name, as analyses list it in ``sources`` and ``source_runs``.
LIBRARY = "library"
# Passages per claim, and per stored article: two, so that an article stating a claim's figures in
# two sentences can restate it (core/fact_stance.combine_article_passages), and four articles' worth.
MAX_PASSAGES = 8
PER_ARTICLE = 2
# Sentences the full-text index hands over per claim, to be ranked by their embeddings.
CANDIDATES = 60
# The stored articles whose sentences the index found first are the claim's story: all their sentences
# (at most STORY_SENTENCES each, read once per analysis) are ranked too.
STORY_ARTICLES = 6
STORY_SENTENCES = 200
# The story's sentences are screened for relevance with one matrix product per article, whose sums may differ
# from a dot product's in the last bits: the screen lets through this much below the relevance floor.
FLOOR_MARGIN = 1e-3
# The title and opening sentences are searched for to find the article's story (who, where and what), each
# query's best STORY_HITS sentences naming the articles.
STORY_SENTENCES_SEARCHED = 5
STORY_HITS = 10
# A stored article contributes at most this many sentences: a 200,000-character article
# would otherwise cost thousands of embeddings at save time and crowd every search.
MAX_SENTENCES_PER_ARTICLE = 400
# Articles stored before the index existed that one analysis indexes, and the time it may spend on them.
BACKLOG_PER_ANALYSIS = 25
BACKLOG_SECONDS = 5.0


def index_sentences(article: Article) -> list[IndexedSentence]:
    """The sentences of an article as the library index keeps them: clipped, with float16 MiniLM embeddings."""
    whole = Document(title=article.title or "", url=article.url, outlet=article.outlet, text=article.text)
    texts = [clip(s.text) for s in segment_sentences(article.text)
             if len(s.text) >= MIN_SENTENCE_CHARS and not is_headline(s, whole)]
    texts = texts[:MAX_SENTENCES_PER_ARTICLE]
    if not texts:
        return []
    vectors = get_embedder().encode(texts).astype(np.float16)
    return [IndexedSentence(position, text, vector.tobytes()) for position, (text, vector) in enumerate(zip(texts, vectors))]


def index_backlog(storage: Storage, *, limit: int, seconds: float, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Index stored articles that have no sentences in the index yet; returns how many were indexed.

    Stops at ``seconds`` or when ``should_stop`` says so (the source's time budget ran out).
    """
    deadline = time.monotonic() + seconds
    done = 0
    for analysis_id, analysis in storage.unindexed_articles(limit=limit):
        if time.monotonic() > deadline or should_stop():
            break
        storage.add_to_index(analysis_id, index_sentences(analysis.article))
        done += 1
    return done


@SOURCES.register
class LibrarySource(Source):
    name = LIBRARY
    source_type = SourceType.LIBRARY
    description = "Other articles stored in your library (works offline)."
    needs = Needs()

    def __init__(self, context: SourceContext) -> None:
        super().__init__(context)
        self._key = article_key(context.article)
        self._text_hash = text_hash(context.article.text)
        self._ready = threading.Lock()
        self._storage: Storage | None = None
        self._prepared = False
        self._story: dict[str, _StorySentences] = {}
        self._story_documents: dict[str, Document] | None = None
        self._own: str | None = None
        self._origins: dict[tuple[str, ...], dict[str, tuple[str, str | None]]] = {}

    def storage(self) -> Storage | None:
        """The analysis's database; analyses that are not stored are checked against the configured one."""
        with self._ready:
            if not self._prepared:
                self._prepared = True
                storage = self.context.storage
                if storage is None and (self.settings.database_url or self.settings.db_path.is_file()):
                    storage = Storage(self.settings.database, read_only=True)
                if storage is not None and not storage.database.read_only:
                    indexed = index_backlog(storage, limit=BACKLOG_PER_ANALYSIS, seconds=BACKLOG_SECONDS,
                                            should_stop=self.stopped)
                    if indexed:
                        logger.info("library index: %d earlier articles indexed", indexed)
                self._storage = storage
            return self._storage

    def find(self, query: str) -> list[Passage]:
        storage = self.storage()
        if storage is None:
            return []
        words = tokenize([query], self.context.article.language)[0]
        # The same text stored under another address is the same article, not independent evidence.
        hits = storage.search_library(words, exclude_key=self._key, exclude_text_hash=self._text_hash, limit=CANDIDATES)
        claim_vector = claim_embedding(query)
        candidates: dict[tuple[str, str], Candidate] = {}
        documents = dict(self._story_articles(storage))
        for rank, hit in enumerate(hits):
            if hit.title and same_words(hit.text, hit.title):
                continue  # a headline indexed before headlines were left out (ranking.is_headline)
            vector = np.frombuffer(hit.embedding, dtype=np.float16).astype(np.float32)
            document = documents.setdefault(hit.article_key, _document(hit))
            candidates[(hit.article_key, hit.text)] = Candidate(document, hit.text, float(len(hits) - rank),
                                                                float(vector @ claim_vector), hit.article_key)
        # The article's story (found once from its own rarest words) and the articles this claim's words
        # found first: every sentence of theirs is a candidate, so that another outlet's wording of the same
        # point ("Building work is set to begin in September 2026" for "Construction is due to start in
        # March 2027") is judged even when it shares no rare word with the claim. Only those that may be
        # relevant are (pick_passages drops the rest): one product with all of an article's vectors finds
        # them, and each one's cosine is then computed alone, as for a hit, so that it is the same to the last bit.
        floor = relevance_floor(query) - FLOOR_MARGIN
        near = list(documents)[:2 * STORY_ARTICLES]
        for key, story in self._sentences_of(storage, {key: documents[key].title for key in near}).items():
            for i in np.flatnonzero(story.vectors @ claim_vector >= floor):
                text = story.texts[i]
                if (key, text) not in candidates:
                    candidates[(key, text)] = Candidate(documents[key], text, 0.0, float(story.vectors[i] @ claim_vector), key)
        ranked = _same_text_ranked_alike(list(candidates.values()))
        passages = pick_passages(ranked, source_type=self.source_type, limit=MAX_PASSAGES, per_document=PER_ARTICLE,
                                 claim=query)
        return self._with_origins(storage, passages, documents)

    def _with_origins(self, storage: Storage, passages: list[Passage], documents: dict[str, Document]) -> list[Passage]:
        """The passages with their articles' independent origins, judged on the whole articles (core/origins.py).

        A verdict sees only passages, and a copy's short sentence is too short to tell a copy from a coincidence
        ("The project's budget stands at 412 million euros."); here the whole articles are at hand (their indexed
        sentences). The article checked leads its own origin, so a copy of it is found not independent of it; the
        others go in order of publication, then key: the result does not depend on the order they were stored in.
        """
        key_of = {document.analysis_id: key for key, document in documents.items() if document.analysis_id}
        chosen = list(dict.fromkeys(key_of[p.analysis_id] for p in passages if p.analysis_id in key_of))
        if not chosen:
            return passages
        order = tuple(sorted(chosen, key=lambda key: (documents[key].published or "~", key)))
        if order not in self._origins:  # the claims of one article mostly draw on the same articles: grouped once
            article = self.context.article
            own = SourceArticle(self._key, article.outlet or "", article.url or "", article.title or "", self._own_text())
            read = self._sentences_of(storage, {key: documents[key].title for key in order})
            others = [SourceArticle(key, documents[key].outlet or "", documents[key].url or "", documents[key].title,
                                    read[key].whole) for key in order]
            found: dict[str, tuple[str, str | None]] = {}
            for group in group_origins([own, *others]).origins:
                if len(group.keys) > 1:
                    for key in group.keys:
                        found[key] = (group.keys[0], "; ".join(m.description for m in group.reasons_for(key)) or None)
            self._origins[order] = found
        origin = self._origins[order]
        if not origin:
            return passages
        return [replace(p, origin=origin[key][0], origin_note=origin[key][1])
                if (key := key_of.get(p.analysis_id or "")) in origin else p for p in passages]

    def _own_text(self) -> str:
        """The article checked as its stored copies are compared: its sentences as the index keeps them, no headline."""
        if self._own is None:
            article = self.context.article
            whole = Document(title=article.title or "", url=article.url, outlet=article.outlet, text=article.text)
            self._own = "\n".join(clip(s.text) for s in segment_sentences(article.text)
                                   if len(s.text) >= MIN_SENTENCE_CHARS and not is_headline(s, whole))
        return self._own

    def _story_articles(self, storage: Storage) -> dict[str, Document]:
        """The stored articles on this article's story: those its title and opening's rarest words find first.

        Found once per analysis, before any claim is looked up, so that every claim sees the same story
        whatever order the claims finish in.
        """
        with self._ready:
            if self._story_documents is None:
                article = self.context.article
                # Each of the opening sentences searched for on its own: one query's rarest words may all
                # be in one other article, and the story's third outlet would never be found.
                opening = [s.text for s in _opening(article.text, STORY_SENTENCES_SEARCHED)]
                story: dict[str, Document] = {}
                for words in tokenize([article.title or "", *opening], article.language):
                    if len(story) == STORY_ARTICLES:
                        break  # the story is full: the next queries' hits would name no more articles
                    for hit in storage.search_library(words, exclude_key=self._key, exclude_text_hash=self._text_hash,
                                                      limit=STORY_HITS):
                        if len(story) < STORY_ARTICLES:
                            story.setdefault(hit.article_key, _document(hit))
                self._story_documents = story
            return self._story_documents

    def _sentences_of(self, storage: Storage, titles: dict[str, str]) -> dict[str, _StorySentences]:
        """Stored articles' indexed sentences but their headlines (``titles``: by key), read once per analysis (its
        claims share the story's articles); those not read yet are read together."""
        with self._ready:
            missing = [key for key in titles if key not in self._story]
            stored = storage.indexed_sentences_of(missing) if missing else {}
            for key in missing:
                kept: dict[str, bytes] = {}
                sentences = stored.get(key, [])[:STORY_SENTENCES]
                for sentence in sentences:
                    # The first of two equal sentences is the candidate (find): a later one adds nothing.
                    if sentence.text not in kept and not (titles[key] and same_words(sentence.text, titles[key])):
                        kept[sentence.text] = sentence.embedding
                matrix = np.frombuffer(b"".join(kept.values()), dtype=np.float16).reshape(len(kept), DIM)
                self._story[key] = _StorySentences(list(kept), matrix.astype(np.float32),
                                                   "\n".join(sentence.text for sentence in sentences))
            return {key: self._story[key] for key in titles}


def _same_text_ranked_alike(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates in an order that does not depend on the order the articles were stored in.

    Every copy of one sentence (an article and its reprint) gets the best full-text score any of them got: the
    index breaks ties by storage order and keeps only its best hits, so one copy could rank first or not at all.
    The candidates then go by that score, ties (copies, and the sentences the index did not find) by their
    articles' publication, then key, each article's sentences in their order.
    """
    best: dict[str, float] = {}
    for candidate in candidates:
        best[candidate.text] = max(best.get(candidate.text, candidate.lexical), candidate.lexical)
    even = [c if c.lexical == best[c.text] else replace(c, lexical=best[c.text]) for c in candidates]
    return sorted(even, key=lambda c: (-c.lexical, c.document.published or "~", str(c.document_key)))


@dataclass(frozen=True)
class _StorySentences:
    """The sentences of a stored article on the story, with their embeddings as one matrix (a row each)."""

    texts: list[str]
    vectors: np.ndarray
    whole: str  # every indexed sentence, headline and repeats included: what copies are judged on (core/origins.py)


def _opening(text: str, count: int) -> list[Segment]:
    """The first ``count`` sentences of ``text``, as :func:`segment_sentences` finds them.

    It reads each line on its own (a line break always ends a sentence), so the lines are read
    one by one until there are enough: reading a long article's every line cost more than the story search.
    """
    sentences: list[Segment] = []
    start = 0
    while len(sentences) < count and start < len(text):
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline + 1
        sentences += [Segment(s.start + start, s.end + start, s.text) for s in segment_sentences(text[start:end])]
        start = end
    return sentences[:count]


def _document(hit: LibraryHit) -> Document:
    """The stored article a full-text hit comes from, as passages name it."""
    outlet = hit.outlet or (urlsplit(hit.url).hostname if hit.url else None)
    return Document(title=hit.title or "(untitled)", url=hit.url, outlet=outlet, text="", published=hit.published or None,
                    analysis_id=hit.analysis_id)
