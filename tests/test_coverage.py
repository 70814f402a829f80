"""Find other coverage: GDELT (its request interval across threads and processes) and web search, then a batch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from core import cli
from core.coverage import gdelt
from core.coverage.finder import find_coverage, story_query
from core.engine_usage import EngineInfo
from core.records import Analysis, Article
from core.settings import get_settings
from core.sources import library
from core.storage import Storage
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeGdelt, FakeSite, running, use_services

TITLE = "Council votes to close Eastside library"
STORY = [
    "The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year.",
    "Officials said the closure would save about 1.2 million dollars annually, according to the budget office.",
    "Parents gathered outside the building on Tuesday to protest against the decision of the council.",
]
OUTLETS = ["Riverside Courier", "Harbour Times", "Valley Voice"]


def original(storage: Storage) -> Analysis:
    article = Article(text=TITLE + "\n\n" + " ".join(STORY), url="https://www.eastsidegazette.example/library",
                      title=TITLE, outlet="Eastside Gazette", language="en")
    analysis = Analysis(id="orig", created_at="2024-03-05T09:00:00+00:00", article=article, engine=EngineInfo("local"))
    storage.save(analysis, index=library.index_sentences(article))
    return analysis


@pytest.fixture
def story(monkeypatch, tmp_path):
    sites = [FakeSite(outlet, host=f"127.0.0.{2 + i}") for i, outlet in enumerate(OUTLETS)]
    with running(FakeGdelt(), FakeDdgs(), *sites) as (gdelt_fake, ddgs, *started):
        urls = [site.add_article("/council-library", f"{TITLE}: {site.outlet} report", STORY) for site in started]
        for url, outlet in zip(urls[:2], OUTLETS):
            gdelt_fake.add_article(url, f"{TITLE}: {outlet} report", domain=url.split("/")[2])
        gdelt_fake.add_article("https://www.eastsidegazette.example/library-2", f"{TITLE} again", domain="eastsidegazette.example")
        gdelt_fake.add_article(urls[0] + "?amp=1", f"{TITLE} (AMP)", domain=urls[0].split("/")[2])
        ddgs.add_result(urls[2], f"{TITLE} - {OUTLETS[2]}", "The city council voted 7 to 2")
        ddgs.add_result(urls[0], f"{TITLE} - {OUTLETS[0]}", "The council voted to close the Eastside library")
        use_services(monkeypatch, gdelt=gdelt_fake, ddgs=ddgs)
        storage = Storage(tmp_path / "lib.db")
        yield gdelt_fake, ddgs, urls, storage, original(storage)


def test_story_query_is_names_and_key_terms():
    analysis = Analysis(id="x", created_at="", engine=EngineInfo("local"),
                        article=Article(text="t", title="Bank of England raises rates as inflation bites", language="en"))
    assert story_query(analysis) == '"Bank of England" raises rates inflation bites'


def test_other_outlets_are_listed_once_each_and_never_the_articles_own(story):
    gdelt_fake, ddgs, urls, storage, analysis = story
    coverage = find_coverage(analysis, settings=get_settings(), storage=storage)
    assert [i.url for i in coverage.items] == [urls[0], urls[1], urls[2]]
    first = coverage.items[0]
    assert first.found_by == "gdelt" and first.published == "2024-03-05" and first.language == "English"
    assert first.outlet == "127.0.0.2" and first.stored_id is None
    assert coverage.items[2].found_by == "web (ddgs)" and not coverage.partial
    (request,) = gdelt_fake.log
    assert request.query["mode"] == "artlist" and request.query["format"] == "json"
    assert request.query["timespan"] == "2w" and request.query["maxrecords"] == "25"


def test_a_second_search_is_served_from_the_cache_without_waiting(story, monkeypatch):
    gdelt_fake, _, _, storage, analysis = story
    monkeypatch.setenv("CROSSCHECK_GDELT_MIN_INTERVAL", "3")
    get_settings.cache_clear()
    find_coverage(analysis, settings=get_settings(), storage=storage)
    started = time.monotonic()
    find_coverage(analysis, settings=get_settings(), storage=storage)
    assert time.monotonic() - started < 2 and len(gdelt_fake.log) == 1


@pytest.mark.processes
def test_gdelt_requests_keep_their_interval_across_threads_and_processes(story, monkeypatch):
    gdelt_fake, *_ = story
    gdelt_fake.min_interval = 0.6
    monkeypatch.setenv("CROSSCHECK_GDELT_MIN_INTERVAL", "0.6")
    get_settings.cache_clear()
    settings = get_settings()
    child = subprocess.Popen([sys.executable, "-c", "from core.coverage import gdelt; from core.settings import get_settings; "
                              "[gdelt.search(get_settings(), f'library council vote{n}') for n in range(2)]"],
                             env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    threads = [threading.Thread(target=gdelt.search, args=(settings, f"eastside library closure{n}")) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert child.wait(timeout=60) == 0, child.stderr.read().decode()
    assert len(gdelt_fake.log) == 5 and gdelt_fake.too_fast == 0


def test_when_gdelt_refuses_the_web_results_still_come_partial(story):
    gdelt_fake, _, urls, storage, analysis = story
    gdelt_fake.fail(429)
    coverage = find_coverage(analysis, settings=get_settings(), storage=storage)
    assert coverage.partial and "GDELT asks for fewer requests" in coverage.notes[0]
    assert [i.url for i in coverage.items] == [urls[2], urls[0]]


def test_gdelts_plain_text_complaint_is_a_clear_note(story, monkeypatch):
    gdelt_fake, _, _, storage, analysis = story
    monkeypatch.setattr(gdelt_fake, "handle", lambda request: __import__("testkit.local_server", fromlist=["Reply"]).Reply(
        200, "Your search contained a keyword that is too common.", "text/html"))
    coverage = find_coverage(analysis, settings=get_settings(), storage=storage)
    assert coverage.notes == ("GDELT: GDELT could not run the search: Your search contained a keyword that is too common.",)


def test_cli_lists_then_analyses_a_batch_to_compare(story, capsys):
    gdelt_fake, ddgs, urls, storage, analysis = story
    db = str(storage.database.url)
    assert cli.main(["coverage", analysis.id, "--db", db]) == 0
    listed = capsys.readouterr().out
    assert urls[0] in listed and "2024-03-05" in listed and "English" in listed
    assert cli.main(["coverage", analysis.id, "--db", db, "--json", "--analyse", "2", "--sources", "library"]) == 0
    document = json.loads(capsys.readouterr().out)
    jobs = document["batch"]["jobs"]
    assert [j["status"] for j in jobs] == ["done", "done"] and {j["url"] for j in jobs} == set(urls[:2])
    assert document["compare_ids"] == [analysis.id, *(j["analysis_id"] for j in jobs)]
    stored = [storage.get(j["analysis_id"]) for j in jobs]
    assert {a.article.outlet for a in stored} == {"Riverside Courier", "Harbour Times"}
    assert len({storage.jobs.get(j["job"]).batch_id for j in jobs}) == 1
    # Asked again, the two analysed articles are in the library and are reused, not analysed twice.
    assert cli.main(["coverage", analysis.id, "--db", db, "--json", "--analyse", "2"]) == 0
    again = json.loads(capsys.readouterr().out)
    urls_of = lambda ids: {storage.get(i).article.url for i in ids}  # noqa: E731
    # (by article: each newcomer may have re-checked the other, which gives it a newer analysis)
    assert again["batch"]["jobs"] == [] and urls_of(again["compare_ids"][1:]) == urls_of(document["compare_ids"][1:])


def test_cli_unknown_id_is_one_line(capsys):
    assert cli.main(["coverage", "nope"]) == 1
    assert "No stored analysis has the id 'nope'" in capsys.readouterr().err


def test_other_outlets_articles_in_the_library_are_listed_first_and_one_story_word_is_not_enough(story):
    """Issue 30: three other outlets' articles on the story were in the library and were not listed."""
    gdelt_fake, _, urls, storage, analysis = story
    for number, (url, outlet) in enumerate(zip(urls[:2], OUTLETS)):
        # Each outlet's own wording around the same facts (the same text would be the same article).
        article = Article(text=f"{TITLE}\n\nBy the {outlet} newsroom. " + " ".join(STORY[1:]) + " " + STORY[0], url=url,
                          title=f"{TITLE} | News | {outlet}",
                          outlet=outlet, language="en")
        storage.save(Analysis(id=f"lib{number}", created_at=f"2024-03-0{6 + number}T09:00:00+00:00", article=article,
                              engine=EngineInfo("local")), index=library.index_sentences(article))
    # Another story that shares one word with this one ("council") is not coverage of it.
    other = Article(text="Harbour council approves new ferry\n\nThe harbour council approved a ferry timetable for summer "
                    "sailings to the islands, officials said on Friday.", url="https://harbour.example/ferry",
                    title="Harbour council approves new ferry", outlet="Harbour Post", language="en")
    storage.save(Analysis(id="ferry", created_at="2024-03-08T09:00:00+00:00", article=other, engine=EngineInfo("local")),
                 index=library.index_sentences(other))
    gdelt_fake.fail(500)
    coverage = find_coverage(analysis, settings=get_settings(), storage=storage)
    library_items = [i for i in coverage.items if i.found_by == "library"]
    assert {(i.outlet, i.stored_id, i.title) for i in library_items} == {
        ("Riverside Courier", "lib0", TITLE), ("Harbour Times", "lib1", TITLE)}
    assert coverage.items[:2] == tuple(library_items) and "ferry" not in [i.stored_id for i in coverage.items]
    # The web search's result for an outlet already listed from the library is not listed again.
    assert [i.url for i in coverage.items] == [*(i.url for i in library_items), urls[2]]


def test_when_every_search_fails_it_says_so_and_the_cli_exits_non_zero(story, monkeypatch, capsys):
    gdelt_fake, ddgs, _, storage, analysis = story
    gdelt_fake.fail(500)
    for backend in ("duckduckgo", "mojeek", "brave"):
        ddgs.throttle(backend, 503)
    coverage = find_coverage(analysis, settings=get_settings(), storage=storage)
    assert coverage.items == () and coverage.searches_failed and coverage.searches == 2
    assert cli.main(["coverage", analysis.id, "--db", str(storage.database.url)]) == 1
    captured = capsys.readouterr()
    assert "every search for other coverage failed" in captured.err and "no other outlet's article found" not in captured.out
    # One search answering with nothing is a finding: nothing found, exit 0.
    gdelt_fake.heal()
    assert not find_coverage(analysis, settings=get_settings(), storage=storage, fresh=True).searches_failed


def test_the_query_is_the_headline_without_the_outlet_and_section():
    article = Article(text="t", title="Greek decision on doping ban angers Athens | Editorial | The Guardian",
                      outlet="The Guardian", url="https://www.theguardian.com/commentisfree/greek", language="en")
    query = story_query(Analysis(id="x", created_at="", engine=EngineInfo("local"), article=article))
    words = query.lower().split()
    assert "guardian" not in words and "editorial" not in words and {"greek", "athens", "doping"} <= set(words)


def test_the_dashboard_says_the_searches_failed_not_that_nothing_was_found(story):
    from testkit.apptest import app, texts

    gdelt_fake, ddgs, _, _, analysis = story
    gdelt_fake.fail(500)
    for backend in ("duckduckgo", "mojeek", "brave"):
        ddgs.throttle(backend, 503)
    Storage(get_settings().db_path).save(analysis, index=library.index_sentences(analysis.article))
    test = app()
    test.query_params["analysis"] = analysis.id
    test.run()
    test.button(key="analyze-coverage-find").click().run()
    assert not test.exception, test.exception
    errors = "\n".join(e.value for e in test.error)
    assert "Every search for other coverage failed" in errors and "GDELT" in errors
    assert "No other outlet's article" not in texts(test)
