"""Find other coverage of a stored article's story: GDELT's news index and web search, then analyse the chosen ones.

:func:`find_coverage` asks GDELT (core/coverage/gdelt.py) for the article's
names and key terms and the configured web-search providers for its title,
keeps one article per other outlet (never the article's own site), and says
which are already in the library. :func:`analyse_coverage` queues the chosen
ones as one batch of analysis jobs (core/jobs); the ones already stored are
not analysed again. The results open side by side in Compare.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..errors import CrosscheckError, InputError
from ..records import Analysis, Article
from ..settings import Settings
from ..sources import SourceContext
from ..sources.ranking import tokenize
from ..sources.web import MAX_QUERY_CHARS, WebSource
from ..sources.wikipedia import entities
from ..identity import article_key, domain, is_own_page, site
from ..storage import Storage
from ..storage.jobs import Job, new_id
from . import gdelt

if TYPE_CHECKING:
    from ..jobs.queue import JobQueue

logger = logging.getLogger(__name__)

# Results asked of each web-search provider; GDELT's count is CROSSCHECK_COVERAGE_RESULTS.
WEB_RESULTS = 10
# Words of a GDELT query: GDELT wants every word, so a long query finds nothing.
MAX_QUERY_WORDS = 6


@dataclass(frozen=True)
class CoverageItem:
    """Another outlet's article on the same story."""

    url: str
    title: str
    outlet: str  # the site's domain
    published: str | None  # YYYY-MM-DD when known (GDELT's first sight of it)
    language: str | None
    country: str | None
    found_by: str  # "gdelt" or "web (ddgs)", "web (searxng)"…
    stored_id: str | None = None  # its latest analysis, when the library has it already

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Coverage:
    analysis_id: str
    query: str
    items: tuple[CoverageItem, ...]
    notes: tuple[str, ...] = ()  # what did not work (GDELT or a web provider failed): the list may be incomplete

    @property
    def partial(self) -> bool:
        return bool(self.notes)

    def to_dict(self) -> dict:
        return {"analysis_id": self.analysis_id, "query": self.query, "partial": self.partial, "notes": list(self.notes),
                "items": [i.to_dict() for i in self.items]}


def story_query(analysis: Analysis) -> str:
    """GDELT words for the story: the title's names ("quoted" when several words) and key terms."""
    article = analysis.article
    title = article.title or article.text.strip().split("\n", 1)[0][:200]
    names = [n for n in entities(title) if len(n) >= 3]
    name_words = {w.lower() for n in names for w in n.split()}
    terms = [t for t in dict.fromkeys(tokenize([title], article.language)[0]) if len(t) >= 3 and t not in name_words]
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
    found: list[CoverageItem] = []
    notes: list[str] = []
    try:
        # The host, as for web results, so that one outlet found both ways is listed once.
        found += [CoverageItem(a.url, a.title, site(a.url), a.seen, a.language, a.country, "gdelt")
                  for a in gdelt.search(settings, query, fresh=fresh)]
    except CrosscheckError as exc:
        notes.append(f"GDELT: {exc.message}")
    web = WebSource(SourceContext(settings=settings, article=article, fresh=fresh))
    title = (article.title or query)[:MAX_QUERY_CHARS]
    try:
        for provider in web.providers:
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
    for item in found:
        # One item per outlet, never the article's own, by the verdict's rules (core.identity).
        outlet = domain(item.url)
        if not outlet or is_own_page(item.url, article) or outlet in outlets or item.url in items:
            continue
        outlets.add(outlet)
        stored = storage.summaries(article_key=article_key(Article(text="", url=item.url))) if storage is not None else []
        items[item.url] = CoverageItem(**{**asdict(item), "stored_id": stored[0].id if stored else None})
    return Coverage(analysis.id, query, tuple(items.values()), tuple(notes))


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
