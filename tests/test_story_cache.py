"""The stories' candidate cache (issue 31, core.storage.story_cache): a join from the cache chooses the story that
reading every member from the database chooses, also after another process joined, deleted, merged, split, moved
and re-clustered, after a transaction that was rolled back, and within one that stores several articles."""
from __future__ import annotations

import gc
import multiprocessing

import numpy as np
import pytest
from sqlalchemy import and_, func, insert, or_, select

from core.storage import Storage
from core.storage import story_cache as story_cache_module
from core.storage.stories import (
    StoredFrequencies,
    _member_signature,
    _story,
    join_story,
)
from core.storage.tables import articles, stories, story_members
from core.story_clusters import (
    DEFAULT,
    DIMENSIONS,
    Params,
    Signature,
    best_story,
    signature,
)
from testkit.factories import make_analysis
from testkit.stories import store_on_topic, topic_sentences

VECTOR_ONLY = Params(threshold=0.95, lexical_weight=0.0)
DATES = (None, "2026-11-01", "2026-11-06", "2026-11-20")
TITLES = ("Council votes on the library", "Ebola outbreak declared in Bikoro", "Budget passed after long debate")


def _probes() -> list[dict]:
    """New articles: each topic of the library and one it lacks, dated across the library's weeks and undated."""
    found = []
    for topic in (1, 2, 3, 4, 9):
        for number, published in enumerate(DATES):
            found.append({"title": TITLES[(topic + number) % len(TITLES)], "text": "Officials said the vote was close.",
                          "published": published,
                          "embeddings": [s.embedding for s in topic_sentences(topic, seed=500 + topic * 10 + number)]})
    return found


def _uncached(storage: Storage, probe: dict, params: Params) -> int | None:
    """The story the join chose before the cache: every candidate member read from the database."""
    article = signature(**probe)
    with storage.database.read() as db:
        query = select(story_members.c.story_id, story_members.c.article_id, story_members.c.vector)
        if article.day is not None:
            query = query.join(stories, stories.c.id == story_members.c.story_id).where(or_(
                stories.c.last_day.is_(None), and_(stories.c.last_day >= article.day - params.window_days,
                                                   stories.c.first_day <= article.day + params.window_days)))
        rows = db.execute(query.order_by(story_members.c.article_id)).all()
        vectors = np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float16).reshape(len(rows), DIMENSIONS)

        def members(wanted: list[int]) -> list[Signature]:  # one at a time, as the join read them before
            return [_member_signature(db.execute(select(story_members)
                                                 .where(story_members.c.article_id == rows[row].article_id)).one())
                    for row in wanted]

        count = db.execute(select(func.count()).select_from(story_members)).scalar_one()
        best = best_story(article, vectors.astype(np.float32) @ article.vector, [r.story_id for r in rows], members,
                          lambda story: _story(db, story).takes(article, params.window_days), params,
                          StoredFrequencies(db, count))
    return None if best is None else best[0]


def _cached(storage: Storage, probe: dict, params: Params) -> int | None:
    """The story join_story chooses now (in a transaction rolled back after); None for a new story."""
    with storage.database.write() as db:
        existing = set(db.execute(select(stories.c.id)).scalars())
        article_id = db.execute(insert(articles).values(key="probe", first_seen="2026-12-01")
                                .returning(articles.c.id)).scalar_one()
        chosen = join_story(db, article_id, params=params, **probe)
        db.rollback()
    return chosen if chosen in existing else None


def assert_same_choices(storage: Storage, *, some_new: bool = True) -> None:
    probes = _probes()
    for params in (DEFAULT, VECTOR_ONLY):
        expected = [_uncached(storage, p, params) for p in probes]
        assert [_cached(storage, p, params) for p in probes] == expected
        assert any(e is not None for e in expected)
        assert any(e is None for e in expected) or not some_new  # joins and new stories


def _library(storage: Storage) -> None:
    for n, (topic, published) in enumerate([(1, "2026-11-01"), (1, "2026-11-02"), (2, None), (2, None),
                                            (3, "2026-11-20"), (1, "2026-11-21"), (3, "2026-11-05")]):
        store_on_topic(storage, make_analysis(id=f"a{n}", title=TITLES[n % 3], outlet=f"Outlet {n}",
                                              url=f"https://o{n}.example/x"), topic=topic, seed=n, published=published)


def _correct(url: str, step: str) -> None:
    """A correction made by another process."""
    storage = Storage(url)
    if step == "save":
        for n, topic in ((10, 4), (11, 4), (12, 2)):
            store_on_topic(storage, make_analysis(id=f"a{n}", title=TITLES[n % 3], outlet=f"Outlet {n}",
                                                  url=f"https://o{n}.example/x"), topic=topic, seed=n, published=None)
    elif step == "delete":
        storage.delete("a1", deleted_by="Ana")
    elif step == "merge":
        storage.stories.merge(storage.stories.story_of("https://o0.example/x"),
                              storage.stories.story_of("https://o4.example/x"), who="Ana")
    elif step == "split":
        storage.stories.split(storage.stories.story_of("https://o10.example/x"), ["https://o11.example/x"], who="Ben")
    elif step == "move":
        storage.stories.move("https://o2.example/x", storage.stories.story_of("https://o5.example/x"), who="Cy")
    elif step == "recluster":
        storage.stories.recluster()


def test_joins_from_the_cache_choose_as_the_database_does_after_another_process_changed_stories(database_url):
    storage = Storage(database_url)
    _library(storage)
    assert_same_choices(storage)  # the first join reads the members; the others read only what changed
    with multiprocessing.get_context("spawn").Pool(1) as other:
        for step in ("save", "delete", "merge", "split", "move", "recluster"):
            other.apply(_correct, (database_url, step))
            assert_same_choices(storage)


def _join_three_reports(db) -> set[int]:
    """Three reports of one event joined in one transaction: each sees those before it. Returns their stories."""
    joined = set()
    for n in range(3):
        article_id = db.execute(insert(articles).values(key=f"https://t{n}.example/x", first_seen="2026-12-01")
                                .returning(articles.c.id)).scalar_one()
        joined.add(join_story(db, article_id, title="Mayor resigns over the library", text="The mayor resigned.",
                              published=None, embeddings=[s.embedding for s in topic_sentences(9, seed=n)]))
    return joined


def test_a_rolled_back_transaction_leaves_nothing_behind_and_one_transaction_sees_its_own_joins(tmp_path):
    url = str(tmp_path / "stories.db")
    storage = Storage(url)
    _library(storage)
    assert_same_choices(storage)
    with pytest.raises(RuntimeError), storage.database.write() as db:
        assert len(_join_three_reports(db)) == 1
        raise RuntimeError("rolled back")
    with multiprocessing.get_context("spawn").Pool(1) as other:
        other.apply(_correct, (url, "save"))  # commits the generations the rolled-back joins had taken
    assert_same_choices(storage)  # the probes of topic 9 would join the rolled-back reports' story
    with storage.database.write() as db:
        joined = _join_three_reports(db)
    assert len(joined) == 1 and storage.stories.summary(joined.pop()).size == 3
    assert_same_choices(storage, some_new=False)  # topic 9 has a story now
    gc.collect()
    assert not story_cache_module._own_copies  # a transaction's own copy goes with it


def test_a_process_too_far_behind_the_record_reads_every_member_again(tmp_path, monkeypatch):
    url = str(tmp_path / "stories.db")
    loads = []
    load = story_cache_module.MemberVectors.load
    monkeypatch.setattr(story_cache_module.MemberVectors, "load", classmethod(lambda cls, db: loads.append(1) or load(db)))
    storage = Storage(url)
    _library(storage)
    assert_same_choices(storage)
    with storage.database.read() as db:
        assert story_cache_module.cache_bytes(db) >= 7 * DIMENSIONS * 4
    with multiprocessing.get_context("spawn").Pool(1) as other:
        other.apply(_correct, (url, "save"))  # three joins in another process
        assert_same_choices(storage)
        assert len(loads) == 1  # read at this process's first join, then kept in step from the record
        monkeypatch.setattr(story_cache_module, "KEEP_CHANGES", 2)
        monkeypatch.setattr(story_cache_module, "PRUNE_EVERY", 1)
        other.apply(_correct, (url, "delete"))
        with storage.database.write() as db:  # three more changes: the record, pruned to two, lacks the deletion
            for _ in range(3):
                story_cache_module.record_change(db, 0, 0)
        assert_same_choices(storage)
        assert len(loads) == 2


def test_slots_of_members_that_left_are_compacted_and_the_choices_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(story_cache_module, "COMPACT_AFTER", 0)
    storage = Storage(tmp_path / "stories.db")
    _library(storage)
    assert_same_choices(storage)
    for analysis_id in ("a1", "a4"):
        Storage(tmp_path / "stories.db").delete(analysis_id, deleted_by="Ana")
    assert_same_choices(storage)
    (cache,) = [c for key, c in story_cache_module._caches.items() if str(tmp_path) in key]
    assert cache.size == int(cache.live.sum()) == 5
