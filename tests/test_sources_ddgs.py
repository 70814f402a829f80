"""The keyless ddgs web provider: ddgs's own engines, their requests sent through core/http.py to a stand-in.

The stand-in (testkit.fake_search.FakeDdgs) serves the result pages in the markup ddgs's engines
read; the engines are ddgs's real classes, with only their HTTP client replaced by the project's.
"""
from __future__ import annotations

import time

import pytest

from core import evidence
from core.errors import SourceError
from core.records import Article, SourceType
from core.settings import get_settings
from core.sources import SourceContext, source_status
from core.sources.ddgs_search import BACKOFF, DdgsProvider, ProjectHttpClient, region
from core.sources.web import WebSource
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeSite, running, use_services
from testkit.local_server import Reply
from tests.test_evidence import RuleEngine

CLAIM = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people."
PLANET = ["The Morandi bridge in Genoa collapsed on Tuesday and 43 people were killed.",
          "Rescue teams searched the rubble through the night while the city mourned.",
          "Engineers had warned about corrosion of the viaduct's cables for years."]


def web_source(url: str = "https://morningpost.example/genoa") -> WebSource:
    article = Article(text="An article.", url=url, outlet="Morning Post", language="en")
    return WebSource(SourceContext(settings=get_settings(), article=article))


@pytest.fixture
def ddgs_and_site(monkeypatch):
    with running(FakeDdgs(), FakeSite("Daily Planet")) as (ddgs, planet):
        url = planet.add_article("/genoa", "Genoa bridge collapse", PLANET)
        ddgs.add_result(url, "Genoa bridge collapse", "The Morandi bridge in Genoa collapsed")
        use_services(monkeypatch, ddgs=ddgs)
        yield ddgs, planet


def test_ddgs_is_ready_with_no_configuration_and_off_when_its_backends_are_emptied(monkeypatch):
    monkeypatch.delenv("CROSSCHECK_DDGS_BACKENDS")
    get_settings.cache_clear()
    assert source_status("web", get_settings()) == (True, "ready (ddgs)")
    monkeypatch.setenv("CROSSCHECK_OFFLINE", "true")
    get_settings.cache_clear()
    assert source_status("web", get_settings())[0] is False


def test_duckduckgo_answers_first_and_its_result_pages_are_read(ddgs_and_site):
    ddgs, planet = ddgs_and_site
    passages = web_source().find(CLAIM)
    assert [p.outlet for p in passages] == ["Daily Planet"]
    assert passages[0].source_type == SourceType.WEB and "43 people were killed" in passages[0].snippet
    # ddgs's DuckDuckGo engine POSTs its form; the first back-end that answers is the only one asked.
    assert ddgs.hits_of("duckduckgo") == 1 and ddgs.hits_of("mojeek") == ddgs.hits_of("brave") == 0
    posted = ddgs.log[0]
    assert posted.method == "POST" and posted.query["q"].startswith("The Morandi bridge") and posted.query["l"] == "us-en"
    assert posted.headers["user-agent"].startswith("Crosscheck/")  # the project's own client, no browser disguise
    assert planet.requests == 1


def test_a_rerun_is_served_from_the_cache(ddgs_and_site):
    ddgs, planet = ddgs_and_site
    first = web_source().find(CLAIM)
    served = (ddgs.requests, planet.requests)
    source = web_source()
    assert source.find(CLAIM) == first
    assert (ddgs.requests, planet.requests) == served and source.requests == 0


@pytest.mark.parametrize("backend", ["mojeek", "brave"])
def test_each_backend_page_is_read_by_ddgs(monkeypatch, ddgs_and_site, backend):
    ddgs, _ = ddgs_and_site
    monkeypatch.setenv("CROSSCHECK_DDGS_BACKENDS", backend)
    get_settings.cache_clear()
    passages = web_source().find(CLAIM)
    assert [p.outlet for p in passages] == ["Daily Planet"] and ddgs.hits_of(backend) == 1
    request = ddgs.log[0]
    assert request.method == "GET" and "Morandi" in request.query["q"]
    assert request.headers.get("cookie")  # the engine's region cookies travel with the request


def test_a_throttled_backend_is_left_alone_and_the_next_one_answers(ddgs_and_site):
    ddgs, _ = ddgs_and_site
    ddgs.throttle("duckduckgo", 202)
    first = web_source().find(CLAIM)
    assert [p.outlet for p in first] == ["Daily Planet"]
    assert ddgs.hits_of("duckduckgo") == 1 and ddgs.hits_of("mojeek") == 1
    wait, reason = BACKOFF.wait("duckduckgo")
    assert 0 < wait <= 2.0 and "202" in reason
    # Another analysis in the same process does not ask DuckDuckGo again during its back-off.
    web_source().find("Rescue teams searched the rubble of the Morandi bridge in Genoa.")
    assert ddgs.hits_of("duckduckgo") == 1 and ddgs.hits_of("mojeek") == 2


def test_every_backend_rate_limited_waits_for_retry_after_then_succeeds(ddgs_and_site):
    ddgs, _ = ddgs_and_site
    for backend in ("duckduckgo", "mojeek", "brave"):
        ddgs.throttle(backend, 429, times=1, retry_after=0.5)
    started = time.monotonic()
    passages = web_source().find(CLAIM)
    assert time.monotonic() - started >= 0.5
    assert [p.outlet for p in passages] == ["Daily Planet"] and ddgs.hits_of("duckduckgo") == 2


def test_long_rate_limits_fail_the_claim_with_the_reason(ddgs_and_site):
    ddgs, planet = ddgs_and_site
    for backend in ("duckduckgo", "mojeek", "brave"):
        ddgs.throttle(backend, 429, retry_after=120)
    with pytest.raises(SourceError) as error:
        web_source().find(CLAIM)
    assert "duckduckgo is rate-limiting" in error.value.message and "brave" in error.value.message
    assert "limit automated searches" in error.value.hint and planet.requests == 0


def test_server_errors_and_unreadable_pages_fall_through_to_the_next_backend(monkeypatch, ddgs_and_site):
    ddgs, _ = ddgs_and_site
    ddgs.throttle("duckduckgo", 503)
    assert [p.outlet for p in web_source().find(CLAIM)] == ["Daily Planet"]
    assert ddgs.hits_of("duckduckgo") == 1 and ddgs.hits_of("mojeek") == 1
    original = ddgs.handle

    def garbled_except_brave(request):
        if "brave" in request.path:
            return original(request)
        return Reply(200, b"\x00\xff<div class='body'><a>not a result page", "text/html")

    monkeypatch.setattr(ddgs, "handle", garbled_except_brave)
    passages = web_source().find("Rescue teams searched the rubble of the Morandi bridge in Genoa.")
    assert [p.outlet for p in passages] == ["Daily Planet"] and ddgs.hits_of("brave") == 1


def test_no_results_anywhere_is_no_evidence_not_a_failure(ddgs_and_site):
    assert web_source().find("Quantum gravity explains the price of tea in Lisbon.") == []


def test_the_cap_on_searches_per_analysis(monkeypatch, ddgs_and_site):
    ddgs, _ = ddgs_and_site
    monkeypatch.setenv("CROSSCHECK_DDGS_MAX_QUERIES", "2")
    get_settings.cache_clear()
    source = web_source()
    source.find(CLAIM)
    source.find("Rescue teams searched the rubble of the Morandi bridge in Genoa.")
    with pytest.raises(SourceError) as error:
        source.find("Engineers had warned about corrosion of the Morandi bridge cables.")
    assert "CROSSCHECK_DDGS_MAX_QUERIES" in error.value.message and ddgs.hits_of("duckduckgo") == 2


def test_ddgs_requests_obey_the_address_policy(monkeypatch, ddgs_and_site):
    ddgs, _ = ddgs_and_site
    monkeypatch.setenv("CROSSCHECK_ALLOW_PRIVATE_URLS", "false")
    get_settings.cache_clear()
    with pytest.raises(SourceError) as error:
        web_source().find(CLAIM)
    assert "non-public address" in error.value.message and ddgs.requests == 0


def test_a_slow_backend_times_out_and_the_next_answers(monkeypatch, ddgs_and_site):
    ddgs, _ = ddgs_and_site
    original = ddgs.handle

    def slow_duckduckgo(request):
        if "duckduckgo" in request.path:
            time.sleep(1.5)
        return original(request)

    monkeypatch.setattr(ddgs, "handle", slow_duckduckgo)
    monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "0.5")
    get_settings.cache_clear()
    assert [p.outlet for p in web_source().find(CLAIM)] == ["Daily Planet"]
    assert ddgs.hits_of("mojeek") == 1


def test_gather_with_the_cap_marks_only_the_claims_past_it(monkeypatch, ddgs_and_site):
    monkeypatch.setenv("CROSSCHECK_DDGS_MAX_QUERIES", "1")
    monkeypatch.setenv("CROSSCHECK_SOURCE_WORKERS", "1")  # claims in order, so the first one is searched
    get_settings.cache_clear()
    text = f"Disaster in Genoa\n{CLAIM} The city of Genoa will build a new bridge within a year."
    article = Article(text=text, url="https://morningpost.example/genoa", outlet="Morning Post", language="en")
    settings = get_settings()
    engine = RuleEngine(settings)
    result = evidence.gather(article, engine.read(article).claims, engine=engine, source_names=("web",),
                             settings=settings, storage=None)
    run = result.source_runs[0]
    assert run.status == "partial" and "CROSSCHECK_DDGS_MAX_QUERIES" in run.detail
    assert [c.partial for c in result.claims] == [False, True]


def test_region_and_gateway():
    assert region("de") == "de-de" and region(None) == "wt-wt" and region("xx") == "wt-wt"
    client = ProjectHttpClient(lambda *a, **k: None, "http://127.0.0.1:9/")
    assert client._through_gateway("https://html.duckduckgo.com/html/?x=1") == "http://127.0.0.1:9/html.duckduckgo.com/html/?x=1"


def test_unknown_backend_names_the_known_ones(monkeypatch, ddgs_and_site):
    monkeypatch.setenv("CROSSCHECK_DDGS_BACKENDS", "altavista")
    get_settings.cache_clear()
    provider = DdgsProvider(get_settings(), lambda *a, **k: None)
    with pytest.raises(SourceError) as error:
        provider.search(CLAIM, language="en", count=3)
    assert "altavista" in error.value.message and "mojeek" in error.value.hint


def test_no_network_makes_the_web_source_unavailable_in_one_clean_line(monkeypatch):
    from core.errors import SourceUnavailableError
    from tests.test_evidence_limits import without_network

    without_network(monkeypatch)
    monkeypatch.delenv("CROSSCHECK_DDGS_GATEWAY_URL", raising=False)
    monkeypatch.setenv("CROSSCHECK_DDGS_BACKENDS", "duckduckgo,mojeek")
    get_settings.cache_clear()
    with pytest.raises(SourceUnavailableError) as error:
        web_source().find(CLAIM)
    assert error.value.message.startswith("no network") and "duckduckgo, mojeek" in error.value.message
    assert ".." not in error.value.message and "CROSSCHECK_OFFLINE" in error.value.hint
