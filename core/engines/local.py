"""The embedded offline engine: small models trained on public data, no network."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from ..errors import ModelError
from ..ml.checkworthiness import select_claims
from ..ml.loading import get_embedder, load_models
from ..ml.stance import LABELS
from ..engine_usage import EngineInfo
from ..records import Article, Stance
from ..registry import Needs
from ..languages import not_read_message, reads_language
from ..text import segment_sentences
from .base import ENGINES, ClaimCandidate, Engine, ProgressCallback, Reading, StanceJudgement, ignore_progress, not_counted

log = logging.getLogger(__name__)


@ENGINES.register
class LocalEngine(Engine):
    name = "local"
    description = "Offline: small models trained on public research data; no key, no network."
    needs = Needs()

    def read(self, article: Article, on_progress: ProgressCallback = ignore_progress, *, fresh: bool = False) -> Reading:
        # The models are deterministic, so ``fresh`` changes nothing here.
        if not reads_language(article.language):
            # English-model numbers on another language look precise and mean nothing (a German
            # article got 96 % gauges and 65 "claims"): show none, and say what to use instead.
            on_progress("Done", 1.0)
            return Reading(techniques=(), claims=(), warnings=(not_read_message(article.language),), partial=False)
        on_progress("Loading the local models", 0.0)
        models = load_models()
        text = article.text
        sentences = segment_sentences(text)
        on_progress(f"Embedding {len(sentences)} sentences", 0.1)
        embeddings, token_states = get_embedder().encode_tokens([s.text for s in sentences])
        on_progress("Detecting propaganda techniques", 0.5)
        detected = models.techniques.analyse(text, sentences, embeddings, token_states)
        assessed, persuasion = models.reference.assess(text, detected)
        techniques = tuple(sorted(assessed, key=lambda t: -t.confidence))
        on_progress("Scoring check-worthy claims", 0.85)
        scores = models.checkworthiness.score([s.text for s in sentences], embeddings)
        claims = tuple(
            ClaimCandidate(text=c.text, start=c.start, end=c.end, checkworthiness=c.score)
            for c in select_claims(sentences, scores, models.checkworthiness.threshold)
        )
        on_progress("Done", 1.0)
        return Reading(techniques=techniques, claims=claims, persuasion=persuasion, partial=False)

    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        judged = load_models().stance.judge(list(pairs), get_embedder().encode_with_states)
        return [
            StanceJudgement(stance=Stance(j.label), confidence=j.confidence,
                            scores={Stance(label): p for label, p in zip(LABELS, j.probabilities)}, decisive=j.decisive,
                            reason=not_counted(Stance(j.label), j.decisive, j.missing,
                                               j.conflict.detail if j.conflict is not None else None))
            for j in judged
        ]

    def info(self) -> EngineInfo:
        try:
            model = load_models().version()
        except ModelError:
            # info() describes; read() is where a missing artifact is reported to the user.
            model = "local models not installed"
        return EngineInfo(name=self.name, model=model)
