"""Hybrid passage retrieval: BM25 (bm25s) and MiniLM embeddings, fused by reciprocal rank.

BM25 finds sentences that share the claim's words; the embeddings find
paraphrases and then decide relevance: a sentence is evidence only when its
cosine similarity to the claim reaches :data:`MIN_RELEVANCE`.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import numpy as np

from ..errors import SourceError
from ..ml.embeddings import DIM, get_embedder
from ..models import SourceType
from ..text import segment_sentences
from .base import Passage

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG on import, which would print index details on every CLI run.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# MiniLM cosine from which a sentence is taken to address the claim. Restatements
# and denials of a claim score about 0.6-0.95, background on the same subject
# about 0.45-0.5, sentences sharing only a place or topic below 0.3 (docs/evidence.md).
MIN_RELEVANCE = 0.45
# Candidates each retriever contributes before fusion. Embedding costs about
# 5-10 ms a sentence on a small CPU, so per-query indexes embed few of them.
CANDIDATES = 24
QUERY_CANDIDATES = 10
# Reciprocal-rank-fusion constant (Cormack et al., 2009).
RRF_K = 60
# Sentences outside this length range are headings, captions or run-on lists.
MIN_SENTENCE_CHARS = 25
MAX_SNIPPET_CHARS = 600

# Stored articles whose sentence embeddings stay in memory between analyses
# (384 floats a sentence: about 60 kB for a 40-sentence article).
DOCUMENT_CACHE_SIZE = 512
_DOCUMENT_VECTORS: OrderedDict[str, np.ndarray] = OrderedDict()
_CACHE_LOCK = threading.Lock()

# bm25s ships stopword lists for these languages; others are tokenised without.
_STOPWORDS = {"en": "en_plus", "de": "de", "nl": "nl", "fr": "fr", "es": "es", "pt": "pt", "it": "it", "ru": "ru",
              "sv": "sv", "no": "no", "nb": "no", "zh": "zh", "tr": "tr", "ko": "ko", "da": "da"}


@dataclass(frozen=True)
class Document:
    """A text a source retrieved (a stored article, a Wikipedia page, a web page)."""

    title: str
    url: str | None
    outlet: str | None
    text: str


def stopwords_for(language: str | None) -> str | list[str]:
    return _STOPWORDS.get((language or "en").lower(), [])


def tokenize(texts: Sequence[str], language: str | None) -> list[list[str]]:
    return bm25s.tokenize(list(texts), stopwords=stopwords_for(language), return_ids=False, show_progress=False)


@dataclass(frozen=True)
class _Sentence:
    document: int
    text: str


class PassageIndex:
    """The sentences of some documents, searchable by claim.

    Documents of at most ``upfront_sentences`` sentences are embedded whole when
    the index is built (worth it when many claims search the same documents, as
    the library does; cached across analyses). The sentences of the others are
    embedded only when BM25 proposes them for a claim, so a huge document costs
    a few embeddings per claim instead of thousands up front. ``should_stop``
    is asked between documents; when it says yes the build raises
    :class:`~core.errors.SourceError` instead of running on past the source's time budget.
    """

    def __init__(self, documents: Sequence[Document], *, language: str | None = "en", upfront_sentences: int = 0,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self.documents = list(documents)
        self.language = language
        self.sentences: list[_Sentence] = []
        rows_of: list[range] = []
        for i, document in enumerate(self.documents):
            _stop_if(should_stop)
            first = len(self.sentences)
            self.sentences += [_Sentence(i, _clip(segment.text)) for segment in segment_sentences(document.text)
                               if len(segment.text) >= MIN_SENTENCE_CHARS]
            rows_of.append(range(first, len(self.sentences)))
        self._bm25: bm25s.BM25 | None = None
        if self.sentences:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokenize([s.text for s in self.sentences], language), show_progress=False)
        # Rows embedded up front never change afterwards, so searches read them without a lock.
        self._upfront_rows = np.array([r for rows in rows_of if 0 < len(rows) <= upfront_sentences for r in rows], dtype=np.int64)
        self._upfront_vectors = np.zeros((0, DIM), dtype=np.float32)
        if len(self._upfront_rows):
            parts = []
            for index, rows in enumerate(rows_of):
                if 0 < len(rows) <= upfront_sentences:
                    _stop_if(should_stop)
                    parts.append(self._document_vectors(rows))
            self._upfront_vectors = np.vstack(parts)
        self._upfront_position = {int(row): k for k, row in enumerate(self._upfront_rows)}
        # An index built for many claims can afford more lexical candidates per claim.
        self._lexical_width = CANDIDATES if upfront_sentences > 0 else QUERY_CANDIDATES
        self._lazy: dict[int, np.ndarray] = {}
        self._lazy_lock = threading.Lock()

    def _document_vectors(self, rows: range) -> np.ndarray:
        """Embeddings of one document's sentences, cached across analyses by the document's text."""
        texts = [self.sentences[r].text for r in rows]
        key = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
        with _CACHE_LOCK:
            cached = _DOCUMENT_VECTORS.get(key)
            if cached is not None:
                _DOCUMENT_VECTORS.move_to_end(key)
                return cached
        vectors = get_embedder().encode(texts)
        with _CACHE_LOCK:
            _DOCUMENT_VECTORS[key] = vectors
            while len(_DOCUMENT_VECTORS) > DOCUMENT_CACHE_SIZE:
                _DOCUMENT_VECTORS.popitem(last=False)
        return vectors

    def _vectors_of(self, rows: list[int]) -> dict[int, np.ndarray]:
        """Embeddings of these sentences: from the up-front matrix, else embedded now and kept for later claims."""
        found = {r: self._upfront_vectors[self._upfront_position[r]] for r in rows if r in self._upfront_position}
        with self._lazy_lock:
            found.update({r: self._lazy[r] for r in rows if r in self._lazy})
        missing = [r for r in rows if r not in found]
        if missing:
            vectors = get_embedder().encode([self.sentences[r].text for r in missing])
            with self._lazy_lock:
                for r, vector in zip(missing, vectors):
                    self._lazy[r] = vector
                    found[r] = vector
        return found

    def search(self, claim: str, *, source_type: SourceType, limit: int, per_document: int = 1,
               min_relevance: float = MIN_RELEVANCE) -> list[Passage]:
        if not self.sentences or self._bm25 is None:
            return []
        claim_vector = claim_embedding(claim)
        query = tokenize([claim], self.language)[0]
        lexical = self._bm25.get_scores(query) if query else np.zeros(len(self.sentences))
        lexical_top = [int(i) for i in np.argsort(-lexical, kind="stable")[:self._lexical_width] if lexical[i] > 0]
        dense_top: list[int] = []
        if len(self._upfront_rows):
            dense = self._upfront_vectors @ claim_vector
            dense_top = [int(self._upfront_rows[k]) for k in np.argsort(-dense, kind="stable")[:CANDIDATES]]
        candidates = list(dict.fromkeys(lexical_top + dense_top))
        vectors = self._vectors_of(candidates)
        cosine = {i: float(vectors[i] @ claim_vector) for i in candidates}
        relevant = [i for i in candidates if cosine[i] >= min_relevance]
        lexical_rank = {i: r for r, i in enumerate(sorted(relevant, key=lambda i: -lexical[i]))}
        dense_rank = {i: r for r, i in enumerate(sorted(relevant, key=lambda i: -cosine[i]))}
        fused = sorted(relevant, key=lambda i: -(1 / (RRF_K + lexical_rank[i]) + 1 / (RRF_K + dense_rank[i])))
        passages: list[Passage] = []
        taken: dict[int, int] = {}
        for i in fused:
            sentence = self.sentences[i]
            if taken.get(sentence.document, 0) >= per_document:
                continue
            taken[sentence.document] = taken.get(sentence.document, 0) + 1
            document = self.documents[sentence.document]
            passages.append(Passage(source_type=source_type, title=document.title, url=document.url,
                                    outlet=document.outlet, snippet=sentence.text,
                                    relevance=round(min(1.0, max(0.0, cosine[i])), 3)))
            if len(passages) >= limit:
                break
        return passages


@lru_cache(maxsize=256)
def claim_embedding(claim: str) -> np.ndarray:
    """A claim's embedding; every source of an analysis asks for the same claims."""
    return get_embedder().encode([claim])[0]


def embedded_documents() -> int:
    with _CACHE_LOCK:
        return len(_DOCUMENT_VECTORS)


def clear_embedding_cache() -> int:
    """Forget the cached sentence embeddings of stored articles; returns how many documents were cached."""
    with _CACHE_LOCK:
        count = len(_DOCUMENT_VECTORS)
        _DOCUMENT_VECTORS.clear()
    claim_embedding.cache_clear()
    return count


def _stop_if(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise SourceError("stopped: the time budget ran out while its passages were indexed")


_SPACE = re.compile(r"\s+")


def _clip(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= MAX_SNIPPET_CHARS else text[: MAX_SNIPPET_CHARS - 1].rstrip() + "…"

