"""Storage on SQLite and a real PostgreSQL: round trips, history, queries in the database, atomic migrations with data in place."""
from __future__ import annotations

import json
import multiprocessing
import random
import sqlite3
import time
from dataclasses import replace

import numpy as np
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from core.errors import NotFoundError, StorageError
from core.ml.reference import NewsReference
from core.identity import evidence_domain
from core.records import SCHEMA, Analysis, Article, Technique
from core.storage import EvidenceQuery, IndexedSentence, LibraryQuery, Storage, text_hash
from core.storage.database import ALEMBIC_USER_VERSION, MIGRATIONS, Database
from core.storage.database import database_url as database_url_of
from core.storage.tables import metadata
from testkit.factories import make_analysis, v1_document

HEAD = "0009"


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
    store.delete("new")
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
    store.delete("a1")
    assert store.summaries() == [] and store.evidence_page(EvidenceQuery()).total == 0
    with pytest.raises(NotFoundError):
        store.get("a1")
    with pytest.raises(NotFoundError):
        store.delete("a1")


def test_delete_article_removes_all_its_runs(database_url):
    store = Storage(database_url)
    store.save(make_analysis(id="r1", created_at="2026-11-01T00:00:00+00:00"))
    store.save(make_analysis(id="r2", created_at="2026-11-02T00:00:00+00:00"))
    store.save(make_analysis(id="other", url="https://other.example/1"))
    assert store.delete_article(store.get("r1").article.url) == 2
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


def _database_at(url: str, target: str) -> None:
    """An empty database migrated to revision ``target``, as an older Crosscheck left it."""
    engine = create_engine(database_url_of(url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)
    engine.dispose()


def test_revision_0007_upgrades_stored_v1_documents_to_v2(database_url):
    """A database at 0006 holding crosscheck.analysis/1 documents (what Crosscheck stored before issue 18):
    strength, percentile and found are recomputed from the stored passages and text, the summary columns follow."""
    local = make_analysis(n_claims=2, id="local1")
    claude = make_analysis(n_claims=1, id="claude1", engine="claude", url="https://other.example/2")
    _database_at(database_url, "0006")
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:
        for number, analysis in enumerate((local, claude), start=1):
            document = v1_document(analysis)
            old_found = sum(1 for t in document["techniques"] if t["confidence"] >= 0.5)  # the old 50 % rule
            db.execute(text("INSERT INTO articles (id, key, url, title, outlet, first_seen) VALUES (:id, :key, :url, :title, :outlet, :at)"),
                       {"id": number, "key": f"k{number}", "url": analysis.article.url, "title": analysis.article.title,
                        "outlet": analysis.article.outlet, "at": analysis.created_at})
            db.execute(text("INSERT INTO analyses (id, article_id, created_at, engine, partial, document, latest, "
                            "techniques_found, top_technique, claims_count) VALUES (:id, :article, :at, :engine, 0, :doc, "
                            ":latest, :found, 'Loaded Language', :claims)"),
                       {"id": analysis.id, "article": number, "at": analysis.created_at, "engine": analysis.engine.name,
                        "doc": json.dumps(document), "latest": True, "found": old_found, "claims": len(analysis.claims)})
    engine.dispose()
    store = Storage(database_url)
    assert store.schema_version == HEAD
    upgraded = store.get("local1")
    expected, persuasion = NewsReference().assess(local.article.text, [Technique(t.name, t.confidence, t.spans)
                                                                       for t in local.techniques])
    assert upgraded.techniques == expected and upgraded.persuasion == persuasion
    # A /1 document never held the passages' reasons (issue 26 added them); everything else is kept.
    without_reasons = tuple(replace(c, evidence=tuple(replace(e, reason=None) for e in c.evidence)) for c in local.claims)
    assert upgraded.claims == without_reasons and upgraded.article == local.article
    summaries = {s.id: s for s in store.summaries()}
    assert summaries["local1"].techniques_found == len(upgraded.found_techniques())
    assert summaries["local1"].top_technique == (upgraded.top_technique().label if upgraded.found_techniques() else "")
    assert summaries["local1"].persuasion_percentile == persuasion.percentile
    assert summaries["claude1"].techniques_found == 0 and not store.get("claude1").found_techniques()
    assert summaries["claude1"].persuasion_percentile is None
    with store.database.read() as db:
        schemas = {json.loads(row[0])["schema"] for row in db.execute(text("SELECT document FROM analyses"))}
    assert schemas == {SCHEMA}


def test_revision_0009_gives_rechecks_back_the_persuasion_of_the_run_they_replaced(database_url):
    """A database at 0008 holding re-checks stored without persuasion (before issue 26): each gets its
    predecessor's persuasion (a chain of re-checks included) and techniques, and the Library's columns follow."""
    original = make_analysis(n_claims=2, id="orig1", created_at="2026-11-01T00:00:00+00:00")
    note = ("Re-checked against the library on 2026-11-02 because newer articles bear on its claims: X (Y). "
            "Evidence from the other sources is from the analysis of 2026-11-01.",)
    lost = replace(original, persuasion=None, warnings=note)
    first = replace(lost, id="recheck1", created_at="2026-11-02T00:00:00+00:00")
    second = replace(lost, id="recheck2", created_at="2026-11-03T00:00:00+00:00", techniques=())
    rerun = replace(original, id="rerun1", created_at="2026-11-04T00:00:00+00:00", persuasion=None, warnings=())
    other = make_analysis(n_claims=1, id="other1", url="https://other.example/2", seed=3)
    other_recheck = replace(other, id="other2", created_at="2026-11-25T00:00:00+00:00", persuasion=None, warnings=note)
    _database_at(database_url, "0008")
    engine = create_engine(database_url_of(database_url))
    rows = ((1, original), (1, first), (1, second), (1, rerun), (2, other), (2, other_recheck))
    with engine.begin() as db:
        for number, stored in ((1, original), (2, other)):
            db.execute(text("INSERT INTO articles (id, key, url, title, outlet, first_seen) VALUES (:id, :key, :url, :title, :outlet, :at)"),
                       {"id": number, "key": f"k{number}", "url": stored.article.url, "title": stored.article.title,
                        "outlet": stored.article.outlet, "at": stored.created_at})
        for number, stored in rows:
            db.execute(text("INSERT INTO analyses (id, article_id, created_at, engine, partial, document, latest, "
                            "techniques_found, top_technique, claims_count, persuasion_percentile) VALUES (:id, :article, "
                            ":at, 'local', 0, :doc, :latest, :found, :top, :claims, :percentile)"),
                       {"id": stored.id, "article": number, "at": stored.created_at, "doc": json.dumps(stored.to_dict()),
                        "latest": stored.id in ("rerun1", "other2"), "found": len(stored.found_techniques()),
                        "top": stored.top_technique().label if stored.top_technique() else "", "claims": len(stored.claims),
                        "percentile": stored.persuasion.percentile if stored.persuasion else None})
    engine.dispose()
    store = Storage(database_url)
    assert store.schema_version == HEAD
    assert store.get("orig1") == original and store.get("other1") == other  # not re-checks: untouched
    assert store.get("recheck1") == replace(first, persuasion=original.persuasion)
    # A re-check of a re-check: the persuasion comes down the chain; lost techniques come back too.
    assert store.get("recheck2") == replace(second, persuasion=original.persuasion, techniques=original.techniques)
    assert store.get("rerun1") == rerun  # an analysis without the re-check's note is left as it was
    assert store.get("other2") == replace(other_recheck, persuasion=other.persuasion)
    summaries = {s.id: s for s in store.summaries(latest_only=False)}
    for analysis_id, source in (("recheck2", original), ("other2", other)):
        assert summaries[analysis_id].persuasion_percentile == source.persuasion.percentile
        assert summaries[analysis_id].techniques_found == len(source.found_techniques())
        assert summaries[analysis_id].top_technique == source.top_technique().label
    assert summaries["rerun1"].persuasion_percentile is None


def test_revision_changes_on_every_save_and_delete(database_url):
    store = Storage(database_url)
    first = store.revision()
    store.save(make_analysis(id="x", url="https://a.example/1"))
    second = store.revision()
    store.delete("x")
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
    store.delete("b1")
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


# ---------------------------------------------------------------- older SQLite files

_V1 = (
    "CREATE TABLE articles (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, url TEXT, title TEXT, outlet TEXT, first_seen TEXT NOT NULL)",
    "CREATE TABLE analyses (id TEXT PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
    "created_at TEXT NOT NULL, engine TEXT NOT NULL, partial INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE INDEX analyses_by_article ON analyses(article_id, created_at)",
)


def _legacy_file(path, version: int, analyses: list[Analysis], *, tables: tuple[str, ...] = _V1) -> None:
    """A database as a Crosscheck before Alembic left it: schema ``version`` (1 to 3), with data."""
    with sqlite3.connect(path) as db:
        for statement in tables:
            db.execute(statement)
        if version >= 2:
            db.execute("CREATE TABLE claims (analysis_id TEXT NOT NULL, claim_id TEXT NOT NULL, text TEXT NOT NULL, "
                       "verdict TEXT NOT NULL, verdict_confidence REAL NOT NULL, PRIMARY KEY (analysis_id, claim_id))")
            db.execute("CREATE TABLE evidence (analysis_id TEXT NOT NULL, claim_id TEXT NOT NULL, source_type TEXT NOT NULL, "
                       "title TEXT, url TEXT, outlet TEXT, snippet TEXT, stance TEXT NOT NULL, stance_confidence REAL NOT NULL)")
            db.execute("ALTER TABLE analyses ADD COLUMN summary TEXT NOT NULL DEFAULT '{}'")
        if version >= 3:
            db.execute("CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)")
            db.execute("INSERT INTO revision VALUES (1, 7)")
        for number, analysis in enumerate(analyses, start=1):
            db.execute("INSERT INTO articles (id, key, url, title, outlet, first_seen) VALUES (?, ?, ?, ?, ?, ?)",
                       (number, f"k{number}", analysis.article.url, analysis.article.title, analysis.article.outlet, analysis.created_at))
            db.execute("INSERT INTO analyses (id, article_id, created_at, engine, partial, document) VALUES (?, ?, ?, 'local', 0, ?)",
                       (analysis.id, number, analysis.created_at, json.dumps(analysis.to_dict())))
            if version >= 2:
                for claim in analysis.claims:
                    db.execute("INSERT INTO claims VALUES (?, ?, ?, ?, ?)",
                               (analysis.id, claim.id, claim.text, claim.verdict.value, claim.assessment.confidence or 0.0))
                    for e in claim.evidence:
                        db.execute("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   (analysis.id, claim.id, e.source_type.value, e.title, e.url, e.outlet, e.snippet,
                                    e.stance.value, e.stance_confidence))
        db.execute(f"PRAGMA user_version = {version}")


@pytest.mark.parametrize("version", [1, 2, 3])
def test_files_from_before_alembic_upgrade_with_their_data(tmp_path, version):
    path = tmp_path / "old.sqlite"
    stored = [make_analysis(n_claims=2, id="a1", url="https://a.example/1"),
              make_analysis(n_claims=5, id="b1", url="https://b.example/1", outlet="B News")]  # c5 is unverified
    _legacy_file(path, version, stored)
    store = Storage(path)
    assert store.schema_version == HEAD
    assert [store.get(a.id) for a in stored] == stored
    assert {s.id: s.claims for s in store.summaries()} == {"a1": 2, "b1": 5}
    assert store.evidence_page(EvidenceQuery()).total == 14
    assert {s.id for s in store.library_page(LibraryQuery(verdicts=("contradicted",))).rows} == {"b1"}
    assert store.revision() == (7 if version == 3 else 2)
    with sqlite3.connect(path) as db:  # migration 0006: an unverified claim's flat row loses its old 0.0
        rows = db.execute("SELECT verdict, verdict_confidence FROM claims").fetchall()
    assert ("unverified", None) in rows and all((confidence is None) == (verdict == "unverified") for verdict, confidence in rows)


def test_a_file_half_migrated_by_a_killed_old_version_opens(tmp_path):
    """The audit's kills during a first open left user_version 0 with some tables ("table claims already exists")."""
    path = tmp_path / "half.sqlite"
    _legacy_file(path, 2, [make_analysis(id="a1")])
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 0")
    store = Storage(path)
    assert store.get("a1") == make_analysis(id="a1") and store.schema_version == HEAD


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 4")
    with pytest.raises(StorageError, match="newer Crosscheck"):
        Storage(path)
    newer = tmp_path / "newer-alembic.sqlite"
    Storage(newer)
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="newer Crosscheck"):
        Storage(newer)


def test_corrupt_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="damaged or not a Crosscheck database"):
        Storage(path)


def _open(path: str) -> None:
    time.sleep(random.random() * 0.05)
    Storage(path)


@pytest.mark.processes
def test_concurrent_first_opens_and_kills_leave_a_usable_database(tmp_path):
    """Six processes open a new file at once and half of them are killed mid-way: the file opens and works."""
    for attempt in range(3):
        path = str(tmp_path / f"race{attempt}.sqlite")
        context = multiprocessing.get_context("spawn")
        processes = [context.Process(target=_open, args=(path,)) for _ in range(6)]
        for process in processes:
            process.start()
        time.sleep(0.3 + 0.2 * attempt)
        for process in processes[::2]:
            process.kill()
        for process in processes:
            process.join(60)
        assert all(p.exitcode in (0, -9) for p in processes), [p.exitcode for p in processes]
        store = Storage(path)
        assert store.schema_version == HEAD
        store.save(make_analysis(id=f"after{attempt}"))
        assert store.count() == 1


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
    assert jobs.lost(heartbeat_timeout=60) == []
    assert jobs.lost(heartbeat_timeout=-1) == [job.id]  # its heartbeat is older than "now + 1 s"
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


def test_feeds_remember_the_items_they_have_seen(database_url):
    from core.errors import InputError
    from core.storage.feeds import FeedItem

    feeds = Storage(database_url).feeds
    feed = feeds.add("https://news.example/rss", sources=("library",))
    with pytest.raises(InputError, match="already follow"):
        feeds.add("https://news.example/rss")
    items = [FeedItem("1", "https://news.example/1", "One", ""), FeedItem("2", "https://news.example/2", "Two", "")]
    assert feeds.new_items(feed.id, items) == items
    assert feeds.new_items(feed.id, items + [FeedItem("3", "https://news.example/3", "Three", "")]) == [
        FeedItem("3", "https://news.example/3", "Three", "")]
    assert feeds.get(feed.id).items_seen == 3 and feeds.get(feed.id).sources == ("library",)
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
