"""SQLite storage: round trips, history, deletion, atomicity and migrations with data in place."""
from __future__ import annotations

import json
import sqlite3

import pytest

from core import storage as storage_module
from core.errors import NotFoundError, StorageError
from core.ml.reference import NewsReference
from core.models import SCHEMA, Analysis, Technique
from core.storage import MIGRATIONS, Storage
from testkit.factories import make_analysis, v1_document


def test_round_trip_is_lossless(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    analysis = make_analysis()
    store.save(analysis)
    assert store.get(analysis.id) == analysis
    assert Analysis.from_dict(json.loads(json.dumps(analysis.to_dict()))) == analysis


def test_wal_mode(tmp_path):
    Storage(tmp_path / "db.sqlite")
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reanalysis_is_kept_as_history(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    store.save(make_analysis(id="old", created_at="2026-11-01T00:00:00+00:00"))
    store.save(make_analysis(id="new", created_at="2026-11-02T00:00:00+00:00"))
    latest = store.summaries()
    assert [s.id for s in latest] == ["new"]
    assert latest[0].history == 2
    assert {s.id for s in store.summaries(latest_only=False)} == {"old", "new"}
    assert store.get("old").id == "old"


def test_summary_counts(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    analysis = make_analysis(n_claims=7)
    store.save(analysis)
    summary = store.summaries()[0]
    assert summary.claims == 7
    # the factory cycles through the five verdicts: two of the first two, one of the others
    assert summary.verdicts == {"corroborated": 2, "single_source": 2, "contradicted": 1, "disputed": 1, "unverified": 1}
    assert summary.top_technique == analysis.top_technique().label
    assert summary.techniques_found == len(analysis.found_techniques()) > 0


def test_delete_removes_everything(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    store.save(make_analysis(id="a1"))
    store.delete("a1")
    assert store.summaries() == [] and store.evidence_table() == []
    with pytest.raises(NotFoundError):
        store.get("a1")
    with pytest.raises(NotFoundError):
        store.delete("a1")


def test_evidence_table_joins_claims_and_articles(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    analysis = make_analysis(n_claims=2)
    store.save(analysis)
    rows = store.evidence_table()
    assert len(rows) == 4
    assert sorted((r["claim"], r["stance"], r["snippet"]) for r in rows) == sorted(
        (c.text, e.stance.value, e.snippet) for c in analysis.claims for e in c.evidence)
    assert {r["article"] for r in rows} == {"Council spending under fire"}


def test_failed_save_leaves_nothing_half_written(tmp_path, monkeypatch):
    store = Storage(tmp_path / "db.sqlite")

    def explode(db, analysis):
        raise sqlite3.OperationalError("disk full")

    monkeypatch.setattr(storage_module, "_write_derived", explode)
    with pytest.raises(StorageError, match="disk full"):
        store.save(make_analysis())
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0


def test_duplicate_id_is_refused(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    store.save(make_analysis())
    with pytest.raises(StorageError, match="already stored"):
        store.save(make_analysis())


def test_upgrade_from_version_1_keeps_and_indexes_data(tmp_path):
    """A database written by schema 1 (documents only) upgrades with its analyses intact and indexed."""
    path = tmp_path / "old.sqlite"
    analysis = make_analysis(n_claims=2)
    with sqlite3.connect(path) as db:
        MIGRATIONS[0](db)
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO articles (key, url, title, outlet, first_seen) VALUES ('k', ?, ?, ?, ?)",
                   (analysis.article.url, analysis.article.title, analysis.article.outlet, analysis.created_at))
        db.execute("INSERT INTO analyses VALUES (?, 1, ?, 'local', 0, ?)",
                   (analysis.id, analysis.created_at, json.dumps(v1_document(analysis))))  # what schema 1 stored
    store = Storage(path)
    assert store.schema_version == len(MIGRATIONS)
    upgraded = store.get(analysis.id)
    assert (upgraded.article, upgraded.claims) == (analysis.article, analysis.claims)
    assert [(t.name, t.confidence, t.spans) for t in upgraded.techniques] == [
        (t.name, t.confidence, t.spans) for t in analysis.techniques]
    assert store.summaries()[0].claims == 2
    assert len(store.evidence_table()) == 4


def test_upgrade_migrates_version_1_documents_to_version_2(tmp_path):
    """A database of schema 3 holding crosscheck.analysis/1 documents (as Crosscheck wrote them then) upgrades
    them: strength, percentile and found recomputed from the stored passages and text, summaries rewritten."""
    path = tmp_path / "v3.sqlite"
    local, claude = make_analysis(n_claims=2, id="local1"), make_analysis(n_claims=1, id="claude1", engine="claude",
                                                                           url="https://other.example/2")
    with sqlite3.connect(path) as db:
        for migration in MIGRATIONS[:3]:
            migration(db)
        db.execute("PRAGMA user_version = 3")
        for number, analysis in enumerate((local, claude), start=1):
            document = v1_document(analysis)
            old_found = sum(1 for t in document["techniques"] if t["confidence"] >= 0.5)  # the old rule
            db.execute("INSERT INTO articles (key, url, title, outlet, first_seen) VALUES (?, ?, ?, ?, ?)",
                       (f"k{number}", analysis.article.url, analysis.article.title, analysis.article.outlet, analysis.created_at))
            db.execute("INSERT INTO analyses VALUES (?, ?, ?, ?, 0, ?, ?)",
                       (analysis.id, number, analysis.created_at, analysis.engine.name, json.dumps(document),
                        json.dumps({"techniques_found": old_found, "claims": len(analysis.claims)})))
    store = Storage(path)
    assert store.schema_version == len(MIGRATIONS)
    upgraded = store.get("local1")
    expected, persuasion = NewsReference().assess(local.article.text, [Technique(t.name, t.confidence, t.spans)
                                                                       for t in local.techniques])
    assert upgraded.techniques == expected and upgraded.persuasion == persuasion
    assert upgraded.claims == local.claims
    summaries = {s.id: s for s in store.summaries()}
    assert summaries["local1"].techniques_found == len(upgraded.found_techniques())
    assert summaries["local1"].persuasion_percentile == persuasion.percentile
    assert summaries["claude1"].techniques_found == 0 and not store.get("claude1").found_techniques()
    with sqlite3.connect(path) as db:
        schemas = {json.loads(row[0])["schema"] for row in db.execute("SELECT document FROM analyses")}
    assert schemas == {SCHEMA}


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StorageError, match="newer Crosscheck"):
        Storage(path)


def test_corrupt_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot be opened"):
        Storage(path)


def test_latest_articles_excludes_the_current_one(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    store.save(make_analysis(id="x", url="https://a.example/1"))
    store.save(make_analysis(id="y", url="https://b.example/2", outlet="B News"))
    keys = [a.url for _, a in store.latest_articles(exclude_key="https://a.example/1")]
    assert keys == ["https://b.example/2"]


def test_revision_changes_on_every_save_and_delete(tmp_path):
    store = Storage(tmp_path / "db.sqlite")
    first = store.revision()
    store.save(make_analysis(id="x", url="https://a.example/1"))
    second = store.revision()
    store.delete("x")
    third = store.revision()
    assert first < second < third
    assert Storage(tmp_path / "db.sqlite").revision() == third  # another handle, e.g. another process, sees it
