"""What the Story and Outlet pages read at 100,000 stored articles (issue 31): the outlets of the listed stories only,
an outlet's found techniques from a summary column kept at save (and filled by migration 0018 for what is stored)."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from sqlalchemy import create_engine, inspect, text

from core.storage import Storage
from core.storage.database import database_url as database_url_of
from core.stories.outlets import outlet_profile
from testkit.factories import make_analysis
from testkit.stories import store_on_topic
from tests.test_storage import HEAD
from tests.test_storage_upgrades import _database_at


def three_stories(storage: Storage) -> dict[str, int]:
    """Roads: three articles from two outlets; festival: one article; floods: two articles, one without an outlet."""
    for number, (outlet, topic, day) in enumerate([("Daily Post", 1, "2026-11-20"), ("Daily Post", 1, "2026-11-21"),
                                                   ("Evening Star", 1, "2026-11-21"), ("Daily Post", 2, "2026-11-10"),
                                                   ("Evening Star", 3, "2026-11-15"), (None, 3, "2026-11-15")]):
        store_on_topic(storage, make_analysis(id=f"a{number}", title=f"Topic {topic} report {number}", outlet=outlet,
                                              url=f"https://site{number}.example/{topic}", seed=number),
                       topic=topic, seed=number, published=day)
    return {name: storage.stories.story_of(f"https://site{number}.example/{topic}")
            for name, number, topic in (("roads", 0, 1), ("festival", 3, 2), ("floods", 4, 3))}


def test_the_story_list_counts_the_outlets_of_each_listed_story(database_url):  # SQLite and PostgreSQL
    storage = Storage(database_url)
    story = three_stories(storage)
    listed = storage.stories.list()
    # Most recent activity first: roads (last day 11-21), floods (11-15), festival (11-10).
    assert [s.id for s in listed] == [story["roads"], story["floods"], story["festival"]]
    assert [(s.size, s.outlets) for s in listed] == [(3, 2), (2, 2), (1, 1)]  # an article without outlet: its site
    assert [(s.id, s.outlets) for s in storage.stories.list(limit=1, offset=1)] == [(story["floods"], 2)]
    assert [s.id for s in storage.stories.list(min_size=2)] == [story["roads"], story["floods"]]
    assert [storage.stories.summary(s.id) for s in listed] == listed


def test_the_outlet_profile_counts_the_techniques_found_as_the_documents_say(database_url):  # SQLite and PostgreSQL
    storage = Storage(database_url)
    three_stories(storage)
    profile = outlet_profile(storage, "Daily Post")
    expected: Counter[str] = Counter()
    for analysis in storage.get_many(["a0", "a1", "a3"]):
        expected.update({t.label for t in analysis.found_techniques()})
    assert len(expected) >= 3 and sorted(expected.values()) != [1] * len(expected)  # the premise: shared and not
    assert dict(profile.techniques) == dict(expected)
    assert [n for _, n in profile.techniques] == sorted(expected.values(), reverse=True)
    storage.delete("a1", deleted_by="Ana")  # the profile follows the library
    left = Counter(label for analysis in storage.get_many(["a0", "a3"])
                   for label in {t.label for t in analysis.found_techniques()})
    assert dict(outlet_profile(storage, "Daily Post").techniques) == dict(left) != dict(expected)


def test_revision_0018_fills_each_analysis_found_techniques_from_its_document(database_url):
    """A database at 0016 holding analyses (the column did not exist): each gets its found techniques' names,
    strongest first, as a save now writes them; an outlet's articles are found through an index."""
    stored = [make_analysis(id=f"a{n}", url=f"https://a.example/{n}", seed=n) for n in range(3)]
    stored.append(replace(make_analysis(id="none", url="https://a.example/none"), techniques=()))
    _database_at(database_url, "0016")
    engine = create_engine(database_url_of(database_url))
    with engine.begin() as db:
        for analysis in stored:  # ids from the table's sequence: a save after the upgrade takes the next one
            article = db.execute(text("INSERT INTO articles (key, url, title, outlet, first_seen) VALUES (:key, :url, "
                                      ":title, :outlet, :at) RETURNING id"),
                                 {"key": analysis.article.url, "url": analysis.article.url, "title": analysis.article.title,
                                  "outlet": analysis.article.outlet, "at": analysis.created_at}).scalar_one()
            db.execute(text("INSERT INTO analyses (id, article_id, created_at, engine, partial, document, latest) "
                            "VALUES (:id, :article, :at, 'local', 0, :doc, :latest)"),
                       {"id": analysis.id, "article": article, "at": analysis.created_at,
                        "doc": json.dumps(analysis.to_dict()), "latest": True})
    engine.dispose()
    storage = Storage(database_url)
    assert storage.schema_version == HEAD
    with storage.database.read() as db:
        found = dict(db.execute(text("SELECT id, found_techniques FROM analyses")).all())
        indexes = {index["name"] for index in inspect(db).get_indexes("articles")}
    assert {key: json.loads(value) for key, value in found.items()} == {
        a.id: [t.name for t in a.found_techniques()] for a in stored}
    assert any(found[a.id] != "[]" for a in stored) and found["none"] == "[]"
    assert "articles_by_outlet" in indexes
    # A save writes the same column.
    again = make_analysis(id="again", url="https://a.example/again", seed=1)
    storage.save(again)
    with storage.database.read() as db:
        assert json.loads(db.execute(text("SELECT found_techniques FROM analyses WHERE id = 'again'")).scalar_one()) == [
            t.name for t in again.found_techniques()]


def test_a_rerun_article_is_shown_once_by_its_latest_run_on_the_story_and_outlet_pages(database_url):
    """The latest run is picked from every run of the articles (not in SQL, where SQLite walked every latest
    analysis of the library): one member, one outlet article, the newest run's."""
    storage = Storage(database_url)
    story = three_stories(storage)
    first = storage.get("a2")  # Evening Star's roads report, run again twice
    for number, at in ((1, "2026-11-25T08:00:00+00:00"), (2, "2026-11-26T08:00:00+00:00")):
        storage.save(replace(make_analysis(id=f"a2-run{number}", title=first.article.title, outlet="Evening Star",
                                           url=first.article.url, seed=10 + number), created_at=at))
    members = storage.stories.members(story["roads"])
    assert [m.analysis_id for m in members] == ["a0", "a1", "a2-run2"]
    star = outlet_profile(storage, "Evening Star")
    assert sorted(a.analysis_id for a in star.articles) == ["a2-run2", "a4"]
    latest = storage.get("a2-run2")
    assert star.claims == len(latest.claims) + len(storage.get("a4").claims)
