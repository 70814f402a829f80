"""Ordinary news as the technique detector reads it: strength, percentiles and the found rule.

Nearly every long text has a loaded word or a quoted exaggeration somewhere, so
the probability that a technique *occurs* says little about an article. What an
analyst needs is how strongly the article uses it compared with ordinary news.

* A technique's **strength** in an article: its passages per 1,000 words, each
  passage weighted by its confidence (:func:`technique_strength`).
* The article's **persuasion score**: the same over all 14 techniques.
* Their **percentiles**: the share of ordinary-news articles (the reference,
  read by the same detector) with a lower value.
* A technique is **found** when it has a passage, it is more likely present
  than not, and its strength reaches its cut-off: cut-offs fitted on ordinary
  news so that few ordinary articles have any technique found, whichever of
  the 14 it would be (see core.techniques_catalogue.FOUND_RULE and
  ``python -m core train news-reference``).

The reference and the cut-offs ship as a small artifact (``news_reference.npz``
and ``.json``): strengths and scores only, no text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..records import Persuasion, Span, Technique
from ..techniques_catalogue import TECHNIQUES
from . import artifact

NAME = "news_reference"
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def word_count(text: str) -> int:
    """Words of the text (runs of letters and digits, apostrophes inside kept)."""
    return len(_WORD.findall(text))


def technique_strength(spans: Sequence[Span], n_words: int) -> float:
    """Passages per 1,000 words, each weighted by its confidence (0 for an empty text)."""
    if n_words <= 0:
        return 0.0
    return 1000.0 * sum(s.confidence for s in spans) / n_words


def persuasion_score(techniques: Sequence[Technique], n_words: int) -> float:
    """Technique passages per 1,000 words over all techniques, each weighted by its confidence."""
    return technique_strength([s for t in techniques for s in t.spans], n_words)


class NewsReference:
    """The shipped reference of ordinary news and the cut-offs of the found rule."""

    def __init__(self, directory: Path = artifact.ARTIFACT_DIR) -> None:
        arrays, meta = artifact.load(directory, NAME)
        self.meta = meta
        # (n_reference, N_TECH): each technique's strengths in the reference articles, each column sorted.
        self.strengths = np.sort(arrays["strengths"].astype(np.float64), axis=0)
        self.scores = np.sort(arrays["scores"].astype(np.float64))
        self.cutoffs = arrays["cutoffs"].astype(np.float64)  # (N_TECH,) strength at which a technique is found
        self.min_confidence = float(arrays["min_confidence"])  # and the occurrence confidence it needs
        if self.strengths.shape[1] != len(TECHNIQUES) or self.cutoffs.shape != (len(TECHNIQUES),):
            raise ModelError(f"Model artifact {NAME!r} does not hold the 14 techniques.")

    @property
    def size(self) -> int:
        """Number of ordinary-news articles in the reference."""
        return len(self.scores)

    def cutoff(self, name: str) -> float:
        """The strength at which technique ``name`` is found."""
        return float(self.cutoffs[TECHNIQUES.index(name)])

    def technique_percentile(self, index: int, strength: float) -> float:
        """Share of the reference articles whose strength for technique ``index`` is lower."""
        return float(np.searchsorted(self.strengths[:, index], strength, side="left")) / self.size

    def score_percentile(self, score: float) -> float:
        """Share of the reference articles with a lower persuasion score."""
        return float(np.searchsorted(self.scores, score, side="left")) / self.size

    def assess(self, text: str, techniques: Sequence[Technique]) -> tuple[tuple[Technique, ...], Persuasion]:
        """The techniques with their strength, percentile and ``found`` set, and the article's persuasion."""
        n_words = word_count(text)
        assessed = []
        for technique in techniques:
            k = TECHNIQUES.index(technique.name)
            strength = technique_strength(technique.spans, n_words)
            assessed.append(replace(
                technique, strength=strength, percentile=self.technique_percentile(k, strength),
                found=bool(technique.spans and technique.confidence >= self.min_confidence and strength >= self.cutoffs[k]),
            ))
        score = persuasion_score(techniques, n_words)
        return tuple(assessed), Persuasion(score=score, percentile=self.score_percentile(score))
