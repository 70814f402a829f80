"""Which claims are checked (the cap) and which are shown first (the top claims)."""
from __future__ import annotations

from dataclasses import replace

from core.engines.base import ClaimCandidate
from core.pipeline import Provenance, TextInput, cap_claims, load
from core.policy import MAX_CLAIMS
from core.presentation import top_claim_count
from core.settings import get_settings
from testkit.articles import TEXT
from testkit.factories import make_analysis


def test_the_cap_keeps_the_most_check_worthy_claims_in_article_order():
    candidates = [ClaimCandidate(f"claim {i}", i * 10, i * 10 + 7, checkworthiness=(i * 37 % 100) / 100) for i in range(100)]
    kept = cap_claims(candidates)
    assert len(kept) == MAX_CLAIMS
    assert [c.start for c in kept] == sorted(c.start for c in kept)
    lowest_kept = min(c.checkworthiness for c in kept)
    assert all(c.checkworthiness <= lowest_kept for c in candidates if c not in kept)
    assert cap_claims(candidates[:3]) == tuple(candidates[:3])


def test_about_one_top_claim_per_hundred_words_five_to_twelve():
    assert [top_claim_count(n) for n in (0, 300, 1000, 1100, 5000)] == [5, 5, 10, 11, 12]


def test_top_claims_are_the_most_check_worthy_in_article_order():
    analysis = make_analysis(20)
    words = len(analysis.article.text.split())
    top = analysis.top_claims()
    assert len(top) == top_claim_count(words) < len(analysis.claims)
    assert [c.start for c in top] == sorted(c.start for c in top)
    assert min(c.checkworthiness for c in top) >= max(c.checkworthiness for c in analysis.claims if c not in top)
    few = replace(analysis, claims=analysis.claims[:3])
    assert few.top_claims() == few.claims


def test_a_stated_outlet_and_url_are_the_texts_own():
    settings = get_settings()
    plain = load(TextInput(TEXT), settings).article
    assert plain.outlet is None and plain.url is None
    stated = load(TextInput(TEXT, Provenance("Morning Post", "https://morningpost.example/a")), settings).article
    assert (stated.outlet, stated.url, stated.text) == ("Morning Post", "https://morningpost.example/a", TEXT)
    by_url = load(TextInput(TEXT, Provenance(None, "https://planet.example/b")), settings).article
    assert by_url.outlet == "planet.example"
