"""Evidence for claims: ask the chosen sources, judge stance, and decide verdicts."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from .engines.base import ClaimCandidate, Engine, ProgressCallback, ignore_progress
from .models import Article, Assessment, Claim, SourceRun, Verdict
from .settings import Settings
from .storage import Storage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceResult:
    claims: tuple[Claim, ...]
    source_runs: tuple[SourceRun, ...] = ()
    warnings: tuple[str, ...] = ()
    partial: bool = False


def gather(
    article: Article,
    candidates: Sequence[ClaimCandidate],
    *,
    engine: Engine,
    source_names: Sequence[str],
    settings: Settings,
    storage: Storage | None,
    on_progress: ProgressCallback = ignore_progress,
    fresh: bool = False,
) -> EvidenceResult:
    """Check every claim against the named sources and give each a verdict."""
    if source_names:
        raise NotImplementedError("evidence sources arrive with issue 4")
    no_sources = Assessment(Verdict.UNVERIFIED, 1.0, "No evidence sources were consulted for this analysis.")
    claims = tuple(
        Claim(id=f"c{i}", text=c.text, start=c.start, end=c.end, checkworthiness=c.checkworthiness, assessment=no_sources)
        for i, c in enumerate(candidates, start=1)
    )
    return EvidenceResult(claims=claims)
