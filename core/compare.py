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

Outlets also state one point in words too unlike for the threshold ("Councillors
voted 31 votes to 14" / "the council backed the extension ... by 31-14", 0.24;
"will cost €412 million" / "The project's budget stands at 412 million euros",
0.58). Two claims are then taken for the same point when the facts layer reads,
both ways, a figure or dated event of one point in both, with the same value or
another ("€412 million" / "€385m" for the cost), and three guards hold: their
articles tell one story (joined through claims matched by wording, directly or
via another article: two articles with nothing else in common may give a cost
of two different things), each names no key actor the other leaves out ("Ohio"
/ "Texas"), and a weekday alone ("on Monday") does not count, since every
report of the event gives it. A claim about the same point with other figures is
what Compare is for: the row then names both figures with their outlets.

Grouping is greedy single-link on pairs in descending similarity, with one
rule: a group holds at most one claim per article, so each group reads as
"this is how article A, B, C state it".

A claim that is a sentence of its article, as the local engine's claims are, was
embedded when the article was stored: the library index keeps that vector
(float16), and :func:`indexed_claim_vectors` reads it, so a page comparing stored
articles loads no model. Every vector is compared at the index's float16
precision, read or computed, so a comparison groups the same way whichever
supplied its vectors.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from .errors import InputError
from .facts import FactComparison, FactMatch, compare_facts, read_facts
from .identity import article_key
from .records import Analysis, Verdict
from .story_clusters import DIMENSIONS

if TYPE_CHECKING:
    from .storage import Storage

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
    # Whether a link below the threshold joined the group: its claims state figures of one point (module docstring).
    by_figures: bool = False

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


def _figures(comparison: FactComparison, kind: str) -> list[FactMatch]:
    return [m for m in getattr(comparison, kind) if m.kind in ("quantity", "date")]


def figure_conflicts(mentions: Sequence[ClaimMention], names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Each point the articles give differently, with every article's figure and its name: "cost: €412 million
    (Courier), 412 million euros (Ledger) vs €385m (Metro Post)". Figures that agree are listed together, so a point
    reads once however many articles give it. ``names``: how to name each analysis (its outlet), else its label."""
    def name(mention: ClaimMention) -> str:
        return (names or {}).get(mention.analysis_id) or mention.article

    # Each figure (which mention, as written) and the figures that restate it: one side of a point.
    side: dict[tuple[int, str], tuple[int, str]] = {}

    def root(node: tuple[int, str]) -> tuple[int, str]:
        while side.get(node, node) != node:
            node = side[node]
        return node

    rivals: list[tuple[str, tuple[int, str], tuple[int, str]]] = []
    for (i, a), (j, b) in combinations(enumerate(mentions), 2):
        comparison = compare_facts(a.text, b.text)
        for match in _figures(comparison, "agreements"):
            first, second = root((i, match.claim_text)), root((j, match.passage_text))
            if first != second:
                side[max(first, second)] = min(first, second)
        rivals += [(match.about, (i, match.claim_text), (j, match.passage_text)) for match in _figures(comparison, "conflicts")]

    members: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for _, a_side, b_side in rivals:
        for node in (a_side, b_side):
            members.setdefault(root(node), [])
            if node not in members[root(node)]:
                members[root(node)].append(node)
    for node in list(side):  # restatements that no rival names directly still stand on their side
        if root(node) in members and node not in members[root(node)]:
            members[root(node)].append(node)

    def figures(top: tuple[int, str]) -> str:
        return ", ".join(f"{text} ({name(mentions[k])})" for k, text in sorted(members[top]))

    found: dict[frozenset, str] = {}
    for about, a_side, b_side in rivals:
        first, second = sorted((root(a_side), root(b_side)))
        if first != second:
            found.setdefault(frozenset((first, second)), (f"{about}: " if about else "") + f"{figures(first)} vs {figures(second)}")
    return tuple(dict.fromkeys(found.values()))


def _weekday_only(text: str, written: str) -> bool:
    return any(d.text == written and d.year is None and d.month is None for d in read_facts(text).dates)


def _point_figures(claim: str, other: str) -> bool:
    """Whether the facts layer reads in ``other`` a figure of the same point as one of ``claim``'s, same value or not."""
    comparison = compare_facts(claim, other)
    figures = _figures(comparison, "agreements") + _figures(comparison, "conflicts")
    return any(not (m.kind == "date" and _weekday_only(claim, m.claim_text)) for m in figures)


def _rival_names(a: str, b: str) -> bool:
    """Whether each claim names a key actor the other does not ("Ohio plant" / "Texas plant")."""
    def unnamed(claim: str, other: str) -> bool:
        names = {actor.text for actor in read_facts(claim).actors if not actor.incidental}
        return bool(names & set(compare_facts(claim, other).missing))

    return unnamed(a, b) and unnamed(b, a)


def same_point(a: str, b: str) -> bool:
    """Whether two claims of one story state figures of one point (the module docstring gives the rule)."""
    return _point_figures(a, b) and _point_figures(b, a) and not _rival_names(a, b)


def _has_figures(text: str) -> bool:
    facts = read_facts(text)
    return any(not q.identifier for q in facts.quantities) or any(d.year or d.month for d in facts.dates)


def _stories(owner: Sequence[int], pairs: Sequence[tuple[float, int, int]]) -> dict[int, int]:
    """Each article's story: articles joined through claims matched by wording, directly or through another article."""
    story = {o: o for o in owner}

    def top(o: int) -> int:
        while story[o] != o:
            o = story[o]
        return o

    for _, i, j in pairs:
        story[max(top(owner[i]), top(owner[j]))] = min(top(owner[i]), top(owner[j]))
    return {o: top(o) for o in story}


def _default_encoder() -> Encoder:
    from .ml.loading import get_embedder

    return get_embedder().encode


def _as_indexed(text: str) -> str:
    """A claim's text as the library index writes its sentence: one line, spaces collapsed."""
    return " ".join(text.split())


def indexed_claim_vectors(storage: Storage, analyses: Sequence[Analysis]) -> dict[str, bytes]:
    """The library index's float16 vectors of the analyses' claims that are sentences of their stored articles, by
    claim text (as :func:`shared_claims` takes them); a claim the index does not hold word for word is left out."""
    wanted = {_as_indexed(c.text) for a in analyses for c in a.claims}
    found: dict[str, bytes] = {}
    for sentences in storage.indexed_sentences_of([article_key(a.article) for a in analyses]).values():
        for sentence in sentences:
            if sentence.text in wanted and len(sentence.embedding) == 2 * DIMENSIONS:
                found.setdefault(sentence.text, sentence.embedding)
    return found


def _claim_vectors(texts: Sequence[str], indexed: Mapping[str, bytes], encode: Encoder | None) -> np.ndarray:
    """Unit vectors of ``texts`` at float16 precision: read from ``indexed`` where it has them, the rest encoded."""
    keys = [_as_indexed(t) for t in texts]
    missing = [i for i, key in enumerate(keys) if key not in indexed]
    encoded = (encode or _default_encoder())([texts[i] for i in missing]) if missing else None
    vectors = np.zeros((len(texts), DIMENSIONS if encoded is None else encoded.shape[1]), dtype=np.float16)
    for i, key in enumerate(keys):
        if key in indexed:
            vectors[i] = np.frombuffer(indexed[key], dtype=np.float16)
    if encoded is not None:
        vectors[missing] = encoded
    return vectors.astype(np.float32)


def shared_claims(
    analyses: Sequence[Analysis], *, threshold: float = DEFAULT_THRESHOLD, encode: Encoder | None = None,
    storage: Storage | None = None,
) -> ComparisonResult:
    """Group the claims of 2-6 analyses into claims shared by several articles and claims only one makes.

    ``storage``: the library the analyses are stored in, whose index gives the claims it holds their vectors
    (:func:`indexed_claim_vectors`); ``encode`` embeds the others (default: the MiniLM model, loaded only when a
    claim needs it).
    """
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
    by_figures: dict[int, bool] = {}

    if mentions:
        indexed = indexed_claim_vectors(storage, analyses) if storage is not None else {}
        vectors = _claim_vectors([m.text for m in mentions], indexed, encode)
        similarity = vectors @ vectors.T
        pairs = [
            (float(similarity[i, j]), i, j)
            for i in range(len(mentions))
            for j in range(i + 1, len(mentions))
            if owner[i] != owner[j] and similarity[i, j] >= threshold
        ]
        story = _stories(owner, pairs)
        with_figures = [k for k, m in enumerate(mentions) if _has_figures(m.text)]
        below = [
            (float(similarity[i, j]), i, j)
            for n, i in enumerate(with_figures)
            for j in with_figures[n + 1:]
            if owner[i] != owner[j] and similarity[i, j] < threshold and story[owner[i]] == story[owner[j]]
            and same_point(mentions[i].text, mentions[j].text)
        ]
        for score, i, j in sorted(pairs + below, reverse=True):
            gi, gj = group_of[i], group_of[j]
            if gi == gj or {owner[k] for k in groups[gi]} & {owner[k] for k in groups[gj]}:
                continue
            groups[gi].extend(groups[gj])
            for k in groups[gj]:
                group_of[k] = gi
            groups[gj] = []
            # Pairs arrive strongest first, so this merge is the group's weakest link so far.
            link[gi] = min(link.get(gi, score), link.pop(gj, score), score)
            by_figures[gi] = by_figures.pop(gi, False) | by_figures.pop(gj, False) | (score < threshold)

    outlets = {a.id: a.article.outlet for a in analyses if a.article.outlet}
    shared = []
    unique: list[list[ClaimMention]] = [[] for _ in analyses]
    for index, members in enumerate(groups):
        if len(members) > 1:
            ordered = sorted(members, key=lambda k: (owner[k], k))
            group = tuple(mentions[k] for k in ordered)
            shared.append(SharedClaim(group, link[index], figure_conflicts(group, outlets), by_figures.get(index, False)))
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
