"""Find other coverage for a story: other outlets' articles on it that the story does not hold yet.

The search is the one "Find other coverage" runs for one article (core.coverage.finder: the library, GDELT's
news index and the web-search providers), made from the story's first analysed article; what it finds that is
already in the story is left out. Articles not yet in the library are analysed as one batch of jobs
(core.coverage.finder.analyse_coverage) and stored like every analysis, so each joins the story it fits as it
is saved (core.storage.stories): usually this one, though the clustering, not the search, decides.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..coverage.finder import Coverage, CoverageItem, find_coverage
from ..errors import InputError
from ..identity import article_key
from ..records import Article
from ..settings import Settings
from ..storage import Storage


@dataclass(frozen=True)
class StoryCoverage:
    story_id: int
    searched_from: str  # the analysis whose headline and names were searched for
    coverage: Coverage  # what the search found, the story's own articles included
    candidates: tuple[CoverageItem, ...]  # what it found that the story does not hold, in the search's order
    stories: dict[str, int]  # the story of each candidate already in the library, by its stored analysis
    left_out: int  # found articles already in the story

    @property
    def new(self) -> tuple[CoverageItem, ...]:
        """The candidates not yet in the library: the ones to analyse and add."""
        return tuple(item for item in self.candidates if item.stored_id is None)

    def story_of(self, item: CoverageItem) -> int | None:
        """The story a candidate already in the library is in (None when it is not stored, or in no story)."""
        return self.stories.get(item.stored_id) if item.stored_id else None

    def to_dict(self) -> dict[str, Any]:
        return {"story": self.story_id, "searched_from": self.searched_from, "query": self.coverage.query,
                "partial": self.coverage.partial, "notes": list(self.coverage.notes),
                "searches_failed": self.coverage.searches_failed, "already_in_story": self.left_out,
                "candidates": [{**item.to_dict(), "story": self.story_of(item)} for item in self.candidates]}


def find_story_coverage(storage: Storage, story_id: int, *, settings: Settings, fresh: bool = False) -> StoryCoverage:
    """Other outlets' articles on story ``story_id`` that it does not hold: stored ones (with their story) and new ones."""
    members = storage.stories.members(story_id)  # publication order
    seed = next((m.analysis_id for m in members if m.analysis_id), None)
    if seed is None:
        raise InputError(f"Story {story_id} has no analysed article to search from.",
                         hint="Analyse one of its articles first.")
    keys = {m.article_key for m in members}
    analyses = {m.analysis_id for m in members if m.analysis_id}
    coverage = find_coverage(storage.get(seed), settings=settings, storage=storage, fresh=fresh)
    stored = storage.stories.stories_of([item.stored_id for item in coverage.items if item.stored_id])

    def in_story(item: CoverageItem) -> bool:
        if item.stored_id is not None and (item.stored_id in analyses or stored.get(item.stored_id) == story_id):
            return True
        return bool(item.url) and article_key(Article(text="", url=item.url)) in keys

    candidates = tuple(item for item in coverage.items if not in_story(item))
    return StoryCoverage(story_id, seed, coverage, candidates, stored, len(coverage.items) - len(candidates))
