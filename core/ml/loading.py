"""The shipped artifacts and the embedder, loaded once per process and shared by every caller."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .checkworthiness import CheckworthinessModel
from .embeddings import get_embedder
from .reference import NewsReference
from .stance import StanceModel
from .techniques import TechniqueModel


@dataclass(frozen=True)
class LocalModels:
    techniques: TechniqueModel
    checkworthiness: CheckworthinessModel
    stance: StanceModel
    reference: NewsReference

    def version(self) -> str:
        parts = [f"{m.meta['name']} {m.meta['date']}"
                 for m in (self.techniques, self.checkworthiness, self.stance, self.stance.encoder, self.reference)]
        return "all-MiniLM-L6-v2 int8 + " + ", ".join(parts)


_MODELS: LocalModels | None = None
_LOCK = threading.Lock()


def load_models() -> LocalModels:
    """The three models, the news reference (and the embedder they share); raises ModelError if an artifact is missing or corrupt."""
    global _MODELS
    with _LOCK:
        if _MODELS is None:
            get_embedder()
            _MODELS = LocalModels(TechniqueModel(), CheckworthinessModel(), StanceModel(), NewsReference())
        return _MODELS
