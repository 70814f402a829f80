"""Storage on SQLite and a real PostgreSQL: round trips, history, queries in the database, jobs and feeds (upgrades with data in place: test_storage_upgrades.py)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import inspect

from core.errors import NotFoundError, StorageError
from core.identity import evidence_domain
from core.records import Analysis, Article, Stance
from core.storage import EvidenceQuery, IndexedSentence, LibraryQuery, Storage, text_hash
from core.storage.database import ALEMBIC_USER_VERSION, Database
from core.storage.tables import metadata
from core.verdict import OWN_OUTLET, counts, not_counted_reason
from testkit.factories import make_analysis

HEAD = "0019"


def test_round_trip_is_lossless(database_url):
    store = Storage(database_url)
    analysis = make_analysis()
    store.save(analysis)
    assert store.get(analysis.id) == analysis
    assert Analysis.from_dict(json.loads(json.dumps(analysis.to_dict()))) == analysis
    assert store.schema_version == HEAD


def test_sqlite_file_is_in_wal_mode_and_marked_for_older_versions(tmp_path):
    Storage(tmp_path / "db.sqlite")
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == ALEMBIC_USER_VERSION


def test_the_migrations_build_exactly_the_declared_schema(database_url):
    store = Storage(database_url)
    inspector = inspect(store.database.engine)
    for table in metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == {c.name for c in table.columns}, table.name


def test_reanalysis_is_kept_as_history(database_url):
    store = Storage(database_url)
    store.save(make_analysis(id="old", created_at="2026-11-01T00:00:00+00:00"))
    store.save(make_analysis(id="new", created_at="2026-11-02T00:00:00+00:00"))
    latest = store.summaries()
    assert [s.id for s in latest] == ["new"]
    assert latest[0].history == 2
    assert {s.id for s in store.summaries(latest_only=False)} == {"old", "new"}
    store.delete("new", deleted_by="Ana")
    assert [s.id for s in store.summaries()] == ["old"]  # the earlier run is the latest again


def test_summary_counts(database_url):
    store = Storage(database_url)
    analysis = make_analysis(n_claims=7)
    store.save(analysis)
    summary = store.summaries()[0]
    assert summary.claims == 7
    # the factory cycles through the five verdicts: two of the first two, one of the others
    assert summary.verdicts == {"corroborated": 2, "single_source": 2, "contradicted": 1, "disputed": 1, "unverified": 1}
    assert summary.top_technique == analysis.top_technique().label
    assert summary.techniques_found == len(analysis.found_techniques()) > 0


def test_library_page_searches_filters_and_pages_in_the_database(database_url):
    store = Storage(database_url)
    for i in range(7):
        store.save(make_analysis(n_claims=1 + i % 3, id=f"a{i}", title=f"Story {i} about 100% growth rates" if i < 5 else f"Other {i}",
                                 outlet="Herald" if i % 2 else "Gazette", url=f"https://news.example/{i}",
                                 created_at=f"2026-11-0{1 + i}T00:00:00+00:00", engine="claude" if i == 6 else "local"))
    page = store.library_page(LibraryQuery(search="story", limit=2, offset=2))
    assert page.total == 5 and [s.id for s in page.rows] == ["a2", "a1"]  # newest first
    assert store.library_page(LibraryQuery(search="100%")).total == 5  # LIKE wildcards are taken literally
    assert store.library_page(LibraryQuery(search="h_rates")).total == 0
    assert {s.id for s in store.library_page(LibraryQuery(outlets=("Herald",))).rows} == {"a1", "a3", "a5"}
    assert [s.id for s in store.library_page(LibraryQuery(engines=("claude",))).rows] == ["a6"]
    # claims cycle corroborated, single source, contradicted: only analyses with 3 claims have a contradicted one
    assert {s.id for s in store.library_page(LibraryQuery(verdicts=("contradicted",))).rows} == {"a2", "a5"}
    assert store.library_facets() == {"outlets": ["Gazette", "Herald"], "engines": ["claude", "local"]}


def test_delete_removes_everything(database_url):
    store = Storage(database_url)
    store.save(make_analysis(id="a1"))
    store.delete("a1", deleted_by="Ana")
    assert store.summaries() == [] and store.evidence_page(EvidenceQuery()).total == 0
    with pytest.raises(NotFoundError):
        store.get("a1")
    with pytest.raises(NotFoundError):
        store.delete("a1", deleted_by="Ana")


def test_delete_article_removes_all_its_runs(database_url):
    store = Storage(database_url)
    store.save(make_analysis(id="r1", created_at="2026-11-01T00:00:00+00:00"))
    store.save(make_analysis(id="r2", created_at="2026-11-02T00:00:00+00:00"))
    store.save(make_analysis(id="other", url="https://other.example/1"))
    assert store.delete_article(store.get("r1").article.url, deleted_by="Ana") == 2
    assert [s.id for s in store.summaries(latest_only=False)] == ["other"]


def test_evidence_page_filters_counts_and_pages(database_url):
    store = Storage(database_url)
    analysis = make_analysis(n_claims=4, url="https://a.example/1")
    store.save(analysis)
    store.save(make_analysis(n_claims=2, id="older", url="https://a.example/1", created_at="2026-01-01T00:00:00+00:00"))  # an earlier run
    everything = store.evidence_page(EvidenceQuery())
    assert everything.total == 8
    assert sorted((r["claim"], r["stance"], r["snippet"]) for r in everything.rows) == sorted(
        (c.text, e.stance.value, e.snippet) for c in analysis.claims for e in c.evidence)
    refutes = store.evidence_page(EvidenceQuery(stances=("refutes",)))
    assert refutes.total == sum(e.stance.value == "refutes" for c in analysis.claims for e in c.evidence)
    assert len(store.evidence_page(EvidenceQuery(limit=3, offset=6)).rows) == 2
    counts = store.evidence_counts(EvidenceQuery())
    assert sum(sum(v.values()) for v in counts.by_source_type.values()) == 8
    assert sum(counts.by_outlet["The Daily Example"].values()) == 4  # claims, not evidence items
    domains, articles = store.evidence_facets()
    assert "example0.org" in domains and articles == [(analysis.id, analysis.article.title)]


def test_evidence_rows_keep_whether_each_passage_counted_why_not_and_its_figures(database_url):
    """Issue 27: the Evidence page reads counted, the one reason and the figures compared from the rows saved."""
    store = Storage(database_url)
    analysis = make_analysis(n_claims=4, url="https://a.example/1")
    first = analysis.claims[0]
    own = replace(first.evidence[0], stance=Stance.SUPPORTS, decisive=True, outlet=analysis.article.outlet)
    figures = replace(first.evidence[1], facts="differs: the claim says €385m, this passage €412 million (budgeted)")
    analysis = replace(analysis, claims=(replace(first, evidence=(own, figures)), *analysis.claims[1:]))
    store.save(analysis)
    rows = store.evidence_page(EvidenceQuery()).rows
    expected = sorted((c.id, e.snippet, counts(e, analysis.article), not_counted_reason(e, analysis.article), e.facts)
                      for c in analysis.claims for e in c.evidence)
    assert sorted((r["claim_id"], r["snippet"], r["counted"], r["reason"], r["facts"]) for r in rows) == expected
    assert {(r["counted"], r["reason"]) for r in rows if r["snippet"] == own.snippet and r["claim_id"] == first.id} \
        == {(False, OWN_OUTLET)}  # decisive, but from the article's own outlet
    assert any(r["counted"] for r in rows) and any(r["reason"] for r in rows) and any(r["facts"] for r in rows)
    counted = store.evidence_page(EvidenceQuery(counted=True))
    others = store.evidence_page(EvidenceQuery(counted=False))
    assert counted.total == sum(e[2] for e in expected) and counted.total + others.total == len(expected)
    assert all(r["counted"] for r in counted.rows) and not any(r["counted"] for r in others.rows)
    assert store.evidence_counts(EvidenceQuery(counted=True)).by_source_type  # the charts follow the filter


def test_failed_save_leaves_nothing_half_written(database_url, monkeypatch):
    store = Storage(database_url)

    def explode(db, analysis):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Storage, "_write_derived", staticmethod(explode))
    with pytest.raises(RuntimeError, match="disk full"):
        store.save(make_analysis())
    assert store.summaries(latest_only=False) == [] and store.count() == 0


def test_duplicate_id_is_refused_but_a_jobs_second_save_is_a_no_op(database_url):
    store = Storage(database_url)
    store.save(make_analysis(id="a1"))
    with pytest.raises(StorageError, match="already stored"):
        store.save(make_analysis(id="a1"))
    store.save(make_analysis(id="j1", url="https://j.example/1"), job_id="j1")
    store.save(make_analysis(id="j1", url="https://j.example/1"), job_id="j1")
    assert store.count() == 2


def test_revision_changes_on_every_save_and_delete(database_url):
    store = Storage(database_url)
    first = store.revision()
    store.save(make_analysis(id="x", url="https://a.example/1"))
    second = store.revision()
    store.delete("x", deleted_by="Ana")
    third = store.revision()
    assert first < second < third
    assert Storage(database_url).revision() == third  # another handle, e.g. another process, sees it


def _sentences(*texts: str) -> list[IndexedSentence]:
    rng = np.random.default_rng(len(texts))
    return [IndexedSentence(i, t, rng.standard_normal(384).astype(np.float16).tobytes()) for i, t in enumerate(texts)]


def test_library_index_finds_sentences_and_leaves_out_the_article_itself(database_url):
    store = Storage(database_url)
    bridge = make_analysis(id="b1", url="https://planet.example/bridge", quote="The Morandi bridge in Genoa collapsed.")
    store.save(bridge, index=_sentences("The Morandi bridge in Genoa collapsed in August 2018.", "Traffic was diverted."))
    copy = make_analysis(id="b2", url="https://copy.example/bridge", quote="The Morandi bridge in Genoa collapsed.")
    store.save(copy, index=_sentences("The Morandi bridge in Genoa collapsed in August 2018."))
    hits = store.search_library(["morandi", "genoa"], exclude_key="https://other.example/x", exclude_text_hash="", limit=10)
    assert {h.article_key for h in hits} == {"https://planet.example/bridge", "https://copy.example/bridge"}
    assert len(hits[0].embedding) == 384 * 2
    own = store.search_library(["morandi"], exclude_key="https://planet.example/bridge",
                               exclude_text_hash=text_hash(bridge.article.text), limit=10)
    assert own == []  # the copy has the same text under another address
    store.delete("b1", deleted_by="Ana")
    assert [h.article_key for h in store.search_library(["traffic"], exclude_key="", exclude_text_hash="", limit=10)] == []


def test_articles_stored_before_the_index_are_offered_for_indexing(database_url):
    store = Storage(database_url)
    store.save(make_analysis(id="old"))
    assert [i for i, _ in store.unindexed_articles(limit=5)] == ["old"]
    store.add_to_index("old", [])
    assert store.unindexed_articles(limit=5) == []  # an article with no usable sentence is not offered again


def test_evidence_domain():
    assert evidence_domain("https://WWW.Example.org/x", "Example") == "example.org"
    assert evidence_domain(None, "Pasted outlet") == "Pasted outlet"
    assert evidence_domain("javascript:alert(1)", None) == ""


def test_jobs_are_claimed_once_and_lost_ones_come_back(database_url):
    jobs = Storage(database_url).jobs
    job, created = jobs.create("analyze", "https://x.example/1", {"input": {"kind": "url", "url": "https://x.example/1"}},
                               batch_id="b", dedupe_key="url:x")
    twin, twin_created = jobs.create("analyze", "https://x.example/1", {}, batch_id="b", dedupe_key="url:x")
    assert created and not twin_created and twin.id == job.id
    assert jobs.claim(job.id, "worker-1").status == "running"
    assert jobs.claim(job.id, "worker-2") is None  # a task delivered twice runs once
    assert jobs.progress(job.id, "worker-1", stage="read", message="Embedding 12 sentences", fraction=0.4)
    assert jobs.get(job.id).message == "Embedding 12 sentences"
    assert jobs.requeue_silent(heartbeat_timeout=60) == []
    assert jobs.requeue_silent(heartbeat_timeout=-1) == [job.id]  # its heartbeat is older than "now + 1 s"
    assert jobs.get(job.id).status == "queued"
    assert not jobs.progress(job.id, "worker-1")  # the silent worker no longer owns it
    assert jobs.claim(job.id, "worker-2").attempts == 2
    jobs.fail(job.id, "worker-2", "Could not connect.", "Check the address.")
    assert jobs.counts() == {"queued": 0, "running": 0, "done": 0, "failed": 1}
    assert jobs.retry(job.id).status == "queued"
    jobs.claim(job.id, "worker-3")
    jobs.finish(job.id, "worker-3", "analysis1")
    finished = jobs.get(job.id)
    assert finished.status == "done" and finished.analysis_id == "analysis1" and finished.finished
    assert [j.id for j in jobs.list(statuses=("done",))] == [job.id]
    # The sweep's view of queued jobs: those untouched for a while, and the mark that they were sent again.
    waiting, _ = jobs.create("analyze", "https://x.example/2", {}, dedupe_key="url:y")
    assert jobs.waiting(idle_for=60) == [] and jobs.waiting(idle_for=-1) == [waiting.id]
    assert jobs.mark_resent([waiting.id, job.id], "Sent to the queue again") == [waiting.id]  # job is done, not queued
    assert jobs.waiting(idle_for=-1) == [waiting.id] and jobs.waiting(idle_for=60) == []
    assert jobs.get(waiting.id).message == "Sent to the queue again" and jobs.get(job.id).message == "Done"


def test_feeds_remember_the_items_they_have_seen(database_url):
    from core.errors import InputError
    from core.storage.feeds import FeedItem

    feeds = Storage(database_url).feeds
    feed = feeds.add("https://news.example/rss", sources=("library",))
    with pytest.raises(InputError, match="already follow"):
        feeds.add("https://news.example/rss")
    items = [FeedItem("1", "https://news.example/1", "One", ""), FeedItem("2", "https://news.example/2", "Two", "")]
    assert feeds.unseen(feed.id, items + items[:1]) == items
    feeds.mark_seen(feed.id, [(item, f"job{item.key}") for item in items])
    feeds.mark_seen(feed.id, [(items[0], "job1")])  # a poll run twice records an item once
    assert feeds.unseen(feed.id, items + [FeedItem("3", "https://news.example/3", "Three", "")]) == [
        FeedItem("3", "https://news.example/3", "Three", "")]
    assert feeds.get(feed.id).items_seen == 2 and feeds.get(feed.id).sources == ("library",)
    feeds.remove(feed.id)
    assert feeds.list() == []


@pytest.mark.processes
def test_database_is_a_url_for_postgresql_and_never_shows_its_password(postgres_server_url):
    from core.storage import describe

    database = Database(postgres_server_url)
    assert database.dialect == "postgresql" and database.revision() == HEAD
    assert describe("postgresql://user:secret@db.example/crosscheck") == "postgresql://user:***@db.example/crosscheck"


def test_articles_are_keyed_by_url_else_text():
    from core.identity import article_key

    assert article_key(Article(text="x", url="HTTPS://Example.org/Story/")) == "https://example.org/Story"
    assert article_key(Article(text="same")).startswith("sha256:")


def test_save_all_is_one_transaction(database_url):
    store = Storage(database_url)
    first = make_analysis(id="x1", url="https://a.example/1")
    clash = make_analysis(id="x1", url="https://b.example/2")
    with pytest.raises(StorageError, match="already stored"):
        store.save_all([first, clash])
    assert store.summaries() == [] and store.revision() == 0


def test_read_only_storage_never_writes_and_needs_an_existing_file(tmp_path):
    path = tmp_path / "db.sqlite"
    Storage(path).save(make_analysis(id="x1", url="https://a.example/1"))
    reader = Storage(path, read_only=True)
    assert reader.get("x1").id == "x1"
    with pytest.raises(StorageError, match="read-only"):
        reader.save(make_analysis(id="x2", url="https://a.example/2"))
    with pytest.raises(StorageError, match="There is no database"):
        Storage(tmp_path / "missing.sqlite", read_only=True)
    assert not (tmp_path / "missing.sqlite").exists()
