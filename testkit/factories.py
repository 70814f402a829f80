"""The one analysis factory of the tests and benchmarks: any number of claims, own claim texts, long quotes, scripts."""
from __future__ import annotations

from core.documents import SCHEMA_V1
from core.engine_usage import EngineInfo, Usage
from core.engines.base import not_counted
from core.records import (
    Analysis,
    Article,
    Assessment,
    Claim,
    Evidence,
    Persuasion,
    SourceRun,
    SourceType,
    Span,
    Stance,
    Technique,
    Verdict,
)
from core.techniques_catalogue import TECHNIQUES
from core.ml.reference import persuasion_score, technique_strength, word_count
from core.ml.stance import coverage

_VERDICTS = tuple(Verdict)
_STANCES = tuple(Stance)
_SOURCE_TYPES = tuple(SourceType)


def make_claim(index: int, text: str, *, start: int, n_evidence: int = 2, evidence_links: bool = True) -> Claim:
    """Claim ``c{index+1}``; verdicts, stances and source types cycle through every value.

    Unverified claims have no confidence, as the verdict rules give them none.
    ``evidence_links=False``: the evidence has no URL and no outlet, as library
    evidence from a pasted or uploaded article has.
    """
    evidence = tuple(_evidence(index, k, text, evidence_links) for k in range(n_evidence))
    verdict = _VERDICTS[index % len(_VERDICTS)]
    return Claim(
        id=f"c{index + 1}",
        text=text,
        start=start,
        end=start + len(text),
        checkworthiness=0.5 + (index % 5) / 10,
        assessment=Assessment(verdict=verdict, confidence=None if verdict == Verdict.UNVERIFIED else 0.6 + (index % 4) / 10,
                              rationale=f"Verdict {verdict.value} from {n_evidence} sources for claim {index + 1}."),
        evidence=evidence,
    )


def _evidence(index: int, k: int, claim: str, links: bool) -> Evidence:
    stance = _STANCES[(index + k) % len(_STANCES)]
    snippet = f"A passage from source {k} that bears on claim {index + 1}."
    decisive = stance != Stance.NEUTRAL and k % 2 == 0  # every other side-taking passage counts: both markings appear
    return Evidence(
        source_type=_SOURCE_TYPES[(index + k) % len(_SOURCE_TYPES)],
        title=f"Source {k} for claim {index + 1}",
        url=f"https://www.example{k % 3}.org/news/{index + 1}-{k}" if links else None,
        outlet=f"Example {k % 3}" if links else None,
        snippet=snippet,
        stance=stance,
        stance_confidence=0.55 + 0.1 * (k % 4),
        decisive=decisive,
        # The reason an engine gives: the passage leaves out the claim's figures.
        reason=not_counted(stance, decisive, coverage(claim, snippet).missing),
    )


def make_analysis(
    n_claims: int = 5,
    *,
    id: str = "a1b2c3d4e5f6",
    title: str | None = "Council spending under fire",
    outlet: str | None = "The Daily Example",
    url: str | None = "https://news.example.com/2026/council-spending",
    created_at: str = "2026-11-24T21:00:00+00:00",
    claims: list[str] | None = None,
    quote: str | None = None,
    partial: bool = False,
    warnings: tuple[str, ...] = (),
    engine: str = "local",
    seed: int = 0,
    n_evidence: int = 2,
    evidence_links: bool = True,
    language: str = "en",
) -> Analysis:
    """All 14 techniques scored (passages quote ``quote``), and ``n_claims`` claims or the given texts.

    Verdicts, stances and source types cycle through every value (see make_claim),
    so any two claims differ and every value appears in a large enough analysis.
    A technique with passages (those with a confidence of at least 0.5 and an even
    index) is found and stronger than all ordinary news; the others are not, and
    stronger than 0.9 × ``confidence`` of ordinary news.
    """
    texts = claims if claims is not None else [
        f"Claim number {i + 1}: the council spent {i * 3 + 1} million on roads in {2000 + i}." for i in range(n_claims)
    ]
    body = quote or "The so-called experts are lying to you again, and everyone knows it."
    text = body + "\n\n"
    starts = []
    for claim_text in texts:
        starts.append(len(text))
        text += claim_text + "\n"
    techniques = []
    n_words = word_count(text)
    for i, name in enumerate(TECHNIQUES):
        confidence = ((i * 37 + seed * 11) % 100) / 100
        spans = (Span(0, len(body), body, confidence),) if confidence >= 0.5 and i % 2 == 0 else ()
        # As the real rule has it: a found technique is stronger than every ordinary-news article.
        techniques.append(Technique(name=name, confidence=confidence, spans=spans, strength=technique_strength(spans, n_words),
                                    percentile=1.0 if spans else round(0.9 * confidence, 2), found=bool(spans)))
    score = persuasion_score(techniques, n_words)
    return Analysis(
        id=id,
        created_at=created_at,
        article=Article(text=text, url=url, title=title,
                        author="Jane Reporter", published="2026-11-20", outlet=outlet, language=language),
        engine=EngineInfo(name=engine, model="local-v1" if engine == "local" else "claude-sonnet-5-5",
                          prompt_version="1", usage=Usage(calls=2, input_tokens=1000, output_tokens=200, cost_usd=0.01)),
        sources=("library", "wikipedia"),
        techniques=tuple(techniques),
        persuasion=Persuasion(score=score, percentile=0.9),
        claims=tuple(make_claim(i, t, start=s, n_evidence=n_evidence, evidence_links=evidence_links)
                     for i, (t, s) in enumerate(zip(texts, starts))),
        partial=partial,
        warnings=warnings,
        source_runs=(SourceRun("library", "ok", "3 articles", 0), SourceRun("wikipedia", "failed", "timed out", 2)),
    )


def v1_document(analysis: Analysis) -> dict:
    """``analysis`` as a crosscheck.analysis/1 document, as Crosscheck wrote them before strength and found existed."""
    document = analysis.to_dict()
    document["schema"] = SCHEMA_V1
    del document["persuasion"]
    for technique in document["techniques"]:
        for key in ("strength", "percentile", "found"):
            del technique[key]
    return document
