"""Typed, immutable records: what an analysis is made of (article, techniques, claims, evidence, verdicts, runs).

Every class round-trips through ``to_dict``/``from_dict``; the dictionaries are
the ``crosscheck.analysis/2`` JSON schema printed by the CLI and stored in the
database. Documents of the older ``crosscheck.analysis/1`` schema are upgraded
by :func:`core.documents.read_document` before they get here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .engine_usage import EngineInfo
from .genre import UNKNOWN, Genre
from .presentation import top_claim_count
from .techniques_catalogue import TECHNIQUE_DEFINITIONS, TECHNIQUE_LABELS

SCHEMA = "crosscheck.analysis/2"

# The rule that decided which stances counted toward crosscheck.analysis/1 verdicts: a
# non-neutral stance with confidence of at least 0.6. Evidence read from documents that
# do not say whether it was decisive gets it from this rule, so their verdicts still read.
LEGACY_DECISIVE_CONFIDENCE = 0.6


class Verdict(StrEnum):
    CORROBORATED = "corroborated"
    SINGLE_SOURCE = "single_source"
    CONTRADICTED = "contradicted"
    DISPUTED = "disputed"
    UNVERIFIED = "unverified"


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    NEUTRAL = "neutral"


def weighed_stance(stance: str, counted: bool) -> str:
    """A stance by its weight, as evidence is counted for charts: "supports" when it counted toward its claim's verdict
    (core.verdict.counts) or takes no side, "leans supports" when it was shown but did not count."""
    return stance if counted or stance == Stance.NEUTRAL else f"leans {stance}"


class SourceType(StrEnum):
    LIBRARY = "library"
    WIKIPEDIA = "wikipedia"
    WEB = "web"
    FACTCHECK = "factcheck"  # a published fact-check (ClaimReview): its rating is the publisher's word


@dataclass(frozen=True)
class Article:
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    outlet: str | None = None
    language: str | None = None
    genre: Genre = UNKNOWN  # as the page declares it (core.genre)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "outlet": self.outlet,
            "language": self.language,
            "genre": self.genre.to_dict(),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return cls(
            text=data["text"],
            url=data.get("url"),
            title=data.get("title"),
            author=data.get("author"),
            published=data.get("published"),
            outlet=data.get("outlet"),
            language=data.get("language"),
            genre=Genre.from_dict(data.get("genre")),
        )


@dataclass(frozen=True)
class Span:
    """A passage of the article: ``article.text[start:end] == text``."""

    start: int
    end: int
    text: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "confidence": self.confidence}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(start=int(data["start"]), end=int(data["end"]), text=data["text"], confidence=float(data["confidence"]))


@dataclass(frozen=True)
class Technique:
    """One of the 14 techniques in one article.

    ``confidence``: probability that the article uses the technique at least once.
    ``strength``: how strongly it does: its passages per 1,000 words, each weighted
    by the passage's confidence. ``percentile``: the share of ordinary-news
    articles (the reference of the engine that read it) with a lower strength, or
    None where no reference applies. ``found``: whether it stands out against
    ordinary news (see core.techniques_catalogue.FOUND_RULE).
    """

    name: str
    confidence: float
    spans: tuple[Span, ...] = ()
    strength: float = 0.0
    percentile: float | None = None
    found: bool = False

    @property
    def label(self) -> str:
        return TECHNIQUE_LABELS[self.name]

    @property
    def definition(self) -> str:
        return TECHNIQUE_DEFINITIONS[self.name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "confidence": self.confidence,
            "strength": self.strength,
            "percentile": self.percentile,
            "found": self.found,
            "spans": [s.to_dict() for s in self.spans],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Technique:
        percentile = data.get("percentile")  # absent or None: no ordinary-news reference applies
        return cls(
            name=data["name"],
            confidence=float(data["confidence"]),
            spans=tuple(Span.from_dict(s) for s in data.get("spans", ())),
            strength=float(data["strength"]),
            percentile=None if percentile is None else float(percentile),
            found=bool(data["found"]),
        )


@dataclass(frozen=True)
class Persuasion:
    """How persuasive the article's language is as a whole, against ordinary news.

    ``score``: the article's technique passages per 1,000 words, each weighted by
    its confidence, over all 14 techniques. ``percentile``: the share of
    ordinary-news articles with a lower score, or None where no reference applies.
    """

    score: float
    percentile: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "percentile": self.percentile}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Persuasion:
        percentile = data["percentile"]
        return cls(score=float(data["score"]), percentile=None if percentile is None else float(percentile))


@dataclass(frozen=True)
class FactPoint:
    """One figure or date of a claim as a passage states it: the same value (``agrees``) or another one."""

    point: str  # what it is of ("cost", "start date"); "" when unknown
    claim_value: str  # as the claim writes it: the point's key among the passages of one claim
    passage_value: str  # as the passage writes it
    agrees: bool

    def to_dict(self) -> dict[str, Any]:
        return {"point": self.point, "claim_value": self.claim_value, "passage_value": self.passage_value,
                "agrees": self.agrees}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FactPoint:
        return cls(point=data.get("point") or "", claim_value=data["claim_value"], passage_value=data["passage_value"],
                   agrees=bool(data["agrees"]))


@dataclass(frozen=True)
class Evidence:
    """A passage a source found for a claim, with the stance judged for it.

    ``decisive``: whether the stance is sure enough to count toward a verdict
    (the engine's decisive rule, see docs/evidence.md); a non-decisive support
    or refutation is shown but not counted.
    """

    source_type: SourceType
    title: str
    url: str | None
    outlet: str | None
    snippet: str
    stance: Stance
    stance_confidence: float
    decisive: bool = False
    published: str | None = None  # the page's or review's date as the source gives it
    relevance: float | None = None  # MiniLM cosine of claim and snippet (for a fact-check: of the two claims)
    rating: str | None = None  # a fact-check's rating, in the publisher's words ("False", "Half True")
    analysis_id: str | None = None  # library evidence: the stored analysis the passage comes from
    # Why a passage that takes a side does not count (None when it counts, takes no side, or was
    # stored before reasons were kept): set once where the stance is judged (core/evidence.py).
    reason: str | None = None
    # What the passage's figures and dates say about the claim's (core/fact_stance.py): "agrees: ..."
    # or "differs: <the claim's figure> vs <the passage's> (<what they measure>)"; None when they say nothing.
    facts: str | None = None
    # The claim's figures and dates the passage restates or contradicts, point by point (core/fact_stance.py): a
    # point one independent source confirms and another contradicts is disputed (core/verdict.py).
    points: tuple[FactPoint, ...] = ()
    # The passage's article's independent origin where its source knows the whole articles (the library): a key its
    # syndicated copies share (core/origins.py), and, on a copy, why it is one ("same text as Westmark Ledger (93 %
    # shared)"); None when the article is its own origin or the source cannot tell.
    origin: str | None = None
    origin_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_type": str(self.source_type),
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "snippet": self.snippet,
            "stance": str(self.stance),
            "stance_confidence": self.stance_confidence,
            "decisive": self.decisive,
            "published": self.published,
            "relevance": self.relevance,
            "rating": self.rating,
            "analysis_id": self.analysis_id,
            "reason": self.reason,
            "facts": self.facts,
            "points": [p.to_dict() for p in self.points],
            "origin": self.origin,
            "origin_note": self.origin_note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        stance = Stance(data["stance"])
        confidence = float(data["stance_confidence"])
        decisive = data.get("decisive")
        if decisive is None:
            decisive = stance != Stance.NEUTRAL and confidence >= LEGACY_DECISIVE_CONFIDENCE
        return cls(
            source_type=SourceType(data["source_type"]),
            title=data.get("title") or "",
            url=data.get("url"),
            outlet=data.get("outlet"),
            snippet=data.get("snippet") or "",
            stance=stance,
            stance_confidence=confidence,
            decisive=bool(decisive),
            published=data.get("published"),
            relevance=float(data["relevance"]) if data.get("relevance") is not None else None,
            rating=data.get("rating"),
            analysis_id=data.get("analysis_id"),
            reason=data.get("reason"),
            facts=data.get("facts"),
            points=tuple(FactPoint.from_dict(p) for p in data.get("points") or ()),
            origin=data.get("origin"),
            origin_note=data.get("origin_note"),
        )


@dataclass(frozen=True)
class Assessment:
    """The verdict on one claim, how sure the rule is, and why.

    ``confidence`` is None for an unverified claim: nothing decided it, so
    there is no confidence to state (the rationale says what was searched).
    """

    verdict: Verdict
    confidence: float | None
    rationale: str


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    start: int
    end: int
    checkworthiness: float
    assessment: Assessment
    evidence: tuple[Evidence, ...] = ()
    partial: bool = False  # a source failed or ran out of time for this claim

    @property
    def verdict(self) -> Verdict:
        return self.assessment.verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "checkworthiness": self.checkworthiness,
            "verdict": str(self.assessment.verdict),
            "verdict_confidence": self.assessment.confidence,
            "rationale": self.assessment.rationale,
            "evidence": [e.to_dict() for e in self.evidence],
            "partial": self.partial,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        verdict = Verdict(data["verdict"])
        return cls(
            id=str(data["id"]),
            text=data["text"],
            start=int(data["start"]),
            end=int(data["end"]),
            checkworthiness=float(data["checkworthiness"]),
            assessment=Assessment(
                verdict=verdict,
                # crosscheck.analysis/1 gave unverified claims a confidence (the share of sources
                # that answered); it is not a confidence in anything, so it is not read back.
                confidence=None if verdict == Verdict.UNVERIFIED or data.get("verdict_confidence") is None
                else float(data["verdict_confidence"]),
                rationale=data.get("rationale") or "",
            ),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            partial=bool(data.get("partial", False)),
        )


@dataclass(frozen=True)
class SourceRun:
    """What one evidence source did during an analysis."""

    name: str
    status: str  # "ok", "skipped", "failed" or "partial"
    detail: str = ""
    requests: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "requests": self.requests}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceRun:
        return cls(name=data["name"], status=data["status"], detail=data.get("detail", ""), requests=int(data.get("requests", 0)))


@dataclass(frozen=True)
class Analysis:
    id: str
    created_at: str  # ISO-8601, UTC
    article: Article
    engine: EngineInfo
    sources: tuple[str, ...] = ()
    techniques: tuple[Technique, ...] = ()
    claims: tuple[Claim, ...] = ()
    partial: bool = False
    warnings: tuple[str, ...] = ()
    source_runs: tuple[SourceRun, ...] = ()
    # None when the engine gave no technique figures (e.g. the local engine on a language it cannot read).
    persuasion: Persuasion | None = None

    @property
    def analysed_at(self) -> str:
        """When it was analysed, as people read it ("2026-12-01 23:39 UTC"); created_at keeps milliseconds for order."""
        return f"{self.created_at[:16].replace('T', ' ')} UTC" if self.created_at.endswith("+00:00") else self.created_at

    def with_id(self, new_id: str) -> Analysis:
        return replace(self, id=new_id)

    def verdict_counts(self) -> dict[Verdict, int]:
        counts = {v: 0 for v in Verdict}
        for claim in self.claims:
            counts[claim.verdict] += 1
        return counts

    def top_claims(self) -> tuple[Claim, ...]:
        """The claims shown first (see top_claim_count): the most check-worthy, in article order."""
        count = top_claim_count(len(self.article.text.split()))
        ranked = sorted(self.claims, key=lambda c: -c.checkworthiness)[:count]
        return tuple(sorted(ranked, key=lambda c: c.start))

    def found_techniques(self) -> tuple[Technique, ...]:
        """The techniques found in the article (see techniques_catalogue.FOUND_RULE), strongest against ordinary news first."""
        return tuple(sorted((t for t in self.techniques if t.found),
                            key=lambda t: (-(t.percentile if t.percentile is not None else 0.0), -t.strength, -t.confidence)))

    def top_technique(self) -> Technique | None:
        """The found technique that stands out most, if any is found."""
        found = self.found_techniques()
        return found[0] if found else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "engine": self.engine.name,
            "sources": list(self.sources),
            "created_at": self.created_at,
            "partial": self.partial,
            "warnings": list(self.warnings),
            "article": self.article.to_dict(),
            "techniques": [t.to_dict() for t in self.techniques],
            "persuasion": self.persuasion.to_dict() if self.persuasion is not None else None,
            "claims": [c.to_dict() for c in self.claims],
            "engine_info": self.engine.to_dict(),
            "source_runs": [r.to_dict() for r in self.source_runs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} document (schema={data.get('schema')!r}); read older ones with core.documents.read_document")
        engine = EngineInfo.from_dict(data.get("engine_info") or {"name": data["engine"]})
        return cls(
            id=str(data["id"]),
            created_at=data["created_at"],
            article=Article.from_dict(data["article"]),
            engine=engine,
            sources=tuple(data.get("sources", ())),
            techniques=tuple(Technique.from_dict(t) for t in data.get("techniques", ())),
            claims=tuple(Claim.from_dict(c) for c in data.get("claims", ())),
            partial=bool(data.get("partial", False)),
            warnings=tuple(data.get("warnings", ())),
            source_runs=tuple(SourceRun.from_dict(r) for r in data.get("source_runs", ())),
            persuasion=Persuasion.from_dict(data["persuasion"]) if data.get("persuasion") is not None else None,
        )
