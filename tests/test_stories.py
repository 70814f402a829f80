"""Stories (issue 31): the online clustering, articles joining stories as they are saved, analysts'
corrections in the review log, re-clustering, and the `stories` / `story` commands."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest

from core.cli import main
from core.errors import InputError, NotFoundError, ReviewError
from core.settings import get_settings
from core.storage import Storage
from core.story_clusters import (
    DIMENSIONS,
    DocumentFrequencies,
    Params,
    Signature,
    best_story,
    closest,
    cluster,
    lead_terms,
    publication_day,
)
from testkit.factories import make_analysis
from testkit.stories import store_on_topic


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIMENSIONS).astype(np.float32)
    return v / np.linalg.norm(v)


# The vector alone, for tests of what the vector and the dates decide (the defaults also weigh words).
VECTOR_ONLY = Params(threshold=0.80, lexical_weight=0.0)


def near(v: np.ndarray, seed: int, spread: float = 0.01) -> np.ndarray:
    w = v + spread * np.random.default_rng(seed).normal(size=DIMENSIONS).astype(np.float32)
    return w / np.linalg.norm(w)


def test_publication_day_reads_iso_and_feed_dates_and_nothing_else():
    assert publication_day("2020-03-04") == publication_day("2020-03-04T23:10:00Z") == \
        publication_day("Wed, 04 Mar 2020 10:00:00 GMT")
    assert publication_day(None) is None and publication_day("") is None and publication_day("last spring") is None


def test_articles_of_one_event_join_and_another_event_starts_its_own_story():
    a, b = unit(1), unit(2)
    articles = [Signature(near(a, 1), None, frozenset()), Signature(near(b, 2), None, frozenset()),
                Signature(near(a, 3), None, frozenset()), Signature(near(b, 4), None, frozenset())]
    assert cluster(articles, VECTOR_ONLY) == [0, 1, 0, 1]


def test_the_time_window_keeps_a_later_development_apart_but_missing_dates_do_not():
    a = unit(1)
    day = publication_day("2020-03-04")
    params = Params(threshold=0.80, lexical_weight=0.0, window_days=7)
    later = [Signature(near(a, 1), day, frozenset()), Signature(near(a, 2), day + 30, frozenset())]
    assert cluster(later, params) == [0, 1]
    undated = [Signature(near(a, 1), day, frozenset()), Signature(near(a, 2), None, frozenset())]
    assert cluster(undated, params) == [0, 0]
    within = [Signature(near(a, 1), day, frozenset()), Signature(near(a, 2), day + 7, frozenset())]
    assert cluster(within, params) == [0, 0]


def join(article: Signature, members: list[Signature], params: Params,
         frequencies: DocumentFrequencies | None = None) -> tuple[int, float] | None:
    """best_story against stored articles that are each a story of their own (story = position)."""
    vectors = np.stack([m.vector for m in members])
    return best_story(article, vectors @ article.vector, list(range(len(members))),
                      lambda rows: [members[r] for r in rows], lambda story: True, params,
                      frequencies)


def test_shared_actors_lift_a_borderline_article_over_the_threshold():
    a = unit(1)
    other = near(a, 2, spread=0.045)  # about 0.75 from a: below a 0.80 threshold on the vector alone
    stored = Signature(a, None, frozenset({"bikoro", "world health organization"}))
    alone = Signature(other, None, frozenset({"kinshasa"}))
    named = Signature(other, None, frozenset({"bikoro", "world health organization"}))
    params = Params(threshold=0.80, lexical_weight=0.0, actor_weight=0.10)
    assert 0.70 < float(other @ a) < 0.80
    assert join(alone, [stored], params) is None
    assert join(named, [stored], params)[0] == 0


def test_rare_shared_words_tell_one_event_from_the_next_development_of_the_topic():
    a = unit(1)
    common = {"ebola": 1, "outbreak": 1, "health": 1}
    declared = {**common, "bikoro": 2, "declared": 1}
    spread = {**common, "mbandaka": 2, "city": 1}
    background = [{**common, f"filler{i}": 1} for i in range(20)]  # the topic's other articles: its words are common
    frequencies = DocumentFrequencies()
    for terms in background + [declared]:
        frequencies.add(terms)
    stored = Signature(a, None, frozenset(), declared)
    params = Params(threshold=1.1, lexical_weight=1.0, actor_weight=0.0)
    same = Signature(near(a, 2), None, frozenset(), {**common, "bikoro": 1, "declared": 1})
    later = Signature(near(a, 3), None, frozenset(), spread)
    assert join(same, [stored], params, frequencies)[0] == 0
    assert join(later, [stored], params, frequencies) is None
    assert set(lead_terms("Ebola declared in Bikoro", "Officials said seventeen people died.")) >= {"ebola", "bikoro", "declared"}


def test_the_shortlist_is_the_head_of_a_stable_sort_without_sorting_everything():
    rng = np.random.default_rng(0)
    for size in (1, 5, 20, 21, 200, 5_000):
        closeness = rng.integers(0, 6, size=size).astype(np.float32)  # many equal values: ties are in row order
        assert closest(closeness, 20).tolist() == np.argsort(-closeness, kind="stable")[:20].tolist()


def test_an_article_joins_the_story_of_its_closest_report_not_of_the_average():
    a, b = unit(1), unit(2)
    middle = (a + b) / np.linalg.norm(a + b)  # a story whose two reports differ: its centroid is near neither
    story = [Signature(a, None, frozenset()), Signature(b, None, frozenset())]
    newcomer = Signature(near(a, 5), None, frozenset())
    assert float(newcomer.vector @ middle) < 0.80
    vectors = np.stack([m.vector for m in story])
    assert best_story(newcomer, vectors @ newcomer.vector, [7, 7], lambda rows: [story[r] for r in rows], lambda s: True, VECTOR_ONLY)[0] == 7


# ---------------------------------------------------------------------------------------------- storage

def library() -> Storage:
    return Storage(get_settings().db_path)


def test_saved_articles_join_their_story_and_a_deleted_one_leaves_it(database_url):  # SQLite and PostgreSQL
    storage = Storage(database_url)
    store_on_topic(storage, make_analysis(id="a1", title="Ebola outbreak declared", outlet="One",
                                          url="https://one.example/1"), topic=1, seed=1)
    store_on_topic(storage, make_analysis(id="a2", title="Congo confirms Ebola", outlet="Two",
                                          url="https://two.example/1"), topic=1, seed=2)
    store_on_topic(storage, make_analysis(id="b1", title="Budget passed", outlet="One",
                                          url="https://one.example/2"), topic=2, seed=3)
    ebola = storage.stories.story_of("https://one.example/1")
    assert storage.stories.story_of("https://two.example/1") == ebola != storage.stories.story_of("https://one.example/2")
    summary = storage.stories.summary(ebola)
    assert (summary.title, summary.size, summary.outlets) == ("Ebola outbreak declared", 2, 2)
    assert [m.analysis_id for m in storage.stories.members(ebola)] == ["a1", "a2"]
    assert storage.stories.stories_of(["a1", "b1"]) == {"a1": ebola, "b1": storage.stories.story_of("https://one.example/2")}

    from core.storage.tables import story_words

    def word_count(term: str) -> int:
        with storage.database.read() as db:
            return db.execute(story_words.select().where(story_words.c.term == term)).first().articles

    assert word_count("ebola") == 2  # "Ebola" in both titles
    storage.delete("a2", deleted_by="Ana")
    assert storage.stories.summary(ebola).size == 1 and word_count("ebola") == 1
    storage.delete("a1", deleted_by="Ana")
    with pytest.raises(NotFoundError):
        storage.stories.summary(ebola)  # a story left empty goes


def test_a_reanalysed_article_stays_in_its_story():
    storage = library()
    store_on_topic(storage, make_analysis(id="a1", url="https://one.example/1"), topic=1)
    first = storage.stories.story_of("https://one.example/1")
    store_on_topic(storage, make_analysis(id="a1-again", url="https://one.example/1",
                                          created_at="2026-11-25T09:00:00+00:00"), topic=3)
    assert storage.stories.story_of("https://one.example/1") == first
    assert storage.stories.summary(first).size == 1


def test_move_merge_and_split_are_logged_with_who_and_why_and_survive_reclustering(database_url):  # SQLite and PostgreSQL
    storage = Storage(database_url)
    for n, topic in enumerate((1, 1, 2)):
        store_on_topic(storage, make_analysis(id=f"a{n}", outlet=f"Outlet {n}", url=f"https://o{n}.example/x"),
                       topic=topic, seed=n)
    first, second = storage.stories.story_of("https://o0.example/x"), storage.stories.story_of("https://o2.example/x")
    assert first != second
    with pytest.raises(ReviewError):
        storage.stories.move("https://o2.example/x", first, who="")  # nobody named: nothing recorded

    storage.stories.move("https://o2.example/x", first, who="Ana", why="same vote, other angle")
    assert storage.stories.story_of("https://o2.example/x") == first
    log = storage.reviews.get("a2").activity
    assert [(a.who, a.action, a.why) for a in log] == [("Ana", "story", "same vote, other angle")]
    assert f"to story {first}" in log[0].what

    new = storage.stories.split(first, ["https://o1.example/x"], who="Ben")
    assert storage.stories.story_of("https://o1.example/x") == new != first
    with pytest.raises(InputError):
        storage.stories.split(first, ["https://o1.example/x"], who="Ben")  # no longer in that story
    storage.stories.merge(first, new, who="Cy")
    assert storage.stories.summary(first).size == 3
    # The log reads as the corrections were made (a merge once read "merged story 2 into 2 to story 1").
    assert [a.what for a in storage.reviews.get("a1").activity] == [
        f"split out of story {first} into story {new}", f"merged story {new} into story {first}"]
    assert log[0].what == f"moved from story {second} to story {first}"

    assert storage.stories.recluster() == 1  # only the article the machine placed is placed again
    assert storage.stories.story_of("https://o1.example/x") == storage.stories.story_of("https://o2.example/x") == first


def test_recluster_places_every_indexed_article_again_with_progress():
    storage = library()
    for n, topic in enumerate((1, 2, 1)):
        store_on_topic(storage, make_analysis(id=f"a{n}", url=f"https://o{n}.example/x"), topic=topic, seed=n)
    seen = []
    assert storage.stories.recluster(on_progress=lambda done, total: seen.append((done, total))) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert storage.stories.count() == 2
    assert storage.stories.story_of("https://o0.example/x") == storage.stories.story_of("https://o2.example/x")


# ---------------------------------------------------------------------------------------------- CLI

def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_cli_lists_stories_and_shows_one_as_json(monkeypatch):
    storage = library()
    store_on_topic(storage, make_analysis(id="a1", title="Ebola outbreak declared", outlet="One", n_claims=2,
                                          url="https://one.example/1"), topic=1, seed=1)
    store_on_topic(storage, make_analysis(id="b1", title="Budget passed", outlet="Two", n_claims=2,
                                          url="https://two.example/2"), topic=2, seed=2)
    code, out, _ = run("stories", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["total"] == 2
    assert {s["title"] for s in listed["stories"]} == {"Ebola outbreak declared", "Budget passed"}
    story_id = next(s["id"] for s in listed["stories"] if s["title"] == "Budget passed")

    code, out, _ = run("story", str(story_id), "--json")
    shown = json.loads(out)
    assert code == 0 and shown["id"] == story_id and [a["analysis_id"] for a in shown["articles"]] == ["b1"]
    assert shown["claims"] == [] and shown["origins"][0]["articles"] == ["https://two.example/2"]
    assert shown["techniques_by_outlet"]["Two"]  # make_analysis finds some techniques

    code, out, err = run("stories", "--recluster")
    assert code == 0 and "re-clustering [" in err and "2/2" in err and "Budget passed" in out

    assert run("story", "999")[0] != 0
