"""Every shipped model artifact and the embedder, loaded once per process and shared by every caller.

Each loader is cached with :func:`functools.cache` behind one lock, so that two
threads asking at once load an artifact once; a failed load (ModelError) is not
cached, and the next call tries again.
"""
from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..records import Persuasion, Technique
from .checkworthiness import CheckworthinessModel
from .embeddings import Embedder
from .news_stance import NewsStance
from .reference import NewsReference
from .stance import StanceModel
from .techniques import TechniqueModel

log = logging.getLogger(__name__)

T = TypeVar("T")
# Re-entrant: load_models loads the embedder and the news reference through their own loaders.
_LOCK = threading.RLock()


def _loaded_once(load: Callable[[], T]) -> Callable[[], T]:
    cached = functools.cache(load)

    @functools.wraps(load)
    def loader() -> T:
        with _LOCK:
            return cached()

    return loader


@dataclass(frozen=True)
class LocalModels:
    techniques: TechniqueModel
    checkworthiness: CheckworthinessModel
    stance: StanceModel
    reference: NewsReference

    def version(self) -> str:
        parts = [f"{m.meta['name']} {m.meta['date']}"
                 for m in (self.techniques, self.checkworthiness, self.stance, self.stance.encoder, self.stance.news,
                           self.reference) if m is not None]
        return "all-MiniLM-L6-v2 int8 + " + ", ".join(parts)


@_loaded_once
def get_embedder() -> Embedder:
    """The process-wide sentence embedder, loaded on first use."""
    log.info("loading sentence-embedding model")
    return Embedder()


@_loaded_once
def news_reference() -> NewsReference:
    """The shipped reference of ordinary news and the cut-offs of the found rule; ModelError if it is missing or corrupt."""
    return NewsReference()


@_loaded_once
def load_models() -> LocalModels:
    """The three models, the news reference (and the embedder they share); raises ModelError if an artifact is missing or corrupt."""
    get_embedder()
    return LocalModels(TechniqueModel(), CheckworthinessModel(), StanceModel(news=NewsStance()), news_reference())


def assess_techniques(text: str, techniques: Sequence[Technique]) -> tuple[tuple[Technique, ...], Persuasion]:
    """``techniques`` measured against ordinary news by the shipped reference (loaded on first use).

    What reading a ``crosscheck.analysis/1`` document needs (core.documents.upgrade_v1): the import
    command passes it, so that reading documents never loads a model by itself.
    """
    return news_reference().assess(text, techniques)
