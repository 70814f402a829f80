"""Turn what the user gives (a URL, an HTML or text file, pasted text) into an :class:`Article`."""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import charset_normalizer
import py3langid
import trafilatura

from . import http
from .errors import ExtractionError, InputError
from .models import Article
from .settings import Settings, get_settings

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt",)
_URL = re.compile(r"^https?://", re.IGNORECASE)
# Share of control characters above which decoded bytes are taken for a binary file.
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class Loaded:
    """An article plus the warnings met while loading it (e.g. a guessed encoding)."""

    article: Article
    warnings: tuple[str, ...] = ()


def is_url(source: str) -> bool:
    return bool(_URL.match(source.strip()))


def load_url(url: str, settings: Settings | None = None, *, refresh: bool = False) -> Loaded:
    settings = settings or get_settings()
    response = http.get(url.strip(), settings=settings, accept=http.HTML_TYPES + http.TEXT_TYPES, refresh=refresh)
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("text/plain"):
        return load_text(_decode(response.content, url).text, settings, url=response.url)
    return load_html(response.content, settings, url=response.url)


def load_file(path: Path, settings: Settings | None = None) -> Loaded:
    """Load a ``.html``/``.htm`` or ``.txt`` file."""
    settings = settings or get_settings()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Could not read {path}: {exc.strerror}.") from None
    return load_bytes(data, path.name, settings)


def load_bytes(data: bytes, name: str, settings: Settings | None = None) -> Loaded:
    """Load an uploaded file's bytes; ``name`` decides whether it is HTML or text."""
    settings = settings or get_settings()
    suffix = Path(name).suffix.lower()
    if len(data) > settings.max_download_bytes:
        raise InputError(f"{name} is {len(data):,} bytes; the limit is {settings.max_download_bytes:,}.", hint="Split it into single articles.")
    if suffix in HTML_SUFFIXES:
        return load_html(data, settings)
    if suffix in TEXT_SUFFIXES:
        decoded = _decode(data, name)
        return Loaded(load_text(decoded.text, settings).article, decoded.warnings)
    raise InputError(f"{name} is neither an .html/.htm nor a .txt file.", hint="Save the article as HTML or plain text.")


@dataclass(frozen=True)
class _Decoded:
    text: str
    warnings: tuple[str, ...] = ()


def _decode(data: bytes, name: str) -> _Decoded:
    try:
        return _Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(data))
    # Western news in a legacy encoding is nearly always Windows-1252, which the
    # detector often ranks below look-alikes such as cp1257 on short texts.
    best = next((m for m in matches if m.encoding == "cp1252"), matches[0] if matches else None)
    text = str(best) if best is not None else ""
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if best is None or not text or controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name} is not a text file (it is not UTF-8 and no text encoding fits).", hint="Save it as UTF-8 text and try again.")
    encoding = best.encoding
    return _Decoded(text, (f"{name} is not UTF-8; it was read as {encoding}. Check accented characters.",))


def load_html(html: bytes | str, settings: Settings | None = None, *, url: str | None = None) -> Loaded:
    settings = settings or get_settings()
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    text = (document.text or "").strip() if document is not None else ""
    if len(text) < settings.min_article_chars:
        where = url or "The HTML file"
        raise ExtractionError(f"{where} has no article text that could be extracted ({len(text)} characters found).")
    _check_length(text, settings)
    article = Article(
        text=text,
        url=url or document.url,
        title=document.title or _first_line(text),
        author=document.author,
        published=document.date,
        outlet=document.sitename or (urlsplit(url).hostname if url else document.hostname),
        language=detect_language(text),
    )
    return Loaded(article)


def load_text(text: str, settings: Settings | None = None, *, url: str | None = None) -> Loaded:
    """Pasted or ``.txt`` text: kept exactly as given; its first line is the title."""
    settings = settings or get_settings()
    if not text.strip():
        raise InputError("The text is empty.", hint="Paste an article, give a URL, or upload a file.")
    _check_length(text, settings)
    if len(text.strip()) < settings.min_article_chars:
        raise InputError(
            f"The text has only {len(text.strip())} characters; an article needs at least {settings.min_article_chars}.",
            hint="Paste the whole article, not a single sentence.",
        )
    article = Article(
        text=text,
        url=url,
        title=_first_line(text),
        outlet=urlsplit(url).hostname if url else None,
        language=detect_language(text),
    )
    return Loaded(article)


def _check_length(text: str, settings: Settings) -> None:
    if len(text) > settings.max_text_chars:
        raise InputError(
            f"The text has {len(text):,} characters; the limit is {settings.max_text_chars:,}.",
            hint="Analyse one article at a time, or raise CROSSCHECK_MAX_TEXT_CHARS.",
        )


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:200]


# py3langid loads its model on first use without a lock; parallel first calls would each load it.
_LANGID_LOCK = threading.Lock()


def detect_language(text: str) -> str | None:
    sample = text[:5000].strip()
    if not sample:
        return None
    with _LANGID_LOCK:
        language, _score = py3langid.classify(sample)
    return language
