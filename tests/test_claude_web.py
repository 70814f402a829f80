"""Claude's server-side web search as the claude_web source, against the fake Messages API."""
from __future__ import annotations

import json

import pytest

from core import evidence
from core.engines import get_engine
from core.engines.claude_store import cost_usd
from core.engine_usage import Usage
from core.records import Article, SourceType, Stance, Verdict
from core.settings import get_settings
from core.sources import default_sources, source_status
from core.storage import Storage
from testkit.fake_anthropic import (  # noqa: F401 (fixture)
    FAKE_KEY,
    fake_anthropic,
    web_search_error,
    web_search_refused,
)
from tests.test_evidence import PLANET, store

CLAIM = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people."
OTHER_CLAIM = "The city of Genoa will build a new bridge within 12 months."
ARTICLE_TEXT = f"Disaster in Genoa\n{CLAIM} Rescue teams worked through the night. {OTHER_CLAIM} Residents were evacuated."
ARTICLE = Article(text=ARTICLE_TEXT, url="https://www.morningpost.example/genoa", title="Disaster in Genoa",
                  outlet="Morning Post", language="en")


def pages(fake) -> None:
    fake.add_web_page("https://news.example/genoa-bridge", "Genoa bridge collapse",
                      "Rescuers worked all night. The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people "
                      "according to the civil protection agency.", page_age="August 15, 2018")
    fake.add_web_page("https://wire.example/italy", "Italy mourns",
                      "Italy mourned on Wednesday. Officials confirmed the Morandi bridge collapse killed 43 people in Genoa.",
                      page_age="2 days ago")
    fake.add_web_page("https://morningpost.example/genoa-live", "Our own live blog",
                      "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people.")


def run(sources=("claude_web",), *, storage=None, fresh=False):
    settings = get_settings()
    engine = get_engine("claude", settings)
    candidates = engine.read(ARTICLE).claims
    result = evidence.gather(ARTICLE, candidates, engine=engine, source_names=sources, settings=settings,
                             storage=storage, fresh=fresh)
    return result, engine


def test_ready_only_with_the_claude_engine_and_its_key(fake_anthropic):
    settings = get_settings()
    assert source_status("claude_web", settings, "claude") == (True, "ready")
    ready, reason = source_status("claude_web", settings, "local")
    assert not ready and "claude engine" in reason
    assert "claude_web" in default_sources(settings.model_copy(update={"sources": "auto"}), "claude")
    assert "claude_web" not in default_sources(settings.model_copy(update={"sources": "auto"}), "local")


def test_citations_become_evidence_and_searches_count_in_the_cost(fake_anthropic):
    pages(fake_anthropic)
    result, engine = run()
    claim = next(c for c in result.claims if c.text == CLAIM)
    web = [e for e in claim.evidence if e.source_type == SourceType.WEB]
    assert {e.url for e in web} == {"https://news.example/genoa-bridge", "https://wire.example/italy"}
    cited = next(e for e in web if e.url == "https://news.example/genoa-bridge")
    assert cited.title == "Genoa bridge collapse" and cited.published == "August 15, 2018"
    assert cited.snippet.startswith("The Morandi bridge in Genoa collapsed") and len(cited.snippet) <= 150
    assert cited.outlet == "news.example" and cited.stance == Stance.SUPPORTS
    assert claim.verdict == Verdict.CORROBORATED
    assert result.source_runs[0].status == "ok" and result.source_runs[0].requests == len(fake_anthropic.web_searches())

    # The request: the web search tool, a cap on searches, the article's own site blocked, the claim as data.
    search = fake_anthropic.web_searches()[0]
    tool = search.body["tools"][0]
    assert tool == {"type": "web_search_20250305", "name": "web_search", "max_uses": 1,
                    "blocked_domains": ["morningpost.example"]}
    assert "tool_choice" not in search.body and "<claim_" in search.user_text
    assert not any(claim.text in search.system_text for claim in result.claims)

    usage = engine.info().usage
    searches = len(fake_anthropic.web_searches())
    assert usage.web_searches == searches == len(result.claims)
    assert usage.cost_usd == pytest.approx(sum(cost_usd("claude-sonnet-5-5", Usage(
        input_tokens=r.usage["input_tokens"], output_tokens=400, cache_write_tokens=r.usage["cache_creation_input_tokens"],
        cache_read_tokens=r.usage["cache_read_input_tokens"], web_searches=1 if r in fake_anthropic.web_searches() else 0))
        for r in fake_anthropic.requests), rel=1e-6)
    assert cost_usd("claude-sonnet-5-5", Usage(web_searches=1000)) == pytest.approx(10.0)


def test_a_rerun_makes_no_call(fake_anthropic):
    pages(fake_anthropic)
    first, _ = run()
    calls = len(fake_anthropic.requests)
    second, engine = run()
    assert len(fake_anthropic.requests) == calls and engine.info().usage.calls == 0
    assert [c.to_dict() for c in second.claims] == [c.to_dict() for c in first.claims]
    assert second.source_runs[0].requests == 0


def test_an_account_without_web_search_skips_the_source_and_the_others_go_on(fake_anthropic, tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    fake_anthropic.script_web_search(web_search_refused(), web_search_refused())
    result, _ = run(("library", "claude_web"), storage=storage)
    runs = {r.name: r for r in result.source_runs}
    assert runs["claude_web"].status == "skipped" and "not available to this account" in runs["claude_web"].detail
    assert "not enabled for your organization" in runs["claude_web"].detail
    assert runs["library"].status == "ok" and not result.partial
    assert result.warnings[0].startswith("Skipped claude_web (Claude's web search is not available")
    assert next(c for c in result.claims if c.text == CLAIM).verdict == Verdict.SINGLE_SOURCE
    assert FAKE_KEY not in json.dumps([r.to_dict() for r in result.source_runs])
    assert len(fake_anthropic.web_searches()) <= 2  # refused once per claim at most, then not asked again


def test_a_failed_search_fails_that_claim_only(fake_anthropic):
    pages(fake_anthropic)
    fake_anthropic.script_web_search(web_search_error("too_many_requests"))
    result, _ = run()
    run_ = result.source_runs[0]
    assert run_.status == "partial" and "too_many_requests" in run_.detail
    assert sum(c.partial for c in result.claims) == 1 and result.partial
