"""The analysis pipeline: load → read → evidence → store, with progress per stage."""
from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from . import evidence, extract
from .sources import library
from .engines import get_engine
from .engines.base import ClaimCandidate
from .errors import CrosscheckError, InputError
from .identity import outlet_name
from .policy import MAX_CLAIMS
from .records import Analysis, Article
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
class Provenance:
    """Where a pasted or uploaded text was published, as the analyst states it.

    The verdict rules never count evidence from the article's own outlet; a text
    without an outlet or URL has none, so every outlet would count. Stating them
    makes independence work for pasted and uploaded texts too.
    """

    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD): a text carries no date of its own


@dataclass(frozen=True)
class TextInput:
    text: str
    provenance: Provenance = Provenance()


@dataclass(frozen=True)
class FileInput:
    """An uploaded file: its name decides whether it is HTML or text."""

    name: str
    data: bytes
    provenance: Provenance = Provenance()


@dataclass(frozen=True)
class PathInput:
    path: Path
    provenance: Provenance = Provenance()


@dataclass(frozen=True)
class StdinInput:
    """Text piped to the CLI, as bytes: decoded like a .txt file (encoding detected, size capped)."""

    data: bytes
    provenance: Provenance = Provenance()


@dataclass(frozen=True)
class ArticleInput:
    """An article already extracted, e.g. a stored one being re-analysed."""

    article: Article


SourceInput = UrlInput | TextInput | FileInput | PathInput | StdinInput | ArticleInput


@dataclass(frozen=True)
class StageEvent:
    stage: str  # a key of STAGE_TITLES
    state: str  # "running", "progress", "done", "skipped" or "failed"
    message: str
    fraction: float | None = None


StageCallback = Callable[[StageEvent], None]


def _ignore(event: StageEvent) -> None:
    """Default stage callback for callers that show no progress."""


def provenance(outlet: str | None, url: str | None, published: str | date | None = None) -> Provenance:
    """The stated outlet, URL and date of a text, checked: the URL must be an http(s) address, the date a real one."""
    outlet = (outlet or "").strip() or None
    url = (url or "").strip() or None
    if url is not None and not extract.is_url(url):
        raise InputError(f"{url} is not an http(s) address.", hint="Give the address the text was published at, or leave it empty.")
    if isinstance(published, date):
        published = published.isoformat()
    published = (published or "").strip() or None
    if published is not None:
        try:
            published = date.fromisoformat(published).isoformat()
        except ValueError:
            raise InputError(f"{published} is not a date.", hint="Give the date as YYYY-MM-DD, or leave it empty.") from None
    return Provenance(outlet, url, published)


def input_from_argument(argument: str, settings: Settings | None = None, stated: Provenance = Provenance()) -> SourceInput:
    """A CLI argument: a URL, ``-`` for text on stdin, or a path to a .html/.htm/.txt file.

    ``stated`` (outlet and URL) applies to text and files; a URL says its own.
    """
    if extract.is_url(argument):
        return UrlInput(argument)
    if argument == "-":
        if sys.stdin is None:
            raise InputError("There is no standard input to read.", hint="Pipe the article text in, or give a file.")
        # One byte past the limit is enough to refuse it: a huge stream is never read whole.
        return StdinInput(sys.stdin.buffer.read((settings or get_settings()).max_download_bytes + 1), stated)
    path = Path(argument)
    if not path.is_file():
        raise InputError(f"{argument} is neither a URL nor an existing file.", hint="Give an http(s) URL, a .html/.txt file, or - for stdin.")
    return PathInput(path, stated)


def load(source: SourceInput, settings: Settings, *, fresh: bool = False) -> extract.Loaded:
    match source:
        case UrlInput(url):
            return extract.load_url(url, settings, refresh=fresh)
        case TextInput(text, stated):
            return _stated(extract.load_text(text, settings), stated)
        case FileInput(name, data, stated):
            return _stated(extract.load_bytes(data, name, settings), stated)
        case PathInput(path, stated):
            return _stated(extract.load_file(path, settings), stated)
        case StdinInput(data, stated):
            return _stated(extract.load_text_bytes(data, "standard input", settings), stated)
        case ArticleInput(article):
            return extract.Loaded(article)
    raise TypeError(f"unsupported source {source!r}")


def _stated(loaded: extract.Loaded, stated: Provenance) -> extract.Loaded:
    """The loaded article with the analyst's outlet, URL and date; a URL alone names its site as the outlet."""
    if stated == Provenance():
        return loaded
    url = stated.url or loaded.article.url
    site = (outlet_name(None, stated.url) or urlsplit(stated.url).hostname) if stated.url else None
    outlet = stated.outlet or site or loaded.article.outlet
    published = stated.published or loaded.article.published
    return replace(loaded, article=replace(loaded.article, url=url, outlet=outlet, published=published))


def cap_claims(claims: Sequence[ClaimCandidate], limit: int = MAX_CLAIMS) -> tuple[ClaimCandidate, ...]:
    """The ``limit`` most check-worthy claims (ties: the earlier first), in article order."""
    ranked = sorted(range(len(claims)), key=lambda i: (-claims[i].checkworthiness, i))[:limit]
    return tuple(claims[i] for i in sorted(ranked))


def analyze(
    source: SourceInput,
    *,
    engine: str = "local",
    sources: Sequence[str] = (),
    on_stage: StageCallback = _ignore,
    settings: Settings | None = None,
    storage: Storage | None = None,
    save: bool = True,
    fresh: bool = False,
    job_id: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Analysis:
    """Analyse one article and, when ``storage`` is given and ``save`` is true, store the result.

    ``storage`` is also the library the ``library`` source checks claims against.

    A job's analysis takes the job's id, and saving it again (a job run twice
    because its first worker died) stores nothing new. ``overrides`` sets the
    article's ``outlet`` or ``title`` where the analyst knows better than the
    page (a batch CSV's columns).

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
    if overrides:
        article = replace(article, **{k: v for k, v in overrides.items() if k in ("outlet", "title") and v})

    reading = run("read", lambda: analyzer.read(article, progress("read"), fresh=fresh))
    warnings += reading.warnings
    candidates = cap_claims(reading.claims)
    if len(candidates) < len(reading.claims):
        warnings.append(f"{len(reading.claims)} sentences read as check-worthy claims; the {MAX_CLAIMS} most "
                        "check-worthy were kept and checked.")

    if sources:
        found = run(
            "evidence",
            lambda: evidence.gather(
                article, candidates, engine=analyzer, source_names=sources, settings=settings,
                storage=storage, on_progress=progress("evidence"), fresh=fresh,
            ),
        )
    else:
        on_stage(StageEvent("evidence", "skipped", "No evidence sources chosen"))
        found = evidence.gather(article, candidates, engine=analyzer, source_names=(), settings=settings, storage=None)
    warnings += found.warnings
    warnings += analyzer.warnings

    analysis = Analysis(
        id=job_id or uuid.uuid4().hex[:12],
        created_at=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
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
    if storage is not None and save:
        # The article's sentences go into the library index with it, embedded once, here.
        run("store", lambda: storage.save(analysis, job_id=job_id, index=library.index_sentences(article)))
    else:
        on_stage(StageEvent("store", "skipped", "Not stored"))
    return analysis
