"""The engine interface: what reads an article and judges evidence."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..engine_usage import EngineInfo
from ..records import Article, Persuasion, Stance, Technique
from ..registry import Needs, Registry
from ..settings import Settings

# Reports progress inside a stage: (message, fraction done in [0, 1] or None).
ProgressCallback = Callable[[str, float | None], None]


def ignore_progress(message: str, fraction: float | None = None) -> None:
    """A progress callback for callers that do not show progress."""


@dataclass(frozen=True)
class ClaimCandidate:
    """A check-worthy claim found in the article: ``article.text[start:end] == text``."""

    text: str
    start: int
    end: int
    checkworthiness: float


@dataclass(frozen=True)
class Reading:
    """What an engine reads out of one article.

    ``techniques`` carry their strength and ``found`` (see core.techniques_catalogue.FOUND_RULE);
    ``persuasion`` is None when the engine gives no technique figures.
    """

    techniques: tuple[Technique, ...]
    claims: tuple[ClaimCandidate, ...]
    warnings: tuple[str, ...] = ()
    partial: bool = False
    persuasion: Persuasion | None = None


@dataclass(frozen=True)
class StanceJudgement:
    """An engine's stance on one (claim, passage) pair.

    ``decisive``: whether the stance counts toward a verdict, by the engine's
    DecisiveRule (core/ml/stance.py): the local engine's thresholds are chosen
    from data at training time. ``reason``: why a stance that takes a side does
    not count (see :func:`not_counted`), None when it counts or takes no side.
    """

    stance: Stance
    confidence: float
    scores: dict[Stance, float]
    decisive: bool = False
    reason: str | None = None


BELOW_CONFIDENCE = "not counted: below the confidence the verdict needs"


def not_counted(stance: Stance, decisive: bool, missing: Sequence[str] = (), conflict: str | None = None) -> str | None:
    """Why a judged stance does not count toward a verdict, as the evidence cards and the rationale say it.

    ``missing``: the claim's numbers and names the passage leaves out; ``conflict``: the detail on
    which it disagrees with the claim. They stop a support counting as the claim is stated, so they
    are its reason; any other stance short of the decisive rule is below the confidence it needs.
    """
    if stance == Stance.NEUTRAL or decisive:
        return None
    if stance == Stance.SUPPORTS and missing:
        return f"not counted: does not mention {', '.join(missing[:4])}"
    if stance == Stance.SUPPORTS and conflict is not None:
        return f"not counted: {conflict}"
    return BELOW_CONFIDENCE


class Engine(ABC):
    """An analysis engine. Subclasses register with ``@ENGINES.register``.

    One instance serves one analysis (``get_engine`` makes a new one each
    time), so ``info()`` can report that analysis's usage; heavy models are
    cached at module level by the engines themselves.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    needs: ClassVar[Needs] = Needs()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Problems met while working that leave the result usable but partial.
        self.warnings: list[str] = []

    @abstractmethod
    def read(self, article: Article, on_progress: ProgressCallback = ignore_progress, *, fresh: bool = False) -> Reading:
        """Find the techniques and the check-worthy claims of an article.

        ``fresh`` asks engines that cache their answers to ask again.
        """

    @abstractmethod
    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        """Stance of each (claim, evidence passage) pair, in order."""

    def info(self) -> EngineInfo:
        """Engine name, model, prompt version and usage so far, stored with each analysis."""
        return EngineInfo(name=self.name)


ENGINES: Registry[Engine] = Registry("engine")
