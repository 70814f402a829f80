"""Turn what the user gives (a URL, an HTML or text file, pasted text) into an :class:`Article`."""
from __future__ import annotations

import codecs
import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import charset_normalizer
import py3langid
import trafilatura
from lxml import etree
from lxml import html as lxml_html

from . import http
from .address_policy import redact
from .identity import domain, normalise, outlet_name
from .errors import ExtractionError, InputError
from .genre import EDITORIAL_BYLINES, Genre, declared_genre
from .records import Article
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
        decoded = decode_text(response.content, redact(response.url))
        loaded = load_text(decoded.text, settings, url=response.url)
        return Loaded(loaded.article, decoded.warnings + loaded.warnings)
    return load_html(response.content, settings, url=response.url)


def load_file(path: Path, settings: Settings | None = None) -> Loaded:
    """Load a ``.html``/``.htm`` or ``.txt`` file; its size is checked before it is read."""
    settings = settings or get_settings()
    return load_bytes(read_file(path, settings), path.name, settings)


def read_file(path: Path, settings: Settings | None = None) -> bytes:
    """A file's bytes, its size checked against ``max_download_bytes`` before it is read."""
    cap = (settings or get_settings()).max_download_bytes
    try:
        size = path.stat().st_size
        if size > cap:
            raise _too_large(path.name, size, cap)
        with path.open("rb") as handle:
            data = handle.read(cap + 1)  # a file that grows while read (or a device that reports no size) is still capped
    except OSError as exc:
        raise InputError(f"Could not read {path}: {exc.strerror}.") from None
    return require_within_limit(data, path.name, settings)


def _too_large(name: str, size: int, cap: int) -> InputError:
    return InputError(f"{name} is {size:,} bytes; the limit is {cap:,}.", hint="Split it into single articles.")


def require_within_limit(data: bytes, name: str, settings: Settings | None = None) -> bytes:
    """The bytes of an upload or of standard input, refused when over ``max_download_bytes``."""
    cap = (settings or get_settings()).max_download_bytes
    if len(data) > cap:
        raise _too_large(name, len(data), cap)
    return data


def load_bytes(data: bytes, name: str, settings: Settings | None = None) -> Loaded:
    """Load an uploaded file's bytes; ``name`` decides whether it is HTML or text."""
    settings = settings or get_settings()
    suffix = Path(name).suffix.lower()
    require_within_limit(data, name, settings)
    if suffix in HTML_SUFFIXES:
        return load_html(data, settings)
    if suffix in TEXT_SUFFIXES:
        return load_text_bytes(data, name, settings)
    raise InputError(f"{name} is neither an .html/.htm nor a .txt file.", hint="Save the article as HTML or plain text.")


def load_text_bytes(data: bytes, name: str, settings: Settings | None = None) -> Loaded:
    """Text given as bytes (a .txt file, standard input): encoding detected, size capped, then as :func:`load_text`."""
    settings = settings or get_settings()
    require_within_limit(data, name, settings)
    decoded = decode_text(data, name)
    loaded = load_text(decoded.text, settings)
    return Loaded(loaded.article, decoded.warnings + loaded.warnings)


@dataclass(frozen=True)
class DecodedText:
    text: str
    warnings: tuple[str, ...] = ()


# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# UTF-16 text without a byte-order mark: in Latin-script text about every other byte is NUL, and
# such NULs are always on the same side of each byte pair. Bytes sampled for the test:
_UTF16_SAMPLE = 4096
_UTF16_MIN_NUL_SHARE = 0.3


def _sniff_utf16(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` looks like BOM-less UTF-16, else None."""
    sample = data[: _UTF16_SAMPLE - _UTF16_SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 8 or len(data) % 2:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls >= _UTF16_MIN_NUL_SHARE * pairs and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= _UTF16_MIN_NUL_SHARE * pairs and odd_nuls == 0:
        return "utf-16-be"
    return None


def decode_text(data: bytes, name: str) -> DecodedText:
    """Text from bytes: by byte-order mark, then BOM-less UTF-16, then UTF-8, then a detected legacy encoding.

    The byte-order mark is never part of the text. Whatever the encoding, text
    with more than a trace of control characters (NULs of a misread encoding,
    a binary file) is refused rather than stored as garbage.
    """
    marked = next(((enc, len(bom)) for bom, enc in _BOMS if data.startswith(bom)), None)
    note = ""
    if marked is not None:
        encoding, body = marked[0], data[marked[1]:]
    elif (sniffed := _sniff_utf16(data)) is not None:
        encoding, body = sniffed, data
        note = f"{name} is UTF-16 without a byte-order mark; it was read as {sniffed.upper()}."
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8" or marked is not None:
            raise _not_text(name) from None
        text, encoding = _detect_legacy(data, name)
        note = f"{name} is not UTF-8; it was read as {encoding}. Check accented characters."
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise _not_text(name)
    return DecodedText(text, (note,) if note else ())


def _detect_legacy(data: bytes, name: str) -> tuple[str, str]:
    matches = list(charset_normalizer.from_bytes(data))
    # Western news in a legacy encoding is nearly always Windows-1252, which the
    # detector often ranks below look-alikes such as cp1257 on short texts.
    best = next((m for m in matches if m.encoding == "cp1252"), matches[0] if matches else None)
    if best is None:
        raise _not_text(name)
    return str(best), best.encoding


def _not_text(name: str) -> InputError:
    return InputError(f"{name} is not a text file (no text encoding fits it).", hint="Save it as UTF-8 text and try again.")


def load_html(html: bytes | str, settings: Settings | None = None, *, url: str | None = None) -> Loaded:
    settings = settings or get_settings()
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    text = (document.text or "").strip() if document is not None else ""
    if len(text) < settings.min_article_chars:
        where = redact(url) if url else "The HTML file"
        raise ExtractionError(f"{where} has no article text that could be extracted ({len(text)} characters found).")
    _check_length(text, settings)
    page_url = url or document.url
    outlet = outlet_name(document.sitename, page_url) or (urlsplit(url).hostname if url else document.hostname)
    article = Article(
        text=text,
        url=page_url,
        title=clean_title(document.title, outlet, page_url) or _first_line(text),
        author=clean_author(document.author, outlet),
        published=document.date,
        outlet=outlet,
        language=detect_language(text),
        genre=page_genre(html, page_url, document.title, document.author),
    )
    return Loaded(article)


def page_genre(html: bytes | str, url: str | None, title: str | None, author: str | None) -> Genre:
    """The genre the page declares (core.genre): its schema.org types and sections are read from the HTML here."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, etree.ParserError):  # trafilatura read it; a page lxml cannot parse declares nothing
        return declared_genre(url=url, title=title, author=author)
    types: list[str] = []
    sections = [str(v) for v in tree.xpath('//meta[@property="article:section" or @name="article:section"]/@content')]
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in _json_ld_items(data):
            types += [t for t in _as_list(item.get("@type")) if isinstance(t, str)]
            sections += [s for s in _as_list(item.get("articleSection")) if isinstance(s, str)]
    return declared_genre(schema_types=types, sections=sections, url=url, title=title, author=author)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _json_ld_items(data: object, depth: int = 0) -> list[dict]:
    """The JSON-LD objects of a script: a list of them, an object, or one with an ``@graph``."""
    if depth > 3:
        return []
    if isinstance(data, list):
        return [item for element in data for item in _json_ld_items(element, depth + 1)]
    if not isinstance(data, dict):
        return []
    return [data, *_json_ld_items(data.get("@graph"), depth + 1)]


# Title parts that sites add after the headline: "Headline | Editorial | The Guardian", "Headline - BBC News".
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
# A section name between the headline and the outlet is a few words after a bar ("Opinion", "World news").
_SECTION_WORDS = 3


def clean_title(title: str | None, outlet: str | None, url: str | None = None) -> str | None:
    """A page title without the outlet and the sections a site appends to the headline.

    Only a last part naming the outlet (by name or domain) is dropped, then the short parts before
    it that a bar sets apart (sections); a headline with a dash or a bar of its own keeps it.
    """
    if not title or not title.strip():
        return title
    title = title.strip()
    cuts = list(_TITLE_SEPARATOR.finditer(title))
    own = {key for key in (normalise(outlet or ""), domain(url)) if key}
    own |= {key.rsplit(".", 1)[0] for key in own if "." in key}  # "bbc.co.uk" names "bbc.co"; "guardian.com": "guardian"

    def part(index: int) -> str:  # the text after cut ``index`` (up to the next cut)
        end = cuts[index + 1].start() if index + 1 < len(cuts) else len(title)
        return title[cuts[index].end():end]

    if not cuts or not _names_outlet(part(len(cuts) - 1), own):
        return title
    keep = len(cuts) - 1  # cuts kept: the outlet's part goes
    while keep > 0 and "|" in cuts[keep - 1].group() and len(part(keep - 1).split()) <= _SECTION_WORDS:
        keep -= 1
    return title[: cuts[keep].start()]


def _names_outlet(part: str, own: set[str]) -> bool:
    key = normalise(part)
    return bool(own) and (key in own or key.replace(" ", "") in own or key.removesuffix(" news") in own)


def clean_author(author: str | None, outlet: str | None) -> str | None:
    """A byline as a name: "Editorial" (a page kind, not a person) becomes the outlet's editorial board."""
    if not author or normalise(author) not in EDITORIAL_BYLINES:
        return author
    return f"{outlet} editorial board" if outlet else "Editorial board"


def load_text(text: str, settings: Settings | None = None, *, url: str | None = None) -> Loaded:
    """Pasted or ``.txt`` text: kept exactly as given; its first line is the title."""
    settings = settings or get_settings()
    text = text.removeprefix("\ufeff")  # a byte-order mark pasted along is not part of the article
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
        genre=declared_genre(url=url),  # the first line is no title the page declared; a URL may say the genre
        outlet=outlet_name(None, url) or (urlsplit(url).hostname if url else None),
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
