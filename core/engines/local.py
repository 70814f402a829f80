"""The embedded offline engine: small models trained on public data, no network."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from ..errors import ModelError
from ..models import Article, EngineInfo
from ..registry import Needs
from .base import ENGINES, Engine, ProgressCallback, Reading, StanceJudgement, ignore_progress

log = logging.getLogger(__name__)


@ENGINES.register
class LocalEngine(Engine):
    name = "local"
    description = "Offline: small models trained on public research data; no key, no network."
    needs = Needs()

    def read(self, article: Article, on_progress: ProgressCallback = ignore_progress, *, fresh: bool = False) -> Reading:
        raise ModelError("The local models are not trained yet.")

    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        raise ModelError("The local models are not trained yet.")

    def info(self) -> EngineInfo:
        return EngineInfo(name=self.name)
