"""The Analyze page through Streamlit's AppTest: the input form, its refusals with their hints, and a result as shown."""
from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import get_settings
from core.storage import Storage
from testkit.apptest import APP, TIMEOUT, app, store, texts
from testkit.articles import PARAGRAPHS as ARTICLE_PARAGRAPHS
from testkit.factories import make_analysis
from testkit.local_server import LocalServer, Reply, article_html


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

def test_upload_of_utf16_text_without_a_byte_order_mark():
    from testkit.articles import TEXT, TITLE

    test = app()
    test.radio(key="input_mode").set_value("Upload file").run()
    test.file_uploader(key="upload").set_value(("story.txt", TEXT.encode("utf-16-le"), "text/plain")).run()
    test.button(key="analyze").click().run()
    assert not test.exception, test.exception
    assert test.subheader[0].value.replace("\\", "") == TITLE
    assert "UTF-16 without a byte-order mark" in texts(test)

def test_pasted_text_can_be_given_its_outlet_url_and_date():
    test = app()
    test.radio(key="input_mode").set_value("Paste text").run()
    test.text_area(key="paste").input("Council closes library\n" + " ".join(ARTICLE_PARAGRAPHS))
    test.text_input(key="text_outlet").input("Morning Post")
    test.text_input(key="text_url").input("https://morningpost.example/library")
    test.date_input(key="text_published").set_value(date(2026, 3, 14))
    test.multiselect(key="sources").set_value([])
    test.button(key="analyze").click().run()
    assert not test.exception and not test.error, [e.value for e in test.error]
    stored = Storage(get_settings().db_path)
    article = stored.get(stored.summaries()[0].id).article
    assert (article.outlet, article.url, article.published) == ("Morning Post", "https://morningpost.example/library",
                                                                "2026-03-14")
    test.text_input(key="text_url").input("javascript:alert(1)")
    test.button(key="analyze").click().run()
    assert "not an http(s) address" in texts(test)

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
