"""Cross-references: passages of the other articles stored in the library (offline)."""
from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from ..models import SourceType
from ..registry import Needs
from ..storage import Storage, article_key
from .base import SOURCES, Passage, Source, SourceContext
from .ranking import Document, PassageIndex

logger = logging.getLogger(__name__)

# Passages per claim; one per stored article, so each can come from a different outlet.
MAX_PASSAGES = 4
# The first characters of each stored article that are searched: news articles are far shorter
# (a 3,000-word feature is about 20,000), and segmenting and indexing a 200,000-character text on
# every analysis would cost seconds.
MAX_ARTICLE_CHARS = 50_000
# Stored articles of at most this many sentences are embedded whole (and cached across analyses);
# the sentences of longer ones are embedded only when BM25 proposes them for a claim.
UPFRONT_SENTENCES = 200


@SOURCES.register
class LibrarySource(Source):
    name = "library"
    source_type = SourceType.LIBRARY
    description = "Other articles stored in your library (works offline)."
    needs = Needs()

    def __init__(self, context: SourceContext) -> None:
        super().__init__(context)
        self._index: PassageIndex | None = None
        self._index_lock = threading.Lock()

    def _storage(self) -> Storage | None:
        if self.context.storage is not None:
            return self.context.storage
        # Analyses that are not stored can still be checked against the library.
        path = self.settings.db_path
        return Storage(path) if path.is_file() else None

    def index(self) -> PassageIndex:
        """The sentences of every other stored article, built once per analysis."""
        with self._index_lock:
            if self._index is None:
                storage = self._storage()
                stored = storage.latest_articles(exclude_key=article_key(self.context.article)) if storage else []
                documents = [
                    Document(title=a.title or "(untitled)", url=a.url,
                             outlet=a.outlet or (urlsplit(a.url).hostname if a.url else None), text=a.text[:MAX_ARTICLE_CHARS])
                    for _analysis_id, a in stored
                    if a.text.strip() != self.context.article.text.strip()
                ]
                logger.info("library index: %d stored articles", len(documents))
                self._index = PassageIndex(documents, language=self.context.article.language,
                                           upfront_sentences=UPFRONT_SENTENCES, should_stop=self.stopped)
            return self._index

    def find(self, query: str) -> list[Passage]:
        return self.index().search(query, source_type=self.source_type, limit=MAX_PASSAGES, per_document=1)
