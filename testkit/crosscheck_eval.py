"""Cross-checking measured end to end: articles of one story analysed into a library, each checked against the others.

Shared by scripts/eval_crosscheck.py (real stories and the three-outlet world, printed as tables) and
tests/test_story_world_verdicts.py (the world, asserted). Everything runs in process through
:func:`core.pipeline.analyze` with the local engine, the library source only, and a temporary SQLite
database.

"Each page analysed with the other pages of its story in the library" is done in two passes:
every article of the story is first analysed without sources and stored (that puts its sentences in
the library index, as the dashboard does); then each article is analysed again with the library
source and *not* stored, so every check sees exactly the story's other articles, whatever the order.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import re
import tempfile
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core import pipeline, verdict
from core.records import Analysis, Article, Claim, Evidence, Stance, Verdict
from core.settings import Settings
from core.storage import Storage
from testkit import story_world as world
from testkit.story_clusters import JudgedPair, StoryClusters

ENGINE = "local"
SOURCES = ("library",)
# What is measured is the quality of the checks, not their speed (bench/ measures that): a generous
# time budget keeps a slow shared machine from turning look-ups into timeouts.
TIME_BUDGET_S = 600.0
SUPPORT_SIDE = frozenset({Verdict.CORROBORATED, Verdict.SINGLE_SOURCE})
FLAGGED = frozenset({Verdict.DISPUTED, Verdict.CONTRADICTED})


@dataclass(frozen=True)
class Analysed:
    """One article: the analysis stored in the library (what evidence points to) and its check against the library."""

    key: str
    article: Article
    stored_id: str
    checked: Analysis | None  # None for an article that is only in the library


def eval_settings(home: Path) -> Settings:
    return Settings(home=home, offline=True, source_time_budget=TIME_BUDGET_S)


def analyse_story(articles: Mapping[str, Article], checked: Iterable[str], home: Path) -> dict[str, Analysed]:
    """Store every article in a fresh library under ``home``, then check those in ``checked`` against the others."""
    settings = eval_settings(home)
    storage = Storage(settings.database)
    stored = {key: pipeline.analyze(pipeline.ArticleInput(article), engine=ENGINE, sources=(), settings=settings,
                                    storage=storage).id
              for key, article in articles.items()}
    wanted = set(checked)
    return {key: Analysed(key, article, stored[key],
                          pipeline.analyze(pipeline.ArticleInput(article), engine=ENGINE, sources=SOURCES,
                                           settings=settings, storage=storage, save=False) if key in wanted else None)
            for key, article in articles.items()}


def counts(evidence: Evidence, article: Article) -> bool:
    """Whether a passage counts toward the verdict, by the verdict's own rule."""
    return verdict.counts(evidence, article)


def reason(evidence: Evidence, article: Article) -> str:
    """How a passage weighs in, as the dashboard says it ("" when it takes no side)."""
    return verdict.counting_note(evidence, article)


def claim_at(analysis: Analysis, start: int, end: int) -> Claim | None:
    """The claim that overlaps ``[start, end)`` the most, or None when no claim does."""
    overlaps = [(min(c.end, end) - max(c.start, start), c) for c in analysis.claims]
    overlaps = [(n, c) for n, c in overlaps if n > 0]
    return max(overlaps, key=lambda nc: nc[0])[1] if overlaps else None


def evidence_from(claim: Claim, source: Analysed) -> tuple[Evidence, ...]:
    """The claim's evidence that comes from ``source``'s article in the library."""
    return tuple(e for e in claim.evidence
                 if e.analysis_id == source.stored_id or (e.url and e.url == source.article.url))


# ---------------------------------------------------------------- real stories

def cluster_half(cluster_id: str) -> str:
    """"dev" or "held-out", by a stable hash of the cluster id (the same split on every machine and run)."""
    return "dev" if hashlib.sha256(cluster_id.encode()).digest()[0] % 2 == 0 else "held-out"


def story_articles(stories: StoryClusters, data_root: Path) -> dict[str, Article]:
    """Every labelled article as the pipeline gets it: PTC articles each their own outlet, Wikinews with URL and date."""
    dates = {}
    wikinews = data_root / "news" / "wikinews_en.jsonl"
    if wikinews.is_file():
        for line in wikinews.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            dates[row["url"]] = row.get("date")
    return {key: Article(text=s.text, url=s.url or None, title=s.title, outlet=s.outlet, language="en",
                         published=dates.get(s.url))
            for key, s in stories.texts.items()}


def never_tuned_on(cluster_id: str) -> bool:
    """Whether a held-out story was also held out by scripts/eval_facts.py's split (SHA-1 of the id, odd first byte).

    Seven stories of this held-out half were the facts layer's development clusters under that other hash; the
    rest were never read while rules were changed.
    """
    return cluster_half(cluster_id) == "held-out" and hashlib.sha1(cluster_id.encode()).digest()[0] % 2 == 1


@dataclass(frozen=True)
class PairOutcome:
    """What the pipeline made of one judged pair: sentence a of article A, sentence b of article B."""

    pair: JudgedPair
    half: str
    claim: Claim | None  # A's claim holding sentence a
    from_b: tuple[Evidence, ...]  # that claim's evidence from B's article
    article: Article  # A's, for the counting rule

    @property
    def support_side(self) -> bool:
        return self.claim is not None and self.claim.verdict in SUPPORT_SIDE

    @property
    def claim_flagged(self) -> bool:
        return self.claim is not None and self.claim.verdict in FLAGGED

    @property
    def b_counted_support(self) -> bool:
        return any(e.stance == Stance.SUPPORTS and counts(e, self.article) for e in self.from_b)

    @property
    def b_refutes(self) -> bool:
        return any(e.stance == Stance.REFUTES for e in self.from_b)

    @property
    def b_counted_refutes(self) -> bool:
        return any(e.stance == Stance.REFUTES and counts(e, self.article) for e in self.from_b)

    @property
    def flagged(self) -> bool:
        """Shown as a conflict: the claim disputed or contradicted, or B's passage counted as refuting it."""
        return self.claim_flagged or self.b_counted_refutes

    @property
    def digits_all_restated(self) -> bool:
        """Every number in digits in sentence a also appears in sentence b (a rough sign that b restates the whole
        claim, not only the judged point: numbers written in words are not seen)."""
        return _digits(self.pair.a.text) <= _digits(self.pair.b.text)

    def b_matches_sentence(self, evidence: Evidence) -> bool:
        """Whether B's passage is the judged sentence b (the library clips long sentences)."""
        snippet, sentence = " ".join(evidence.snippet.split()), " ".join(self.pair.b.text.split())
        return bool(snippet) and (snippet in sentence or sentence in snippet
                                  or snippet.rstrip(" …").rstrip(".") in sentence)


def _digits(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\d[\d,.]*\d|\d", text)}


def judge_pairs(stories: StoryClusters, data_root: Path, *, only: Collection[str] = (),
                on_story=lambda cluster_id, seconds: None) -> tuple[list[PairOutcome], dict[str, list[Analysis]]]:
    """Every judged pair's outcome, and every checked analysis by half; one library a story (members and thread).

    ``only``: the ids of the stories to run (all when empty).
    """
    articles = story_articles(stories, data_root)
    outcomes: list[PairOutcome] = []
    checked: dict[str, list[Analysis]] = {"dev": [], "held-out": []}
    for cluster in stories.clusters:
        if only and cluster.id not in only:
            continue
        started = time.perf_counter()
        half = cluster_half(cluster.id)
        pairs = [p for p in stories.pairs if p.cluster == cluster.id]
        library = {k: articles[k] for k in (*cluster.articles, *cluster.thread)}
        # Members are checked; a thread article only where a judged sentence of it is the claim.
        to_check = {*cluster.articles, *(p.a.article for p in pairs)}
        with tempfile.TemporaryDirectory(prefix="eval-crosscheck-") as home:
            done = analyse_story(library, to_check, Path(home))
        checked[half] += [a.checked for a in done.values() if a.checked is not None]
        for pair in pairs:
            a, b = done[pair.a.article], done[pair.b.article]
            claim = claim_at(a.checked, pair.a.start, pair.a.end)
            outcomes.append(PairOutcome(pair, half, claim, evidence_from(claim, b) if claim else (), a.article))
        on_story(cluster.id, time.perf_counter() - started)
    return outcomes, checked


# ---------------------------------------------------------------- the three-outlet world

def world_articles() -> dict[str, Article]:
    return {a.key: Article(text=a.text, url=a.url, title=a.title, outlet=a.outlet, language="en",
                           published=a.published.isoformat())
            for a in world.ARTICLES}


def analyse_world(home: Path) -> dict[str, Analysed]:
    """The three outlets' articles in one library, each checked against the other two."""
    articles = world_articles()
    return analyse_story(articles, articles, home)


def _value_pattern(figure: world.Figure) -> re.Pattern[str]:
    """How a figure's value can appear in a rationale, written by any of the outlets or normalised."""
    if figure.unit == "EUR":
        millions = f"{figure.value / 1e6:g}"
        return re.compile(rf"(?<![\d.,]){millions}(?![\d])|{int(figure.value):,}|{int(figure.value)}")
    if figure.unit == "share":
        return re.compile(rf"(?<![\d.]){figure.value * 100:g}(?![\d])")
    if figure.unit == "km":
        return re.compile(rf"(?<![\d.]){figure.value:g}(?![\d])")
    if figure.unit == "month":
        year, month = str(figure.value).split("-")
        name = datetime.date(int(year), int(month), 1).strftime("%B")
        return re.compile(rf"{name[:3]}\w*\.? {year}|{year}-{month}", re.IGNORECASE)
    if figure.unit == "votes":
        yes, no = str(figure.value).split("-")
        return re.compile(rf"(?<!\d){yes}(?!\d).{{0,25}}(?<!\d){no}(?!\d)")
    raise ValueError(figure.unit)


def names_value(text: str, figure: world.Figure) -> bool:
    return bool(_value_pattern(figure).search(text))


def _span(figure: world.Figure) -> tuple[int, int]:
    text = next(a for a in world.ARTICLES if a.key == figure.article).text
    start = text.index(figure.sentence)
    return start, start + len(figure.sentence)


def figures_in(claim: Claim, article_key: str) -> tuple[world.Figure, ...]:
    """The ground-truth figures whose sentence the claim overlaps."""
    return tuple(f for f in world.FIGURES if f.article == article_key
                 and min(claim.end, _span(f)[1]) > max(claim.start, _span(f)[0]))


@dataclass(frozen=True)
class WorldClaim:
    article: str
    claim: Claim
    figures: tuple[world.Figure, ...]

    @property
    def expected(self) -> str:
        """"conflict" (holds a disputed point), "corroborated" (holds only the shared figure) or "none"."""
        if any(f.point in world.CONFLICT_POINTS for f in self.figures):
            return "conflict"
        return "corroborated" if self.figures else "none"

    @property
    def overclaim(self) -> bool:
        """Shown supported where ground truth has a conflict, or shown in conflict where it has none."""
        if self.expected == "conflict":
            return self.claim.verdict in SUPPORT_SIDE
        return self.claim.verdict in FLAGGED

    @property
    def decided_outside_truth(self) -> bool:
        """Decided on the support side with no ground-truth figure in it: shown, not judged."""
        return self.expected == "none" and self.claim.verdict in SUPPORT_SIDE


@dataclass(frozen=True)
class ConflictCell:
    """One conflict point in one article: the claim holding the article's figure, and whether it is flagged."""

    point: str
    article: str
    figure: world.Figure
    claim: Claim | None
    agreed: world.Figure
    disputed: world.Figure

    @property
    def flagged(self) -> bool:
        return self.claim is not None and self.claim.verdict in FLAGGED

    @property
    def both_figures(self) -> bool:
        rationale = self.claim.assessment.rationale if self.claim else ""
        return names_value(rationale, self.agreed) and names_value(rationale, self.disputed)


@dataclass(frozen=True)
class WorldReport:
    claims: tuple[WorldClaim, ...]
    conflicts: tuple[ConflictCell, ...]
    shared: tuple[WorldClaim | None, ...]  # the claim holding each article's shared figure (None: not a claim)

    @property
    def overclaims(self) -> tuple[WorldClaim, ...]:
        return tuple(c for c in self.claims if c.overclaim)

    def conflict_flagged(self, point: str) -> bool:
        """Flagged, with both figures in the rationale, in every article that states the point."""
        cells = [c for c in self.conflicts if c.point == point]
        return all(c.flagged and c.both_figures for c in cells)

    @property
    def shared_corroborated(self) -> tuple[bool, ...]:
        """For each article, whether the shared figure's claim is corroborated (a claim that also holds a
        disputed point must be flagged instead: its conflict cell says so)."""
        return tuple(c is not None and (c.claim.verdict == Verdict.CORROBORATED if c.expected == "corroborated"
                                        else c.claim.verdict in FLAGGED)
                     for c in self.shared)


def judge_world(analysed: Mapping[str, Analysed]) -> WorldReport:
    claims = tuple(WorldClaim(key, claim, figures_in(claim, key))
                   for key, a in analysed.items() for claim in a.checked.claims)

    def holding(figure: world.Figure) -> WorldClaim | None:
        return next((c for c in claims if c.article == figure.article and figure in c.figures), None)

    cells = tuple(ConflictCell(c.point, f.article, f, (held.claim if (held := holding(f)) else None), c.agreed[0],
                               c.disputed)
                  for c in world.CONFLICTS for f in (*c.agreed, c.disputed))
    shared = tuple(holding(c.claim) for c in world.CORROBORATED)
    return WorldReport(claims, cells, shared)
