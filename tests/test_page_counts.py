"""The counts the Library and Evidence pages read unfiltered, kept at save and delete (core.storage.page_counts):
after any mix of saves, re-analyses, imports and deletions they equal the counts of the stored rows, on SQLite and a
real PostgreSQL, and a database upgraded to revision 0013 with data in it starts with the right counts (and, on
PostgreSQL, with its library index's stored text search vectors)."""
from __future__ import annotations

from dataclasses import replace

from core.storage import EvidenceQuery, IndexedSentence, Storage
from core.storage import database as database_module
from tests.test_storage import HEAD
from tests.test_storage_upgrades import save_as_before_0013
from testkit.factories import make_analysis



def every_latest(store: Storage) -> EvidenceQuery:
    """A query that matches every row but is not answered by the kept counts (it names every latest analysis): it
    counts the stored rows."""
    return EvidenceQuery(analysis_ids=tuple(s.id for s in store.summaries()) or ("none",))


def counted(store: Storage) -> tuple:
    """What the kept counts say, and what counting the stored rows says."""
    kept = (store.evidence_page(EvidenceQuery(limit=0)).total, store.evidence_counts(EvidenceQuery()),
            store.library_facets(), store.evidence_facets()[0])
    with store.database.read() as db:
        from sqlalchemy import text

        outlets = sorted(r[0] for r in db.execute(text(
            "SELECT DISTINCT a.outlet FROM analyses l JOIN articles a ON a.id = l.article_id "
            "WHERE l.latest AND COALESCE(a.outlet, '') != ''")))
        engines = sorted(r[0] for r in db.execute(text("SELECT DISTINCT engine FROM analyses WHERE latest")))
        domains = sorted(r[0] for r in db.execute(text(
            "SELECT DISTINCT e.domain FROM evidence e JOIN analyses l ON l.id = e.analysis_id "
            "WHERE l.latest AND e.domain != ''")))
    rows = (store.evidence_page(replace(every_latest(store), limit=0)).total, store.evidence_counts(every_latest(store)),
            {"outlets": outlets, "engines": engines}, domains)
    return kept, rows


def test_kept_counts_follow_saves_reanalyses_imports_and_deletions(database_url):
    store = Storage(database_url)
    assert counted(store)[0] == (0, counted(store)[1][1], {"outlets": [], "engines": []}, [])
    store.save(make_analysis(id="a1", n_claims=4, outlet="Gazette", url="https://g.example/1"))
    store.save(make_analysis(id="b1", n_claims=6, outlet="Herald", url="https://h.example/1", seed=2, engine="claude"))
    kept, rows = counted(store)
    assert kept == rows and kept[0] == 20 and kept[2]["outlets"] == ["Gazette", "Herald"]
    # A re-analysis under another outlet name: the older run's share goes, the newer one's comes.
    store.save(make_analysis(id="a2", n_claims=2, outlet="The Gazette", url="https://g.example/1",
                             created_at="2026-11-30T00:00:00+00:00", n_evidence=3))
    # An older run imported after a newer one: the newer stays the latest, counts unchanged by it.
    store.save_all([make_analysis(id="a0", n_claims=9, outlet="Gazette", url="https://g.example/1",
                                  created_at="2026-01-01T00:00:00+00:00"),
                    make_analysis(id="c1", n_claims=3, outlet="Courier", url="https://c.example/1", evidence_links=False)])
    kept, rows = counted(store)
    assert kept == rows and kept[0] == 6 + 12 + 6 and kept[2]["outlets"] == ["Courier", "Gazette", "Herald"]  # the outlet saved last
    store.delete("a2", deleted_by="Ana")  # a1 (older than a2, newer than a0) is the latest again
    kept, rows = counted(store)
    assert kept == rows and kept[0] == 8 + 12 + 6
    store.delete_article("https://h.example/1", deleted_by="Ana")
    kept, rows = counted(store)
    assert kept == rows and "claude" not in kept[2]["engines"]
    for key in ("https://g.example/1", "https://c.example/1"):
        store.delete_article(key, deleted_by="Ana")
    assert counted(store)[0] == (0, counted(store)[1][1], {"outlets": [], "engines": []}, [])


def test_revision_0013_counts_what_is_stored(database_url, monkeypatch):
    upgrade = database_module.command.upgrade
    monkeypatch.setattr(database_module.command, "upgrade", lambda config, _head: upgrade(config, "0012"))
    save_as_before_0013(monkeypatch)
    old = Storage(database_url)
    assert old.schema_version == "0012"
    old.save(make_analysis(id="a1", n_claims=4, outlet="Gazette", url="https://g.example/1"))
    old.save(make_analysis(id="a2", n_claims=7, outlet="Gazette", url="https://g.example/1",
                           created_at="2026-11-30T00:00:00+00:00"))
    old.save(make_analysis(id="b1", n_claims=5, outlet="", url="https://h.example/1", evidence_links=False),
             index=[IndexedSentence(0, "Zanzibar's clove exports fell by a third.", bytes(768))])
    old.database.dispose()
    monkeypatch.undo()

    upgraded = Storage(database_url)
    assert upgraded.schema_version == HEAD
    kept, rows = counted(upgraded)
    assert kept == rows and kept[0] == 24 and kept[2] == {"outlets": ["Gazette"], "engines": ["local"]}
    # The library index of before (PostgreSQL: its vectors now stored in library_words) still finds the sentence.
    assert [h.analysis_id for h in upgraded.search_library(["zanzibar", "clove"], exclude_key="", exclude_text_hash="",
                                                            limit=5)] == ["b1"]
    upgraded.delete("a2", deleted_by="Ana")  # and they are kept from there on
    kept, rows = counted(upgraded)
    assert kept == rows and kept[0] == 18


def test_the_article_filter_offers_the_newest_articles_with_evidence_and_those_named(database_url, monkeypatch):
    from core.storage import evidence_queries

    monkeypatch.setattr(evidence_queries, "ARTICLE_OPTIONS", 2)
    store = Storage(database_url)
    for day, title in enumerate(("Oldest", "Older", "Newer", "Newest"), start=1):
        store.save(make_analysis(id=title.lower(), title=title, url=f"https://g.example/{day}",
                                 created_at=f"2026-11-0{day}T00:00:00+00:00"))
    store.save(make_analysis(id="bare", title="No evidence", url="https://g.example/9", n_evidence=0,
                             created_at="2026-11-09T00:00:00+00:00"))
    assert store.evidence_facets()[1] == [("newer", "Newer"), ("newest", "Newest")]
    assert store.evidence_facets(named=["oldest", "bare", "nope"])[1] == [
        ("newer", "Newer"), ("newest", "Newest"), ("oldest", "Oldest")]
