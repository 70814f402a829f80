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

from .dates import MONTHS, WEEKDAYS, DateFact
from .extract import Facts, measure_words, read_facts
from .measures import GENERIC_MEASURES
from .numbers import NUMBER_WORDS
from .quantities import Quantity
from .words import stem

# Share of the claim sentence's content words (its measure left out) that the passage sentence
# must also hold for two figures to be about the same point. An agreement needs less evidence of
# the same point than a conflict, since the same value is itself evidence. On the development
# half of the Wikinews pairs (scripts/eval_facts.py) agreement precision/recall was 0.950/0.963
# at 0.15, 0.962/0.960 at 0.25 and 0.966/0.960 at 0.35; the conflict shares (0.4 to 0.6, slot 0.6
# to 0.8) changed nothing there, as changed-figure pairs are near copies, so they were set on the
# cross-outlet cases of tests/test_facts_compare.py ("will cost $1.2 billion, the county said"
# against "put the cost of the bridge at $1.5 billion" shares half).
AGREE_CONTEXT = 0.25
CONFLICT_CONTEXT = 0.5
# Figures without a measure noun conflict only in the same slot of sentences sharing this much.
SLOT_CONFLICT_CONTEXT = 0.7
# Dates outside the same slot: one of their kind in each sentence, and sentences sharing this much.
DATE_CONFLICT_CONTEXT = 0.75
# Generic counts ("28 people") say less about which point they are: a conflict needs more shared context.
GENERIC_CONFLICT_CONTEXT = 0.7
# A quotation counts as printed by the passage when this similar to one of its quotations
# (punctuation, case and apostrophes already normalised): one word changed in twelve still matches.
QUOTE_SIMILARITY = 0.9
_WORD = re.compile(r"[a-z]+")
CALENDAR_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS)


@dataclass(frozen=True)
class FactMatch:
    """One fact of the claim beside the passage's version of it, both as written."""

    kind: str  # "quantity", "date", "actor" or "quote"
    claim_text: str
    passage_text: str
    # What the fact is about: the measure as the claim writes it ("deaths", "age of kenteris"), a date's
    # granularity ("day", "month", "year"), an actor's key, "quote"; "" if unknown.
    about: str

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
    say what is compared, not which point of the story it is; so are names of days and months
    ("the county said on Tuesday"), which say when it was reported.
    """
    words = claim.sentence_words[claim_sentence] - left_out - NUMBER_WORDS - CALENDAR_WORDS
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


def _share(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> float:
    """The context share of two figures, leaving out their own words and what they measure."""
    left_out = measure_words(c) | measure_words(p) | _own_words(c, p)
    return _context_share(claim, passage, c.sentence, p.sentence, left_out)


def _may_agree(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> bool:
    """Whether two figures of one unit can be taken for the same point when their values agree.

    The same measure in sentences sharing a quarter of their words; without a
    measure on one side, the same slot (neighbouring words), one and the same
    specific number ("3,248" and "3248") or a figure with a unit ("$1.2 million a
    year" and "1.2m dollars annually") in sentences sharing half their words.
    """
    if c.unit == "age" and not _actors_match(claim, passage, c, p):
        return False
    if c.measure and p.measure and c.measure != p.measure:
        return False
    share = _share(claim, passage, c, p)
    if c.measure and c.measure == p.measure:
        return share >= AGREE_CONTEXT
    if c.neighbours & p.neighbours and share >= AGREE_CONTEXT:
        return True
    specific = (c.low == c.high == p.low == p.high and (c.value >= 10 or c.value != int(c.value))) or c.unit not in ("", "%")
    return specific and share >= CONFLICT_CONTEXT


def _may_conflict(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> bool:
    """Whether two figures of one unit with other values are surely about the same point.

    The same measure (and period of a rate, and person for an age) in sentences
    sharing half their words, or 70 % for generic measures ("people", "rate")
    and unnamed ages; without a measure, the same slot in sentences sharing 70 %.
    """
    if c.per != p.per or (c.measure != p.measure and c.measure and p.measure):
        return False
    if c.unit == "age" and not _actors_match(claim, passage, c, p):
        return False
    share = _share(claim, passage, c, p)
    if not (c.measure and c.measure == p.measure):
        return bool(c.neighbours & p.neighbours) and share >= SLOT_CONFLICT_CONTEXT
    generic = c.measure in GENERIC_MEASURES or (c.unit == "age" and not (c.actor or p.actor))
    return share >= (GENERIC_CONFLICT_CONTEXT if generic else CONFLICT_CONTEXT)


def _slot_aligned(claim: Facts, passage: Facts, c: Quantity | DateFact, p: Quantity | DateFact) -> bool:
    """Whether ``p`` fills the slot of ``c``: same neighbouring words in sentences that are mostly the same."""
    if not c.neighbours & p.neighbours:
        return False
    left_out = _own_words(c, p) | (measure_words(c) if isinstance(c, Quantity) else frozenset())
    return _context_share(claim, passage, c.sentence, p.sentence, left_out) >= SLOT_CONFLICT_CONTEXT


def _compare_quantities(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[FactMatch], list[str]]:
    agreements, conflicts, missing = [], [], []
    for c in claim.quantities:
        candidates = [p for p in passage.quantities if _comparable(c, p)]
        # The figure in the same slot of a near copy is the one to judge by, before any other of the same measure.
        aligned = sorted((p for p in candidates if _slot_aligned(claim, passage, c, p)
                          and (c.measure == p.measure or not c.measure or not p.measure)),
                         key=lambda p: -len(c.neighbours & p.neighbours))
        agreeing = [p for p in aligned or candidates if c.agrees_with(p) and _may_agree(claim, passage, c, p)]
        if agreeing:
            agreements.append(FactMatch("quantity", c.text, agreeing[0].text, _about(c)))
            continue
        # A passage figure that agrees with another figure of the claim is that figure, not a rival of this one.
        conflicting = [p for p in aligned[:1] or candidates
                       if not c.agrees_with(p) and _may_conflict(claim, passage, c, p)
                       and not any(o is not c and _comparable(o, p) and o.agrees_with(p) and _may_agree(claim, passage, o, p)
                                   for o in claim.quantities)]
        if conflicting:
            conflicts.append(FactMatch("quantity", c.text, conflicting[0].text, _about(c)))
        else:
            missing.append(c.text)
    return agreements, conflicts, missing


def _compare_dates(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[FactMatch], list[str]]:
    """Dates agree when they state the same values; they conflict only about the same event.

    The same event: the date fills the same slot of a near copy, or each sentence
    states one date of that granularity (one day, one month, one year) and they
    share most words; with several such dates, which is which is unsure.
    """
    agreements, conflicts, missing = [], [], []
    for c in claim.dates:
        verdicts = [(p, c.agrees_with(p)) for p in passage.dates]
        shares = {id(p): _context_share(claim, passage, c.sentence, p.sentence, _own_words(c, p)) for p, _ in verdicts}
        aligned = [p for p, v in verdicts if v is not None and _slot_aligned(claim, passage, c, p)]
        agreeing = [p for p in aligned or [p for p, _ in verdicts]
                    if c.agrees_with(p) is True and shares[id(p)] >= AGREE_CONTEXT]
        if agreeing:
            agreements.append(FactMatch("date", c.text, agreeing[0].text, c.granularity))
            continue
        alone = _alone(claim, c)
        conflicting = [p for p, v in verdicts if v is False and not any(o is not c and o.agrees_with(p) for o in claim.dates)
                       and ((aligned and p is aligned[0])
                            or (alone and _alone(passage, p) and shares[id(p)] >= DATE_CONFLICT_CONTEXT))]
        if conflicting:
            conflicts.append(FactMatch("date", c.text, conflicting[0].text, c.granularity))
        else:
            missing.append(c.text)
    return agreements, conflicts, missing


def _alone(facts: Facts, date: DateFact) -> bool:
    """Whether the date is the only one of its granularity in its sentence."""
    return sum(1 for d in facts.dates if d.sentence == date.sentence and d.granularity == date.granularity) == 1


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
