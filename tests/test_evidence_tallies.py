"""The Evidence page's filtered totals, charts and rows read from the tallies kept at save and delete
(core.storage.evidence_tallies) and from the newest analyses (issue 29): under every filter they equal what the
matching rows themselves say, after any mix of saves, re-analyses, imports, reviews and deletions, on SQLite and a
real PostgreSQL; a database upgraded to revision 0019 with data in it starts with the right tallies."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import insert, select, text

from core.records import SourceType, Stance, weighed_stance
from core.review import verdict_target
from core.storage import EvidenceQuery, Storage
from core.storage import database as database_module
from core.storage import evidence_queries, evidence_tallies, page_counts
from core.storage.tables import page_counts as page_counts_table
from tests.test_storage import HEAD
from testkit.factories import make_analysis

FILTERS = (
    EvidenceQuery(),
    EvidenceQuery(stances=("refutes",)),
    EvidenceQuery(stances=("supports", "neutral")),
    EvidenceQuery(verdicts=("contradicted",)),
    EvidenceQuery(source_types=("web",)),
    EvidenceQuery(source_types=("wikipedia", "factcheck")),
    EvidenceQuery(counted=True),
    EvidenceQuery(counted=False),
    EvidenceQuery(domains=("example1.org",)),
    EvidenceQuery(stances=("refutes",), source_types=("web", "library"), counted=False),
    EvidenceQuery(stances=("supports",), verdicts=("corroborated", "single_source"), domains=("example0.org",)),
)


def latest_ids(store: Storage) -> tuple[str, ...]:
    return tuple(s.id for s in store.summaries())


def from_the_rows(store: Storage, query: EvidenceQuery) -> EvidenceQuery:
    """The same filter naming every latest analysis: the article filter keeps it off the tallies, on the rows."""
    return replace(query, analysis_ids=latest_ids(store) or ("none",))


def assert_tallies_match_the_rows(store: Storage) -> None:
    for query in FILTERS:
        rows_say = from_the_rows(store, query)
        assert store.evidence_page(replace(query, limit=0)).total == store.evidence_page(replace(rows_say, limit=0)).total, query
        assert store.evidence_counts(query) == store.evidence_counts(rows_say), query
    with store.database.read() as db:
        domains = sorted(r[0] for r in db.execute(text(
            "SELECT DISTINCT e.domain FROM evidence e JOIN analyses l ON l.id = e.analysis_id "
            "WHERE l.latest AND e.domain != ''")))
    assert store.evidence_facets()[0] == domains


def test_filtered_totals_and_charts_follow_saves_reanalyses_imports_reviews_and_deletions(database_url):
    store = Storage(database_url)
    assert_tallies_match_the_rows(store)
    store.save(make_analysis(id="a1", n_claims=6, outlet="Gazette", url="https://g.example/1"))
    store.save(make_analysis(id="b1", n_claims=9, outlet="Herald", url="https://h.example/1", seed=2, n_evidence=3))
    assert_tallies_match_the_rows(store)
    refutes = store.evidence_page(EvidenceQuery(stances=("refutes",), limit=0)).total
    assert 0 < refutes < store.evidence_page(EvidenceQuery(limit=0)).total  # the filters do filter here
    store.save(make_analysis(id="a2", n_claims=2, outlet="The Gazette", url="https://g.example/1",
                             created_at="2026-11-30T00:00:00+00:00", n_evidence=3))  # a re-analysis: a1 leaves
    store.save_all([make_analysis(id="a0", n_claims=9, outlet="Gazette", url="https://g.example/1",
                                  created_at="2026-01-01T00:00:00+00:00"),  # older than the latest: counts nothing
                    make_analysis(id="c1", n_claims=5, outlet="", url="https://c.example/1", evidence_links=False)])
    assert_tallies_match_the_rows(store)
    a2 = store.get("a2")
    store.reviews.decide(a2, verdict_target(a2.claims[0].id), "disputed", reviewer="Ana", reason="Denied.")
    assert_tallies_match_the_rows(store)  # a review leaves the machine's rows, and the tallies, as they were
    store.delete("a2", deleted_by="Ana")  # a1 is the latest again
    assert_tallies_match_the_rows(store)
    store.delete_article("https://h.example/1", deleted_by="Ana")
    assert_tallies_match_the_rows(store)
    for key in ("https://g.example/1", "https://c.example/1"):
        store.delete_article(key, deleted_by="Ana")
    assert store.evidence_page(EvidenceQuery(stances=("refutes",), limit=0)).total == 0
    assert store.evidence_counts(EvidenceQuery(stances=("refutes",))) == store.evidence_counts(EvidenceQuery(search="x"))


def test_a_page_from_the_newest_analyses_is_the_page_every_matching_row_gives(database_url, monkeypatch):
    """Pages read from the newest analyses (a small window, so that it often falls short and the page comes from
    every match) equal those read from every matching row, first, middle and last, under any filter."""
    store = Storage(database_url)
    for number in range(12):
        store.save(make_analysis(id=f"n{number:02d}", n_claims=3 + number % 5, seed=number, url=f"https://n.example/{number}",
                                 created_at=f"2026-11-{number + 1:02d}T00:00:00+00:00"))
    monkeypatch.setattr(evidence_queries, "WINDOW_MARGIN", 1.0)
    monkeypatch.setattr(evidence_queries, "WINDOW_SLACK", 0)
    read = []
    window = evidence_queries.EvidenceQueries._window
    monkeypatch.setattr(evidence_queries.EvidenceQueries, "_window",
                        lambda self, *args: read.append(window(self, *args)) or read[-1])
    for query in FILTERS:
        total = store.evidence_page(replace(query, limit=0)).total
        for limit, offset in ((5, 0), (5, 5), (7, max(0, total - 3)), (4, total // 2)):
            page = replace(query, limit=limit, offset=offset)
            windowed = store.evidence_page(page).rows
            with monkeypatch.context() as everything:
                everything.setattr(evidence_queries, "WINDOW_MAX", 0)
                assert windowed == store.evidence_page(page).rows, page
            assert len(windowed) == max(0, min(limit, total - offset))
    assert any(read), "no page came from a window of the newest analyses"


def test_every_source_type_and_stance_has_its_own_bit():
    bits = [evidence_tallies.kind_bit(s.value, t.value, c) for s in SourceType for t in Stance for c in (False, True)]
    assert len(set(bits)) == len(bits) and all(b > 0 and b < 2 ** 31 for b in bits)
    assert evidence_tallies.kinds_mask((), (), None) == sum(bits)
    assert evidence_tallies.kinds_mask(("web",), ("refutes",), True) == evidence_tallies.kind_bit("web", "refutes", True)


@pytest.mark.parametrize("empty", [False, True])
def test_revision_0019_tallies_what_is_stored(database_url, monkeypatch, empty):
    upgrade = database_module.command.upgrade
    monkeypatch.setattr(database_module.command, "upgrade", lambda config, _head: upgrade(config, "0018"))
    monkeypatch.setattr(page_counts.evidence_tallies, "tally", lambda db, analysis_id, outlet, sign: None)
    old = Storage(database_url)
    assert old.schema_version == "0018"
    if not empty:
        old.save(make_analysis(id="a1", n_claims=4, outlet="Gazette", url="https://g.example/1"))
        old.save(make_analysis(id="a2", n_claims=7, outlet="Gazette", url="https://g.example/1", seed=3,
                               created_at="2026-11-30T00:00:00+00:00"))
        old.save(make_analysis(id="b1", n_claims=5, outlet="", url="https://h.example/1", evidence_links=False))
    with old.database.write() as db:  # the Evidence page's counts of revision 0013, which the tallies replace
        db.execute(insert(page_counts_table).values(kind="source_type", key="web", value="supports", n=3))
    old.database.dispose()
    monkeypatch.undo()

    upgraded = Storage(database_url)
    assert upgraded.schema_version == HEAD
    with upgraded.database.read() as db:
        assert set(db.execute(select(page_counts_table.c.kind).distinct()).scalars()) <= {"library_engine", "library_outlet"}
    assert_tallies_match_the_rows(upgraded)
    assert upgraded.evidence_page(EvidenceQuery(limit=0)).total == (0 if empty else 14 + 10)
    every = upgraded.evidence_page(EvidenceQuery(limit=1000)).rows
    for search in ("claim number 2", "source 1 that"):  # the search words of what was stored before
        found = upgraded.evidence_page(EvidenceQuery(search=search, limit=1000)).rows
        assert found == [r for r in every if search in r["claim"].lower() or search in r["snippet"].lower()]
        assert bool(found) != empty
    if not empty:
        upgraded.delete("a2", deleted_by="Ana")  # and they are kept from there on
        assert_tallies_match_the_rows(upgraded)
        assert upgraded.evidence_page(EvidenceQuery(limit=0)).total == 8 + 10


def test_a_search_finds_what_the_rows_hold_and_past_its_limit_shows_the_newest_matches(database_url, monkeypatch):
    """The search's candidates (the substring index) lose no match, whatever the case; a search matching more than
    SEARCH_LIMIT says so, and its pages and charts are those of the newest SEARCH_LIMIT matches."""
    store = Storage(database_url)
    for number in range(12):
        store.save(make_analysis(id=f"n{number:02d}", n_claims=3 + number % 5, seed=number, url=f"https://n.example/{number}",
                                 created_at=f"2026-11-{number + 1:02d}T00:00:00+00:00"))
    store.save(make_analysis(id="n12", url="https://n.example/12", created_at="2026-11-13T00:00:00+00:00",
                             claims=["Zanzibar's clove exports fell by a third in 2025."]))
    every = store.evidence_page(EvidenceQuery(limit=1000)).rows
    for search in ("CLOVE EXPORTS", "source 1 that", "roads in 2002", "in", "%", "zz", "bears on claim 2."):
        page = store.evidence_page(EvidenceQuery(search=search, limit=1000))
        wanted = [r for r in every if search.lower() in r["claim"].lower() or search.lower() in (r["snippet"] or "").lower()]
        assert (page.rows, page.total, page.more) == (wanted, len(wanted), False), search
    everything = store.evidence_page(EvidenceQuery(search="claim", limit=1000)).rows
    assert len(everything) > 20
    monkeypatch.setattr(evidence_queries, "SEARCH_LIMIT", 20)
    monkeypatch.setattr(evidence_queries, "WINDOW_SLACK", 0)
    for limit, offset in ((5, 0), (5, 15), (20, 0)):
        capped = store.evidence_page(EvidenceQuery(search="claim", limit=limit, offset=offset))
        assert (capped.total, capped.more) == (20, True) and capped.rows == everything[offset:offset + limit]
    counts = store.evidence_counts(EvidenceQuery(search="claim"))
    by_type: dict = {}
    for row in everything[:20]:
        weighed = weighed_stance(row["stance"], row["counted"])
        by_type.setdefault(row["source_type"], {})[weighed] = by_type.get(row["source_type"], {}).get(weighed, 0) + 1
    assert counts.newest == 20 and counts.by_source_type == by_type
    assert store.evidence_counts(EvidenceQuery(search="clove")).newest == 0  # fewer than the limit: all of them
