"""Published fact-checks: ClaimReview items from the Google Fact Check Tools API (``claims:search``).

One request per claim: ``GET …/v1alpha1/claims:search?query=…&languageCode=…``
with the key ``GOOGLE_FACTCHECK_API_KEY`` in the ``X-Goog-Api-Key`` header
(Google APIs take it there as well as in ``?key=``; a header never appears in
a URL, so not in a log line, an error message or a cache key either). The
answer lists claims as fact-checkers reviewed them, each with its reviews
(publisher, rating in the publisher's words, date, link).

A review is evidence for a claim when the reviewed claim is close to it
(MiniLM cosine at least :data:`~core.policy.FACTCHECK_MATCH`); its snippet is the reviewed claim, so
the engine judges whether it says the same thing, and :mod:`core.ratings`
turns the rating into the publisher's stance only when it does.
"""
from __future__ import annotations

import logging

import numpy as np

from ..errors import HTTPStatusError, SourceError
from ..ml.loading import get_embedder
from ..policy import FACTCHECK_MATCH
from ..records import SourceType
from ..registry import Needs
from .base import SOURCES, Passage, Source
from .ranking import claim_embedding, clip
from .wikipedia import build_queries

logger = logging.getLogger(__name__)

MAX_PASSAGES = 3
PAGE_SIZE = 10
_JSON = ("application/json",)


@SOURCES.register
class FactCheckSource(Source):
    name = "factcheck"
    source_type = SourceType.FACTCHECK
    description = "Published fact-checks (Google Fact Check Tools API: ClaimReview ratings; needs GOOGLE_FACTCHECK_API_KEY)."
    needs = Needs(settings=("google_factcheck_api_key",), network=True)

    def find(self, query: str) -> list[Passage]:
        key = self.settings.google_factcheck_api_key.get_secret_value() if self.settings.google_factcheck_api_key else ""
        language = self.context.article.language
        search = build_queries(query, language or "en")
        params: dict[str, str | int] = {"query": search[0] if search else query[:200], "pageSize": PAGE_SIZE}
        if language:
            params["languageCode"] = language
        try:
            response = self.fetch(self.settings.factcheck_api_url, accept=_JSON, params=params,
                                  headers={"X-Goog-Api-Key": key})
        except HTTPStatusError as exc:
            if exc.status in (400, 401, 403):
                raise SourceError(f"Google Fact Check Tools refused the request (HTTP {exc.status}).",
                                  hint="Check GOOGLE_FACTCHECK_API_KEY and that the Fact Check Tools API is enabled "
                                       "for its Google Cloud project.") from None
            raise
        try:
            data = response.json()
        except ValueError:
            raise SourceError("Google Fact Check Tools answered with something that is not JSON.") from None
        if not isinstance(data, dict) or not isinstance(data.get("claims", []), list):
            raise SourceError("Google Fact Check Tools answered with unexpected JSON.")
        return self._passages(query, data.get("claims", []))

    def _passages(self, query: str, claims: list) -> list[Passage]:
        reviewed = [c for c in claims if isinstance(c, dict) and isinstance(c.get("text"), str) and c["text"].strip()
                    and isinstance(c.get("claimReview"), list)]
        if not reviewed:
            return []
        vectors = get_embedder().encode([clip(c["text"]) for c in reviewed])
        similarity = vectors @ claim_embedding(query)
        passages: dict[str, Passage] = {}
        for index in np.argsort(-similarity, kind="stable"):
            claim, match = reviewed[int(index)], float(similarity[int(index)])
            if match < FACTCHECK_MATCH:
                break
            for review in claim["claimReview"]:
                if not isinstance(review, dict) or not str(review.get("url", "")).startswith(("http://", "https://")):
                    continue
                publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
                rating = str(review.get("textualRating") or "").strip()
                if not rating or review["url"] in passages:
                    continue
                passages[review["url"]] = Passage(
                    source_type=self.source_type,
                    title=str(review.get("title") or claim["text"])[:300],
                    url=review["url"],
                    outlet=str(publisher.get("name") or publisher.get("site") or "") or None,
                    snippet=clip(claim["text"]),
                    relevance=round(min(1.0, match), 3),
                    published=str(review.get("reviewDate") or claim.get("claimDate") or "")[:10] or None,
                    rating=rating[:120],
                )
        return list(passages.values())[:MAX_PASSAGES]
