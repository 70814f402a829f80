"""The analysis pipeline: load → read → evidence → store, with progress per stage."""
from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import evidence, extract
from .engines import get_engine
from .errors import CrosscheckError, InputError
from .models import Analysis, Article
from .settings import Settings, get_settings
from .storage import Storage

logger = logging.getLogger(__name__)

STAGE_TITLES = {
    "load": "Fetching and extracting the article",
    "read": "Finding techniques and claims",
    "evidence": "Checking claims against sources",
    "store": "Saving the analysis",
}


@dataclass(frozen=True)
class UrlInput:
    url: str


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class FileInput:
    """An uploaded file: its name decides whether it is HTML or text."""

    name: str
    data: bytes


@dataclass(frozen=True)
class PathInput:
    path: Path


@dataclass(frozen=True)
class ArticleInput:
    """An article already extracted, e.g. a stored one being re-analysed."""

    article: Article


SourceInput = UrlInput | TextInput | FileInput | PathInput | ArticleInput


@dataclass(frozen=True)
class StageEvent:
    stage: str  # a key of STAGE_TITLES
    state: str  # "running", "progress", "done", "skipped" or "failed"
    message: str
    fraction: float | None = None


StageCallback = Callable[[StageEvent], None]


def _ignore(event: StageEvent) -> None:
    """Default stage callback for callers that show no progress."""


def input_from_argument(argument: str) -> SourceInput:
    """A CLI argument: a URL, ``-`` for text on stdin, or a path to a .html/.htm/.txt file."""
    if extract.is_url(argument):
        return UrlInput(argument)
    if argument == "-":
        return TextInput(sys.stdin.read())
    path = Path(argument)
    if not path.is_file():
        raise InputError(f"{argument} is neither a URL nor an existing file.", hint="Give an http(s) URL, a .html/.txt file, or - for stdin.")
    return PathInput(path)


def load(source: SourceInput, settings: Settings, *, fresh: bool = False) -> extract.Loaded:
    match source:
        case UrlInput(url):
            return extract.load_url(url, settings, refresh=fresh)
        case TextInput(text):
            return extract.load_text(text, settings)
        case FileInput(name, data):
            return extract.load_bytes(data, name, settings)
        case PathInput(path):
            return extract.load_file(path, settings)
        case ArticleInput(article):
            return extract.Loaded(article)
    raise TypeError(f"unsupported source {source!r}")


def analyze(
    source: SourceInput,
    *,
    engine: str = "local",
    sources: Sequence[str] = (),
    on_stage: StageCallback = _ignore,
    settings: Settings | None = None,
    storage: Storage | None = None,
    fresh: bool = False,
) -> Analysis:
    """Analyse one article and, when ``storage`` is given, store the result.

    Raises :class:`~core.errors.CrosscheckError` for anything the user must fix;
    nothing is stored unless the whole analysis completed (it may still be
    ``partial`` when a source or engine step failed, with warnings saying which).
    """
    settings = settings or get_settings()
    evidence.require_known_sources(sources)  # before any work is done
    analyzer = get_engine(engine, settings)
    warnings: list[str] = []

    def run(stage: str, work: Callable[[], object]):
        on_stage(StageEvent(stage, "running", STAGE_TITLES[stage]))
        try:
            result = work()
        except CrosscheckError as exc:
            on_stage(StageEvent(stage, "failed", exc.user_message()))
            raise
        on_stage(StageEvent(stage, "done", STAGE_TITLES[stage]))
        return result

    def progress(stage: str) -> Callable[[str, float | None], None]:
        return lambda message, fraction=None: on_stage(StageEvent(stage, "progress", message, fraction))

    loaded = run("load", lambda: load(source, settings, fresh=fresh))
    warnings += loaded.warnings
    article = loaded.article

    reading = run("read", lambda: analyzer.read(article, progress("read"), fresh=fresh))
    warnings += reading.warnings

    if sources:
        found = run(
            "evidence",
            lambda: evidence.gather(
                article, reading.claims, engine=analyzer, source_names=sources, settings=settings,
                storage=storage, on_progress=progress("evidence"), fresh=fresh,
            ),
        )
    else:
        on_stage(StageEvent("evidence", "skipped", "No evidence sources chosen"))
        found = evidence.gather(article, reading.claims, engine=analyzer, source_names=(), settings=settings, storage=None)
    warnings += found.warnings
    warnings += analyzer.warnings

    analysis = Analysis(
        id=uuid.uuid4().hex[:12],
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        article=article,
        engine=analyzer.info(),
        sources=tuple(sources),
        techniques=reading.techniques,
        persuasion=reading.persuasion,
        claims=found.claims,
        partial=reading.partial or found.partial or bool(analyzer.warnings),
        warnings=tuple(dict.fromkeys(warnings)),
        source_runs=found.source_runs,
    )
    if storage is not None:
        run("store", lambda: storage.save(analysis))
    else:
        on_stage(StageEvent("store", "skipped", "Not stored"))
    return analysis
