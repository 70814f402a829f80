"""Storage upgrades with data in place: Alembic revisions that rewrite stored documents, SQLite files from before
Alembic, a file half migrated by a killed process, a newer or damaged file, and first opens racing each other."""
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
from sqlalchemy import create_engine, text

from core.errors import StorageError
from core.identity import evidence_domain
from core.ml.reference import NewsReference
from core.records import SCHEMA, Analysis, Stance, Technique
from core.review import verdict_target
from core.storage import EvidenceQuery, LibraryQuery, Storage
from core.storage import analyses as analyses_module
from core.storage import database as database_module
from core.storage.database import MIGRATIONS
from core.storage.database import database_url as database_url_of
from core.story_clusters import signature
from core.verdict import counts, not_counted_reason
from testkit.factories import make_analysis, v1_document
from testkit.stories import store_on_topic, topic_sentences
from tests.test_storage import HEAD

# ---------------------------------------------------------------- revisions that rewrite stored documents


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


def store_as_before_0011(database_url: str, *stored: Analysis) -> None:
    """Analyses (each its own article) stored as Crosscheck did before revision 0011: document, summary, claim and
    evidence rows, the evidence rows without counted, reason and facts."""
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:
        for number, analysis in enumerate(stored, start=1):
            db.execute(text("INSERT INTO articles (id, key, url, title, outlet, first_seen) VALUES (:id, :key, :url, :title, "
                            ":outlet, :at)"), {"id": number, "key": analysis.article.url or f"k{number}",
                                               "url": analysis.article.url, "title": analysis.article.title,
                                               "outlet": analysis.article.outlet, "at": analysis.created_at})
            db.execute(text("INSERT INTO analyses (id, article_id, created_at, engine, partial, document, latest, claims_count) "
                            "VALUES (:id, :article, :at, 'local', 0, :doc, :latest, :claims)"),
                       {"id": analysis.id, "article": number, "at": analysis.created_at, "doc": json.dumps(analysis.to_dict()),
                        "latest": True, "claims": len(analysis.claims)})
            for claim in analysis.claims:
                db.execute(text("INSERT INTO claims (analysis_id, claim_id, text, verdict, verdict_confidence) VALUES "
                                "(:a, :c, :text, :verdict, :confidence)"),
                           {"a": analysis.id, "c": claim.id, "text": claim.text, "verdict": claim.verdict.value,
                            "confidence": claim.assessment.confidence})
                for e in claim.evidence:
                    db.execute(text("INSERT INTO evidence (analysis_id, claim_id, source_type, title, url, outlet, snippet, "
                                    "stance, stance_confidence, domain) VALUES (:a, :c, :kind, :title, :url, :outlet, "
                                    ":snippet, :stance, :confidence, :domain)"),
                               {"a": analysis.id, "c": claim.id, "kind": e.source_type.value, "title": e.title,
                                "url": e.url, "outlet": e.outlet, "snippet": e.snippet, "stance": e.stance.value,
                                "confidence": e.stance_confidence, "domain": evidence_domain(e.url, e.outlet)})
    engine.dispose()


def test_revision_0011_fills_whether_each_passage_counted_why_not_and_its_figures(database_url, tmp_path):
    """A database at 0010 with evidence rows (issue 27): the three new columns come from each stored document, as a
    save now writes them, and nothing else stored changes; a document older than "decisive" gets the old rule."""
    analysis = make_analysis(n_claims=4, id="a1", url="https://a.example/1")
    first = analysis.claims[0]
    own = replace(first.evidence[0], stance=Stance.SUPPORTS, decisive=True, outlet=analysis.article.outlet)
    figures = replace(first.evidence[1], facts="differs: the claim says €385m, this passage €412 million (budgeted)")
    twice = replace(analysis.claims[1], evidence=analysis.claims[1].evidence * 2)  # the same passage found twice
    analysis = replace(analysis, claims=(replace(first, evidence=(own, figures)), twice, *analysis.claims[2:]))
    other = make_analysis(n_claims=3, id="b1", url="https://b.example/1", seed=2, evidence_links=False)
    legacy = make_analysis(n_claims=2, id="c1", url="https://c.example/1", seed=3)
    _database_at(database_url, "0010")
    store_as_before_0011(database_url, analysis, other, legacy)
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:  # a document from before issue 26: its evidence does not say whether it was decisive
        document = legacy.to_dict()
        for claim in document["claims"]:
            for item in claim["evidence"]:
                del item["decisive"], item["reason"], item["facts"]
        db.execute(text("UPDATE analyses SET document = :doc WHERE id = 'c1'"), {"doc": json.dumps(document)})
        before = sorted(tuple(r) for r in db.execute(text("SELECT analysis_id, claim_id, source_type, title, url, outlet, "
                                                          "snippet, stance, stance_confidence, domain FROM evidence")))
    engine.dispose()

    store = Storage(database_url)
    assert store.schema_version == HEAD
    with store.database.read() as db:
        rows = db.execute(text("SELECT analysis_id, claim_id, source_type, title, url, outlet, snippet, stance, "
                               "stance_confidence, domain, counted, reason, facts FROM evidence")).all()
    assert sorted(tuple(r[:10]) for r in rows) == before
    expected = sorted((a.id, c.id, e.snippet, counts(e, a.article), not_counted_reason(e, a.article), e.facts)
                      for a in map(store.get, ("a1", "b1", "c1")) for c in a.claims for e in c.evidence)
    assert sorted((r[0], r[1], r[6], bool(r[10]), r[11], r[12]) for r in rows) == expected
    fresh = Storage(str(tmp_path / "fresh.db"))  # what a save writes now is what the upgrade wrote
    for stored in map(store.get, ("a1", "b1", "c1")):
        fresh.save(stored)
    with fresh.database.read() as db:
        saved = db.execute(text("SELECT analysis_id, claim_id, snippet, counted, reason, facts FROM evidence")).all()
    assert sorted((a, c, snippet, bool(counted), reason, facts) for a, c, snippet, counted, reason, facts in saved) == expected
    by_snippet = {(r[0], r[1], r[6]): (bool(r[10]), r[11]) for r in rows}
    assert by_snippet[("a1", first.id, own.snippet)] == (False, "not counted: the article's own outlet")
    assert {r[12] for r in rows if r[0] == "a1" and r[6] == figures.snippet} == {figures.facts}
    legacy_rows = [(r[7], r[8], bool(r[10]), r[11]) for r in rows if r[0] == "c1"]
    assert legacy_rows and all(counted == (stance != "neutral" and confidence >= 0.6)
                               and reason == (None if counted or stance == "neutral" else "not counted: short of the decisive rule")
                               for stance, confidence, counted, reason in legacy_rows)
    assert store.evidence_page(EvidenceQuery(counted=True)).total == sum(e[3] for e in expected)


def save_as_before_0013(monkeypatch) -> None:
    """Save as Crosscheck did before revision 0013: without the page counts (the table is not there yet), without
    joining a story (today's join writes the stories' change record of 0015), and without the summary column of 0018."""
    monkeypatch.setattr(analyses_module, "count_out", lambda db, article_id: None)
    monkeypatch.setattr(analyses_module, "count_in", lambda db, article_id: None)
    monkeypatch.setattr(analyses_module, "join_story", lambda db, article_id, **details: None)
    summary = analyses_module._summary_columns
    monkeypatch.setattr(analyses_module, "_summary_columns",
                        lambda analysis: {k: v for k, v in summary(analysis).items() if k != "found_techniques"})


def test_revision_0010_keeps_what_a_deletion_of_a_reviewed_analysis_ends(database_url, monkeypatch):
    """A database at 0009 with reviewed analyses in it: after the upgrade nothing stored changed, and deleting one
    leaves a record of who deleted it and of its review (issue 30, item 6)."""
    upgrade = database_module.command.upgrade
    monkeypatch.setattr(database_module.command, "upgrade", lambda config, _head: upgrade(config, "0009"))
    old = Storage(database_url)
    assert old.schema_version == "0009"
    analysis, other = make_analysis(id="a1"), make_analysis(id="b1", url="https://b.example/1")
    store_as_before_0011(database_url, analysis, other)
    old.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    old.reviews.add_note("a1", "Ask the desk.", author="Ana")
    before = old.reviews.get("a1")
    old.database.dispose()
    monkeypatch.undo()

    upgraded = Storage(database_url)
    assert upgraded.schema_version == HEAD
    assert upgraded.get("a1") == analysis and upgraded.get("b1") == other and upgraded.reviews.get("a1") == before
    assert upgraded.reviews.deletions() == []
    upgraded.delete("a1", deleted_by="Ben")
    (record,) = upgraded.reviews.deletions()
    assert (record.analysis_id, record.deleted_by, record.review) == ("a1", "Ben", before.to_dict())
    assert upgraded.reviews.get("a1").empty and upgraded.get("b1") == other


def test_revision_0015_keeps_the_stories_and_a_new_article_joins_one_of_them(database_url):
    """A database at 0014 with a story in it (issue 31): the upgrade adds the stories' change record, empty, with a
    token of its own, and the next article of that event joins the stored story, its members read into the cache."""
    stored = make_analysis(id="a1", title="Ebola outbreak declared in Bikoro", url="https://one.example/1")
    lead = signature(embeddings=[s.embedding for s in topic_sentences(1, seed=1)], title=stored.article.title,
                     text=stored.article.text, published="2026-11-20")
    _database_at(database_url, "0014")
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:
        article = db.execute(text("INSERT INTO articles (key, url, title, outlet, first_seen) VALUES ('k1', :url, :title, "
                                  "'One', '2026-11-20') RETURNING id"),
                             {"url": stored.article.url, "title": stored.article.title}).scalar_one()
        story = db.execute(text("INSERT INTO stories (title, created_at, size, first_day, last_day) VALUES (:title, "
                                "'2026-11-20', 1, :day, :day) RETURNING id"),
                           {"title": stored.article.title, "day": lead.day}).scalar_one()
        db.execute(text("INSERT INTO story_members (article_id, story_id, vector, day, actors, terms, placed_by, joined_at) "
                        "VALUES (:article, :story, :vector, :day, '[]', :terms, '', '2026-11-20')"),
                   {"article": article, "story": story, "vector": lead.vector.astype(np.float16).tobytes(),
                    "day": lead.day, "terms": json.dumps(lead.terms)})
        for term in lead.terms:
            db.execute(text("INSERT INTO story_words (term, articles) VALUES (:term, 1)"), {"term": term})
    engine.dispose()
    store = Storage(database_url)
    assert store.schema_version == HEAD
    with store.database.read() as db:
        generation, since, epoch = db.execute(text("SELECT story_generation, story_changes_since, story_epoch "
                                                   "FROM revision")).one()
        assert (generation, since) == (0, 0) and len(epoch) == 32
        assert db.execute(text("SELECT COUNT(*) FROM story_changes")).scalar_one() == 0
    store_on_topic(store, make_analysis(id="a2", title=stored.article.title, outlet="Two", url="https://two.example/1"),
                   topic=1, seed=2)
    assert store.stories.story_of("https://two.example/1") == story and store.stories.summary(story).size == 2
    with store.database.read() as db:
        assert db.execute(text("SELECT story_generation FROM revision")).scalar_one() == 1
        assert db.execute(text("SELECT story_id FROM story_changes")).scalars().all() == [story]


def test_revision_0016_merges_the_library_words_pending_list_and_keeps_none(database_url):
    """A database at 0015 with indexed sentences in it (issue 29): on PostgreSQL the upgrade merges the GIN index's
    pending list, where the stored sentences' words wait, and turns it off, so a sentence stored later goes straight
    into the index; the library search finds the sentences stored before and after, on either database."""
    _database_at(database_url, "0015")
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:
        article = db.execute(text("INSERT INTO articles (key, url, title, outlet, first_seen) VALUES ('k1', "
                                  "'https://one.example/1', 'Harbour', 'One', '2026-11-20') RETURNING id")).scalar_one()
        for position, sentence in enumerate(["The harbour dredging cost 40 million.", "Tourists crowded the quay."]):
            db.execute(text("INSERT INTO library_sentences (article_id, analysis_id, position, text, embedding) "
                            "VALUES (:article, 'a1', :position, :text, :embedding)"),
                       {"article": article, "position": position, "text": sentence, "embedding": b"\0" * 768})
        if engine.dialect.name == "postgresql":
            assert db.execute(text("SELECT count(*) FROM library_words")).scalar_one() == 2
    engine.dispose()
    store = Storage(database_url)
    assert store.schema_version == HEAD
    if store.database.dialect == "postgresql":
        with store.database.read() as db:
            assert db.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'library_words_search'")
                              ).scalar_one() == ["fastupdate=off"]
            # Nothing left to merge: the upgrade merged it, and nothing has gone into it since.
            assert db.execute(text("SELECT gin_clean_pending_list('library_words_search')")).scalar_one() == 0
    with store.database.write() as db:
        db.execute(text("INSERT INTO library_sentences (article_id, analysis_id, position, text, embedding) "
                        "VALUES (:article, 'a1', 2, 'Dredging resumes at the harbour in May.', :embedding)"),
                   {"article": article, "embedding": b"\0" * 768})
    if store.database.dialect == "postgresql":
        with store.database.read() as db:
            assert db.execute(text("SELECT gin_clean_pending_list('library_words_search')")).scalar_one() == 0
    hits = store.search_library(["dredging", "quay"], exclude_key="other", exclude_text_hash="other", limit=10)
    assert sorted(h.text for h in hits) == ["Dredging resumes at the harbour in May.", "The harbour dredging cost 40 million.",
                                            "Tourists crowded the quay."]


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
