"""The factcheck source (Google Fact Check Tools) and how a published rating weighs in the verdict."""
from __future__ import annotations

import logging

import pytest

from core.records import SourceType, Stance, Verdict
from core.ratings import RatingClass, publisher_stance, rating_class
from core.settings import get_settings
from core.sources import source_status
from core.storage import Storage
from testkit.fake_http import json_reply
from testkit.fake_services import FakeFactCheck, running, use_services
from tests.test_evidence import PLANET, gather, store

REVIEW_URL = "https://www.politifact.example/factchecks/2024/mar/04/genoa-bridge/"


@pytest.fixture
def factcheck(monkeypatch):
    with running(FakeFactCheck()) as (service,):
        use_services(monkeypatch, factcheck=service)
        yield service


def review(service: FakeFactCheck, claim: str = "The Morandi bridge in Genoa collapsed, killing 43 people", *,
           rating: str = "False", publisher: str = "PolitiFact", site: str = "politifact.example", url: str = REVIEW_URL) -> None:
    service.add_review(claim, publisher=publisher, site=site, url=url, rating=rating, claimant="A viral post",
                       title="No, the Genoa bridge did not collapse")


def test_needs_its_key():
    ready, reason = source_status("factcheck", get_settings())
    assert not ready and "GOOGLE_FACTCHECK_API_KEY" in reason


def test_a_false_rating_of_the_same_claim_contradicts_it(factcheck):
    review(factcheck)
    result = gather(("factcheck",))
    claim = result.claims[0]
    (item,) = claim.evidence
    assert item.source_type == SourceType.FACTCHECK and item.rating == "False" and item.outlet == "PolitiFact"
    assert item.url == REVIEW_URL and item.published == "2024-03-04" and item.relevance >= 0.6
    # The engine judged the reviewed claim to restate this one (0.85); the rating is the publisher's word.
    assert item.stance == Stance.REFUTES and item.stance_confidence == pytest.approx(0.85)
    assert claim.verdict == Verdict.CONTRADICTED
    assert claim.assessment.confidence == pytest.approx(0.85)
    assert claim.assessment.rationale.startswith("Contradicted by PolitiFact (factcheck, rated “False”).")
    assert result.source_runs[0].status == "ok" and not result.partial


def test_a_false_rating_against_support_from_another_outlet_is_disputed(factcheck, tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    review(factcheck)
    claim = gather(("library", "factcheck"), storage=storage).claims[0]
    assert claim.verdict == Verdict.DISPUTED
    assert "Daily Planet" in claim.assessment.rationale and "PolitiFact" in claim.assessment.rationale


def test_a_true_rating_counts_as_one_supporting_source(factcheck):
    review(factcheck, rating="True")
    claim = gather(("factcheck",)).claims[0]
    assert claim.verdict == Verdict.SINGLE_SOURCE and claim.evidence[0].stance == Stance.SUPPORTS


def test_a_rating_of_a_contrary_claim_is_shown_but_not_counted(factcheck):
    # The reviewed claim denies this one: its "False" says nothing simple about this claim.
    review(factcheck, claim="The Morandi bridge in Genoa did not collapse and no 43 people were killed")
    claim = gather(("factcheck",)).claims[0]
    (item,) = claim.evidence
    assert item.rating == "False" and item.stance == Stance.NEUTRAL and item.stance_confidence == 0.0
    assert claim.verdict == Verdict.UNVERIFIED
    assert "PolitiFact rates a related claim “False”, not counted: read the review" in claim.assessment.rationale


def test_a_mixed_rating_is_shown_but_decides_nothing(factcheck):
    review(factcheck, rating="Half True")
    claim = gather(("factcheck",)).claims[0]
    assert claim.evidence[0].rating == "Half True" and claim.evidence[0].stance == Stance.NEUTRAL
    assert claim.verdict == Verdict.UNVERIFIED


def test_the_articles_own_outlet_rating_its_own_claim_does_not_count(factcheck):
    review(factcheck, publisher="Morning Post", site="morningpost.example", url="https://morningpost.example/factcheck")
    claim = gather(("factcheck",)).claims[0]
    assert claim.verdict == Verdict.UNVERIFIED and "own outlet" in claim.assessment.rationale


def test_a_review_of_another_claim_on_the_subject_is_left_out(factcheck):
    review(factcheck, claim="Genoa bridge engineers warned about corrosion")
    assert gather(("factcheck",)).claims[0].evidence == ()


def test_the_key_travels_in_a_header_and_is_never_cached_or_logged(factcheck, caplog):
    caplog.set_level(logging.DEBUG)
    review(factcheck)
    gather(("factcheck",))
    request = factcheck.log[0]
    assert request.headers["x-goog-api-key"] == factcheck.api_key
    assert "key" not in request.query and request.query["languageCode"] == "en"
    cache = (get_settings().cache_path / "http_cache.sqlite").read_bytes()
    assert factcheck.api_key.encode() not in cache and factcheck.api_key not in caplog.text
    served = factcheck.requests
    gather(("factcheck",))
    assert factcheck.requests == served  # from the cache


def test_a_refused_key_says_what_to_check(monkeypatch, factcheck):
    monkeypatch.setenv("GOOGLE_FACTCHECK_API_KEY", "wrong-key")
    get_settings.cache_clear()
    result = gather(("factcheck",))
    run = result.source_runs[0]
    assert run.status == "failed" and "HTTP 403" in run.detail and "wrong-key" not in run.detail
    assert result.partial


def test_quota_exhausted_and_malformed_answers_fail_only_this_source(monkeypatch, factcheck):
    factcheck.fail(429, retry_after=60)
    run = gather(("factcheck",)).source_runs[0]
    assert run.status == "failed" and "429" in run.detail
    factcheck.heal()
    monkeypatch.setattr(factcheck, "handle", lambda request: json_reply({"claims": "not a list"}))
    monkeypatch.setenv("CROSSCHECK_HTTP_CACHE_HOURS", "0")
    get_settings.cache_clear()
    run = gather(("factcheck",)).source_runs[0]
    assert run.status == "failed" and "unexpected JSON" in run.detail


@pytest.mark.parametrize("rating, kind", [
    ("False", RatingClass.FALSE), ("Pants on Fire!", RatingClass.FALSE), ("Faux", RatingClass.FALSE),
    ("FALSO.", RatingClass.FALSE), ("True", RatingClass.TRUE), ("Mostly False", RatingClass.MIXED),
    ("Half True", RatingClass.MIXED), ("Misleading", RatingClass.MIXED), ("Needs more reporting", RatingClass.UNRATED),
    ("", RatingClass.UNRATED),
])
def test_rating_classes(rating, kind):
    assert rating_class(rating) == kind


def test_publisher_stance_needs_a_restatement():
    assert publisher_stance("False", Stance.SUPPORTS, 0.9) == (Stance.REFUTES, 0.9)
    assert publisher_stance("True", Stance.SUPPORTS, 0.7) == (Stance.SUPPORTS, 0.7)
    assert publisher_stance("False", Stance.REFUTES, 0.9) == (Stance.NEUTRAL, 0.0)
    assert publisher_stance("Half True", Stance.SUPPORTS, 0.9) == (Stance.NEUTRAL, 0.0)

