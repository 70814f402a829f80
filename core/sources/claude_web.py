"""Claude's server-side web search as an evidence source (claude engine only; billed per 1,000 searches).

For each claim the claude engine asks the Messages API with its ``web_search``
tool (core/engines/claude_search.py) and keeps only what the answer cites:
each citation's page, title, quoted text and the result's page age. The
quotes are ranked like every other source's passages (MiniLM relevance, at
least :data:`~core.policy.MIN_RELEVANCE`), and their stance is judged
with the rest. When the account does not allow web search (an error answer),
the source is skipped for the analysis with that reason, and the other sources
go on.
"""
from __future__ import annotations

from ..errors import EngineError, SourceError, SourceUnavailableError, WebSearchRefused
from ..identity import is_own_page, site
from ..ml.loading import get_embedder
from ..policy import MIN_RELEVANCE
from ..records import SourceType
from ..registry import Needs
from .base import SOURCES, Passage, Source, SourceContext
from .ranking import claim_embedding

MAX_PASSAGES = 3


@SOURCES.register
class ClaudeWebSource(Source):
    name = "claude_web"
    source_type = SourceType.WEB
    description = "Claude's own web search, the passages it cites (claude engine only; $10 per 1,000 searches)."
    needs = Needs(settings=("anthropic_api_key",), network=True)
    engines = ("claude",)

    def __init__(self, context: SourceContext) -> None:
        super().__init__(context)
        self._refused: SourceUnavailableError | None = None
        self._own_domain = site(context.article.url)

    def find(self, query: str) -> list[Passage]:
        with self._lock:
            if self._refused is not None:
                raise self._refused
        engine = self.context.engine
        search = getattr(engine, "search_web", None)
        if search is None:
            raise SourceUnavailableError("it runs only with the claude engine")
        try:
            answer = search(query, blocked_domain=self._own_domain or None, fresh=self.context.fresh)
        except WebSearchRefused as exc:
            refused = SourceUnavailableError(f"Claude's web search is not available to this account ({exc.message})",
                                             hint=exc.hint)
            with self._lock:
                self._refused = refused
            raise refused from None
        except EngineError as exc:
            raise SourceError(exc.message, hint=exc.hint) from None
        if not answer.from_cache:
            with self._lock:
                self.requests += 1
        # The verdict never counts the article's own outlet (core.identity); its pages are left out here by the same rule.
        citations = [c for c in answer.citations if not is_own_page(c.url, self.context.article)]
        if not citations:
            return []
        relevance = get_embedder().encode([c.cited_text for c in citations]) @ claim_embedding(query)
        passages: dict[str, Passage] = {}
        for citation, score in sorted(zip(citations, relevance), key=lambda pair: -float(pair[1])):
            if float(score) < MIN_RELEVANCE or citation.url in passages:
                continue
            passages[citation.url] = Passage(
                source_type=self.source_type, title=citation.title or citation.url, url=citation.url,
                outlet=site(citation.url) or None, snippet=citation.cited_text,
                relevance=round(min(1.0, float(score)), 3), published=citation.page_age,
            )
        return list(passages.values())[:MAX_PASSAGES]
