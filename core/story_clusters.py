"""The online story clustering: each article, as it is stored, joins the story it fits best or starts one.

A **story** is one event (an act, an announcement, a verdict, an incident) as several outlets report it.
It is kept as its articles' signatures (below) and the first and last day its dated articles were
published.

An article joins the story of the stored article it is closest to, if their score reaches ``threshold``:

    score = cosine(lead vectors)
            + lexical_weight * cosine(tf-idf of the two leads' words)
            + actor_weight * share of the article's names the other article also names

The vectors find the topic; the words weighted by their rarity in the library (document frequencies
counted as articles arrive) tell one event from the next development of the same topic, which reads
alike to the embedding (same actors, same place) but names other specifics. Only the
:data:`SHORTLIST` stored articles closest by vector are scored on words. The closest article rather than
the story's centroid: a story's reports differ (a wire report, a local angle, a comment piece), and an
article close to one of them belongs with it; on the labelled stories this merged fewer different
events and more of one event's reports than a centroid did (docs/stories.md).

A story is a candidate only within ``window_days`` of its dated articles: an article published more
than that before the story's first or after its last article is another development, however alike
the texts read. **Missing dates**: an article without a publication date (a pasted text, the PTC
corpus) is not held to any window, and a story without dated articles accepts any article; the
content alone decides.

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
from functools import partial

import numpy as np

from .facts import read_facts
from .facts.words import STOPWORDS, stem, tokenize

# Opening sentences averaged into the article's vector (chosen by cross-validation, scripts/eval_stories.py).
LEAD_SENTENCES = 5
# Characters of the text read for words and names: about the lead.
LEAD_CHARS = 1_500
DIMENSIONS = 384  # all-MiniLM-L6-v2
# Stored articles scored on words and names: the closest by vector.
SHORTLIST = 20

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Params:
    """The defaults: chosen on all 30 labelled stories by scripts/eval_stories.py as the highest recall at precision
    >= 0.90, since a wrong merge hides an outlet's article under another event while a miss leaves it alone (see
    docs/stories.md for the out-of-fold figures and the trade-off). Names did not help there (in the runs that tried
    them, actor weights 0.05-0.3 were never chosen); they are kept in the signature for a larger labelled set to weigh."""

    threshold: float = 1.08
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
    size: int = 0
    first_day: int | None = None
    last_day: int | None = None

    def add(self, article: Signature) -> None:
        self.size += 1
        if article.day is not None:
            self.first_day = article.day if self.first_day is None else min(self.first_day, article.day)
            self.last_day = article.day if self.last_day is None else max(self.last_day, article.day)

    def takes(self, article: Signature, window_days: int) -> bool:
        """Whether the story may take the article, by date (always, when either has no date)."""
        if article.day is None or self.first_day is None or self.last_day is None:
            return True
        return self.first_day - window_days <= article.day <= self.last_day + window_days


class DocumentFrequencies:
    """In how many articles each word stem occurs, counted as articles arrive: the rarity that weighs words."""

    def __init__(self, counts: Mapping[str, int] | None = None, articles: int = 0) -> None:
        self.counts: dict[str, int] = dict(counts or {})
        self.articles = articles

    def add(self, terms: Mapping[str, int]) -> None:
        self.articles += 1
        for term in terms:
            self.counts[term] = self.counts.get(term, 0) + 1

    def prepare(self, texts: Sequence[Mapping[str, int | float]]) -> None:
        """Have the counts of these texts' words at hand (all known here; a database reads them at once)."""

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


def actor_share(article: Signature, member: Signature) -> float:
    if not article.actors:
        return 0.0
    return len(article.actors & member.actors) / len(article.actors)


def closest(closeness: np.ndarray, count: int) -> np.ndarray:
    """The rows of the ``count`` highest values, highest first, equal values in row order: the head of a stable
    sort, without sorting a whole library (at 100,000 articles a full sort took 0.06 s of a 0.2 s join)."""
    if len(closeness) <= count:
        return np.argsort(-closeness, kind="stable")
    kth = closeness[np.argpartition(-closeness, count - 1)[count - 1]]
    above = np.flatnonzero(closeness > kth)
    rows = np.concatenate([above, np.flatnonzero(closeness == kth)[:count - len(above)]])
    return rows[np.argsort(-closeness[rows], kind="stable")]


def best_story(article: Signature, closeness: np.ndarray, member_stories: Sequence[int],
               members: Callable[[Sequence[int]], Sequence[Signature]], takes: Callable[[int], bool],
               params: Params = DEFAULT, frequencies: DocumentFrequencies | None = None) -> tuple[int, float] | None:
    """The story the article joins and its score, or None when none scores ``params.threshold``.

    ``closeness``: the cosine of each candidate article's lead vector with the article's (one entry each: the
    candidates' vectors times ``article.vector``), ``member_stories`` the story of each, ``members(rows)`` those
    articles' whole signatures (asked once, for the shortlist), ``takes(story)`` whether the story's time window
    admits the article. ``frequencies``: the library's document frequencies, the article itself not yet counted.
    """
    if not len(member_stories) or not np.any(article.vector):
        return None  # nothing to compare: an article with no indexed sentence stands alone
    own = frequencies.weights(article.terms) if params.lexical_weight and frequencies is not None else {}
    rows = [int(row) for row in closest(closeness, SHORTLIST) if takes(member_stories[row])]
    others: Sequence[Signature | None] = [None] * len(rows)
    if own or params.actor_weight:
        others = members(rows)
        if own and frequencies is not None:
            frequencies.prepare([other.terms for other in others])
    best: dict[int, float] = {}
    for row, other in zip(rows, others):
        story = member_stories[row]
        score = float(closeness[row])
        if other is not None:
            if own and frequencies is not None:
                score += params.lexical_weight * lexical_similarity(own, frequencies.weights(other.terms))
            score += params.actor_weight * actor_share(article, other)
        best[story] = max(best.get(story, -np.inf), score)
    if not best:
        return None
    story, score = max(best.items(), key=lambda item: item[1])
    return (story, score) if score >= params.threshold else None


def _signatures(articles: Sequence[Signature], rows: Sequence[int]) -> list[Signature]:
    return [articles[row] for row in rows]


def _takes(stories: Sequence[StoryState], article: Signature, window_days: int, story: int) -> bool:
    return stories[story].takes(article, window_days)


def cluster(articles: Sequence[Signature], params: Params = DEFAULT) -> list[int]:
    """Cluster articles in the order given, as they would arrive; returns each one's story (0, 1, ...)."""
    vectors = np.zeros((len(articles), DIMENSIONS), dtype=np.float32)
    stories: list[StoryState] = []
    frequencies = DocumentFrequencies()
    assigned: list[int] = []
    for number, article in enumerate(articles):
        window = partial(_takes, stories, article, params.window_days)
        found = best_story(article, vectors[:number] @ article.vector, assigned,
                           partial(_signatures, articles), window, params, frequencies)
        if found is None:
            stories.append(StoryState(id=len(stories)))
        story = stories[found[0]] if found is not None else stories[-1]
        story.add(article)
        vectors[number] = article.vector
        frequencies.add(article.terms)
        assigned.append(story.id)
    return assigned
