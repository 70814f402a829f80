"""Build analyses directly from the core dataclasses for tests."""
from __future__ import annotations

from core.models import (
    Analysis, Article, Assessment, Claim, EngineInfo, Evidence, SourceRun, SourceType, Span, Stance, Technique,
    TECHNIQUES, Verdict,
)


def make_analysis(
    *, id: str = "a1", title: str = "Council votes to close library", outlet: str = "Test Gazette",
    url: str | None = "https://gazette.example/library", n_claims: int = 3, created_at: str = "2026-11-20T10:00:00+00:00",
    verdicts: tuple[Verdict, ...] = (Verdict.CORROBORATED, Verdict.UNVERIFIED, Verdict.CONTRADICTED),
) -> Analysis:
    sentences = [f"Claim number {i} says the council spent {i * 3} million dollars in {2000 + i}." for i in range(1, n_claims + 1)]
    text = title + "\n" + " ".join(sentences) + " Officials called it a disgraceful betrayal."
    claims = []
    for i, sentence in enumerate(sentences, start=1):
        start = text.index(sentence)
        verdict = verdicts[(i - 1) % len(verdicts)]
        evidence = (
            Evidence(SourceType.WIKIPEDIA, "Council budget", "https://en.wikipedia.org/wiki/Budget", "Wikipedia",
                     f"The council spent {i * 3} million dollars.", Stance.SUPPORTS, 0.8),
            Evidence(SourceType.WEB, "Other paper", "https://other.example/story", "other.example",
                     "The figure was disputed.", Stance.REFUTES, 0.7),
        )
        claims.append(Claim(f"c{i}", sentence, start, start + len(sentence), 0.9, Assessment(verdict, 0.75, f"Rule for {verdict}."), evidence))
    loaded = text.index("disgraceful betrayal")
    techniques = tuple(
        Technique(name, round(0.9 - 0.06 * k, 2),
                  (Span(loaded, loaded + len("disgraceful betrayal"), "disgraceful betrayal", 0.8),) if k == 0 else ())
        for k, name in enumerate(sorted(TECHNIQUES, key=lambda n: n != "Loaded_Language"))
    )
    return Analysis(
        id=id, created_at=created_at,
        article=Article(text=text, url=url, title=title, author="Ada Writer", published="2024-03-05", outlet=outlet, language="en"),
        engine=EngineInfo(name="local", model="test"), sources=("library", "wikipedia"), techniques=techniques,
        claims=tuple(claims), source_runs=(SourceRun("library", "ok"), SourceRun("wikipedia", "ok", requests=3)),
    )
