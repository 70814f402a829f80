"""Every page through Streamlit's AppTest, as a user would click through it: the router, Library, Compare,
Evidence, Jobs and Settings (the Analyze page: test_pages_analyze.py; reviews: test_pages_review.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import get_settings
from core.storage import Storage
from testkit.apptest import APP, TIMEOUT, app, select_rows, store, texts
from testkit.articles import PARAGRAPHS as ARTICLE_PARAGRAPHS
from testkit.factories import make_analysis
from testkit.local_server import LocalServer, Reply, article_html


@pytest.mark.parametrize("page", sorted(path.name for path in Path(APP).with_name("pages").glob("*.py")))
def test_a_page_opened_first_by_its_address_runs_behind_the_router(page):
    """AppTest starts every run as a fresh server does, with Streamlit's discovery of pages/ switched on
    until st.navigation runs: a page opened first still goes through app.py (components/routing.py)."""
    from streamlit.runtime.pages_manager import PagesManager

    test = app(f"pages/{page}")
    assert PagesManager.uses_pages_directory is False  # st.navigation ran: app.py routed this run
    routed = sorted(Path(info["script_path"]).name for info in test._registered_pages.values())
    assert routed == sorted(path.name for path in Path(APP).with_name("pages").glob("*.py"))  # no "app.py" page


def test_library_empty_state():
    test = app("pages/library.py")
    assert "No analyses yet" in texts(test)

def test_library_search_filter_and_compare_selection():
    store(
        make_analysis(id="a1", title="Council closes library", outlet="Gazette", url="https://g.example/1"),
        make_analysis(id="a2", title="Library closure approved", outlet="Herald", url="https://h.example/2"),
        make_analysis(id="a3", title="Football results", outlet="Sports Daily", url="https://s.example/3"),
    )
    test = app("pages/library.py")
    table = test.dataframe[0].value
    assert len(table) == 3
    test.text_input(key="library_search").input("library").run()
    assert len(test.dataframe[0].value) == 2
    assert "2 of 3 articles (latest analysis of each)" in [c.value for c in test.caption]
    test.multiselect(key="library_outlets").set_value(["Herald"]).run()
    assert list(test.dataframe[0].value["Title"]) == ["Library closure approved"]
    test.multiselect(key="library_outlets").set_value([]).run()
    select_rows(test, 0)
    assert test.button(key="library_compare").disabled
    select_rows(test, 0, 1)
    assert not test.button(key="library_compare").disabled
    test.button(key="library_compare").click().run()
    assert test.query_params.get("ids") in ("a1,a2", ["a1,a2"])  # as the table lists them

def test_library_counts_found_techniques_and_shows_the_persuasion_percentile():
    analysis = make_analysis(id="a1", url="https://g.example/1")
    store(analysis)
    test = app("pages/library.py")
    table = test.dataframe[0].value
    assert list(table["Techniques found"]) == [len(analysis.found_techniques())]
    test.toggle(key="library_more_columns").set_value(True).run()
    assert list(test.dataframe[0].value["Top technique"]) == [analysis.top_technique().label]
    assert list(table["Persuasion"]) == ["90 %"]

def test_library_caption_counts_one_article_in_the_singular():
    store(make_analysis(id="a1", url="https://g.example/1"))
    test = app("pages/library.py")
    assert "1 of 1 article (latest analysis of each)" in [c.value for c in test.caption]

def test_library_delete_needs_confirmation_and_a_name_and_is_recorded(monkeypatch):
    store(make_analysis(id="a1", url="https://g.example/1"), make_analysis(id="a2", url="https://h.example/2"))
    test = app("pages/library.py")
    select_rows(test, 0)  # a1: both were stored at the same moment, ties listed by id
    test.button(key="library_delete").click().run()
    assert test.button(key="library_delete_confirm").disabled  # issue 30, item 6: nobody to record it with
    assert "Deletions are recorded with who made them" in texts(test)
    monkeypatch.setenv("CROSSCHECK_ANALYST_NAME", "Ana")
    get_settings.cache_clear()
    test.run()
    assert len(Storage(get_settings().db_path).summaries()) == 2
    test.button(key="library_delete_confirm").click().run()
    assert [s.id for s in Storage(get_settings().db_path).summaries()] == ["a2"]
    assert [(r.analysis_id, r.deleted_by) for r in Storage(get_settings().db_path).reviews.deletions()] == [("a1", "Ana")]


def test_library_delete_takes_the_analysts_name_in_the_confirmation():
    store(make_analysis(id="a1", url="https://g.example/1"), make_analysis(id="a2", url="https://h.example/2"))
    test = app("pages/library.py")
    select_rows(test, 0)
    test.button(key="library_delete").click().run()
    assert test.button(key="library_delete_confirm").disabled
    test.text_input(key="library_deleter_name").input("\u200b").run()  # an invisible name is no name
    assert test.button(key="library_delete_confirm").disabled
    test.text_input(key="library_deleter_name").input("Bea Costa").run()
    test.button(key="library_delete_confirm").click().run()
    assert [(r.analysis_id, r.deleted_by) for r in Storage(get_settings().db_path).reviews.deletions()] == [("a1", "Bea Costa")]

def test_compare_page_charts_and_shared_claims():
    store(
        make_analysis(id="a1", title="Council closes library", outlet="Gazette", url="https://g.example/1"),
        make_analysis(id="a2", title="Library closure approved", outlet="Herald", url="https://h.example/2", n_claims=2),
    )
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.query_params["ids"] = "a1,a2"
    test.switch_page("pages/compare.py").run()
    assert not test.exception, test.exception
    assert test.multiselect(key="compare_select").value == ["a1", "a2"]
    assert sum(m.value.startswith("**Shared claim") for m in test.markdown) == 2  # both articles make claims 1 and 2
    body = texts(test)
    assert "verify before you rely on it" in body and "None" not in body
    # Shared claims read as groups: claim 1 corroborated in both (agreement), claim 2 single source in both.
    assert "Claim number 1: the council spent 1 million on roads in 2000." in body
    assert body.count("verdicts agree") == 2
    assert "Gazette" in body and "Herald" in body
    test.multiselect(key="compare_select").set_value(["a2", "a1"]).run()
    assert test.query_params.get("ids") in ("a2,a1", ["a2,a1"])  # the address follows the choice

def test_compare_reads_stored_claims_vectors_from_the_library_index(monkeypatch):
    """Articles analysed and stored as the pipeline stores them (with their sentences indexed) compare with the
    vectors the index keeps: the page's first visit loads no model (issue 29)."""
    from core.sources.library import index_sentences

    def no_model():
        raise AssertionError("the Compare page loaded the sentence model")

    monkeypatch.setattr("core.compare._default_encoder", no_model)
    storage = Storage(get_settings().db_path)
    for analysis in (make_analysis(id="a1", title="Council closes library", outlet="Gazette", url="https://g.example/1"),
                     make_analysis(id="a2", title="Library closure approved", outlet="Herald", url="https://h.example/2",
                                   n_claims=2)):
        storage.save(analysis, index=index_sentences(analysis.article))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.query_params["ids"] = "a1,a2"
    test.switch_page("pages/compare.py").run()
    assert not test.exception, test.exception
    assert sum(m.value.startswith("**Shared claim") for m in test.markdown) == 2


def test_compare_needs_two_articles():
    store(make_analysis(id="a1"))
    test = app("pages/compare.py")
    assert "at least two analysed articles" in texts(test)

def test_evidence_filters():
    store(make_analysis(id="a1", url="https://g.example/1", n_claims=2))
    test = app("pages/evidence.py")
    assert len(test.dataframe[0].value) == 4
    test.multiselect(key="evidence_stance").set_value(["refutes"]).run()
    table = test.dataframe[0].value
    assert len(table) == 2 and set(table["Stance"]) == {"✖ Refutes", "Leans refutes"}  # one counted, one not
    assert "2 of 4 pieces of evidence" in [c.value for c in test.caption]
    test.multiselect(key="evidence_source_type").set_value(["library"]).run()
    assert len(test.dataframe[0].value) == 0

def test_an_overlong_search_in_the_address_is_left_out_with_a_message():
    """Issue 30, item 8: ?q= over 50,000 bytes made SQLite refuse the LIKE pattern, and Streamlit showed its error page."""
    store(make_analysis(id="a1", url="https://g.example/1", n_claims=2))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.query_params["q"] = "budget " * 8_000
    test.switch_page("pages/evidence.py").run()
    assert not test.exception, test.exception
    assert "longer than 500 characters, so it was left out" in texts(test)
    assert len(test.dataframe[0].value) == 4 and "q" not in test.query_params


def test_evidence_empty_state():
    test = app("pages/evidence.py")
    assert "No evidence yet" in texts(test)

def test_settings_page_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-secret-value")
    get_settings.cache_clear()
    test = app("pages/settings.py")
    body = texts(test) + str([e.value for e in test.dataframe])
    assert "sk-ant-test-secret-value" not in body
    assert "`ANTHROPIC_API_KEY` is **set**" in body
    assert "**local** — ready" in body and "**claude** — ready" in body

def test_settings_page_never_shows_a_password_in_a_url(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", "redis://:queue-secret@redis.example:6379/0")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://user:proxy-secret@proxy.example/v1")
    get_settings.cache_clear()
    test = app("pages/settings.py")
    body = texts(test) + str([e.value for e in test.caption])
    assert "queue-secret" not in body and "proxy-secret" not in body
    assert "redis://:***@redis.example:6379/0" in body and "https://user:***@proxy.example/v1" in body

def test_clear_caches_empties_every_cache():
    from core import http
    from core.caches import cache_stats
    from core.engines.claude_store import ResponseStore
    from core.sources.ranking import claim_embedding

    settings = get_settings()
    with LocalServer() as server:
        server.routes["/story"] = Reply(200, article_html("Bridge", ARTICLE_PARAGRAPHS))
        http.get(server.url("/story"), settings=settings)
    ResponseStore(settings).put("request-key", "claude-test", "v1", {"answer": 1})
    claim_embedding("The council closed the library.")
    filled = cache_stats(settings)
    assert filled.pages == 1 and filled.engine_answers == 1 and filled.claim_embeddings >= 1
    test = app("pages/settings.py")
    test.button(key="settings_clear_cache").click().run()
    assert "Cleared 1 cached page, 1 cached engine answer" in texts(test)
    assert cache_stats(settings).empty

PASTED = dict(url=None, outlet=None, evidence_links=False)  # a pasted text: no URL, no outlet, library evidence without links

@pytest.mark.parametrize("page", [None, "pages/library.py", "pages/compare.py", "pages/evidence.py", "pages/settings.py",
                                  "pages/story.py", "pages/outlet.py"])
def test_every_page_works_with_pasted_text_analyses(page):
    # Beside an article from a URL: a column with some missing URLs is where pandas puts NaN.
    store(make_analysis(id="p1", title="Pasted one", **PASTED),
          make_analysis(id="p2", title="Pasted two", seed=2, created_at="2026-11-25T21:00:00+00:00", **PASTED),
          make_analysis(id="u1", title="From a URL", seed=3, created_at="2026-11-26T21:00:00+00:00", n_claims=1))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "p1"
    test.session_state["compare_ids"] = ["p1", "p2"]
    test.run()
    if page:
        test.switch_page(page).run()
    assert not test.exception, test.exception
    assert not test.error, [e.value for e in test.error]
    body = texts(test)
    if page is None:
        assert test.subheader[0].value == "Pasted one" and "Unknown outlet" in body
    if page == "pages/evidence.py":
        table = test.dataframe[0].value
        assert len(table) == 12 and list(table["Outlet / domain"]).count("") == 10
        test.multiselect(key="evidence_stance").set_value(["supports"]).run()
        assert not test.exception

def test_library_rerun_keeps_history_and_open_shows_the_analysis():
    original = make_analysis(id="r1", title="Council closes library", url="https://g.example/1", n_claims=3)
    store(original)
    test = app("pages/library.py")
    select_rows(test, 0)
    test.multiselect(key="library_rerun_sources").set_value([]).run()
    test.button(key="library_rerun").click().run()
    assert not test.exception and not test.error, [e.value for e in test.error]
    assert "the earlier analysis stays in the history" in texts(test)
    storage = Storage(get_settings().db_path)
    runs = storage.summaries(latest_only=False)
    assert len(runs) == 2 and {r.article_key for r in runs} == {"https://g.example/1"}
    newest = storage.summaries()[0]
    assert newest.id != "r1" and newest.history == 2
    assert storage.get(newest.id).article.text == original.article.text  # re-run on the stored text, no refetch
    test = app("pages/library.py")
    select_rows(test, 0)
    test.button(key="library_open").click().run()
    assert not test.exception
    assert test.subheader[0].value == "Council closes library"

def test_jobs_page_queues_a_batch_and_shows_results_and_failures():
    with LocalServer() as server:
        server.routes["/a"] = Reply(body=article_html("Council votes to close library", ARTICLE_PARAGRAPHS))
        server.routes["/gone"] = Reply(404, "missing", "text/plain")
        test = app("pages/jobs.py")
        assert "No jobs yet" in texts(test)
        test.text_area(key="batch_urls").input(f"{server.url('/a')}\n{server.url('/gone')}\n{server.url('/a')}\n")
        test.multiselect(key="batch_sources").set_value([])
        test.button(key="batch_submit").click().run()
    assert not test.exception, test.exception
    assert "Queued 2 analyses (1 duplicate URL, analysed once)." in texts(test)
    assert "was not found (HTTP 404)" in texts(test)  # the failure, with its hint, not hidden
    assert [s.value for s in test.subheader] == ["Failed", "Finished"]
    finished = test.dataframe[0].value
    assert len(finished) == 1 and finished["Result"].iloc[0].startswith("/?analysis=")
    # The result column first (a table 1024 px wide shows it), the article by its title, not its address.
    assert list(finished.columns)[0] == "Result" and finished["Article"].iloc[0] == "Council votes to close library (Test Gazette)"
    assert "127.0.0.1 › gone" in texts(test)  # the failed one: its site and the words of its path
    assert [m.value for m in test.metric] == ["0", "0", "1", "1"]  # running, queued, failed, done

def test_the_browser_never_gets_traceback_details():
    """client.showErrorDetails = "none": an uncaught exception shows a generic message, no file paths."""
    import os

    from streamlit import config

    cwd = os.getcwd()
    os.chdir(Path(APP).parent)
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("client.showErrorDetails") == "none"
    finally:
        os.chdir(cwd)
        config.get_config_options(force_reparse=True)

def test_a_damaged_stored_analysis_is_a_clear_error_not_an_exception():
    import sqlite3

    store(make_analysis(id="fine1", url="https://g.example/1"))
    with sqlite3.connect(get_settings().db_path) as db:
        db.execute("UPDATE analyses SET document = '{\"schema\": \"crosscheck.analysis/1\"}' WHERE id = 'fine1'")
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "fine1"
    test.run()
    assert not test.exception, test.exception
    assert "is damaged" in texts(test)
