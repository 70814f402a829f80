"""A fresh install, no configuration at all: analysing an article uses the library, Wikipedia and keyless web search.

Only the services' addresses point at loopback fakes (the address a real install uses is the
default); every other setting is its default: CROSSCHECK_SOURCES (auto), the ddgs back-ends, no key.
"""
from __future__ import annotations

import json
import os

from core import cli
from core.engine_usage import EngineInfo
from core.records import Analysis, Article
from core.settings import get_settings
from core.sources import default_sources, library
from core.storage import Storage
from testkit.articles import TEXT
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeSite, FakeWikipedia, running

EARLIER = ("Councillors voted 7 to 2 on Monday to close the Eastside public library by the end of the year. "
           "The library has served the district since 1961. Its 40,000 books will move to the central branch.")


def fresh_install(monkeypatch, wikipedia: FakeWikipedia, ddgs: FakeDdgs) -> None:
    """Empty settings, as after `make run` on a new machine, with the internet's services played by the fakes."""
    for name in list(os.environ):
        if name.startswith(("CROSSCHECK_", "GOOGLE_", "BRAVE_", "ANTHROPIC_")) and name not in ("CROSSCHECK_HOME",
                                                                                                "CROSSCHECK_SECRETS_FILE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CROSSCHECK_ALLOW_PRIVATE_URLS", "true")  # the fakes live on loopback
    monkeypatch.setenv("CROSSCHECK_WIKIPEDIA_API_URL", wikipedia.api_url)
    monkeypatch.setenv("CROSSCHECK_DDGS_GATEWAY_URL", ddgs.base_url)
    get_settings.cache_clear()


def test_a_fresh_install_checks_claims_against_library_wikipedia_and_the_web(monkeypatch, tmp_path, capsys):
    with running(FakeWikipedia(), FakeDdgs(), FakeSite("Riverside Courier")) as (wikipedia, ddgs, courier):
        fresh_install(monkeypatch, wikipedia, ddgs)
        settings = get_settings()
        assert settings.sources == "auto" and settings.ddgs_backends and settings.google_factcheck_api_key is None
        assert default_sources(settings, "local") == ("library", "wikipedia", "web")

        wikipedia.add_page("Eastside Library", "The Eastside Library is a public library in the city. "
                           "In 2023 Mayor Linda Park said that no library would close while she was in office. "
                           "The city council voted 7 to 2 to close the Eastside public library by the end of the year.")
        url = courier.add_article("/eastside", "Council shuts Eastside library", [
            "The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year.",
            "The budget office said the closure would save about 1.2 million dollars annually.",
            "Parents gathered outside the building on Tuesday to protest against the decision."])
        ddgs.add_result(url, "Council shuts Eastside library", "The city council voted 7 to 2 to close the Eastside library")

        db = tmp_path / "crosscheck.db"
        earlier = Article(text=EARLIER, url="https://eastsidegazette.example/library", title="Library to close",
                          outlet="Eastside Gazette", language="en")
        Storage(db).save(Analysis(id="earlier", created_at="2024-03-04T09:00:00+00:00", article=earlier,
                                  engine=EngineInfo("local")), index=library.index_sentences(earlier))
        article = tmp_path / "story.txt"
        article.write_text(TEXT, encoding="utf-8")

        assert cli.main(["analyze", str(article), "--json", "--db", str(db)]) == 0
        document = json.loads(capsys.readouterr().out)

    assert document["sources"] == ["library", "wikipedia", "web"]
    runs = {r["name"]: r for r in document["source_runs"]}
    assert {name: run["status"] for name, run in runs.items()} == {"library": "ok", "wikipedia": "ok", "web": "ok"}
    assert runs["wikipedia"]["requests"] > 0 and runs["web"]["requests"] > 0
    assert ddgs.hits_of("duckduckgo") > 0 and courier.requests > 0
    vote = document["claims"][0]
    assert vote["text"].startswith("The city council voted 7 to 2")
    assert {e["source_type"] for e in vote["evidence"]} == {"library", "wikipedia", "web"}
    assert {e["outlet"] for e in vote["evidence"]} >= {"Eastside Gazette", "Wikipedia", "Riverside Courier"}
    assert not document["partial"] and not document["warnings"]
