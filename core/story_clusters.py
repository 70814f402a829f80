"""The online story clustering: each article, as it is stored, joins the story it fits best or starts one.

A **story** is one event (an act, an announcement, a verdict, an incident) as several outlets report it.
It is kept as the running sum of its articles' signatures (below): lead vectors, lead word counts,
the names their leads mention, and the first and last day its dated articles were published.

An article joins the candidate story with the highest score, if that score reaches ``threshold``:

    score = cosine(lead vector, story centroid)
            + lexical_weight * cosine(tf-idf of the lead's words, tf-idf of the story's)
            + actor_weight * share of the article's names the story also names

The vectors find the topic; the words weighted by their rarity in the library (document frequencies
counted as articles arrive) tell one event from the next development of the same topic, which reads
alike to the embedding (same actors, same place) but names other specifics. Only the
:data:`SHORTLIST` stories closest by vector are scored on words.

A story is a candidate only within ``window_days`` of its dated articles: an article published more
than that before the story's first or after its last article is another development, however alike
the texts read. **Missing dates**: an article without a publication date (a pasted text, the PTC
corpus) is not held to any window, and a story without dated articles accepts any article; the
content alone decides. Scoring against the centroid rather than the closest member keeps one long
story from chaining into its neighbours.

An article's **signature** is read from what the library index already stores for it (the float16
MiniLM vectors of its sentences, core.sources.library.index_sentences): nothing is embedded again. The
vector is the mean of its first :data:`LEAD_SENTENCES` indexed sentences; the words and names come from
its title and first :data:`LEAD_CHARS` characters (core.facts).

The parameters were chosen by cross-validation over the hand-labelled stories of
tests/data/story_clusters.json (scripts/eval_stories.py prints the table); :data:`DEFAULT` holds them.
Online, the result depends on the order the articles arrive in; ``python -m core stories --recluster``
replays the library in publication order (undated ones by when they were stored).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime

import numpy as np

from .facts import read_facts
from .facts.words import STOPWORDS, stem, tokenize

# Opening sentences averaged into the article's vector (chosen by cross-validation, scripts/eval_stories.py).
LEAD_SENTENCES = 5
# Characters of the text read for words and names: about the lead.
LEAD_CHARS = 1_500
DIMENSIONS = 384  # all-MiniLM-L6-v2
# Stories scored on words: the closest by vector (and names).
SHORTLIST = 10

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Params:
    """The defaults: chosen on all 30 labelled stories by scripts/eval_stories.py (see docs/stories.md for the
    out-of-fold figures). Names did not help there (actor weight 0 chosen over 0.05-0.3); they are kept in the
    signature for the analyst's view and for a larger labelled set to weigh."""

    threshold: float = 1.04
    lexical_weight: float = 0.5
    actor_weight: float = 0.0
    window_days: int = 7


DEFAULT = Params()


@dataclass(frozen=True)
class Signature:
    """An article as the story clustering sees it."""

    vector: np.ndarray  # float32, unit length (zero when the article has no indexed sentence)
    day: int | None  # proleptic Gregorian ordinal of the publication date; None when the article gives none
    actors: frozenset[str]
    terms: Mapping[str, int] = field(default_factory=dict)  # word stems of the title and lead, with their counts


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


def _lead(title: str, text: str) -> str:
    return f"{title.strip()}.\n{text[:LEAD_CHARS]}" if title.strip() else text[:LEAD_CHARS]


def lead_actors(title: str, text: str) -> frozenset[str]:
    """Names in the title and lead ("vladimir putin", "world health organization"), as core.facts keys them."""
    return frozenset(a.key for a in read_facts(_lead(title, text)).actors if len(a.key) >= 3)


def lead_terms(title: str, text: str) -> dict[str, int]:
    """Word stems of the title and lead (not stopwords, not numbers, three letters or more), with their counts."""
    return dict(Counter(stem(t.text) for t in tokenize(_lead(title, text))
                        if t.is_word and len(t.text) > 2 and t.lower not in STOPWORDS))


def signature(*, embeddings: Sequence[bytes], title: str, text: str, published: str | None,
              lead: int = LEAD_SENTENCES) -> Signature:
    return Signature(lead_vector(embeddings, lead), publication_day(published), lead_actors(title, text),
                     lead_terms(title, text))


@dataclass
class StoryState:
    """A story as the clustering keeps it; ``id`` is the database's id (or a position, in memory)."""

    id: int
    total: np.ndarray = field(default_factory=lambda: np.zeros(DIMENSIONS, dtype=np.float32))  # sum of lead vectors
    size: int = 0
    first_day: int | None = None
    last_day: int | None = None
    actors: frozenset[str] = frozenset()
    terms: Counter[str] = field(default_factory=Counter)  # summed lead word counts

    def add(self, article: Signature) -> None:
        self.total = self.total + article.vector
        self.size += 1
        if article.day is not None:
            self.first_day = article.day if self.first_day is None else min(self.first_day, article.day)
            self.last_day = article.day if self.last_day is None else max(self.last_day, article.day)
        self.actors = self.actors | article.actors
        self.terms.update(article.terms)


class DocumentFrequencies:
    """In how many articles each word stem occurs, counted as articles arrive: the rarity that weighs words."""

    def __init__(self, counts: Mapping[str, int] | None = None, articles: int = 0) -> None:
        self.counts: dict[str, int] = dict(counts or {})
        self.articles = articles

    def add(self, terms: Mapping[str, int]) -> None:
        self.articles += 1
        for term in terms:
            self.counts[term] = self.counts.get(term, 0) + 1

    def weights(self, terms: Mapping[str, int | float]) -> dict[str, float]:
        """Unit tf-idf weights: (1 + log tf) * (1 + log((1 + N) / (1 + df))).

        The 1 added to the idf keeps words that every article has worth something: in a new library (one
        or two articles) every word is in every article, and two copies of one text would share nothing.
        """
        n = self.articles
        found = {t: (1 + math.log(c)) * (1 + math.log((1 + n) / (1 + self.counts.get(t, 0))))
                 for t, c in terms.items() if c > 0}
        norm = math.sqrt(sum(v * v for v in found.values()))
        return {t: v / norm for t, v in found.items()} if norm > 0 else {}


def lexical_similarity(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(v * large.get(t, 0.0) for t, v in small.items())


def in_window(article: Signature, story: StoryState, window_days: int) -> bool:
    """Whether a story may take the article, by date (always, when either has no date)."""
    if article.day is None or story.first_day is None or story.last_day is None:
        return True
    return story.first_day - window_days <= article.day <= story.last_day + window_days


def actor_share(article: Signature, story: StoryState) -> float:
    if not article.actors:
        return 0.0
    return len(article.actors & story.actors) / len(article.actors)


def best_story(article: Signature, stories: Sequence[StoryState], params: Params = DEFAULT,
               frequencies: DocumentFrequencies | None = None,
               terms_of: Callable[[StoryState], Mapping[str, int]] = lambda story: story.terms,
               ) -> tuple[StoryState, float] | None:
    """The story the article joins and its score, or None when none scores ``params.threshold``.

    ``frequencies``: the library's document frequencies, the article itself not yet counted. ``terms_of``:
    a story's words, asked only for the shortlist (the database reads them then).
    """
    if not np.any(article.vector):
        return None  # nothing to compare: an article with no indexed sentence stands alone
    candidates = [s for s in stories if s.size and in_window(article, s, params.window_days)]
    if not candidates:
        return None
    totals = np.stack([s.total for s in candidates])
    norms = np.linalg.norm(totals, axis=1)
    norms[norms == 0] = 1.0
    scores = (totals @ article.vector) / norms + params.actor_weight * np.array(
        [actor_share(article, s) for s in candidates])
    if params.lexical_weight and frequencies is not None:
        shortlist = np.argsort(-scores)[:SHORTLIST]
        own = frequencies.weights(article.terms)
        lexical = np.full(len(candidates), -np.inf)
        for i in shortlist:
            lexical[i] = lexical_similarity(own, frequencies.weights(terms_of(candidates[i])))
        scores = scores + params.lexical_weight * lexical
    best = int(np.argmax(scores))
    return (candidates[best], float(scores[best])) if scores[best] >= params.threshold else None


def cluster(articles: Sequence[Signature], params: Params = DEFAULT) -> list[int]:
    """Cluster articles in the order given, as they would arrive; returns each one's story (0, 1, ...)."""
    stories: list[StoryState] = []
    frequencies = DocumentFrequencies()
    assigned: list[int] = []
    for article in articles:
        found = best_story(article, stories, params, frequencies)
        story = found[0] if found is not None else StoryState(id=len(stories))
        if found is None:
            stories.append(story)
        story.add(article)
        frequencies.add(article.terms)
        assigned.append(story.id)
    return assigned
