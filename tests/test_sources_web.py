"""The web source: SearXNG and Brave providers, page fetching and extraction, keys kept secret."""
from __future__ import annotations

import logging

import pytest

from core.errors import SourceError
from core.records import Article, SourceType
from core.settings import get_settings
from core.sources import PROVIDERS, SourceContext, all_source_status, source_status
from core.sources.web import WebSource
from testkit.fake_search import FakeBrave, FakeSearxng
from testkit.fake_services import FakeSite, running, use_services

CLAIM = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people."
PLANET = ["The Morandi bridge in Genoa collapsed on Tuesday and 43 people were killed.",
          "Rescue teams searched the rubble through the night while the city mourned.",
          "Engineers had warned about corrosion of the viaduct's cables for years."]


def source(url: str = "https://morningpost.example/genoa") -> WebSource:
    article = Article(text="An article.", url=url, outlet="Morning Post", language="en")
    return WebSource(SourceContext(settings=get_settings(), article=article))


def test_web_needs_a_provider():
    ready, reason = all_source_status(get_settings())["web"]
    assert not ready and "CROSSCHECK_SEARXNG_URL" in reason and "BRAVE_API_KEY" in reason and "CROSSCHECK_DDGS_BACKENDS" in reason
    assert PROVIDERS.names() == ["searxng", "brave", "ddgs"]


def test_searxng_results_are_fetched_extracted_and_searched(monkeypatch):
    with running(FakeSearxng(), FakeSite("Daily Planet")) as (searxng, planet):
        url = planet.add_article("/genoa", "Genoa bridge collapse", PLANET)
        searxng.add_result(url, "Genoa bridge collapse", "The Morandi bridge collapsed")
        use_services(monkeypatch, searxng=searxng)
        assert source_status("web", get_settings()) == (True, "ready (searxng)")
        web = source()
        found = web.find(CLAIM)
        assert len(found) == 1
        passage = found[0]
        assert passage.source_type == SourceType.WEB and passage.outlet == "Daily Planet" and passage.url == url
        assert "43 people were killed" in passage.snippet and passage.title == "Genoa bridge collapse"
        assert searxng.queries() == [CLAIM] and searxng.log[0].query["format"] == "json"
        assert web.requests == 2 and planet.requests == 1


def test_unreadable_page_falls_back_to_the_search_snippet(monkeypatch):
    with running(FakeSearxng(), FakeSite("Daily Planet")) as (searxng, planet):
        searxng.add_result(planet.url("/gone"), "Bridge", "Officials said the Morandi bridge collapse in Genoa killed 43 people.")
        use_services(monkeypatch, searxng=searxng)
        found = source().find(CLAIM)
        assert [p.snippet for p in found] == ["Officials said the Morandi bridge collapse in Genoa killed 43 people."]
        assert found[0].outlet == "127.0.0.1"


def test_the_articles_own_site_is_not_searched(monkeypatch):
    with running(FakeSearxng(), FakeSite("Morning Post")) as (searxng, own):
        url = own.add_article("/genoa", "Genoa bridge collapse", PLANET)
        searxng.add_result(url, "Genoa bridge collapse", "The Morandi bridge collapsed")
        use_services(monkeypatch, searxng=searxng)
        assert source(url=own.url("/another-story")).find(CLAIM) == []
        assert own.requests == 0


def test_searxng_without_json_format_explains_the_fix(monkeypatch):
    with running(FakeSearxng()) as (searxng,):
        searxng.fail(403)
        use_services(monkeypatch, searxng=searxng)
        with pytest.raises(SourceError) as error:
            source().find(CLAIM)
        assert "json" in error.value.hint


def test_brave_needs_its_key_and_the_key_stays_secret(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    with running(FakeBrave(api_key="brave-secret-123"), FakeSite("Evening Star")) as (brave, star):
        url = star.add_article("/bridge", "Bridge disaster", PLANET)
        brave.add_result(url, "Bridge disaster", "Morandi bridge collapsed in Genoa")
        use_services(monkeypatch, brave=brave)
        assert source_status("web", get_settings()) == (True, "ready (brave)")
        found = source().find(CLAIM)
        assert [p.outlet for p in found] == ["Evening Star"]
        assert brave.log[0].headers["x-subscription-token"] == "brave-secret-123"
        cache_files = list(get_settings().cache_path.glob("*"))
        assert cache_files and all(b"brave-secret-123" not in f.read_bytes() for f in cache_files)
        assert "brave-secret-123" not in caplog.text

        monkeypatch.setenv("BRAVE_API_KEY", "wrong-key")
        get_settings.cache_clear()
        with pytest.raises(Exception, match="HTTP 401"):
            source().find("A different claim about Genoa bridges.")


def test_both_providers_are_merged_without_duplicates(monkeypatch):
    with running(FakeSearxng(), FakeBrave(), FakeSite("Daily Planet"), FakeSite("Evening Star", host="127.0.0.2")) as services:
        searxng, brave, planet, star = services
        planet_url = planet.add_article("/genoa", "Genoa bridge collapse", PLANET)
        star_url = star.add_article("/bridge", "Bridge disaster", PLANET[::-1])
        searxng.add_result(planet_url, "Genoa bridge collapse", "The Morandi bridge collapsed")
        brave.add_result(planet_url, "Genoa bridge collapse", "The Morandi bridge collapsed")
        brave.add_result(star_url, "Bridge disaster", "Morandi bridge collapsed in Genoa")
        use_services(monkeypatch, searxng=searxng, brave=brave)
        found = source().find(CLAIM)
        assert sorted(p.outlet for p in found) == ["Daily Planet", "Evening Star"]
        assert planet.requests == 1 and star.requests == 1


def test_one_provider_down_the_other_still_answers(monkeypatch):
    with running(FakeSearxng(), FakeBrave(), FakeSite("Evening Star")) as (searxng, brave, star):
        url = star.add_article("/bridge", "Bridge disaster", PLANET)
        brave.add_result(url, "Bridge disaster", "Morandi bridge collapsed in Genoa")
        searxng.fail(500)
        use_services(monkeypatch, searxng=searxng, brave=brave)
        assert [p.outlet for p in source().find(CLAIM)] == ["Evening Star"]


def test_number_of_results_follows_the_setting(monkeypatch):
    with running(FakeSearxng(), FakeSite("Daily Planet")) as (searxng, planet):
        for n in range(5):
            searxng.add_result(planet.add_article(f"/s{n}", f"Story {n}", PLANET), f"Morandi bridge story {n}", "Genoa collapse")
        use_services(monkeypatch, searxng=searxng)
        monkeypatch.setenv("CROSSCHECK_WEB_RESULTS", "2")
        get_settings.cache_clear()
        source().find(CLAIM)
        assert planet.requests == 2
