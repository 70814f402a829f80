"""One set of identity rules (core.identity): the sources that leave out the article's own outlet agree with the verdict."""
from __future__ import annotations

import hashlib

import pytest

from core import verdict
from core.engines.claude_search import WebCitation, WebSearchAnswer
from core.identity import article_key, domain, evidence_domain, independence_key, is_own_outlet, is_own_page, site
from core.records import Article, Evidence, SourceType, Stance
from core.settings import get_settings
from core.sources.base import SourceContext
from core.sources.claude_web import ClaudeWebSource
from core.sources.web import SearchResult, WebSource

TEXT = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people, the civil protection agency said."
CLAIM = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people."
# The article names its outlet like a domain, so that a page on that domain is its own by name as well.
ARTICLE = Article(text=TEXT, url="https://www.morningpost.example/genoa", title="Disaster in Genoa", outlet="wire.example")
PAGES = (
    "https://www.morningpost.example/live",  # the article's own site
    "https://m.morningpost.example/genoa",  # its mobile site: the same outlet to the verdict
    "https://morningpost.example/genoa-2",
    "https://wire.example/italy",  # the outlet the article names
    "https://news.example/genoa-bridge",  # independent
    "https://www.other.example/genoa",  # independent
)


def as_evidence(url: str) -> Evidence:
    """The evidence a page found on the web becomes: named by its host, as web and claude_web name it."""
    return Evidence(source_type=SourceType.WEB, title="Genoa", url=url, outlet=site(url) or None, snippet=CLAIM,
                    stance=Stance.SUPPORTS, stance_confidence=0.99, decisive=True)


def independent_pages() -> set[str]:
    return {url for url in PAGES if not verdict.counting_note(as_evidence(url), ARTICLE).startswith("not counted")}


def test_the_verdict_rules_name_outlets_and_their_own():
    assert domain("https://WWW.BBC.co.uk/news") == domain("https://m.bbc.co.uk/") == "bbc.co.uk"
    assert independence_key(as_evidence("https://m.bbc.co.uk/x")) == "bbc.co.uk"
    wiki = Evidence(SourceType.WIKIPEDIA, "Genoa", "https://en.wikipedia.org/wiki/Genoa", None, "…", Stance.NEUTRAL, 0.5)
    assert independence_key(wiki) == "wikipedia"
    assert {url for url in PAGES if is_own_page(url, ARTICLE)} == set(PAGES) - {PAGES[4], PAGES[5]}
    assert independent_pages() == {PAGES[4], PAGES[5]}
    assert not is_own_page("https://news.example/", Article(text=TEXT))  # an article with no outlet has no own pages


def test_claude_web_leaves_out_exactly_what_the_verdict_would_not_count():
    class SearchingEngine:
        def search_web(self, claim, *, blocked_domain=None, fresh=False):
            self.blocked = blocked_domain
            return WebSearchAnswer(tuple(WebCitation(url, "Genoa", CLAIM, None) for url in PAGES), from_cache=True)

    engine = SearchingEngine()
    source = ClaudeWebSource(SourceContext(settings=get_settings(), article=ARTICLE, engine=engine))
    passages = source.find(CLAIM)
    assert engine.blocked == "morningpost.example"
    kept = {p.url for p in passages}
    # Before core.identity the source compared hosts without www. only, and kept the mobile site and the named outlet.
    assert kept == independent_pages()
    assert all(not is_own_outlet(as_evidence(p.url), ARTICLE) for p in passages)
    assert {p.outlet for p in passages} == {"news.example", "other.example"}


def test_web_search_leaves_out_exactly_what_the_verdict_would_not_count():
    class Provider:
        name = "stand-in"

        def search(self, query, *, language, count):
            return [SearchResult(url=url, title="Genoa", snippet=CLAIM) for url in PAGES]

    source = WebSource(SourceContext(settings=get_settings().model_copy(update={"web_results": 10}), article=ARTICLE))
    source.providers = [Provider()]
    assert {r.url for r in source.results(CLAIM)} == independent_pages()


@pytest.mark.parametrize("url, key", [
    # Stored in the articles table: these keys must never change.
    ("https://WWW.Example.com/News/Story/?id=3#top", "https://www.example.com/News/Story?id=3"),
    ("  http://example.com  ", "http://example.com/"),
    ("https://m.example.com/a/", "https://m.example.com/a"),
])
def test_article_keys_keep_their_stored_form(url, key):
    assert article_key(Article(text="x", url=url)) == key


def test_an_article_without_an_address_is_keyed_by_its_text():
    assert article_key(Article(text="Some text.")) == "sha256:" + hashlib.sha256(b"Some text.").hexdigest()


def test_evidence_domains_keep_their_stored_form():
    # Stored in the evidence table's domain column (and computed alike by migration 0002).
    assert evidence_domain("https://WWW.Example.com/a", "Example") == "example.com"
    assert evidence_domain("https://m.example.com/a", None) == "m.example.com"
    assert evidence_domain("ftp://example.com/a", "Example") == "Example"
    assert evidence_domain(None, None) == ""
