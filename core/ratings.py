"""Published fact-checks in the verdict: what a rating says, and when it counts.

A fact-checker's rating ("False", "Pants on Fire", "Half True") is the
publisher's word about *the claim it reviewed*; it is no stance probability.
The engine judges only whether the reviewed claim says the same as the claim
being checked (a "supports" stance between the two claims). The rule
(docs/evidence.md, "Fact-checks"):

* the reviewed claim restates this one (stance *supports*): a false-class
  rating makes the publisher a refuting source, a true-class rating a
  supporting one, with the engine's confidence that the two claims say the
  same thing (the only uncertainty: the rating itself is taken as published);
* a mixed or unrecognised rating, or a reviewed claim that does not restate
  this one (a contrary or merely related claim), is shown and decides nothing:
  the evidence item is neutral with confidence 0.

The publisher is then an outlet like any other in the verdict rules: counted
once, never when it is the article's own outlet.
"""
from __future__ import annotations

import re
from enum import StrEnum

from collections.abc import Sequence

from .records import Evidence, Stance


class RatingClass(StrEnum):
    FALSE = "false"
    TRUE = "true"
    MIXED = "mixed"  # partly true, misleading, missing context: read the review
    UNRATED = "unrated"  # a rating these lists do not know


# Ratings as fact-checkers publish them (ClaimReview textualRating), lower-cased, in the
# languages the International Fact-Checking Network's members use most. Only clear
# verdicts are true or false; "Mostly False" and "Mostly True" are mixed on purpose.
_FALSE = {
    "false", "pants on fire", "pants on fire!", "fake", "incorrect", "wrong", "hoax", "fabricated", "baseless",
    "not true", "untrue", "four pinocchios", "false claim", "fake news", "scam", "debunked",
    "faux", "falso", "falsch", "fälschung", "onwaar", "fałsz", "nepravda", "ложь", "неправда", "фейк", "خطأ", "زائف",
    "错误", "虚假", "誤り", "거짓",
}
_TRUE = {
    "true", "correct", "accurate", "verified", "confirmed", "geppetto checkmark",
    "vrai", "verdadero", "verdadeiro", "vero", "wahr", "richtig", "waar", "prawda", "правда", "صحيح", "正确", "正しい", "사실",
}
_MIXED = {
    "mostly false", "mostly true", "half true", "half-true", "mixture", "mixed", "misleading", "partly false",
    "partially false", "partly true", "partially true", "missing context", "out of context", "exaggerated",
    "exaggeration", "needs context", "unproven", "unsupported", "distorts the facts", "cherry picks",
    "one pinocchio", "two pinocchios", "three pinocchios",
    "trompeur", "engañoso", "enganoso", "fuorviante", "irreführend", "misleidend", "teilweise falsch", "en partie faux",
    "parcialmente falso", "impreciso", "manipulation", "вводит в заблуждение",
}
_SPACE = re.compile(r"\s+")


def rating_class(rating: str | None) -> RatingClass:
    """The class of a publisher's rating; unknown wording is UNRATED, never guessed."""
    text = _SPACE.sub(" ", (rating or "").strip().lower()).strip(" .!")
    if text in _FALSE or text + "!" in _FALSE:
        return RatingClass.FALSE
    if text in _TRUE:
        return RatingClass.TRUE
    if text in _MIXED:
        return RatingClass.MIXED
    return RatingClass.UNRATED


def publisher_stance(rating: str, restates: Stance, confidence: float) -> tuple[Stance, float]:
    """The fact-check's stance on the claim being checked, from its rating and the engine's judgement
    of the reviewed claim against this one (``restates``, ``confidence``)."""
    kind = rating_class(rating)
    if restates != Stance.SUPPORTS or kind in (RatingClass.MIXED, RatingClass.UNRATED):
        return Stance.NEUTRAL, 0.0
    return (Stance.REFUTES if kind == RatingClass.FALSE else Stance.SUPPORTS), confidence


def uncounted(evidence: Sequence[Evidence]) -> list[str]:
    """Rationale notes for the fact-checks shown but not counted, so that no published rating goes unmentioned."""
    return [f"{item.outlet or 'a fact-checker'} rates a related claim “{item.rating}”, not counted: read the review"
            for item in evidence if item.rating is not None and item.stance == Stance.NEUTRAL]
