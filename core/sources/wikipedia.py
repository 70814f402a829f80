"""Wikipedia through the MediaWiki Action API, called directly through the project's session.

Not through the ``wikipedia`` package: it calls ``requests.get`` itself, with
no timeout, outside the cached and SSRF-guarded session of :mod:`core.http`
(see docs/evidence.md).
"""
from __future__ import annotations

import logging
import re
from urllib.parse import quote

from bm25s.stopwords import STOPWORDS_EN_PLUS

from ..errors import CrosscheckError, SourceError
from ..records import SourceType
from ..registry import Needs
from ..text import word_tokens
from .base import SOURCES, Passage, Source, SourceContext
from .ranking import Document, PassageIndex, tokenize

logger = logging.getLogger(__name__)

# Pages read per claim, and passages kept per claim.
PAGES = 2
MAX_PASSAGES = 3
# Words of a search query: CirrusSearch wants every word, so long queries find nothing.
MAX_QUERY_TERMS = 6

# Wikipedia editions for the languages py3langid detects (nb is served as no; dz is closed).
_LANGUAGE_ALIASES = {"nb": "no"}
WIKIPEDIA_LANGUAGES = frozenset(
    "af am an ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fo fr ga gl gu he hi hr ht hu hy id "
    "is it ja jv ka kk km kn ko ku ky la lb lo lt lv mg mk ml mn mr ms mt ne nl nn no oc or pa pl ps pt qu ro ru "
    "rw se si sk sl sq sr sv sw ta te th tl tr ug uk ur vi vo wa xh zh zu".split()
)
_JSON = ("application/json",)
# Connecting words allowed inside a multi-word name ("Bank of England").
_NAME_JOINERS = frozenset("of the de del la le von van der da di du al".split())
# Capitalised in English but no help in finding a page.
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def wikipedia_language(code: str | None) -> str:
    """The Wikipedia edition for an article language, English when there is none."""
    code = _LANGUAGE_ALIASES.get((code or "").lower(), (code or "").lower())
    return code if code in WIKIPEDIA_LANGUAGES else "en"


def entities(claim: str) -> list[str]:
    """Capitalised word runs ("European Central Bank"), leaving out a lone sentence-initial word."""
    tokens = [t for t in word_tokens(claim) if t.text[0].isalnum()]
    found: list[str] = []
    run: list[str] = []

    def flush(position: int) -> None:
        start = position - len(run)
        while run and run[-1].lower() in _NAME_JOINERS:
            run.pop()
        while run and (run[0].lower() in _NAME_JOINERS or (start == 0 and run[0].lower() in STOPWORDS_EN_PLUS)):
            run.pop(0)
            start += 1
        if len(run) == 1 and run[0].lower() in _WEEKDAYS:
            run.clear()
        # The first word of a sentence is capitalised anyway: alone, it is no name.
        if run and not (start == 0 and len(run) == 1):
            found.append(" ".join(run))
        run.clear()

    for position, token in enumerate(tokens):
        word = token.text
        if word[0].isupper() or (run and word.lower() in _NAME_JOINERS):
            run.append(word)
        else:
            flush(position)
    flush(len(tokens))
    return list(dict.fromkeys(found))


def build_queries(claim: str, language: str) -> list[str]:
    """Search queries for a claim, most specific first: names plus key terms, then names alone."""
    names = entities(claim)
    name_words = {w.lower() for name in names for w in name.split()}
    terms = [t for t in tokenize([claim], language)[0] if len(t) > 2 and t not in name_words]
    words = [*names]
    for term in dict.fromkeys(terms):
        if sum(len(w.split()) for w in words) >= MAX_QUERY_TERMS:
            break
        words.append(term)
    queries = [" ".join(words)]
    if names:
        queries.append(" ".join(names[:3]))
    else:
        queries.append(" ".join(list(dict.fromkeys(terms))[:3]))
    return [q for q in dict.fromkeys(q.strip() for q in queries) if q]


@SOURCES.register
class WikipediaSource(Source):
    name = "wikipedia"
    source_type = SourceType.WIKIPEDIA
    description = "Wikipedia, in the article's language where an edition exists (MediaWiki API)."
    needs = Needs(network=True)

    def __init__(self, context: SourceContext) -> None:
        super().__init__(context)
        self.language = wikipedia_language(context.article.language)
        self.api_url = self.settings.wikipedia_api_url.replace("{lang}", self.language)

    def _api(self, params: dict[str, str | int]) -> dict:
        response = self.fetch(self.api_url, accept=_JSON, params={**params, "format": "json", "formatversion": 2})
        try:
            data = response.json()
        except ValueError:
            raise SourceError(f"Wikipedia ({self.language}) answered with something that is not JSON.") from None
        if "error" in data:
            info = data["error"].get("info") or data["error"].get("code") or "unknown error"
            raise SourceError(f"Wikipedia ({self.language}) refused the request: {info}.")
        return data

    def search(self, claim: str) -> list[str]:
        """Titles of the best pages for a claim, trying broader queries when a specific one finds nothing."""
        for query in build_queries(claim, self.language):
            data = self._api({"action": "query", "list": "search", "srsearch": query, "srlimit": PAGES,
                              "srprop": "", "srnamespace": 0})
            titles = [hit["title"] for hit in data.get("query", {}).get("search", []) if hit.get("title")]
            if titles:
                return titles[:PAGES]
        return []

    def page(self, title: str) -> Document:
        data = self._api({"action": "query", "prop": "extracts|info", "inprop": "url", "explaintext": 1,
                          "exsectionformat": "plain", "redirects": 1, "titles": title})
        pages = [p for p in data.get("query", {}).get("pages", []) if not p.get("missing")]
        if not pages:
            raise SourceError(f"The Wikipedia page {title!r} does not exist.")
        page = pages[0]
        url = page.get("fullurl") or f"https://{self.language}.wikipedia.org/wiki/{quote(page['title'].replace(' ', '_'))}"
        return Document(title=page["title"], url=url, outlet="Wikipedia", text=_strip_markup(page.get("extract", "")))

    def find(self, query: str) -> list[Passage]:
        titles = self.search(query)
        fetched = self.map(self.page, titles)
        documents = [d for d in fetched if isinstance(d, Document)]
        failures = [d for d in fetched if isinstance(d, CrosscheckError)]
        if failures and not documents:
            raise failures[0]
        for failure in failures:
            logger.info("wikipedia page skipped: %s", failure.message)
        index = PassageIndex(documents, language=self.language)
        return index.search(query, source_type=self.source_type, limit=MAX_PASSAGES, per_document=2)


_HEADING = re.compile(r"^\s*=+[^=\n]*=+\s*$", re.MULTILINE)


def _strip_markup(text: str) -> str:
    """Plain-text extracts can keep ``== Heading ==`` lines; they are no sentences."""
    return _HEADING.sub("", text)
