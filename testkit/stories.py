"""Articles stored with made-up lead vectors, so that story tests place them without loading the embedder.

Each ``topic`` is a fixed random direction; an article of that topic gets sentence vectors near it
(``spread`` of noise), an article of another topic is near another direction, far from it.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.records import Analysis
from core.storage import IndexedSentence, Storage
from core.story_clusters import DIMENSIONS


def topic_sentences(topic: int, *, seed: int = 0, spread: float = 0.01, count: int = 6) -> list[IndexedSentence]:
    base = np.random.default_rng(1000 + topic).normal(size=DIMENSIONS)
    noise = np.random.default_rng(seed)
    rows = []
    for position in range(count):
        vector = base / np.linalg.norm(base) + spread * noise.normal(size=DIMENSIONS)
        rows.append(IndexedSentence(position, f"Sentence {position} of topic {topic}.",
                                    (vector / np.linalg.norm(vector)).astype(np.float16).tobytes()))
    return rows


def store_on_topic(storage: Storage, analysis: Analysis, topic: int, *, seed: int = 0,
                   published: str | None = "2026-11-20") -> Analysis:
    """Save ``analysis`` (published on ``published``) with sentence vectors of ``topic``, as the pipeline saves it."""
    analysis = replace(analysis, article=replace(analysis.article, published=published))
    storage.save(analysis, index=topic_sentences(topic, seed=seed))
    return analysis


def store_world_story(storage: Storage, *, reprint: bool = True) -> dict[str, str]:
    """The three-outlet story of testkit/story_world.py (and, with ``reprint``, the Eastside Weekly's copy of the
    Ledger's report) stored with one topic's vectors, so that they join one story without the embedder; each
    article's claims are its checkable figures' sentences. Returns the stored analysis ids by article key."""
    from testkit import story_world as world
    from testkit.factories import make_analysis

    stored = {}
    chosen = world.ARTICLES + ((world.REPRINT,) if reprint else ())
    for seed, article in enumerate(chosen, start=1):
        source = world.LEDGER if article is world.REPRINT else article
        claims = list(dict.fromkeys(f.sentence for f in world.FIGURES if f.article == source.key))
        analysis = make_analysis(id=f"world-{article.key}", title=article.title, outlet=article.outlet, url=article.url,
                                 quote=article.text.strip(), claims=claims, seed=seed)
        store_on_topic(storage, analysis, topic=31, seed=seed, published=article.published.isoformat())
        stored[article.key] = analysis.id
    return stored
