"""Every page through Streamlit's AppTest, as a user would click through it."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import get_settings
from core.review import verdict_target
from core.storage import Storage
from testkit.factories import make_analysis
from testkit.articles import PARAGRAPHS as ARTICLE_PARAGRAPHS
from testkit.local_server import LocalServer, Reply, article_html

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")



def app(page: str | None = None) -> AppTest:
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    if page:
        test.switch_page(page)
        test.run()
    assert not test.exception, test.exception
    return test


def texts(test: AppTest) -> str:
    parts = [e.value for e in test.markdown] + [e.value for e in test.caption] + [e.value for e in test.info]
    parts += [e.value for e in test.error] + [e.value for e in test.warning] + [e.value for e in test.success]
    parts += [str(e.proto.body) for e in test.get("html")]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # undo markdown escaping


def select_rows(test: AppTest, *rows: int) -> AppTest:
    """Tick rows of the Library table, as clicks in its checkbox column do."""
    test.session_state["library_table"] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return test.run()


def store(*analyses):
    storage = Storage(get_settings().db_path)
    for analysis in analyses:
        storage.save(analysis)
    return storage


def test_analyze_page_shows_inputs_and_disclaimer():
    test = app()
    assert test.title[0].value == "Analyze an article"
    assert "verify before you rely on it" in texts(test)
    assert test.radio(key="input_mode").options == ["URL", "Paste text", "Upload file"]
    assert test.selectbox(key="engine").options == ["local", "claude"]
    assert "no key" in texts(test)  # the chosen engine's description


def test_analyze_empty_url_gives_clear_message():
    test = app()
    test.button(key="analyze").click().run()
    assert "No URL given" in texts(test)


def test_claude_without_key_explains_how_to_set_it():
    test = app()
    test.selectbox(key="engine").set_value("claude").run()
    assert "ANTHROPIC_API_KEY" in texts(test)
    assert test.button(key="analyze").disabled


@pytest.mark.parametrize(
    "text, message",
    [("", "The text is empty"), ("word " * 1_000_000, "the limit is 200,000")],
    ids=["empty", "5MB"],
)
def test_analyze_bad_paste(text, message):
    test = app()
    test.radio(key="input_mode").set_value("Paste text").run()
    test.text_area(key="paste").input(text)
    test.button(key="analyze").click().run()
    assert message in texts(test)
    assert Storage(get_settings().db_path).summaries() == []


def test_analyze_loopback_url_is_refused_without_the_setting(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ALLOW_PRIVATE_URLS", "false")
    get_settings.cache_clear()
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html("Library closes", ARTICLE_PARAGRAPHS))
        test = app()
        test.text_input(key="url").input(server.url("/story"))
        test.button(key="analyze").click().run()
        assert server.hits["/story"] == 0
    assert "non-public address" in texts(test)


def test_analyze_url_end_to_end_stores_and_shows_the_result():
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html("Council votes to close library", ARTICLE_PARAGRAPHS))
        test = app()
        test.text_input(key="url").input(server.url("/story"))
        test.multiselect(key="sources").set_value([])
        test.button(key="analyze").click().run()
    assert not test.exception, test.exception
    assert not test.error, [e.value for e in test.error]
    summaries = Storage(get_settings().db_path).summaries()
    assert len(summaries) == 1
    assert test.subheader[0].value == "Council votes to close library"
    body = texts(test)
    assert "Test Gazette" in body and "Engine **local**" in body
    assert "verify before you rely on it" in body
    assert len(test.expander) >= 1  # claims cards and the article text


def test_analyze_shows_a_stored_analysis_from_the_query_string():
    store(make_analysis(id="abc123", title="Stored article <script>alert(1)</script>"))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "abc123"
    test.run()
    assert not test.exception
    assert test.subheader[0].value.replace("\\", "").startswith("Stored article <script>")
    html_bodies = " ".join(str(e.proto.body) for e in test.get("html"))
    assert "<script>" not in html_bodies
    assert any("Corroborated" in e.label for e in test.expander)


def test_library_empty_state():
    test = app("views/library.py")
    assert "No analyses yet" in texts(test)


def test_library_search_filter_and_compare_selection():
    store(
        make_analysis(id="a1", title="Council closes library", outlet="Gazette", url="https://g.example/1"),
        make_analysis(id="a2", title="Library closure approved", outlet="Herald", url="https://h.example/2"),
        make_analysis(id="a3", title="Football results", outlet="Sports Daily", url="https://s.example/3"),
    )
    test = app("views/library.py")
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
    test = app("views/library.py")
    table = test.dataframe[0].value
    assert list(table["Techniques found"]) == [len(analysis.found_techniques())]
    test.toggle(key="library_more_columns").set_value(True).run()
    assert list(test.dataframe[0].value["Top technique"]) == [analysis.top_technique().label]
    assert list(table["Persuasion"]) == ["90 %"]


def test_library_caption_counts_one_article_in_the_singular():
    store(make_analysis(id="a1", url="https://g.example/1"))
    test = app("views/library.py")
    assert "1 of 1 article (latest analysis of each)" in [c.value for c in test.caption]


def test_library_delete_needs_confirmation():
    store(make_analysis(id="a1", url="https://g.example/1"), make_analysis(id="a2", url="https://h.example/2"))
    test = app("views/library.py")
    select_rows(test, 0)  # a1: both were stored at the same moment, ties listed by id
    test.button(key="library_delete").click().run()
    assert len(Storage(get_settings().db_path).summaries()) == 2
    test.button(key="library_delete_confirm").click().run()
    assert [s.id for s in Storage(get_settings().db_path).summaries()] == ["a2"]


def test_compare_page_charts_and_shared_claims():
    store(
        make_analysis(id="a1", title="Council closes library", outlet="Gazette", url="https://g.example/1"),
        make_analysis(id="a2", title="Library closure approved", outlet="Herald", url="https://h.example/2", n_claims=2),
    )
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.query_params["ids"] = "a1,a2"
    test.switch_page("views/compare.py").run()
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


def test_compare_needs_two_articles():
    store(make_analysis(id="a1"))
    test = app("views/compare.py")
    assert "at least two analysed articles" in texts(test)


def test_evidence_filters():
    store(make_analysis(id="a1", url="https://g.example/1", n_claims=2))
    test = app("views/evidence.py")
    assert len(test.dataframe[0].value) == 4
    test.multiselect(key="evidence_stance").set_value(["refutes"]).run()
    table = test.dataframe[0].value
    assert len(table) == 2 and all("Refutes" in s for s in table["Stance"])
    assert "2 of 4 pieces of evidence" in [c.value for c in test.caption]
    test.multiselect(key="evidence_source_type").set_value(["library"]).run()
    assert len(test.dataframe[0].value) == 0


def test_evidence_empty_state():
    test = app("views/evidence.py")
    assert "No evidence yet" in texts(test)


def test_settings_page_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-secret-value")
    get_settings.cache_clear()
    test = app("views/settings.py")
    body = texts(test) + str([e.value for e in test.dataframe])
    assert "sk-ant-test-secret-value" not in body
    assert "`ANTHROPIC_API_KEY` is **set**" in body
    assert "**local** — ready" in body and "**claude** — ready" in body


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
    test = app("views/settings.py")
    test.button(key="settings_clear_cache").click().run()
    assert "Cleared 1 cached page, 1 cached engine answer" in texts(test)
    assert cache_stats(settings).empty


def _closed_port_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/story"


@pytest.mark.parametrize(
    "route, message",
    [
        (None, "Could not connect"),
        (Reply(body="late", delay=2.0), "did not answer within 0.5 seconds"),
        (Reply(404, "missing", "text/plain"), "was not found (HTTP 404)"),
        (Reply(body=b"%PDF-1.7", content_type="application/pdf"), "is a PDF document, not a web page"),
        (Reply(body=b"\x89PNG", content_type="image/png"), "is an image, not a web page"),
        (Reply(body="<html><body><nav><a href='/a'>A</a></nav></body></html>"), "has no article text"),
    ],
    ids=["unreachable", "timeout", "404", "pdf", "image", "no-article"],
)
def test_analyze_bad_urls_give_clear_messages_and_store_nothing(monkeypatch, route, message):
    monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "0.5")
    get_settings.cache_clear()
    store(make_analysis(id="kept", url="https://kept.example/1"))
    with LocalServer() as server:
        if route is not None:
            server.routes["/story"] = route
        test = app()
        test.text_input(key="url").input(server.url("/story") if route is not None else _closed_port_url())
        test.button(key="analyze").click().run()
        assert not test.exception
        assert message in texts(test)
        # the app keeps working: a good article right after the failure analyses fine
        server.routes["/good"] = Reply(body=article_html("Council votes to close library", ARTICLE_PARAGRAPHS))
        test.text_input(key="url").input(server.url("/good"))
        test.button(key="analyze").click().run()
    assert not test.error, [e.value for e in test.error]
    ids = {s.id for s in Storage(get_settings().db_path).summaries()}
    assert "kept" in ids and len(ids) == 2  # the earlier analysis intact, only the good one added


def test_upload_non_utf8_text_file_is_read_with_a_warning():
    text = "Café council closes library\n" + " ".join(ARTICLE_PARAGRAPHS) + " The mayor's café déjà vu."
    test = app()
    test.radio(key="input_mode").set_value("Upload file").run()
    test.file_uploader(key="upload").set_value(("story.txt", text.encode("cp1252"), "text/plain")).run()
    test.button(key="analyze").click().run()
    assert not test.exception and not test.error
    assert "not UTF-8; it was read as cp1252" in texts(test)
    assert test.subheader[0].value == "Café council closes library"


def test_upload_binary_file_is_refused():
    test = app()
    test.radio(key="input_mode").set_value("Upload file").run()
    test.file_uploader(key="upload").set_value(("story.txt", bytes(range(256)) * 20, "text/plain")).run()
    test.button(key="analyze").click().run()
    assert "not a text file" in texts(test)
    assert Storage(get_settings().db_path).summaries() == []


def test_pasted_text_can_be_given_its_outlet_and_url():
    test = app()
    test.radio(key="input_mode").set_value("Paste text").run()
    test.text_area(key="paste").input("Council closes library\n" + " ".join(ARTICLE_PARAGRAPHS))
    test.text_input(key="text_outlet").input("Morning Post")
    test.text_input(key="text_url").input("https://morningpost.example/library")
    test.multiselect(key="sources").set_value([])
    test.button(key="analyze").click().run()
    assert not test.exception and not test.error, [e.value for e in test.error]
    stored = Storage(get_settings().db_path)
    article = stored.get(stored.summaries()[0].id).article
    assert (article.outlet, article.url) == ("Morning Post", "https://morningpost.example/library")
    test.text_input(key="text_url").input("javascript:alert(1)")
    test.button(key="analyze").click().run()
    assert "not an http(s) address" in texts(test)


def test_claim_cards_show_the_top_claims_and_the_rest_behind_a_toggle():
    store(make_analysis(id="many", n_claims=20))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "many"
    test.run()
    claim_cards = [e for e in test.expander if "Claim number" in e.label]
    assert 5 <= len(claim_cards) <= 12
    test.toggle(key="analyze-show-all-claims").set_value(True).run()
    assert len([e for e in test.expander if "Claim number" in e.label]) == 20
    body = texts(test)
    assert "counted toward the verdict" in body and "not counted: below the confidence the verdict needs" in body
    assert "confidence 100" not in body


def test_non_english_article_gets_no_english_model_numbers():
    text = (
        "Stadtrat schließt Bibliothek\n"
        "Der Stadtrat hat am Montag mit sieben zu zwei Stimmen beschlossen, die öffentliche Bibliothek zu schließen. "
        "Die Verwaltung erklärte, dass die Schließung jährlich etwa 1,2 Millionen Euro einsparen werde. "
        "Anwohner nannten die Entscheidung einen Verrat an den arbeitenden Familien."
    )
    test = app()
    test.radio(key="input_mode").set_value("Paste text").run()
    test.text_area(key="paste").input(text)
    test.button(key="analyze").click().run()
    assert not test.exception and not test.error
    body = texts(test)
    assert "This article is in German" in body and "English only" in body and "claude engine" in body
    assert "the engine did not read the article" in body and "No check-worthy" not in body
    assert not [c for c in test.get("plotly_chart") if "gauge" in str(c.proto.id)]  # no technique gauges
    stored = Storage(get_settings().db_path).get(Storage(get_settings().db_path).summaries()[0].id)
    assert stored.techniques == () and stored.claims == () and stored.persuasion is None


PASTED = dict(url=None, outlet=None, evidence_links=False)  # a pasted text: no URL, no outlet, library evidence without links


@pytest.mark.parametrize("page", [None, "views/library.py", "views/compare.py", "views/evidence.py", "views/settings.py"])
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
    if page == "views/evidence.py":
        table = test.dataframe[0].value
        assert len(table) == 12 and list(table["Outlet / domain"]).count("") == 10
        test.multiselect(key="evidence_stance").set_value(["supports"]).run()
        assert not test.exception


def test_analyze_page_headlines_found_techniques_and_keeps_the_rest_under_show_all():
    analysis = make_analysis(id="t1")
    store(analysis)
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "t1"
    test.run()
    gauges = [c for c in test.get("plotly_chart") if "gauge-t1-" in str(c.proto.id)]
    assert len(gauges) == len(analysis.found_techniques()) < len(analysis.techniques)
    body = texts(test)
    found = analysis.found_techniques()[0]
    assert f"{found.strength:.1f} weighted passages per 1,000 words" in body
    test.toggle(key="analyze-show-all").set_value(True).run()
    table = test.dataframe[0].value
    assert len(table) == 14 and list(table["Found"]).count("● found") == len(analysis.found_techniques())


def test_a_failed_analysis_shows_its_message_and_hint_in_view():
    test = app()
    test.radio(key="input_mode").set_value("Paste text").run()
    test.text_area(key="paste").input("Too short.")
    test.button(key="analyze").click().run()
    assert "an article needs at least" in test.error[0].value and "Paste the whole article" in test.error[0].value
    # Not folded away in a collapsed box: no expander or status box holds the message.
    def folded_errors(node, inside=False):
        here = inside or getattr(node, "type", "") in ("expandable", "status")
        if getattr(node, "type", "") == "error" and "Paste the whole article" in node.value:
            yield here
        for child in getattr(node, "children", {}).values():
            yield from folded_errors(child, here)
    assert list(folded_errors(test.main)) == [False]


def test_library_rerun_keeps_history_and_open_shows_the_analysis():
    original = make_analysis(id="r1", title="Council closes library", url="https://g.example/1", n_claims=3)
    store(original)
    test = app("views/library.py")
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
    test = app("views/library.py")
    select_rows(test, 0)
    test.button(key="library_open").click().run()
    assert not test.exception
    assert test.subheader[0].value == "Council closes library"


def test_jobs_page_queues_a_batch_and_shows_results_and_failures():
    with LocalServer() as server:
        server.routes["/a"] = Reply(body=article_html("Council votes to close library", ARTICLE_PARAGRAPHS))
        server.routes["/gone"] = Reply(404, "missing", "text/plain")
        test = app("views/jobs.py")
        assert "No jobs yet" in texts(test)
        test.text_area(key="batch_urls").input(f"{server.url('/a')}\n{server.url('/gone')}\n{server.url('/a')}\n")
        test.multiselect(key="batch_sources").set_value([])
        test.button(key="batch_submit").click().run()
    assert not test.exception, test.exception
    assert "Queued 2 analyses (1 duplicate URLs analysed once)." in texts(test)
    assert "was not found (HTTP 404)" in texts(test)  # the failure, with its hint, not hidden
    assert [s.value for s in test.subheader] == ["Failed", "Finished"]
    finished = test.dataframe[0].value
    assert len(finished) == 1 and finished["Result"].iloc[0].startswith("/?analysis=")
    assert [m.value for m in test.metric] == ["0", "0", "1", "1"]  # running, queued, failed, done


def test_analyze_page_follows_a_queued_job_to_its_result():
    from core.jobs.queue import get_queue
    from core.pipeline import TextInput

    settings = get_settings()
    storage = Storage(settings.database)
    (job,) = get_queue(settings, storage).submit_analyses([TextInput("Council closes library\n" + " ".join(ARTICLE_PARAGRAPHS))],
                                                          engine="local", evidence_sources=())
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["job"] = job.id
    test.run()
    assert not test.exception
    assert test.subheader[0].value == "Council closes library"
    assert test.query_params.get("analysis") in (job.id, [job.id]) and "job" not in test.query_params


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


def test_upload_of_utf16_text_without_a_byte_order_mark():
    from testkit.articles import TEXT, TITLE

    test = app()
    test.radio(key="input_mode").set_value("Upload file").run()
    test.file_uploader(key="upload").set_value(("story.txt", TEXT.encode("utf-16-le"), "text/plain")).run()
    test.button(key="analyze").click().run()
    assert not test.exception, test.exception
    assert test.subheader[0].value.replace("\\", "") == TITLE
    assert "UTF-16 without a byte-order mark" in texts(test)


# ---------------------------------------------------------------- analyst review (issue 22)

def _review_page(analysis_id: str = "rev1") -> AppTest:
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = analysis_id
    test.run()
    assert not test.exception, test.exception
    return test


def test_a_review_without_a_name_is_refused_with_a_clear_message():
    store(make_analysis(id="rev1"))
    test = _review_page()
    assert "Set your name on the Settings page" in texts(test)
    test.button(key="analyze-mark").click().run()
    assert "Reviews need the analyst's name" in texts(test)
    assert Storage(get_settings().db_path).reviews.get("rev1").empty


def test_an_analyst_overrides_a_verdict_and_both_are_shown(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ANALYST_NAME", "Ana Analyst")
    get_settings.cache_clear()
    store(make_analysis(id="rev1"))  # c2 is single source
    test = _review_page()
    assert "Reviewing as **Ana Analyst**" in "\n".join(c.value for c in test.caption)
    test.toggle(key="analyze-c2-review").set_value(True).run()
    test.selectbox(key="analyze-c2-verdict").set_value("contradicted")
    test.button(key="FormSubmitter:analyze-c2-verdict-form-Save verdict review").click().run()
    assert "An override needs a reason" in texts(test)  # nothing saved without a reason
    test.selectbox(key="analyze-c2-verdict").set_value("contradicted")
    test.text_input(key="analyze-c2-verdict-reason").input("The ministry denied it on 2 May.")
    test.button(key="FormSubmitter:analyze-c2-verdict-form-Save verdict review").click().run()
    assert not test.exception, test.exception
    body = texts(test)
    assert "Analyst: contradicted (machine: single source) — The ministry denied it on 2 May. · Ana Analyst" in body
    assert any("Single source" in e.label and "Analyst: Contradicted" in e.label for e in test.expander)
    test.text_area(key="analyze-c2-note").input("Ask the council for the budget table.")
    test.button(key="FormSubmitter:analyze-c2-note-form-Add note").click().run()
    test.button(key="analyze-mark").click().run()
    review = Storage(get_settings().db_path).reviews.get("rev1")
    assert [(d.machine_value, d.analyst_value, d.reviewer) for d in review.decisions] == [
        ("single_source", "contradicted", "Ana Analyst")]
    assert [n.text for n in review.notes_on("c2")] == ["Ask the council for the budget table."]
    assert review.reviewed_by == "Ana Analyst" and [a.action for a in review.activity] == ["overridden", "note", "reviewed"]
    assert "Reviewed by Ana Analyst" in texts(test)
    assert test.get("arrow_data_frame") or test.dataframe  # the activity log


def test_technique_passages_and_stances_can_be_reviewed(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ANALYST_NAME", "Ben")
    get_settings.cache_clear()
    store(make_analysis(id="rev1"))
    test = _review_page()
    test.toggle(key="analyze-review-passages").set_value(True).run()
    test.selectbox(key="analyze-passage-value").set_value("none")
    test.text_input(key="analyze-passage-reason").input("Nobody is invoked here.")
    test.button(key="FormSubmitter:analyze-passage-form-Save passage review").click().run()
    test.toggle(key="analyze-c1-review").set_value(True).run()
    test.selectbox(key="analyze-c1-stance-item").set_value("1")
    test.selectbox(key="analyze-c1-stance").set_value("neutral")
    test.text_input(key="analyze-c1-stance-reason").input("Off topic.")
    test.button(key="FormSubmitter:analyze-c1-stance-form-Save stance review").click().run()
    assert not test.exception, test.exception
    decisions = {d.target.component: d for d in Storage(get_settings().db_path).reviews.get("rev1").decisions}
    assert decisions["technique"].analyst_value == "none" and decisions["stance"].target.index == 1
    body = texts(test)
    assert "Analyst: no technique (machine:" in body and "Analyst: neutral (machine:" in body


def test_settings_sets_the_analyst_name_and_shows_agreement():
    storage = store(make_analysis(id="rev1"))
    analysis = storage.get("rev1")
    storage.reviews.decide(analysis, verdict_target("c1"), "corroborated", reviewer="Ana")
    storage.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    test = app("views/settings.py")
    table = next(d.value for d in test.dataframe if "Component" in d.value.columns)
    verdicts = table[table["Component"] == "Verdicts"].iloc[0]
    assert (verdicts["Reviewed"], verdicts["Confirmed"], verdicts["Overridden"], verdicts["Agreement"]) == (2, 1, 1, "50%")
    assert test.get("download_button")  # reviewed items as JSON lines
    test.text_input(key="settings_analyst_name").input("Cleo").run()
    test.switch_page("views/analyze.py")
    test.query_params["analysis"] = "rev1"
    test.run()
    assert "Reviewing as **Cleo**" in "\n".join(c.value for c in test.caption)
