"""Whether two facts are about the same point: the words around them, as a fact-checker weighs them.

Two figures of one measure may be two points of one story ("the extension will cost" / "the first
phase will cost"). The words of the claim's sentence (or of the figure's own clause) that the
passage's sentence also holds tell them apart, less the words that only say what is compared
(the figures, their measure), when it was reported (days, months) and who reported it
(attribution clauses).
"""
from __future__ import annotations

import re
from os.path import commonprefix

from .dates import MONTHS, WEEKDAYS, DateFact
from .extract import Facts, measure_words
from .measures import GENERIC_REFERENTS, POINT_WORDS, canonical
from .numbers import NUMBER_WORDS
from .quantities import Quantity
from .words import stem

CALENDAR_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS)
# Two words count as one in clause contexts when they share this long a beginning ("councillors"/"council").
SHARED_PREFIX = 6
_WORD = re.compile(r"[a-z]+")


def context_share(claim: Facts, passage: Facts, claim_sentence: int, passage_sentence: int,
                   left_out: frozenset[str]) -> float:
    """Share of the claim sentence's content words (and actors) found in the passage sentence.

    ``left_out``: the words of the two facts themselves ("a year", "dollars", the measure), which
    say what is compared, not which point of the story it is; so are names of days and months
    ("the county said on Tuesday"), which say when it was reported, and the claim's attribution
    ("according to the city's transport department"), which another outlet need not repeat.
    """
    words = claim.context_words(claim_sentence) - left_out - NUMBER_WORDS - CALENDAR_WORDS
    if not words:
        return 1.0
    found = words & (passage.sentence_words[passage_sentence] | passage.actor_parts(passage_sentence))
    return len(found) / len(words)


def own_words(*facts: Quantity | DateFact) -> frozenset[str]:
    return frozenset(stem(w) for f in facts for w in _WORD.findall(f.text.lower()))


def figure_share(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> float:
    """The context share of two figures, leaving out their own words and what they measure.

    What they measure includes every word of the claim sentence for that measure ("have died" beside
    "17 dead", "budget" beside "cost"): a restatement may name it once, in other words.
    """
    keys = {c.measure, p.measure} - {""}
    family = frozenset(w for w in claim.sentence_words[c.sentence] if keys and canonical(w) in keys)
    left_out = measure_words(c) | measure_words(p) | own_words(c, p) | family
    return context_share(claim, passage, c.sentence, p.sentence, left_out)


def _clause_words(facts: Facts, position: int, sentence: int, left_out: frozenset[str]) -> frozenset[str]:
    """What the clause of a fact says besides the fact: its content words less attribution, measure and referents."""
    clause = facts.clause_at(position)
    words = clause.words if clause is not None and not clause.attribution else facts.context_words(sentence)
    figures = own_words(*(q for q in facts.quantities if q.sentence == sentence))  # "the 9.4-kilometre line"
    return words - left_out - figures - NUMBER_WORDS - CALENDAR_WORDS - GENERIC_REFERENTS - POINT_WORDS


def _found_share(words: frozenset[str], facts: Facts, sentence: int) -> float:
    if not words:
        return 1.0
    return _found(words, facts, sentence) / len(words)


def _found(words: frozenset[str], facts: Facts, sentence: int) -> int:
    """How many of ``words`` the sentence holds, as words or names; six shared letters make one word."""
    other = facts.sentence_words[sentence] | facts.actor_parts(sentence)
    return sum(1 for w in words if w in other or any(len(commonprefix([w, o])) >= SHARED_PREFIX for o in other))


def point_share(claim: Facts, passage: Facts, c: Quantity | DateFact, p: Quantity | DateFact) -> float:
    """How much of either fact's clause the other fact's sentence holds (the larger share).

    A clause that says nothing besides the fact ("the budget stands at 412 million euros") holds no
    rival point, but the other clause may name one ("the first phase is budgeted at €100m"): an empty
    clause counts as shared only when the other clause has at most one word its sentence lacks.
    """
    left_out = own_words(c, p) | (measure_words(c) | measure_words(p) if isinstance(c, Quantity) else frozenset())
    mine = _clause_words(claim, c.start, c.sentence, left_out)
    theirs = _clause_words(passage, p.start, p.sentence, left_out)
    if not mine or not theirs:
        other, facts, sentence = (theirs, claim, c.sentence) if not mine else (mine, passage, p.sentence)
        return 1.0 if len(other) - _found(other, facts, sentence) <= 1 else 0.0
    return max(_found_share(mine, passage, p.sentence), _found_share(theirs, claim, c.sentence))
