"""Validation of ``crosscheck.analysis`` documents that come from outside (``python -m core import``).

An imported file is untrusted: it is checked against the schema before
anything is stored. One model per dataclass of :mod:`core.records` states each
field's type, range and length; types are strict (no "3" for 3, no ``true``
for 1, no NaN or infinity); offsets must point at their text in the article;
the article obeys the limits of an analysis (``CROSSCHECK_MAX_TEXT_CHARS``);
ids are short and plain (they become file names, URLs and HTML anchors).
A new optional field is one more line in its model. Only then does
:func:`core.documents.read_document` build the analysis (upgrading a /1 document).
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .documents import SCHEMA_V1, Assess, read_document
from .genre import GENRES
from .records import SCHEMA, Analysis, SourceType, Stance, Verdict
from .techniques_catalogue import TECHNIQUES
from .settings import Settings

# Schemas this version reads: the current one and the older ones core.documents.read_document upgrades.
READABLE_SCHEMAS: tuple[str, ...] = (SCHEMA, SCHEMA_V1)
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SHORT_CHARS = 2_000  # titles, names, dates, statuses
URL_CHARS = 8_192
NOTE_CHARS = 20_000  # rationales, snippets, warnings, details
MAX_ITEMS = 10_000  # claims, passages, evidence, warnings: more is not an analysis Crosscheck made
SOURCE_RUN_STATUSES = ("ok", "skipped", "failed", "partial")


def _text(max_chars: int) -> Any:
    # Strict strings also refuse lone surrogates, which no UTF-8 file, database or export can hold.
    return Annotated[str, Field(max_length=max_chars)]


ShortText = _text(SHORT_CHARS)
Note = _text(NOTE_CHARS)
UrlText = _text(URL_CHARS)
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0)]
NonNegative = Annotated[float, Field(ge=0.0)]


def _items(kind: Any) -> Any:
    return Annotated[list[kind], Field(max_length=MAX_ITEMS)]


class _Document(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="ignore", frozen=True)


class GenreSchema(_Document):
    kind: Literal[GENRES]  # type: ignore[valid-type]
    declared_by: ShortText | None = None


class ArticleSchema(_Document):
    text: str  # its length and encoding are checked against the settings in AnalysisSchema
    url: UrlText | None = None
    title: ShortText | None = None
    author: ShortText | None = None
    published: ShortText | None = None
    outlet: ShortText | None = None
    language: ShortText | None = None
    genre: GenreSchema | None = None  # absent in documents before issue 28: unknown


class SpanSchema(_Document):
    start: Count
    end: Count
    text: str
    confidence: Confidence


class TechniqueSchema(_Document):
    name: Literal[TECHNIQUES]  # type: ignore[valid-type]
    confidence: Confidence
    spans: _items(SpanSchema) = []
    # crosscheck.analysis/2 (absent from /1 documents, whose figures are recomputed on reading):
    strength: NonNegative | None = None
    percentile: Confidence | None = None
    found: bool | None = None


class PersuasionSchema(_Document):
    score: NonNegative
    percentile: Confidence | None = None


class FactPointSchema(_Document):
    point: ShortText
    claim_value: ShortText
    passage_value: ShortText
    agrees: bool


class EvidenceSchema(_Document):
    source_type: Literal[tuple(s.value for s in SourceType)]  # type: ignore[valid-type]
    title: ShortText | None = None
    url: UrlText | None = None
    outlet: ShortText | None = None
    snippet: Note | None = None
    stance: Literal[tuple(s.value for s in Stance)]  # type: ignore[valid-type]
    stance_confidence: Confidence
    decisive: bool | None = None  # absent in documents older than issue 18: Evidence.from_dict decides
    published: ShortText | None = None
    relevance: Confidence | None = None
    rating: ShortText | None = None  # a fact-checker's published rating
    analysis_id: Id | None = None  # the library analysis a passage comes from
    reason: ShortText | None = None  # why a side-taking passage does not count; absent in documents before issue 26
    facts: ShortText | None = None  # what the passage's figures say of the claim's; absent in documents before issue 27
    points: _items(FactPointSchema) = []  # the claim's figures it confirms or contradicts; absent before issue 27's points
    origin: UrlText | None = None  # its article's independent origin where the library compared the whole articles
    origin_note: ShortText | None = None


class ClaimSchema(_Document):
    id: Id
    text: str
    start: Count
    end: Count
    checkworthiness: Confidence
    verdict: Literal[tuple(v.value for v in Verdict)]  # type: ignore[valid-type]
    verdict_confidence: Confidence | None = None  # None: an unverified claim, which nothing decided
    rationale: Note | None = None
    evidence: _items(EvidenceSchema) = []
    partial: bool = False


class SourceRunSchema(_Document):
    name: ShortText
    status: Literal[SOURCE_RUN_STATUSES]  # type: ignore[valid-type]
    detail: Note = ""
    requests: Count = 0


class UsageSchema(_Document):
    calls: Count = 0
    input_tokens: Count = 0
    output_tokens: Count = 0
    cache_read_tokens: Count = 0
    cache_write_tokens: Count = 0
    cost_usd: Annotated[float, Field(ge=0.0)] = 0.0


class EngineInfoSchema(_Document):
    name: ShortText
    model: ShortText = ""
    prompt_version: ShortText = ""
    usage: UsageSchema = UsageSchema()


class AnalysisSchema(_Document):
    schema_: Literal[READABLE_SCHEMAS] = Field(alias="schema")  # type: ignore[valid-type]
    id: Id
    engine: ShortText
    created_at: ShortText
    article: ArticleSchema
    sources: _items(ShortText) = []
    techniques: _items(TechniqueSchema) = []
    persuasion: PersuasionSchema | None = None
    claims: _items(ClaimSchema) = []
    partial: bool = False
    warnings: _items(Note) = []
    engine_info: EngineInfoSchema | None = None
    source_runs: _items(SourceRunSchema) = []

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> AnalysisSchema:
        settings: Settings = (info.context or {})["settings"]
        text = self.article.text
        if not text.strip():
            raise ValueError("article.text is empty")
        if len(text) > settings.max_text_chars:
            raise ValueError(f"article.text has {len(text):,} characters; the limit is {settings.max_text_chars:,} "
                             "(CROSSCHECK_MAX_TEXT_CHARS)")
        try:
            created = datetime.fromisoformat(self.created_at)
        except ValueError:
            raise ValueError(f"created_at is not an ISO-8601 date and time: {self.created_at[:40]!r}") from None
        if created.tzinfo is None:
            raise ValueError("created_at has no time zone")
        if self.schema_ == SCHEMA and any(t.strength is None or t.found is None for t in self.techniques):
            raise ValueError(f"a {SCHEMA} technique needs its strength and found")
        names = [t.name for t in self.techniques]
        if len(set(names)) != len(names):
            raise ValueError("a technique is listed twice")
        ids = [c.id for c in self.claims]
        if len(set(ids)) != len(ids):
            raise ValueError("two claims have the same id")
        for t in self.techniques:
            for number, span in enumerate(t.spans):
                _check_offsets(text, span.start, span.end, span.text, f"techniques.{t.name}.spans.{number}")
        for claim in self.claims:
            _check_offsets(text, claim.start, claim.end, claim.text, f"claims.{claim.id}")
        return self


def _check_offsets(text: str, start: int, end: int, quoted: str, where: str) -> None:
    if not start < end <= len(text):
        raise ValueError(f"{where}: offsets {start}-{end} are outside the article's {len(text):,} characters")
    if text[start:end] != quoted:
        raise ValueError(f"{where}: the text does not match article.text[{start}:{end}]")


def validate_document(document: Any, settings: Settings, assess: Assess | None = None) -> Analysis:
    """The analysis in an untrusted ``crosscheck.analysis`` document; ValueError saying what is wrong.

    A /1 document is upgraded with ``assess`` (see :func:`core.documents.read_document`).
    """
    try:
        AnalysisSchema.model_validate(document, context={"settings": settings})
    except ValidationError as exc:
        raise ValueError(_describe(exc)) from None
    try:
        return read_document(document, assess)
    except (KeyError, TypeError) as exc:  # a field the schema leaves optional that this document's version needs
        raise ValueError(f"missing or malformed field {exc}") from None


def _describe(error: ValidationError, shown: int = 3) -> str:
    problems = []
    for item in error.errors(include_url=False)[:shown]:
        where = ".".join(str(part) for part in item["loc"]).replace("schema_", "schema")
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    more = error.error_count() - shown
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")
