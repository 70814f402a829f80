"""Find other coverage for a story (issue 31): what the story does not hold, added through the analysis jobs.

GDELT, web search and the outlets' sites are loopback fakes (testkit/fake_services.py); the story's articles are
stored with their real sentence vectors, so that an added article joins the story as any stored article does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from core import cli
from core.engine_usage import EngineInfo
from core.records import Analysis, Article
from core.settings import get_settings
from core.sources import library
from core.storage import Storage
from core.stories.coverage import find_story_coverage
from testkit.apptest import app, texts
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeGdelt, FakeSite, running, use_services

TITLE = "Council votes to close Eastside library"
STORY = [
    "The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year.",
    "Officials said the closure would save about 1.2 million dollars annually, according to the budget office.",
    "Parents gathered outside the building on Tuesday to protest against the decision of the council.",
]
# In the story already; stored, but split off into a story of its own; found by GDELT; found by web search.
OUTLETS = ["Riverside Courier", "Harbour Times", "Hill Herald", "Valley Voice"]


def store(storage: Storage, analysis_id: str, url: str, outlet: str, text: str) -> Analysis:
    article = Article(text=text, url=url, title=f"{TITLE} | News | {outlet}", outlet=outlet, language="en",
                      published="2024-03-05")
    analysis = Analysis(id=analysis_id, created_at="2024-03-05T09:00:00+00:00", article=article, engine=EngineInfo("local"))
    storage.save(analysis, index=library.index_sentences(article))
    return analysis


@dataclass
class World:
    gdelt: FakeGdelt
    ddgs: FakeDdgs
    sites: list[FakeSite]
    urls: list[str]  # each outlet's article, in the order of OUTLETS
    storage: Storage
    story_id: int  # the Eastside Gazette's story, which holds the Riverside Courier's article too
    elsewhere: int  # the story the Harbour Times's article was split off into

    def fail_every_search(self, status: int = 503) -> None:
        self.gdelt.fail(status)
        for backend in ("duckduckgo", "mojeek", "brave"):
            self.ddgs.throttle(backend, status)


@pytest.fixture
def story(monkeypatch):
    sites = [FakeSite(outlet, host=f"127.0.0.{2 + i}") for i, outlet in enumerate(OUTLETS)]
    with running(FakeGdelt(), FakeDdgs(), *sites) as (gdelt, ddgs, *started):
        urls = [site.add_article("/council-library", f"{TITLE}: {site.outlet} report", STORY) for site in started]
        for url, outlet in zip(urls[:3], OUTLETS):
            gdelt.add_article(url, f"{TITLE}: {outlet} report", domain=url.split("/")[2])
        ddgs.add_result(urls[3], f"{TITLE} - {OUTLETS[3]}", "The city council voted 7 to 2")
        use_services(monkeypatch, gdelt=gdelt, ddgs=ddgs)
        storage = Storage(get_settings().db_path)  # the dashboard's library
        store(storage, "orig", "https://www.eastsidegazette.example/library", "Eastside Gazette",
              TITLE + "\n\n" + " ".join(STORY))
        for number, (url, outlet) in enumerate(zip(urls[:2], OUTLETS)):
            store(storage, f"lib{number}", url, outlet, f"{TITLE}\n\nBy the {outlet} newsroom. " + " ".join(STORY[1:])
                  + " " + STORY[0])
        story_id = storage.stories.story_of("https://www.eastsidegazette.example/library")
        assert storage.stories.story_of(urls[0]) == storage.stories.story_of(urls[1]) == story_id  # the premise
        elsewhere = storage.stories.split(story_id, [urls[1]], who="Ana", why="a test: another story")
        yield World(gdelt, ddgs, started, urls, storage, story_id, elsewhere)


def open_story(story_id: int):
    test = app("pages/story.py")
    test.query_params["id"] = str(story_id)
    test.run()
    test.button(key="story_coverage_find").click().run()
    assert not test.exception, test.exception
    return test


def coverage_table(test):
    return next(frame.value for frame in test.dataframe if "Found by" in frame.value.columns)


def offered(test) -> list[str]:
    return test.multiselect(key="story_coverage_chosen").options


def test_the_story_is_searched_and_only_what_it_does_not_hold_is_listed(story):
    found = find_story_coverage(story.storage, story.story_id, settings=get_settings())
    assert found.searched_from == "orig" and found.left_out == 1  # the Riverside Courier's article is in it
    assert [item.url for item in found.candidates] == story.urls[1:]
    assert found.candidates[0].stored_id == "lib1" and found.story_of(found.candidates[0]) == story.elsewhere
    assert [item.url for item in found.new] == story.urls[2:]


def test_story_page_lists_other_coverage_and_offers_only_new_articles(story):
    urls = story.urls
    test = open_story(story.story_id)
    table = coverage_table(test)
    assert list(table["Link"]) == urls[1:]  # not the Riverside Courier's: the story holds it
    assert list(table["Outlet"]) == ["Harbour Times", "127.0.0.4", "127.0.0.5"]
    # The library's article is stored in another story; the others' cells are empty (not "None").
    assert list(table["Its story"]) == [f"/story?id={story.elsewhere}", "", ""]
    assert table["Date"][1] == "2024-03-05" and list(table["Found by"]) == ["library", "gdelt", "web (ddgs)"]
    assert "1 article found is in it already" in texts(test)
    # Neither an article in the story nor one stored already (in another story) is offered for analysis.
    assert offered(test) == [f"127.0.0.4 — {TITLE}: Hill Herald report", f"127.0.0.5 — {TITLE} - Valley Voice"]
    assert test.button(key="story_coverage_add").disabled


def test_an_added_article_is_analysed_stored_and_joins_the_story(story):
    urls = story.urls
    test = open_story(story.story_id)
    test.multiselect(key="story_coverage_chosen").set_value([urls[2]]).run()
    test.button(key="story_coverage_add").click().run()  # the tests' queue runs the job at once
    assert not test.exception, test.exception
    assert story.storage.stories.story_of(urls[2]) == story.story_id
    assert "1 article analysed and stored, 1 joined this story" in texts(test)
    assert "Hill Herald" in list(test.dataframe[0].value["Outlet"])  # the timeline holds it
    assert offered(test) == [f"127.0.0.5 — {TITLE} - Valley Voice"]  # added: no longer offered


def test_an_article_that_cannot_be_fetched_fails_with_the_reason_and_a_way_to_retry(story):
    test = open_story(story.story_id)
    story.sites[3].fail(404)
    revision = story.storage.revision()
    test.multiselect(key="story_coverage_chosen").set_value([story.urls[3]]).run()
    test.button(key="story_coverage_add").click().run()
    assert not test.exception, test.exception
    errors = "\n".join(e.value for e in test.error)
    assert "404" in errors and story.storage.revision() == revision  # nothing stored
    assert any(button.label == "Try again" for button in test.button)


@pytest.mark.parametrize("failure", ["5xx", "timeout"])
def test_when_every_search_fails_the_page_says_so_not_that_nothing_was_found(story, monkeypatch, failure):
    story.storage.stories.merge(story.story_id, story.elsewhere, who="Ana", why="one story after all")
    if failure == "5xx":
        story.fail_every_search(503)
    else:
        monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "0.5")
        get_settings.cache_clear()
        story.gdelt.latency = story.ddgs.latency = 1.5
    test = open_story(story.story_id)
    errors = "\n".join(e.value for e in test.error).replace("\\", "")  # Markdown escaping undone
    assert "Every search for other coverage failed" in errors and "GDELT" in errors, errors
    assert ".;" not in errors and "..\n" not in errors, errors  # the failures read as one sentence
    assert ("503" in errors) if failure == "5xx" else ("did not answer within 0.5 seconds" in errors), errors
    assert "No other outlet's article" not in texts(test)
    assert not [w for w in test.multiselect if w.key == "story_coverage_chosen"]


def test_a_rate_limited_search_is_named_and_the_rest_still_listed(story):
    story.gdelt.fail(429)
    test = open_story(story.story_id)
    warnings = "\n".join(w.value for w in test.warning)
    assert "GDELT asks for fewer requests" in warnings and "may be incomplete" in warnings
    assert list(coverage_table(test)["Link"]) == [story.urls[1], story.urls[3]]  # the library's and web search's


def test_nothing_new_found_is_said_plainly(story):
    story.storage.stories.merge(story.story_id, story.elsewhere, who="Ana", why="one story after all")
    story.gdelt.articles = story.gdelt.articles[:2]  # the story's own articles
    story.ddgs.index.results.clear()
    test = open_story(story.story_id)
    assert "No other outlet's article on this story was found that it does not hold (2 articles found are in it" \
        in texts(test)
    assert not test.error and not test.warning


def test_cli_lists_the_candidates_and_exits_non_zero_when_every_search_failed(story, capsys):
    urls, db = story.urls, str(story.storage.database.url)
    assert cli.main(["story", str(story.story_id), "--find-coverage", "--json", "--db", db]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [c["url"] for c in document["candidates"]] == urls[1:]
    assert document["candidates"][0]["story"] == story.elsewhere and document["already_in_story"] == 1
    assert cli.main(["story", str(story.story_id), "--find-coverage", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert urls[2] in listed and f"[in library: lib1, story {story.elsewhere}]" in listed and urls[0] not in listed
    story.storage.stories.merge(story.story_id, story.elsewhere, who="Ana", why="one story after all")
    story.fail_every_search(500)
    assert cli.main(["story", str(story.story_id), "--find-coverage", "--fresh", "--db", db]) == 1
    failed = capsys.readouterr()
    assert "every search for other coverage failed" in failed.err and "GDELT" in failed.err
    assert "no other outlet's article found" not in failed.out


def test_found_titles_are_shown_as_text_never_as_markup(story):
    hostile = f"{TITLE} <img src=x onerror=alert(1)> **bold** :red[red]"
    story.gdelt.add_article("https://evil.example/council-library", hostile, domain="evil.example")
    test = open_story(story.story_id)
    assert hostile in list(coverage_table(test)["Title"])  # a table cell: text
    rendered = [e.value for e in test.markdown] + [e.value for e in test.caption] + [str(e.proto.body) for e in test.get("html")]
    assert not any("<img" in part or "**bold**" in part for part in rendered)


def test_a_long_found_title_wraps_in_its_cell_instead_of_being_cut(story):
    """At 1024 px the table's columns fill the panel: a long title is read whole on wrapped lines, in rows tall
    enough for the table to wrap them, and the columns are no wider than the panel."""
    from components import story_coverage

    long_title = f"{TITLE}: residents, librarians and two councillors say the vote broke a promise made in 2019"
    story.gdelt.add_article("https://long.example/council-library", long_title, domain="long.example")
    test = open_story(story.story_id)
    frame = next(f for f in test.dataframe if "Found by" in f.value.columns)
    assert long_title in list(frame.value["Title"])
    lines = -(-len(long_title) // story_coverage.TITLE_LINE_CHARS)
    assert frame.proto.row_height > 64 and frame.proto.row_height >= lines * story_coverage.LINE_PX  # it wraps, whole
    widths = [c["width"] for c in json.loads(frame.proto.columns).values() if "width" in c]
    assert sum(widths) <= 545 and story_coverage.TITLE_WIDTH == max(widths)
    assert story_coverage.title_row_height(["Short title"]) is None  # one line: the table's own row height
