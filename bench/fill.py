"""Filling a benchmark's database fast: whole analyses written with bulk inserts, library index included.

Saving 100,000 analyses one by one with ``Storage.save`` takes hours on this machine; the
benches instead clone a few model analyses (:class:`Model`) and write the clones' rows
(article, analysis document and summary columns, claims, evidence, library index
sentences) ``BATCH`` analyses per transaction, the rows ``Storage.save`` would write for
each. Every clone is its own article (its own address and text), the latest analysis of
it. The full-text index follows by its triggers, as at save; the page counts kept at save
are counted afresh at the end (``recount_pages``).
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

# Analyses written per transaction.
BATCH = 500
OUTLETS = ["Gazette", "Herald", "Tribune", "Courier", "Observer", "Chronicle", "Post", "Times", "Ledger", "Sentinel"]


@dataclass(frozen=True)
class Model:
    """An analysis whose clones fill the library: its document and rows, computed once."""

    analysis: object  # core.records.Analysis
    document: dict
    summary: dict  # the summary columns of analyses
    claims: tuple[dict, ...]
    evidence: tuple[dict, ...]
    sentences: tuple  # core.storage.IndexedSentence, ...


@dataclass(frozen=True)
class Clone:
    """What differs from clone to clone (the text gets ``closing`` appended, so each has its own text hash)."""

    id: str
    url: str
    title: str
    outlet: str
    created_at: str
    closing: str


def model(analysis, sentences: Sequence = ()) -> Model:
    from core.identity import evidence_domain
    from core.storage.analyses import _summary_columns
    from core.verdict import counts, not_counted_reason

    claims = tuple({"claim_id": c.id, "text": c.text, "verdict": c.verdict.value,
                    "verdict_confidence": c.assessment.confidence} for c in analysis.claims)
    evidence = tuple({"claim_id": c.id, "source_type": e.source_type.value, "title": e.title, "url": e.url,
                      "outlet": e.outlet, "snippet": e.snippet, "stance": e.stance.value,
                      "stance_confidence": e.stance_confidence, "domain": evidence_domain(e.url, e.outlet),
                      "counted": counts(e, analysis.article), "reason": not_counted_reason(e, analysis.article),
                      "facts": e.facts}
                     for c in analysis.claims for e in c.evidence)
    return Model(analysis, analysis.to_dict(), _summary_columns(analysis), claims, evidence, tuple(sentences))


def bulk_fill(storage, models: Sequence[Model], start: int, stop: int, clone: Callable[[int], Clone]) -> None:
    """Write clones ``start`` to ``stop - 1`` (clone ``n`` of ``models[n % len(models)]``), BATCH per transaction."""
    for first in range(start, stop, BATCH):
        with storage.database.write() as db:
            _write_batch(db, [(models[n % len(models)], clone(n)) for n in range(first, min(stop, first + BATCH))])
    recount_pages(storage)


def recount_pages(storage) -> None:
    """Count the pages' kept counts afresh (the Evidence page's tallies and search words included, where the commit
    has them), after rows were written around Storage.save."""
    from sqlalchemy import update

    from core.storage.tables import revision

    try:
        from core.storage.page_counts import recount
    except ImportError:  # a commit from before the kept counts: the benches run beside the previous commit
        recount = None
    with storage.database.write() as db:
        if recount is not None:
            recount(db)
        db.execute(update(revision).values(value=revision.c.value + 1))


def _write_batch(db, batch: Sequence[tuple[Model, Clone]]) -> None:
    from sqlalchemy import insert, select

    from core.identity import article_key
    from core.storage import text_hash
    from core.storage.tables import analyses, articles, claims, evidence, library_sentences

    texts = [m.analysis.article.text + c.closing for m, c in batch]
    keys = [article_key(replace(m.analysis.article, url=c.url, text=text)) for (m, c), text in zip(batch, texts)]
    db.execute(insert(articles), [
        {"key": key, "url": c.url, "title": c.title, "outlet": c.outlet, "first_seen": c.created_at, "text_hash": text_hash(text)}
        for (m, c), key, text in zip(batch, keys, texts)
    ])
    ids = dict(db.execute(select(articles.c.key, articles.c.id).where(articles.c.key.in_(keys))).all())
    analysis_rows, claim_rows, evidence_rows, sentence_rows = [], [], [], []
    for (m, c), key, text in zip(batch, keys, texts):
        document = {**m.document, "id": c.id, "created_at": c.created_at,
                    "article": {**m.document["article"], "url": c.url, "title": c.title, "outlet": c.outlet, "text": text}}
        analysis_rows.append({"id": c.id, "article_id": ids[key], "created_at": c.created_at,
                              "engine": m.analysis.engine.name, "partial": int(m.analysis.partial),
                              "document": json.dumps(document, allow_nan=False), "job_id": None, "latest": True,
                              **m.summary})
        claim_rows.extend({**row, "analysis_id": c.id} for row in m.claims)
        evidence_rows.extend({**row, "analysis_id": c.id} for row in m.evidence)
        sentence_rows.extend({"article_id": ids[key], "analysis_id": c.id, "position": s.position, "text": s.text,
                              "embedding": s.embedding} for s in m.sentences)
    db.execute(insert(analyses), analysis_rows)
    for table, rows in ((claims, claim_rows), (evidence, evidence_rows), (library_sentences, sentence_rows)):
        if rows:
            db.execute(insert(table), rows)


# ------------------------------------------------------------------ model analyses for the page benches

# Domains the models' evidence cites (a newsroom's year cites a few thousand sites).
DOMAINS = 2000


def page_models(count: int, bodies: Sequence[str], *, index: bool) -> list[Model]:
    """``count`` factory analyses (3-12 claims, 2 pieces of evidence each, 14 techniques), each article's text
    followed by a real article's body (PTC) as a stored article has; with ``index``, the article's sentences as the
    library index keeps them (MiniLM-sized random float16 vectors: no model is loaded)."""
    from core.records import Evidence
    from core.storage import IndexedSentence
    from testkit.factories import make_analysis

    rng = random.Random(29)
    models = []
    for number in range(count):
        analysis = make_analysis(id=f"model{number}", n_claims=rng.randint(3, 12), seed=number)
        body = bodies[number % len(bodies)] if bodies else ""

        def cited(e: Evidence, k: int) -> Evidence:
            site = f"www.site{(number * 7 + k) % DOMAINS}.example"
            return replace(e, url=e.url.replace(e.url.split("/")[2], site)) if e.url else e

        analysis = replace(analysis, article=replace(analysis.article, text=analysis.article.text + "\n" + body),
                           claims=tuple(replace(c, evidence=tuple(cited(e, k) for k, e in enumerate(c.evidence)))
                                        for c in analysis.claims))
        sentences = ()
        if index:
            vectors = np.random.default_rng(number).standard_normal((60, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            # The whole article's sentences, as a save indexes them: its claims (which Compare reads) and the body.
            found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", analysis.article.text) if len(s.strip()) >= 40][:60]
            sentences = tuple(IndexedSentence(p, s[:400], vectors[p].astype(np.float16).tobytes()) for p, s in enumerate(found))
        models.append(model(analysis, sentences))
    return models


def ptc_bodies(data_dir: Path, count: int) -> list[str]:
    """The texts of up to ``count`` PTC articles (``$CROSSCHECK_DATA_DIR/ptc/articles``); none if they are not there."""
    folder = data_dir / "ptc" / "articles"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))[:count]] if folder.is_dir() else []


# ------------------------------------------------------------------ stories for the Story and Outlet page benches

# Stories of one to three articles are most; one in STORY_BIG is larger, 5-12 articles across several outlets.
STORY_BIG = 12


def fill_stories(storage, seed: int = 31) -> None:
    """Put every stored article that is in no story yet into a story, as core.storage.stories keeps them (stories,
    story_members), written with bulk inserts, BATCH members a statement: consecutive articles (by id) share a story,
    most stories 1-3 articles, one in STORY_BIG 5-12 (their outlets differ, as the clones' outlets do). Each member's
    lead vector is its story's random direction plus noise (MiniLM-sized float16); its day is when it was stored.
    The processes' story caches are told to read every member again (``forget_changes``), as after re-clustering."""
    from datetime import date

    from sqlalchemy import insert, select

    from core.storage.story_cache import forget_changes
    from core.storage.tables import articles, stories, story_members
    from core.story_clusters import DIMENSIONS

    rng = np.random.default_rng(seed)
    with storage.database.write() as db:
        rows = db.execute(select(articles.c.id, articles.c.title, articles.c.first_seen)
                          .outerjoin(story_members, story_members.c.article_id == articles.c.id)
                          .where(story_members.c.article_id.is_(None)).order_by(articles.c.id)).all()
        if not rows:
            return
        sizes: list[int] = []
        while sum(sizes) < len(rows):
            sizes.append(int(rng.integers(5, 13)) if rng.integers(STORY_BIG) == 0 else int(rng.integers(1, 4)))
        sizes[-1] -= sum(sizes) - len(rows)
        groups, at = [], 0
        for size in sizes:
            groups.append(rows[at:at + size])
            at += size
        days = {r.id: date.fromisoformat(r.first_seen[:10]).toordinal() for r in rows}
        joined = "2026-12-01T00:00:00+00:00"
        for first in range(0, len(groups), BATCH):
            chunk = groups[first:first + BATCH]
            ids = db.execute(insert(stories).returning(stories.c.id, sort_by_parameter_order=True), [
                {"title": group[0].title or "", "created_at": joined, "size": len(group),
                 "first_day": min(days[r.id] for r in group), "last_day": max(days[r.id] for r in group)}
                for group in chunk]).scalars().all()
            members = []
            for story_id, group in zip(ids, chunk):
                direction = rng.standard_normal(DIMENSIONS)
                vectors = direction + 0.3 * rng.standard_normal((len(group), DIMENSIONS))
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                members.extend({"article_id": r.id, "story_id": story_id, "vector": v.astype(np.float16).tobytes(),
                                "day": days[r.id], "actors": "[]", "terms": "{}", "placed_by": "", "joined_at": joined}
                               for r, v in zip(group, vectors))
            db.execute(insert(story_members), members)
        forget_changes(db)
