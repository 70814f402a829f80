"""The wikipedia source against a local MediaWiki API: language, queries, passages, failures."""
from __future__ import annotations

import pytest

from core.errors import FetchError, RateLimitedError, SourceError
from core.records import Article, SourceType
from core.settings import get_settings
from core.sources import SourceContext, all_source_status
from core.sources.wikipedia import WikipediaSource, build_queries, entities, wikipedia_language
from testkit.fake_http import json_reply
from testkit.fake_services import fake_wikipedia, use_services  # noqa: F401  (fixture)

MORANDI = ("== History ==\nThe Ponte Morandi was a road viaduct in Genoa, Liguria, Italy.\n"
           "On 14 August 2018 a section of the Morandi bridge collapsed during a rainstorm, killing 43 people.\n"
           "=== Design ===\nThe bridge was designed by the engineer Riccardo Morandi and opened in 1967.")
CLAIM = "The Morandi bridge in Genoa collapsed in 2018, killing 43 people."


def source(language: str | None = "en", *, fresh: bool = False) -> WikipediaSource:
    article = Article(text="An article.", url="https://morningpost.example/a", outlet="Morning Post", language=language)
    return WikipediaSource(SourceContext(settings=get_settings(), article=article, fresh=fresh))


@pytest.mark.parametrize("code, edition", [("en", "en"), ("de", "de"), ("FR", "fr"), ("nb", "no"), ("dz", "en"),
                                           ("xx", "en"), (None, "en"), ("", "en")])
def test_edition_follows_the_article_language(code, edition):
    assert wikipedia_language(code) == edition


def test_entities_are_names_not_sentence_starts():
    assert entities("The European Central Bank raised rates on Thursday.") == ["European Central Bank"]
    assert entities("In Paris, the mayor of London spoke.") == ["Paris", "London"]
    assert entities("Prices rose.") == []


def test_queries_go_from_names_and_key_terms_to_names_alone():
    queries = build_queries("Angela Merkel said unemployment in Germany fell sharply.", "en")
    assert queries[0].startswith("Angela Merkel Germany") and "unemployment" in queries[0]
    assert queries[1] == "Angela Merkel Germany"
    assert all(len(q.split()) <= 7 for q in queries)


def test_finds_the_best_sentences_of_the_best_page(monkeypatch, fake_wikipedia):
    fake_wikipedia.add_page("Ponte Morandi", MORANDI)
    fake_wikipedia.add_page("Genoa", "Genoa is the capital of Liguria. It has a large port. The city hosts an aquarium.")
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    found = source().find(CLAIM)
    assert found, "no passage found"
    best = found[0]
    assert best.source_type == SourceType.WIKIPEDIA and best.outlet == "Wikipedia" and best.title == "Ponte Morandi"
    assert "killing 43 people" in best.snippet and best.relevance >= 0.45
    assert best.url == fake_wikipedia.url("/en/wiki/Ponte_Morandi")
    assert all("==" not in p.snippet for p in found)
    assert all("aquarium" not in p.snippet for p in found)


def test_broader_query_when_the_specific_one_finds_nothing(monkeypatch, fake_wikipedia):
    fake_wikipedia.add_page("Ponte Morandi", MORANDI)
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    found = source().find("Officials in Genoa blamed the Morandi collapse on corroded steel cables and poor inspections.")
    searches = fake_wikipedia.searches()
    assert len(searches) == 2 and searches[1] == "Genoa Morandi"
    assert found and found[0].title == "Ponte Morandi"


def test_german_article_asks_german_wikipedia(monkeypatch, fake_wikipedia):
    fake_wikipedia.add_page("Ponte Morandi", "Die Ponte Morandi war eine Autobahnbrücke in Genua. Beim Einsturz der "
                            "Morandi-Brücke in Genua im August 2018 starben 43 Menschen.", lang="de")
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    found = source("de").find("Beim Einsturz der Morandi-Brücke in Genua starben 43 Menschen.")
    assert fake_wikipedia.searches("de") and not fake_wikipedia.searches("en")
    assert found and "43 Menschen" in found[0].snippet and "/de/wiki/" in found[0].url


def test_no_page_means_no_passage(monkeypatch, fake_wikipedia):
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    assert source().find(CLAIM) == []


def test_api_error_document_is_a_source_error(monkeypatch, fake_wikipedia):
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    monkeypatch.setattr(fake_wikipedia, "handle",
                        lambda request: json_reply({"error": {"code": "maxlag", "info": "Waiting for a database server"}}))
    with pytest.raises(SourceError, match="Waiting for a database server"):
        source().find(CLAIM)


def test_server_error_raises_and_is_counted(monkeypatch, fake_wikipedia):
    fake_wikipedia.fail(503)
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    wiki = source()
    with pytest.raises(FetchError, match="HTTP 503"):
        wiki.find(CLAIM)
    assert wiki.requests == fake_wikipedia.requests == 1


def test_rate_limit_stops_further_requests_to_wikipedia(monkeypatch, fake_wikipedia):
    fake_wikipedia.fail(429, retry_after=60)
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    wiki = source()
    with pytest.raises(FetchError, match="429"):
        wiki.find(CLAIM)
    with pytest.raises(RateLimitedError, match="wikipedia is rate-limited"):  # not asked again
        wiki.find("Another claim about Genoa.")
    assert fake_wikipedia.requests == 1


def test_answers_are_cached_and_counted(monkeypatch, fake_wikipedia):
    fake_wikipedia.add_page("Ponte Morandi", MORANDI)
    use_services(monkeypatch, wikipedia=fake_wikipedia)
    first = source()
    first.find(CLAIM)
    assert first.requests == fake_wikipedia.requests == 2  # one search, one page
    again = source()
    assert again.find(CLAIM) and again.requests == 0 and fake_wikipedia.requests == 2


def test_wikipedia_is_ready_without_configuration():
    assert all_source_status(get_settings())["wikipedia"] == (True, "ready")
