"""Comparing analyses of several articles: which claims they share, and how each treats them.

Claims are matched by the cosine similarity of their MiniLM sentence
embeddings. Two claims of different articles are taken to be the same claim
when the similarity is at least ``DEFAULT_THRESHOLD`` = 0.70. The value comes
from the pairs in ``tests/test_compare.py`` (numbers in docs/reports.md):
paraphrases of one factual claim score 0.71-0.91, different claims on the same
topic at most 0.54, and claims cast in the same mould with other facts ("laid
off 500 in Ohio" / "hired 500 in Texas") 0.63-0.69. The threshold sits above
the last group because a false match puts two different claims side by side,
while a miss only leaves a shared claim listed twice; two paraphrases that
reword heavily (numbers spelt out, 0.67; "forty years" / "four decades", 0.43)
are missed. Claims about one fact in opposite directions ("rose 12 %" /
"fell 12 %", 0.83) do match, which is what an analyst comparing coverage wants
to see: the verdicts then show the disagreement, and figures the articles give
differently for the same point ("28 contacts" / "46 contacts") are named side
by side with their articles (core/facts).

Grouping is greedy single-link on pairs in descending similarity, with one
rule: a group holds at most one claim per article, so each group reads as
"this is how article A, B, C state it".
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .facts import compare_facts
from .records import Analysis, Verdict

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.70
MIN_ANALYSES = 2
MAX_ANALYSES = 6

Encoder = Callable[[Sequence[str]], np.ndarray]


def article_label(analysis: Analysis, max_chars: int = 32) -> str:
    """A short name for an article in legends and tables: its title, else its outlet, else its id."""
    name = (analysis.article.title or analysis.article.outlet or f"analysis {analysis.id}").strip()
    name = " ".join(name.split())
    return name if len(name) <= max_chars else name[: max_chars - 1].rstrip() + "…"


def article_labels(analyses: Sequence[Analysis], max_chars: int = 32) -> list[str]:
    """``article_label`` for each analysis, numbered where two would read the same."""
    labels = [article_label(a, max_chars) for a in analyses]
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        if labels.count(label) > 1:
            seen[label] = seen.get(label, 0) + 1
            label = f"{label} ({seen[label]})"
        result.append(label)
    return result


@dataclass(frozen=True)
class ClaimMention:
    """One article's wording of a claim and the verdict it got there."""

    analysis_id: str
    article: str  # the article's label, as in the comparison charts
    claim_id: str
    text: str
    verdict: Verdict
    verdict_confidence: float | None  # None for unverified


@dataclass(frozen=True)
class SharedClaim:
    """A claim made by several articles; ``similarity`` is the weakest link that joined the group."""

    mentions: tuple[ClaimMention, ...]
    similarity: float
    # Figures the articles state differently for the same point, both with their outlet:
    # "contacts: 28 (Daily Post) vs 46 (Evening Star)" (core/facts); empty when they agree or say none.
    figure_conflicts: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The first article's wording, to name the group."""
        return self.mentions[0].text

    @property
    def verdicts_agree(self) -> bool:
        """Every article's claim was decided, the same way: two "unverified" are no agreement, only two unknowns."""
        return len({m.verdict for m in self.mentions}) == 1 and self.mentions[0].verdict != Verdict.UNVERIFIED

    @property
    def verdicts_differ(self) -> bool:
        """At least two articles' claims were decided, in different ways."""
        return len({m.verdict for m in self.mentions if m.verdict != Verdict.UNVERIFIED}) > 1

    @property
    def agreement(self) -> str:
        """How the verdicts relate, in words for tables and reports; differing figures come first."""
        if self.figure_conflicts:
            return "figures differ: " + "; ".join(self.figure_conflicts)
        if self.verdicts_agree:
            return "verdicts agree"
        if self.verdicts_differ:
            return "verdicts differ"
        return "not enough decided verdicts to compare"


@dataclass(frozen=True)
class ComparisonResult:
    analysis_ids: tuple[str, ...]
    articles: tuple[str, ...]  # labels, in the order of analysis_ids
    threshold: float
    shared: tuple[SharedClaim, ...]  # most widely shared first
    unique: tuple[tuple[ClaimMention, ...], ...]  # per analysis, in analysis order: claims no other article makes

    def unique_for(self, analysis_id: str) -> tuple[ClaimMention, ...]:
        return self.unique[self.analysis_ids.index(analysis_id)]


def figure_conflicts(mentions: Sequence[ClaimMention], names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Each figure two articles give differently for the same point, both named: "deaths: 25 million (Sun) vs 50 million
    (Express)". ``names``: how to name each analysis (its outlet), else the article's label."""
    def name(mention: ClaimMention) -> str:
        return (names or {}).get(mention.analysis_id) or mention.article

    found = []
    for a, b in combinations(mentions, 2):
        for match in compare_facts(a.text, b.text).conflicts:
            found.append((f"{match.about}: " if match.about else "")
                         + f"{match.claim_text} ({name(a)}) vs {match.passage_text} ({name(b)})")
    return tuple(dict.fromkeys(found))


def _default_encoder() -> Encoder:
    from .ml.loading import get_embedder

    return get_embedder().encode


def shared_claims(
    analyses: Sequence[Analysis], *, threshold: float = DEFAULT_THRESHOLD, encode: Encoder | None = None
) -> ComparisonResult:
    """Group the claims of 2-6 analyses into claims shared by several articles and claims only one makes."""
    if not MIN_ANALYSES <= len(analyses) <= MAX_ANALYSES:
        raise InputError(f"Compare between {MIN_ANALYSES} and {MAX_ANALYSES} analyses; {len(analyses)} were chosen.")
    ids = [a.id for a in analyses]
    if len(set(ids)) != len(ids):
        raise InputError("The same analysis was chosen twice.", hint="Choose different analyses to compare.")
    labels = article_labels(analyses)
    mentions = [
        ClaimMention(a.id, labels[i], c.id, c.text, c.verdict, c.assessment.confidence)
        for i, a in enumerate(analyses)
        for c in a.claims
    ]
    owner = [ids.index(m.analysis_id) for m in mentions]
    groups: list[list[int]] = [[i] for i in range(len(mentions))]
    group_of = list(range(len(mentions)))
    link: dict[int, float] = {}

    if mentions:
        vectors = (encode or _default_encoder())([m.text for m in mentions])
        similarity = vectors @ vectors.T
        pairs = [
            (float(similarity[i, j]), i, j)
            for i in range(len(mentions))
            for j in range(i + 1, len(mentions))
            if owner[i] != owner[j] and similarity[i, j] >= threshold
        ]
        for score, i, j in sorted(pairs, reverse=True):
            gi, gj = group_of[i], group_of[j]
            if gi == gj or {owner[k] for k in groups[gi]} & {owner[k] for k in groups[gj]}:
                continue
            groups[gi].extend(groups[gj])
            for k in groups[gj]:
                group_of[k] = gi
            groups[gj] = []
            # Pairs arrive strongest first, so this merge is the group's weakest link so far.
            link[gi] = min(link.get(gi, score), link.pop(gj, score), score)

    outlets = {a.id: a.article.outlet for a in analyses if a.article.outlet}
    shared = []
    unique: list[list[ClaimMention]] = [[] for _ in analyses]
    for index, members in enumerate(groups):
        if len(members) > 1:
            ordered = sorted(members, key=lambda k: (owner[k], k))
            group = tuple(mentions[k] for k in ordered)
            shared.append(SharedClaim(group, link[index], figure_conflicts(group, outlets)))
        elif members:
            unique[owner[members[0]]].append(mentions[members[0]])
    shared.sort(key=lambda s: (-len(s.mentions), -s.similarity))
    logger.info("compared %d analyses: %d shared claims", len(analyses), len(shared))
    return ComparisonResult(
        analysis_ids=tuple(ids),
        articles=tuple(labels),
        threshold=threshold,
        shared=tuple(shared),
        unique=tuple(tuple(u) for u in unique),
    )
