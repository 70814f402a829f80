"""The embedded offline engine: small models trained on public data, no network."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from ..errors import ModelError
from ..ml.checkworthiness import select_claims
from ..ml.embeddings import get_embedder
from ..ml.loading import load_models
from ..ml.stance import LABELS
from ..models import Article, EngineInfo, Stance
from ..registry import Needs
from ..text import segment_sentences
from .base import ENGINES, ClaimCandidate, Engine, ProgressCallback, Reading, StanceJudgement, ignore_progress

log = logging.getLogger(__name__)


@ENGINES.register
class LocalEngine(Engine):
    name = "local"
    description = "Offline: small models trained on public research data; no key, no network."
    needs = Needs()

    def read(self, article: Article, on_progress: ProgressCallback = ignore_progress, *, fresh: bool = False) -> Reading:
        # The models are deterministic, so ``fresh`` changes nothing here.
        on_progress("Loading the local models", 0.0)
        models = load_models()
        text = article.text
        sentences = segment_sentences(text)
        on_progress(f"Embedding {len(sentences)} sentences", 0.1)
        embeddings, token_states = get_embedder().encode_tokens([s.text for s in sentences])
        on_progress("Detecting propaganda techniques", 0.5)
        found = models.techniques.analyse(text, sentences, embeddings, token_states)
        techniques = tuple(sorted(found, key=lambda t: -t.confidence))
        on_progress("Scoring check-worthy claims", 0.85)
        scores = models.checkworthiness.score([s.text for s in sentences], embeddings)
        claims = tuple(
            ClaimCandidate(text=c.text, start=c.start, end=c.end, checkworthiness=c.score)
            for c in select_claims(sentences, scores, models.checkworthiness.threshold)
        )
        warnings = []
        if article.language and not article.language.lower().startswith("en"):
            warnings.append(
                f"The article's language is {article.language!r}; the local models are trained on English only, "
                "so their techniques and claims are unreliable here."
            )
        on_progress("Done", 1.0)
        return Reading(techniques=techniques, claims=claims, warnings=tuple(warnings), partial=False)

    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        judged = load_models().stance.judge(list(pairs), get_embedder().encode_with_states)
        return [
            StanceJudgement(stance=Stance(j.label), confidence=j.confidence,
                            scores={Stance(label): p for label, p in zip(LABELS, j.probabilities)}, decisive=j.decisive)
            for j in judged
        ]

    def info(self) -> EngineInfo:
        try:
            model = load_models().version()
        except ModelError:
            # info() describes; read() is where a missing artifact is reported to the user.
            model = "local models not installed"
        return EngineInfo(name=self.name, model=model)
