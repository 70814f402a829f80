"""Check-worthiness: how much a sentence reads like a factual claim worth checking.

A logistic regression over MiniLM embeddings, word 1-2-gram TF-IDF and a few
numeric cues, trained on ClaimBuster (US presidential debates). Claims are the
sentences scoring at or above the artifact's ``threshold`` (chosen on
out-of-fold scores by ``python -m core train checkworthiness``; see
docs/local-models.md) that read as self-contained statements (not_a_claim),
trimmed of leading connectives so they read on their own.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text import Segment
from . import artifact
from .calibration import sigmoid
from .features import Tfidf, words

NAME = "checkworthiness"
_NUMBER = re.compile(r"\d")
_NUMBER_WORDS = frozenset("million billion trillion thousand hundred percent per cent half twice double triple".split())
# Connectives that tie a sentence to the previous one; dropping them leaves the claim itself.
_LEADING = re.compile(r"^(?:(?:and|but|so|also|however|moreover|meanwhile|indeed|still|yet|now|well|then|furthermore|in fact|of course)\b[,;:]?\s+)+", re.IGNORECASE)
MIN_CLAIM_WORDS = 5
# Lines that record the audience, not a fact: "It was a big stretch," he said to laughter.
_AUDIENCE = re.compile(
    r"\b(?:to|amid|drawing|drew|draws|met with|greeted by|followed by)\s+(?:\w+\s+)?(?:laughter|laughs|applause|cheers|boos|jeers|groans)\b"
    r"|[(\[]\s*(?:laughter|laughs|applause|cheers|cheering|booing|boos|crosstalk|inaudible)\s*[)\]]",
    re.IGNORECASE)
# A statement ends with a full stop, exclamation mark or ellipsis, possibly inside a closing quote or bracket.
_STATEMENT_END = re.compile(r"[.!…][\"”’')\]]*$")
# First-person belief and normative modals mark an opinion; a number or a named entity makes it checkable anyway.
_OPINION = re.compile(r"\b(?:i|we)\s+(?:think|believe|feel|hope|guess|suppose)\b|\bin my (?:view|opinion)\b"
                      r"|\b(?:should|must|ought to|shall)\b", re.IGNORECASE)
_SPECIFIC = re.compile(r"\d|(?<=\s)[A-Z][\w'’.-]*")


def numeric_cues(text: str) -> list[float]:
    tokens = words(text)
    return [
        float(bool(_NUMBER.search(text))),
        float(any(t in _NUMBER_WORDS for t in tokens)),
        math.log1p(len(tokens)) / 4,
        float(text.rstrip().endswith("?")),
    ]


class CheckworthinessModel:
    def __init__(self, directory: Path = artifact.ARTIFACT_DIR) -> None:
        arrays, meta = artifact.load(directory, NAME)
        self.meta = meta
        self.tfidf = Tfidf({t: i for i, t in enumerate(meta["vocabulary"])}, arrays["idf"])
        self.w = arrays["w"]
        self.b = float(arrays["b"][0])
        self.threshold = float(meta["threshold"])

    def score(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        lex = self.tfidf.transform(texts)
        cues = np.array([numeric_cues(t) for t in texts], dtype=np.float32)
        n_emb, n_lex = embeddings.shape[1], lex.shape[1]
        raw = embeddings @ self.w[:n_emb] + np.asarray(lex @ self.w[n_emb:n_emb + n_lex]).ravel() + cues @ self.w[n_emb + n_lex:] + self.b
        return sigmoid(raw)


@dataclass(frozen=True)
class ClaimSpan:
    start: int
    end: int
    text: str
    score: float


def claim_text(sentence: Segment) -> Segment:
    """The sentence without leading connectives, with offsets kept exact."""
    match = _LEADING.match(sentence.text)
    if not match or match.end() >= len(sentence.text):
        return sentence
    start = sentence.start + match.end()
    text = sentence.text[match.end():]
    return Segment(start, sentence.end, text)


def not_a_claim(text: str) -> str | None:
    """Why a sentence is not a self-contained factual statement, or None when it may be one.

    Rules, not a model: questions, fragments (headings, captions, pieces of a
    sentence: no final full stop, or starting in lower case), audience
    reactions, and bare opinions (a first-person belief or a "should" with no
    number or name to check). Attributed statements ("…, the minister said.")
    stay: the attribution is part of what can be checked.
    """
    stripped = text.strip()
    if stripped.endswith("?") or stripped.rstrip("\"”’')]").endswith("?"):
        return "a question"
    if len(words(stripped)) < MIN_CLAIM_WORDS:
        return "too short"
    first_letter = next((c for c in stripped if c.isalnum()), "")
    if first_letter.islower() or not _STATEMENT_END.search(stripped):
        return "a fragment"
    if _AUDIENCE.search(stripped):
        return "an audience reaction"
    if _OPINION.search(stripped) and not _SPECIFIC.search(stripped):
        return "an opinion"
    return None


def select_claims(sentences: Sequence[Segment], scores: np.ndarray, threshold: float) -> list[ClaimSpan]:
    """Sentences at or above the threshold that are self-contained statements (see not_a_claim), in article order."""
    claims = []
    for sentence, score in zip(sentences, scores):
        if score < threshold or not_a_claim(sentence.text) is not None:
            continue
        seg = claim_text(sentence)
        claims.append(ClaimSpan(seg.start, seg.end, seg.text, float(score)))
    return claims
