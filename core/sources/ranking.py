"""Hybrid passage retrieval: BM25 (bm25s) and MiniLM embeddings, fused by reciprocal rank.

BM25 finds sentences that share the claim's words; the embeddings find
paraphrases and then decide relevance: a sentence is evidence only when its
cosine similarity to the claim reaches :data:`~core.policy.MIN_RELEVANCE`.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from ..facts import compare_facts
from ..ml.loading import get_embedder
from ..policy import FIGURE_RELEVANCE, MIN_RELEVANCE
from ..records import SourceType
from ..text import Segment, segment_sentences
from .base import Passage

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG on import, which would print index details on every CLI run.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Candidates each retriever contributes before fusion. Embedding costs about
# 5-10 ms a sentence on a small CPU, so per-query indexes embed few of them.
CANDIDATES = 24
QUERY_CANDIDATES = 10
# Reciprocal-rank-fusion constant (Cormack et al., 2009).
RRF_K = 60
# Sentences outside this length range are headings, captions or run-on lists.
MIN_SENTENCE_CHARS = 25
MAX_SNIPPET_CHARS = 600

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
    published: str | None = None
    analysis_id: str | None = None  # a stored article's analysis (library)


_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$")


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def same_words(text: str, other: str) -> bool:
    """Whether two texts have the same words, ignoring case, punctuation and spacing."""
    return _normal(text) == _normal(other)


def is_headline(segment: Segment, document: Document) -> bool:
    """Whether a sentence of a document is its headline (or a heading): never evidence for a claim.

    A headline states a story's gist in a few words, often without the
    qualifications of its body ("6 FBI background checks…"); another
    article's headline confirming a claim's details is one outlet's summary,
    not a statement of fact. Headings are the document's title wherever it
    appears, and its first line when it does not end like a sentence.
    """
    if document.title and same_words(segment.text, document.title):
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
    """The sentences of some documents (a Wikipedia page, web pages), searchable by claim.

    BM25 picks each query's candidates, which are then embedded: cheap for the
    few pages of one search. The library keeps a persistent index instead
    (core/sources/library.py).
    """

    def __init__(self, documents: Sequence[Document], *, language: str | None = "en") -> None:
        self.documents = list(documents)
        self.language = language
        self.sentences = [
            _Sentence(i, clip(segment.text))
            for i, document in enumerate(self.documents)
            for segment in segment_sentences(document.text)
            if len(segment.text) >= MIN_SENTENCE_CHARS and not is_headline(segment, document)
        ]
        self._bm25: bm25s.BM25 | None = None
        if self.sentences:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokenize([s.text for s in self.sentences], language), show_progress=False)

    def search(self, claim: str, *, source_type: SourceType, limit: int, per_document: int = 1,
               min_relevance: float = MIN_RELEVANCE) -> list[Passage]:
        if not self.sentences or self._bm25 is None:
            return []
        claim_vector = claim_embedding(claim)
        query = tokenize([claim], self.language)[0]
        lexical = self._bm25.get_scores(query) if query else np.zeros(len(self.sentences))
        candidates = [int(i) for i in np.argsort(-lexical, kind="stable")[:QUERY_CANDIDATES] if lexical[i] > 0]
        vectors = get_embedder().encode([self.sentences[i].text for i in candidates])
        return pick_passages(
            [Candidate(self.documents[self.sentences[i].document], self.sentences[i].text, float(lexical[i]),
                       float(vector @ claim_vector), self.sentences[i].document) for i, vector in zip(candidates, vectors)],
            source_type=source_type, limit=limit, per_document=per_document, min_relevance=min_relevance, claim=claim,
        )


@dataclass(frozen=True)
class Candidate:
    """A sentence that may address a claim: its document, its lexical score and its cosine to the claim."""

    document: Document
    text: str
    lexical: float  # higher is better; only the order matters
    cosine: float
    document_key: object  # sentences with the same key come from the same document


# A figure as written, digits only: "3,248" and "3248" are one figure; single digits say too little.
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def figures(text: str) -> frozenset[str]:
    """The specific figures of a text (two digits or more, or with a decimal), commas dropped."""
    found = (m.group().replace(",", "").rstrip(".") for m in _FIGURE.finditer(text))
    return frozenset(f for f in found if len(f.replace(".", "")) >= 2)


def _speaks_to_figures(claim: str, claimed: frozenset[str], text: str, stated: frozenset[str]) -> bool:
    """Whether a sentence states one of the claim's figures, or another value for the same point (core/facts).

    ``claimed`` and ``stated``: the figures of the claim and of the sentence, read once by the caller.
    """
    if claimed & stated:
        return True
    if not stated:
        return False
    comparison = compare_facts(claim, text)
    return bool(comparison.conflicts) or any(m.kind in ("quantity", "date") for m in comparison.agreements)


def pick_passages(candidates: Sequence[Candidate], *, source_type: SourceType, limit: int, per_document: int = 1,
                  min_relevance: float = MIN_RELEVANCE, claim: str = "") -> list[Passage]:
    """The relevant candidates ranked by reciprocal-rank fusion of lexical and embedding order, ``per_document`` each.

    With the ``claim``, a candidate that states one of its figures, or another value for the same point,
    is relevant from FIGURE_RELEVANCE: the facts rule (core/fact_stance.py) can judge it however
    differently it is phrased.
    """
    claimed = figures(claim)
    # Each candidate's figures, read once: they decide relevance below the cosine bar and the order.
    stated = {id(c): figures(c.text) for c in candidates} if claimed else {}
    relevant = [c for c in candidates
                if c.cosine >= min_relevance or (c.cosine >= FIGURE_RELEVANCE and claimed
                                                 and _speaks_to_figures(claim, claimed, c.text, stated[id(c)]))]
    lexical_rank = {id(c): r for r, c in enumerate(sorted(relevant, key=lambda c: -c.lexical))}
    dense_rank = {id(c): r for r, c in enumerate(sorted(relevant, key=lambda c: -c.cosine))}
    # A passage that states one of the claim's figures comes first: it is what a fact-checker compares.
    fused = sorted(relevant, key=lambda c: (not (claimed & stated.get(id(c), frozenset())),
                                            -(1 / (RRF_K + lexical_rank[id(c)]) + 1 / (RRF_K + dense_rank[id(c)]))))
    passages: list[Passage] = []
    taken: dict[object, int] = {}
    for candidate in fused:
        if taken.get(candidate.document_key, 0) >= per_document:
            continue
        taken[candidate.document_key] = taken.get(candidate.document_key, 0) + 1
        document = candidate.document
        passages.append(Passage(source_type=source_type, title=document.title, url=document.url, outlet=document.outlet,
                                snippet=candidate.text, relevance=round(min(1.0, max(0.0, candidate.cosine)), 3),
                                published=document.published, analysis_id=document.analysis_id))
        if len(passages) >= limit:
            break
    return passages


def relevance_floor(claim: str, min_relevance: float = MIN_RELEVANCE) -> float:
    """The lowest cosine at which :func:`pick_passages` may take a candidate for ``claim``: below it, none is relevant."""
    return min(min_relevance, FIGURE_RELEVANCE) if figures(claim) else min_relevance


@lru_cache(maxsize=256)
def claim_embedding(claim: str) -> np.ndarray:
    """A claim's embedding; every source of an analysis asks for the same claims."""
    return get_embedder().encode([claim])[0]


_SPACE = re.compile(r"\s+")


def clip(text: str) -> str:
    """One line of at most MAX_SNIPPET_CHARS characters."""
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= MAX_SNIPPET_CHARS else text[: MAX_SNIPPET_CHARS - 1].rstrip() + "…"

