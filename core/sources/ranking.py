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
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from ..ml.embeddings import DIM, get_embedder
from ..models import SourceType
from ..text import Segment, segment_sentences
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


_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$")


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def is_headline(segment: Segment, document: Document) -> bool:
    """Whether a sentence of a document is its headline (or a heading): never evidence for a claim.

    A headline states a story's gist in a few words, often without the
    qualifications of its body ("6 FBI background checks…"); another
    article's headline confirming a claim's details is one outlet's summary,
    not a statement of fact. Headings are the document's title wherever it
    appears, and its first line when it does not end like a sentence.
    """
    if document.title and _normal(segment.text) == _normal(document.title):
        return True
    return segment.start == len(document.text) - len(document.text.lstrip()) and not _SENTENCE_END.search(segment.text)


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

    ``embed_all`` embeds every sentence up front (worth it when many claims
    search the same documents, as the library does); otherwise only the BM25
    candidates of each query are embedded.
    """

    def __init__(self, documents: Sequence[Document], *, language: str | None = "en", embed_all: bool = False) -> None:
        self.documents = list(documents)
        self.language = language
        self.sentences = [
            _Sentence(i, _clip(segment.text))
            for i, document in enumerate(self.documents)
            for segment in segment_sentences(document.text)
            if len(segment.text) >= MIN_SENTENCE_CHARS and not is_headline(segment, document)
        ]
        self._bm25: bm25s.BM25 | None = None
        if self.sentences:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokenize([s.text for s in self.sentences], language), show_progress=False)
        self._vectors: np.ndarray | None = None
        if embed_all and self.sentences:
            self._vectors = np.vstack([self._document_vectors(i) for i in range(len(self.documents))])

    def _document_vectors(self, index: int) -> np.ndarray:
        """Embeddings of one document's sentences, cached across analyses by the document's text."""
        texts = [s.text for s in self.sentences if s.document == index]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
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

    def search(self, claim: str, *, source_type: SourceType, limit: int, per_document: int = 1,
               min_relevance: float = MIN_RELEVANCE) -> list[Passage]:
        if not self.sentences or self._bm25 is None:
            return []
        embedder = get_embedder()
        claim_vector = claim_embedding(claim)
        query = tokenize([claim], self.language)[0]
        lexical = self._bm25.get_scores(query) if query else np.zeros(len(self.sentences))
        width = CANDIDATES if self._vectors is not None else QUERY_CANDIDATES
        lexical_top = [int(i) for i in np.argsort(-lexical, kind="stable")[:width] if lexical[i] > 0]
        if self._vectors is not None:
            dense = self._vectors @ claim_vector
            candidates = list(dict.fromkeys(lexical_top + [int(i) for i in np.argsort(-dense, kind="stable")[:CANDIDATES]]))
            cosine = {i: float(dense[i]) for i in candidates}
        else:
            candidates = lexical_top
            vectors = embedder.encode([self.sentences[i].text for i in candidates])
            cosine = {i: float(v @ claim_vector) for i, v in zip(candidates, vectors)}
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


_SPACE = re.compile(r"\s+")


def _clip(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= MAX_SNIPPET_CHARS else text[: MAX_SNIPPET_CHARS - 1].rstrip() + "…"

