"""Find other coverage of a stored article's story: GDELT's news index and web search, then analyse the chosen ones.

:func:`find_coverage` looks in the library first (the stored articles that the
title and opening sentences find, as the library source finds an article's
story), then asks GDELT (core/coverage/gdelt.py) for the article's names and
key terms and the configured web-search providers for its title (the headline,
without the outlet and section a site appends), keeps one article per other
outlet (never the article's own), and says which are already in the library. :func:`analyse_coverage` queues the chosen
ones as one batch of analysis jobs (core/jobs); the ones already stored are
not analysed again. The results open side by side in Compare.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import CrosscheckError, InputError
from ..ml.loading import get_embedder
from ..extract import clean_title
from ..records import Analysis, Article
from ..settings import Settings
from ..sources import SourceContext
from ..sources.library import STORY_ARTICLES, STORY_HITS, STORY_SENTENCES_SEARCHED
from ..sources.ranking import tokenize
from ..sources.web import MAX_QUERY_CHARS, WebSource
from ..sources.wikipedia import entities
from ..identity import article_key, domain, is_own_page, normalise, own_outlet, site
from ..storage import LibraryHit, Storage, text_hash
from ..text import segment_sentences
from ..storage.jobs import Job, new_id
from . import gdelt

if TYPE_CHECKING:
    from ..jobs.queue import JobQueue

logger = logging.getLogger(__name__)

# Results asked of each web-search provider; GDELT's count is CROSSCHECK_COVERAGE_RESULTS.
WEB_RESULTS = 10
# Words of a GDELT query: GDELT wants every word, so a long query finds nothing.
MAX_QUERY_WORDS = 6
# A stored article is on the story when one of its sentences that the searches found is at least this close
# (cosine of MiniLM embeddings) to the headline or opening sentence searched for: another outlet's wording of
# the same point scores 0.8 or more, an article sharing a word ("council") 0.3 or less.
LIBRARY_MIN_SIMILARITY = 0.5


@dataclass(frozen=True)
class CoverageItem:
    """Another outlet's article on the same story."""

    url: str
    title: str
    outlet: str  # the site's domain; for a stored article, its outlet
    published: str | None  # YYYY-MM-DD when known (GDELT's first sight of it)
    language: str | None
    country: str | None
    found_by: str  # "library", "gdelt" or "web (ddgs)", "web (searxng)"…
    stored_id: str | None = None  # its latest analysis, when the library has it already

    @property
    def key(self) -> str:
        """What names the item in a list: its address, else (a stored text without one) its analysis."""
        return self.url or f"analysis:{self.stored_id}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Coverage:
    analysis_id: str
    query: str
    items: tuple[CoverageItem, ...]
    notes: tuple[str, ...] = ()  # what did not work (GDELT or a web provider failed): the list may be incomplete
    searches: int = 0  # the searches sent out (GDELT and each web provider), failed ones included

    @property
    def partial(self) -> bool:
        return bool(self.notes)

    @property
    def searches_failed(self) -> bool:
        """Whether every search sent out failed: then nothing is known of coverage outside the library."""
        return len(self.notes) >= self.searches

    def to_dict(self) -> dict:
        return {"analysis_id": self.analysis_id, "query": self.query, "partial": self.partial, "notes": list(self.notes),
                "searches_failed": self.searches_failed, "items": [i.to_dict() for i in self.items]}


def headline(article: Article) -> str:
    """The article's headline, without what its site appends ("| Editorial | The Guardian"), else its first line."""
    return (clean_title(article.title, article.outlet, article.url) or article.text.strip().split("\n", 1)[0])[:200]


def story_query(analysis: Analysis) -> str:
    """GDELT words for the story: the title's names ("quoted" when several words) and key terms."""
    article = analysis.article
    title = headline(article)
    # The outlet's own name is no word of the story ("Guardian" in a title the cleaning could not shorten).
    outlet_words = {w for name in own_outlet(article) for w in normalise(name).replace(".", " ").split()}
    names = [n for n in entities(title) if len(n) >= 3 and normalise(n) not in own_outlet(article)]
    names = [n for n in names if not set(n.lower().split()) <= outlet_words]
    name_words = {w.lower() for n in names for w in n.split()}
    terms = [t for t in dict.fromkeys(tokenize([title], article.language)[0])
             if len(t) >= 3 and t not in name_words and t not in outlet_words]
    words = [f'"{n}"' if " " in n else n for n in names[:3]]
    for term in terms:
        if len(words) >= MAX_QUERY_WORDS:
            break
        words.append(term)
    return " ".join(words)


def find_coverage(analysis: Analysis, *, settings: Settings, storage: Storage | None = None,
                  fresh: bool = False) -> Coverage:
    """Other outlets' articles on the story of ``analysis``, GDELT's first, one per outlet."""
    article = analysis.article
    query = story_query(analysis)
    if not query:
        raise InputError("This article has no title or words to search for its story.",
                         hint="Analyse the article's own page, which has a title.")
    found: list[CoverageItem] = _in_library(article, storage) if storage is not None else []
    notes: list[str] = []
    searches = 1
    try:
        # The host, as for web results, so that one outlet found both ways is listed once.
        found += [CoverageItem(a.url, a.title, site(a.url), a.seen, a.language, a.country, "gdelt")
                  for a in gdelt.search(settings, query, fresh=fresh)]
    except CrosscheckError as exc:
        notes.append(f"GDELT: {exc.message}")
    web = WebSource(SourceContext(settings=settings, article=article, fresh=fresh))
    title = (headline(article) or query)[:MAX_QUERY_CHARS]
    try:
        for provider in web.providers:
            searches += 1
            try:
                results = provider.search(title, language=article.language, count=WEB_RESULTS)
            except CrosscheckError as exc:
                notes.append(f"web search ({provider.name}): {exc.message}")
                continue
            found += [CoverageItem(r.url, r.title, site(r.url), None, article.language, None, f"web ({provider.name})")
                      for r in results]
    finally:
        web.close()
    items: dict[str, CoverageItem] = {}
    outlets: set[str] = set()
    own = own_outlet(article)
    for item in found:
        # One item per outlet, never the article's own, by the verdict's rules (core.identity).
        outlet = domain(item.url) or normalise(item.outlet)
        if not outlet or is_own_page(item.url, article) or outlet in own or outlet in outlets or item.key in items:
            continue
        outlets.add(outlet)
        if item.stored_id is None and storage is not None:
            stored = storage.summaries(article_key=article_key(Article(text="", url=item.url)))
            item = CoverageItem(**{**asdict(item), "stored_id": stored[0].id if stored else None})
        items[item.key] = item
    return Coverage(analysis.id, query, tuple(items.values()), tuple(notes), searches)


def _in_library(article: Article, storage: Storage) -> list[CoverageItem]:
    """The stored articles on the story, closest first: those that the searches for the headline and the opening
    sentences find (as the library source finds an article's story) with a sentence saying much the same as the
    one searched for; one shared rare word ("council") is no story."""
    queries = [headline(article), *(s.text for s in segment_sentences(article.text)[:STORY_SENTENCES_SEARCHED])]
    vectors = get_embedder().encode(queries)
    key, own_text = article_key(article), text_hash(article.text)
    best: dict[str, tuple[float, LibraryHit]] = {}
    for words, vector in zip(tokenize(queries, article.language), vectors):
        if not words:
            continue
        for hit in storage.search_library(words, exclude_key=key, exclude_text_hash=own_text, limit=STORY_HITS):
            similarity = float(np.frombuffer(hit.embedding, dtype=np.float16).astype(np.float32) @ vector)
            if similarity > best.get(hit.article_key, (-1.0, hit))[0]:
                best[hit.article_key] = (similarity, hit)
    ranked = sorted((entry for entry in best.values() if entry[0] >= LIBRARY_MIN_SIMILARITY), key=lambda e: -e[0])
    return [CoverageItem(hit.url or "", clean_title(hit.title, hit.outlet, hit.url) or "", hit.outlet or site(hit.url),
                         hit.published or None, article.language, None, "library", hit.analysis_id)
            for _, hit in ranked[:STORY_ARTICLES]]


@dataclass(frozen=True)
class CoverageBatch:
    """The analyses of a coverage batch: jobs queued for new articles, ids of the ones already stored."""

    batch_id: str
    jobs: tuple[Job, ...]
    stored_ids: tuple[str, ...]


def analyse_coverage(items: Sequence[CoverageItem], *, queue: JobQueue, engine: str, sources: Sequence[str]) -> CoverageBatch:
    """Queue one analysis job per chosen article not yet in the library, as one batch."""
    from ..pipeline import UrlInput

    batch_id = new_id()
    new = [item for item in items if item.stored_id is None]
    jobs = queue.submit_analyses([UrlInput(item.url) for item in new], engine=engine, evidence_sources=sources,
                                 batch_id=batch_id) if new else []
    return CoverageBatch(batch_id, tuple(jobs), tuple(item.stored_id for item in items if item.stored_id))
