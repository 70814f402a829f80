"""The online story clustering: each article, as it is stored, joins the story it fits best or starts one.

A **story** is one event (an act, an announcement, a verdict, an incident) as several outlets report it.
It is kept as the running sum of its articles' lead vectors (its signature, below), the first and
last day its dated articles were published, and the names its articles' titles and leads mention.

An article joins the candidate story with the highest score, if that score reaches ``threshold``:

    score = cosine(article lead vector, story centroid) + actor_weight * shared actors

where *shared actors* is the share of the article's lead names that the story's articles also name
(0 when the article names none). A story is a candidate only within ``window_days`` of its dated
articles: an article published more than that before the story's first or after its last article is
another development (a hurricane's landfall and its aftermath a week later), however alike the texts
read. **Missing dates**: an article without a publication date (a pasted text, the PTC corpus) is
not held to any window, and a story without dated articles accepts any article; the content alone
decides. Scoring against the centroid rather than the closest member keeps one long story from
chaining into its neighbours (single link merges "ICE raid in Texas" with "ICE raid in Ohio" through
a third report that mentions both).

The parameters were chosen by cross-validation over the hand-labelled stories of
tests/data/story_clusters.json (scripts/eval_stories.py prints the table); :data:`DEFAULT` holds them.
Online, the result depends on the order the articles arrive in; ``python -m core stories --recluster``
replays the library in publication order (undated ones by when they were stored).

An article's **signature** (what a story is recognised by) is read from what the library index already stores for it (the float16 MiniLM
vectors of its sentences, core.sources.library.index_sentences): nothing is embedded again. The vector is
the mean of its first :data:`LEAD_SENTENCES` indexed sentences, since a news article says what happened,
where and who in its opening lines, and its later paragraphs drift to background that other stories of
the same topic share. The actors are the capitalised names (core.facts) of its title and lead.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime

import numpy as np

from .facts import read_facts

# Opening sentences averaged into the article's vector (chosen by cross-validation, scripts/eval_stories.py).
LEAD_SENTENCES = 5
# Characters of the text read for actors: about the lead.
LEAD_CHARS = 1_000
DIMENSIONS = 384  # all-MiniLM-L6-v2

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Signature:
    """An article as the story clustering sees it."""

    vector: np.ndarray  # float32, unit length (zero when the article has no indexed sentence)
    day: int | None  # proleptic Gregorian ordinal of the publication date; None when the article gives none
    actors: frozenset[str]

    def to_blob(self) -> bytes:
        return self.vector.astype(np.float16).tobytes()


def publication_day(published: str | None) -> int | None:
    """The day an article was published, from an ISO date ("2020-03-04", "2020-03-04T10:00Z") or an RFC 822
    date (feeds: "Wed, 04 Mar 2020 10:00:00 GMT"); None when there is none or it cannot be read."""
    if not published:
        return None
    found = _ISO_DAY.search(published)
    try:
        if found:
            return date(int(found[1]), int(found[2]), int(found[3])).toordinal()
        return parsedate_to_datetime(published).date().toordinal()
    except (ValueError, TypeError, IndexError):
        return None


def lead_vector(embeddings: Sequence[bytes], lead: int = LEAD_SENTENCES) -> np.ndarray:
    """Unit mean of the first ``lead`` stored sentence vectors (float16 bytes), or a zero vector."""
    rows = [np.frombuffer(e, dtype=np.float16) for e in embeddings[:lead] if e]
    if not rows:
        return np.zeros(DIMENSIONS, dtype=np.float32)
    mean = np.mean(np.stack(rows).astype(np.float32), axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def lead_actors(title: str, text: str) -> frozenset[str]:
    """Names in the title and lead ("vladimir putin", "world health organization"), as core.facts keys them."""
    facts = read_facts(f"{title.strip()}.\n{text[:LEAD_CHARS]}" if title.strip() else text[:LEAD_CHARS])
    return frozenset(a.key for a in facts.actors if len(a.key) >= 3)


def signature(*, embeddings: Sequence[bytes], title: str, text: str, published: str | None,
              lead: int = LEAD_SENTENCES) -> Signature:
    return Signature(lead_vector(embeddings, lead), publication_day(published), lead_actors(title, text))


@dataclass(frozen=True)
class Params:
    threshold: float = 0.80
    actor_weight: float = 0.10
    window_days: int = 7


DEFAULT = Params()


@dataclass
class StoryState:
    """A story as the clustering keeps it; ``id`` is the database's id (or a position, in memory)."""

    id: int
    total: np.ndarray = field(default_factory=lambda: np.zeros(DIMENSIONS, dtype=np.float32))  # sum of lead vectors
    size: int = 0
    first_day: int | None = None
    last_day: int | None = None
    actors: frozenset[str] = frozenset()

    def add(self, article: Signature) -> None:
        self.total = self.total + article.vector
        self.size += 1
        if article.day is not None:
            self.first_day = article.day if self.first_day is None else min(self.first_day, article.day)
            self.last_day = article.day if self.last_day is None else max(self.last_day, article.day)
        self.actors = self.actors | article.actors

    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.total))
        return self.total / norm if norm > 0 else self.total


def in_window(article: Signature, story: StoryState, window_days: int) -> bool:
    """Whether a story may take the article, by date (always, when either has no date)."""
    if article.day is None or story.first_day is None or story.last_day is None:
        return True
    return story.first_day - window_days <= article.day <= story.last_day + window_days


def actor_share(article: Signature, story: StoryState) -> float:
    if not article.actors:
        return 0.0
    return len(article.actors & story.actors) / len(article.actors)


def _scores(article: Signature, totals: np.ndarray, shares: np.ndarray, params: Params) -> np.ndarray:
    """The join score of the article against each story (rows of ``totals``, the sums of their lead vectors)."""
    norms = np.linalg.norm(totals, axis=1)
    norms[norms == 0] = 1.0
    return (totals @ article.vector) / norms + params.actor_weight * shares


def best_story(article: Signature, stories: Sequence[StoryState], params: Params = DEFAULT) -> tuple[StoryState, float] | None:
    """The story the article joins and its score, or None when none scores ``params.threshold``."""
    if not np.any(article.vector):
        return None  # nothing to compare: an article with no indexed sentence stands alone
    candidates = [s for s in stories if s.size and in_window(article, s, params.window_days)]
    if not candidates:
        return None
    scores = _scores(article, np.stack([s.total for s in candidates]),
                     np.array([actor_share(article, s) for s in candidates]), params)
    best = int(np.argmax(scores))
    return (candidates[best], float(scores[best])) if scores[best] >= params.threshold else None


def cluster(articles: Sequence[Signature], params: Params = DEFAULT) -> list[int]:
    """Cluster articles in the order given, as they would arrive; returns each one's story (0, 1, ...).

    The same rule as :func:`best_story`, kept in arrays: the evaluation replays hundreds of settings.
    """
    totals = np.zeros((len(articles), DIMENSIONS), dtype=np.float32)
    first = np.full(len(articles), np.iinfo(np.int64).min // 4, dtype=np.int64)  # undated story: any day fits
    last = np.full(len(articles), np.iinfo(np.int64).max // 4, dtype=np.int64)
    actors: list[set[str]] = []
    assigned: list[int] = []
    for article in articles:
        count = len(actors)
        chosen = -1
        if count and np.any(article.vector):
            fits = np.ones(count, dtype=bool) if article.day is None else (
                (first[:count] - params.window_days <= article.day) & (article.day <= last[:count] + params.window_days))
            shares = np.array([len(article.actors & a) / len(article.actors) if article.actors else 0.0 for a in actors])
            scores = np.where(fits, _scores(article, totals[:count], shares, params), -np.inf)
            best = int(np.argmax(scores))
            chosen = best if scores[best] >= params.threshold else -1
        if chosen < 0:
            chosen = count
            actors.append(set())
        totals[chosen] += article.vector
        actors[chosen] |= article.actors
        if article.day is not None:
            dated = first[chosen] > np.iinfo(np.int64).min // 4
            first[chosen] = min(first[chosen], article.day) if dated else article.day
            last[chosen] = max(last[chosen], article.day) if dated else article.day
        assigned.append(chosen)
    return assigned
