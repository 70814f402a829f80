"""Compare the facts of a claim with those of a passage, as a fact-checker would.

For each figure, date, actor and quotation of the claim: does the passage
state it with the same value (agreement), state the same point with another
value (conflict), or not state it (missing)? Precision comes first, because a
false conflict shows a restatement as refuting: a conflict needs the same
unit and the same measure ("deaths" and "people died" are one measure;
"deaths" and "cases" are two points of one story) and the same context (enough
of the claim sentence's other words, or its actors, in the passage sentence).
When that is unsure the figure is only missing, neither agreeing nor
conflicting. A quotation the passage prints too is shared: it never refutes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from .dates import DateFact
from .extract import Facts, measure_words, read_facts
from .numbers import NUMBER_WORDS
from .quantities import Quantity
from .words import stem

# Share of the claim sentence's content words (its measure left out) that the passage sentence
# must also hold for two figures to be about the same point. Chosen on the development half of the
# Wikinews pairs (scripts/eval_facts.py): an agreement needs less evidence of the same point
# than a conflict, since the same value is itself evidence.
AGREE_CONTEXT = 0.25
CONFLICT_CONTEXT = 0.5
_WORD = re.compile(r"[a-z]+")
# Generic counts ("28 people") say less about which point they are: a conflict needs more shared context.
GENERIC_CONFLICT_CONTEXT = 0.7
# A quotation counts as printed by the passage when this similar to one of its quotations
# (punctuation, case and apostrophes already normalised): one word changed in twelve still matches.
QUOTE_SIMILARITY = 0.9


@dataclass(frozen=True)
class FactMatch:
    """One fact of the claim beside the passage's version of it, both as written."""

    kind: str  # "quantity", "date", "actor" or "quote"
    claim_text: str
    passage_text: str
    about: str  # what the fact is about, as the claim writes it: "deaths", "age of kenteris"; "" if unknown

    def describe(self) -> str:
        """Both versions side by side for display: "more than 50 million vs 25 million (deaths)"."""
        about = f" ({self.about})" if self.about else ""
        return f"{self.claim_text} vs {self.passage_text}{about}"


@dataclass(frozen=True)
class FactComparison:
    """What the passage does with each checkable fact of the claim."""

    agreements: tuple[FactMatch, ...]
    conflicts: tuple[FactMatch, ...]
    missing: tuple[str, ...]  # the claim's facts, as written, that the passage neither confirms nor contradicts
    shared_quote: bool  # a quotation of the claim is printed by the passage: the passage must not count as refuting
    checkable: int  # the claim's quantities and dates

    @property
    def figures_agree(self) -> bool:
        """Whether the passage states every quantity and date of the claim with the same value (and there is one)."""
        figures = sum(1 for a in self.agreements if a.kind in ("quantity", "date"))
        return self.checkable > 0 and figures == self.checkable and not self.conflicts


def _context_share(claim: Facts, passage: Facts, claim_sentence: int, passage_sentence: int,
                   left_out: frozenset[str]) -> float:
    """Share of the claim sentence's content words (and actors) found in the passage sentence.

    ``left_out``: the words of the two facts themselves ("a year", "dollars", the measure), which
    say what is compared, not which point of the story it is.
    """
    words = claim.sentence_words[claim_sentence] - left_out - NUMBER_WORDS
    if not words:
        return 1.0
    found = words & (passage.sentence_words[passage_sentence] | passage.actor_parts(passage_sentence))
    return len(found) / len(words)


def _actors_match(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> bool:
    """Whether two ages are of the same person: named the same, or one unnamed beside the other's name."""
    if c.actor and p.actor:
        return bool(set(c.actor.split()) & set(p.actor.split()))
    if c.actor:
        return bool(set(c.actor.split()) & passage.actor_parts(p.sentence))
    if p.actor:
        return bool(set(p.actor.split()) & claim.actor_parts(c.sentence))
    return True


def _comparable(c: Quantity, p: Quantity) -> bool:
    return c.unit == p.unit and (c.per == p.per or not c.per or not p.per)


def _about(c: Quantity) -> str:
    if c.unit == "age":
        return f"age of {c.actor}" if c.actor else "age"
    return c.measure_text or ("" if c.unit in ("", "%") else c.unit)


def _own_words(*facts: Quantity | DateFact) -> frozenset[str]:
    return frozenset(stem(w) for f in facts for w in _WORD.findall(f.text.lower()))


def _same_point(claim: Facts, passage: Facts, c: Quantity, p: Quantity, for_conflict: bool) -> bool:
    """Whether two figures of one unit are about the same point (see the module's docstring)."""
    if c.unit == "age" and not _actors_match(claim, passage, c, p):
        return False
    if for_conflict:
        if not (c.measure and c.measure == p.measure and c.per == p.per):
            return False
        if c.unit == "age" and not (c.actor or p.actor):
            return _context_share(claim, passage, c.sentence, p.sentence, measure_words(c) | _own_words(c, p)) >= GENERIC_CONFLICT_CONTEXT
        needed = GENERIC_CONFLICT_CONTEXT if c.measure == "people" else CONFLICT_CONTEXT
        if c.unit == "age" or c.unit == "score":
            needed = CONFLICT_CONTEXT
        return _context_share(claim, passage, c.sentence, p.sentence, measure_words(c) | _own_words(c, p)) >= needed
    if c.measure and p.measure and c.measure != p.measure:
        return False
    needed = AGREE_CONTEXT if (c.measure and c.measure == p.measure) else CONFLICT_CONTEXT
    return _context_share(claim, passage, c.sentence, p.sentence, measure_words(c) | measure_words(p) | _own_words(c, p)) >= needed


def _compare_quantities(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[FactMatch], list[str]]:
    agreements, conflicts, missing = [], [], []
    for c in claim.quantities:
        candidates = [p for p in passage.quantities if _comparable(c, p)]
        agreeing = [p for p in candidates if c.agrees_with(p) and _same_point(claim, passage, c, p, False)]
        if agreeing:
            agreements.append(FactMatch("quantity", c.text, agreeing[0].text, _about(c)))
            continue
        # A passage figure that agrees with another figure of the claim is that figure, not a rival of this one.
        conflicting = [p for p in candidates if not c.agrees_with(p) and _same_point(claim, passage, c, p, True)
                       and not any(o is not c and _comparable(o, p) and o.agrees_with(p) for o in claim.quantities)]
        if conflicting:
            conflicts.append(FactMatch("quantity", c.text, conflicting[0].text, _about(c)))
        else:
            missing.append(c.text)
    return agreements, conflicts, missing


def _date_role(claim: Facts, d: DateFact) -> str:
    return "date" if d.day is not None or d.weekday is not None else ("month" if d.month is not None else "year")


def _compare_dates(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[FactMatch], list[str]]:
    """Dates agree when they state the same values; they conflict only when each sentence states one date of that kind.

    Two sentences about one event with one date each, sharing most words, give
    the event's date; with several dates in a sentence which is which is unsure.
    """
    agreements, conflicts, missing = [], [], []
    for c in claim.dates:
        verdicts = [(p, c.agrees_with(p)) for p in passage.dates]
        shares = {id(p): _context_share(claim, passage, c.sentence, p.sentence, _own_words(c, p)) for p, _ in verdicts}
        agreeing = [p for p, v in verdicts if v is True and shares[id(p)] >= AGREE_CONTEXT]
        if agreeing:
            agreements.append(FactMatch("date", c.text, agreeing[0].text, _date_role(claim, c)))
            continue
        alone = sum(1 for d in claim.dates if d.sentence == c.sentence) == 1
        conflicting = [p for p, v in verdicts if v is False and alone and shares[id(p)] >= CONFLICT_CONTEXT
                       and sum(1 for d in passage.dates if d.sentence == p.sentence) == 1
                       and not any(o is not c and o.agrees_with(p) for o in claim.dates)]
        if conflicting:
            conflicts.append(FactMatch("date", c.text, conflicting[0].text, _date_role(claim, c)))
        else:
            missing.append(c.text)
    return agreements, conflicts, missing


def _compare_actors(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[str]]:
    """An actor is mentioned when the passage names it by any of its words ("Putin" for "Vladimir Putin")."""
    agreements, missing = [], []
    passage_words = set(passage.normalised.split())
    seen: set[str] = set()
    for actor in claim.actors:
        if actor.key in seen:
            continue
        seen.add(actor.key)
        named = [a for a in passage.actors if a.parts & actor.parts]
        if named:
            agreements.append(FactMatch("actor", actor.text, named[0].text, actor.key))
        elif actor.parts & passage_words:
            agreements.append(FactMatch("actor", actor.text, actor.text, actor.key))
        else:
            missing.append(actor.text)
    return agreements, missing


def _compare_quotes(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[str]]:
    agreements, missing = [], []
    for quote in claim.quotes:
        if f" {quote.normalised} " in f" {passage.normalised} ":
            agreements.append(FactMatch("quote", quote.text, quote.text, "quote"))
            continue
        similar = [q for q in passage.quotes
                   if SequenceMatcher(None, quote.normalised.split(), q.normalised.split()).ratio() >= QUOTE_SIMILARITY]
        if similar:
            agreements.append(FactMatch("quote", quote.text, similar[0].text, "quote"))
        else:
            missing.append(quote.text)
    return agreements, missing


def compare_facts(claim: str, passage: str) -> FactComparison:
    """Which of the claim's facts the passage confirms, contradicts or leaves out (see FactComparison)."""
    c, p = read_facts(claim), read_facts(passage)
    q_agree, q_conflict, q_missing = _compare_quantities(c, p)
    d_agree, d_conflict, d_missing = _compare_dates(c, p)
    a_agree, a_missing = _compare_actors(c, p)
    quote_agree, quote_missing = _compare_quotes(c, p)
    return FactComparison(tuple(q_agree + d_agree + a_agree + quote_agree), tuple(q_conflict + d_conflict),
                          tuple(q_missing + d_missing + a_missing + quote_missing), bool(quote_agree),
                          len(c.quantities) + len(c.dates))
