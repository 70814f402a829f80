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

import datetime
from dataclasses import dataclass
from os.path import commonprefix

from .context import context_share, figure_share, own_words, point_share
from .dates import DateFact, publication_day, resolved
from .extract import Facts, measure_words, read_facts
from .measures import (
    GENERIC_MEASURES,
    PEOPLE_EVENTS,
    STORY_MEASURES,
)
from .quantities import UNIT_WORDS, Quantity, point_name
from .quotes import compare_quotes

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
# An exact figure with a unit (a currency amount, a distance) or a non-round count of ten or more, stated with
# the same value by a passage (one the sources already retrieved as about the claim: MiniLM cosine >= 0.45),
# is the same point unless their measures differ: it needs this little of the claim's context.
SPECIFIC_AGREE_CONTEXT = 0.0
# A non-round count without a unit ("36") needs a little more: some word or name of the claim's sentence.
SPECIFIC_COUNT_AGREE_CONTEXT = 0.1
# Two figures of a measure a story states once (measures.STORY_MEASURES: the cost, the vote), each alone of its
# kind in its sentence, or two dates of one role ("start"), conflict when the words of either one's clause
# (less the measure's own words and "the project"-like referents) are this much in the other's sentence.
POINT_CONFLICT_CONTEXT = 0.5
# Figures without a measure noun conflict only in the same slot of sentences sharing this much.
SLOT_CONFLICT_CONTEXT = 0.7
# Dates outside the same slot: one of their kind in each sentence, and sentences sharing this much.
DATE_CONFLICT_CONTEXT = 0.75
# Generic counts ("28 people") say less about which point they are: a conflict needs more shared context.
GENERIC_CONFLICT_CONTEXT = 0.7
_DURATION_UNITS = frozenset({UNIT_WORDS[w] for w in ("hour", "minute", "day", "week", "month", "year", "decade")})


@dataclass(frozen=True)
class FactMatch:
    """One fact of the claim beside the passage's version of it, both as written."""

    kind: str  # "quantity", "date", "actor", "quote" or "identifier" (a number naming something: "line 4")
    claim_text: str
    passage_text: str
    # What the fact is about: a figure's point by its measure's family (point_name: "cost" for "budgeted", "deaths",
    # "length", "age of kenteris"), what a date dates where the claim says ("start date", "opening") else "date", an
    # actor's key, "quote"; "" if unknown.
    about: str
    granularity: str = ""  # a date's: "day", "month" or "year" (the coarser of the two sides when they agree)

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
    # The claim's key people whom the passage names only as someone else ("Steven Hammond" / "Dwight Hammond"):
    # its figures are about another person, so they cannot contradict the claim's.
    other_people: tuple[str, ...] = ()

    @property
    def figures_agree(self) -> bool:
        """Whether the passage states every quantity and date of the claim with the same value (and there is one).

        A number naming something ("flight 1344") need not be restated, but counts as the one figure when agreeing.
        """
        figures = sum(1 for a in self.agreements if a.kind in ("quantity", "date"))
        named = any(a.kind == "identifier" for a in self.agreements)
        return (self.checkable > 0 or named) and figures == self.checkable and not self.conflicts


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


def _alone_of_measure(facts: Facts, q: Quantity) -> bool:
    return sum(1 for o in facts.quantities if o.sentence == q.sentence and o.unit == q.unit and o.measure == q.measure) == 1


def _story_point(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> bool:
    """Two figures of a measure a story states once, each alone of its kind, in clauses about the same thing."""
    return (c.measure == p.measure and c.measure in STORY_MEASURES and c.per == p.per
            and _alone_of_measure(claim, c) and _alone_of_measure(passage, p)
            and point_share(claim, passage, c, p) >= POINT_CONFLICT_CONTEXT)


def _unique_value(facts: Facts, q: Quantity) -> bool:
    """Whether no other figure of the sentence has the value ("39 of its 54 delegates, a total of 54": which 54?)."""
    return sum(1 for o in facts.quantities if o.sentence == q.sentence and o.value == q.value) == 1


def _specific(c: Quantity, p: Quantity) -> bool:
    """Both state one value in the same words, with a unit of measure or currency, or a non-round count of ten or more.

    "€412 million" and "412 million euros", "more than 11,300" twice, "roughly $5.7 billion" and "$5.7 billion" (an
    "about" on one side only); a score counts when its two sides add up to ten or more ("31-14", not "2-1").
    """
    if c.second is not None and p.second is not None:
        return c.agrees_with(p) and c.value + c.second >= 10
    if c.second is not None or p.second is not None or c.is_range or p.is_range:
        return False
    same_words = c.base == p.base and (c.low, c.high) == (p.low, p.high) and c.approximate == p.approximate
    if not (same_words or _hedged(c, p) or _hedged(p, c)):
        return False
    with_unit = c.unit not in ("", "%", "age", "score") and c.unit not in _DURATION_UNITS
    return with_unit or (c.unit == "" and c.value >= 10 and (c.value != int(c.value) or int(c.value) % 10 != 0))


def _hedged(a: Quantity, b: Quantity) -> bool:
    """The same written number, hedged with "about" on one side only: "roughly $5.7 billion" / "$5.7 billion"."""
    return a.approximate and not b.approximate and a.value == b.value and a.base == b.base == (b.low, b.high)


def _people_event(a: str, b: str) -> bool:
    """ "people" on one side, what happened to them on the other ("Seventeen people ... have died" / "17 dead")."""
    return "people" in (a, b) and bool({a, b} & PEOPLE_EVENTS)


def _may_agree(claim: Facts, passage: Facts, c: Quantity, p: Quantity) -> bool:
    """Whether two figures of one unit can be taken for the same point when their values agree.

    The same measure in sentences sharing a quarter of their words; without a
    measure on one side, the same slot (neighbouring words), one and the same
    specific number ("3,248" and "3248") or a figure with a unit ("$1.2 million a
    year" and "1.2m dollars annually") in sentences sharing half their words.
    """
    if c.unit == "age" and not _actors_match(claim, passage, c, p):
        return False
    if c.measure and p.measure and c.measure != p.measure and not _people_event(c.measure, p.measure):
        return False
    share = figure_share(claim, passage, c, p)
    if _specific(c, p) and (c.measure == p.measure or not c.measure or not p.measure) \
            and _unique_value(claim, c) and _unique_value(passage, p) \
            and share >= (SPECIFIC_AGREE_CONTEXT if c.unit else SPECIFIC_COUNT_AGREE_CONTEXT):
        return True
    if c.measure and (c.measure == p.measure or _people_event(c.measure, p.measure)):
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
    if _story_point(claim, passage, c, p):
        return True
    share = figure_share(claim, passage, c, p)
    if not (c.measure and c.measure == p.measure):
        return bool(c.neighbours & p.neighbours) and share >= SLOT_CONFLICT_CONTEXT
    generic = c.measure in GENERIC_MEASURES or (c.unit == "age" and not (c.actor or p.actor))
    return share >= (GENERIC_CONFLICT_CONTEXT if generic else CONFLICT_CONTEXT)


def _slot_aligned(claim: Facts, passage: Facts, c: Quantity | DateFact, p: Quantity | DateFact) -> bool:
    """Whether ``p`` fills the slot of ``c``: same neighbouring words in sentences that are mostly the same."""
    if not c.neighbours & p.neighbours:
        return False
    left_out = own_words(c, p) | (measure_words(c) if isinstance(c, Quantity) else frozenset())
    return context_share(claim, passage, c.sentence, p.sentence, left_out) >= SLOT_CONFLICT_CONTEXT


def _compare_quantities(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[FactMatch], list[str]]:
    agreements, conflicts, missing = [], [], []
    # Sentences that restate one specific figure are about the same thing: their other figures of one measure
    # agree on the value alone ("more than 11,300 people died and some 28,600 were infected" / "killed more
    # than 11,300 people out of nearly 29,000 registered cases").
    anchors = {(c.sentence, p.sentence) for c in claim.quantities for p in passage.quantities
               if _comparable(c, p) and _specific(c, p) and _may_agree(claim, passage, c, p)}
    for c in claim.quantities:
        candidates = [p for p in passage.quantities if _comparable(c, p)]
        # The figure in the same slot of a near copy is the one to judge by, before any other of the same measure.
        aligned = sorted((p for p in candidates if _slot_aligned(claim, passage, c, p)
                          and (c.measure == p.measure or not c.measure or not p.measure)),
                         key=lambda p: -len(c.neighbours & p.neighbours))
        if len(aligned) > 1 and len(c.neighbours & aligned[0].neighbours) > len(c.neighbours & aligned[1].neighbours):
            aligned = aligned[:1]  # one figure fills the slot exactly ("a total of 54" / "a total of 24")
        agreeing = [p for p in aligned or candidates if c.agrees_with(p) and _may_agree(claim, passage, c, p)] or [
            p for p in aligned or candidates if (c.sentence, p.sentence) in anchors and c.agrees_with(p) and c.measure
            and (c.measure == p.measure or _people_event(c.measure, p.measure))]
        if agreeing:
            words = claim.sentence_words[c.sentence] | passage.sentence_words[agreeing[0].sentence]
            agreements.append(FactMatch("identifier" if c.identifier else "quantity", c.text, agreeing[0].text,
                                        point_name(c, words)))
            continue
        # A passage figure that agrees with another figure of the claim is that figure, not a rival of this one.
        conflicting = [p for p in aligned[:1] or candidates
                       if not c.agrees_with(p) and _may_conflict(claim, passage, c, p)
                       and not any(o is not c and _comparable(o, p) and o.agrees_with(p) and _may_agree(claim, passage, o, p)
                                   for o in claim.quantities)]
        if conflicting:
            words = claim.sentence_words[c.sentence] | passage.sentence_words[conflicting[0].sentence]
            conflicts.append(FactMatch("quantity", c.text, conflicting[0].text, point_name(c, words)))
        elif not c.identifier:
            missing.append(c.text)
    return agreements, conflicts, missing


def _compare_dates(claim: Facts, passage: Facts, published: tuple[datetime.date | None, datetime.date | None] = (None, None),
                   ) -> tuple[list[FactMatch], list[FactMatch], list[str]]:
    """Dates agree when they state the same values; they conflict only about the same event.

    The same event: the date fills the same slot of a near copy, or each sentence
    states one date of that granularity (one day, one month, one year) and they
    share most words; with several such dates, which is which is unsure. A weekday
    and a day of the month ("on Tuesday" / "May 18") agree when the articles'
    publication days make them one day; that reading only ever confirms, never
    contradicts (a weekday may also be next week's).
    """
    agreements, conflicts, missing = [], [], []
    for c in _checked_dates(claim):
        day = _same_day(claim, passage, c, published)
        if day is not None:
            agreements.append(FactMatch("date", c.text, day.text, date_point(c), c.granularity))
            continue
        verdicts = [(p, c.agrees_with(p)) for p in passage.dates]
        shares = {id(p): context_share(claim, passage, c.sentence, p.sentence, own_words(c, p)) for p, _ in verdicts}
        aligned = [p for p, v in verdicts if v is not None and _slot_aligned(claim, passage, c, p)]
        agreeing = [p for p in aligned or [p for p, _ in verdicts]
                    if c.agrees_with(p) is True and (shares[id(p)] >= AGREE_CONTEXT or (c.role and c.role == p.role))]
        if agreeing:
            # They agree as far as the less precise of the two goes: "May 2016" and "2016" agree on a year.
            agreements.append(FactMatch("date", c.text, agreeing[0].text, date_point(c), _coarser(c, agreeing[0])))
            continue
        alone = _alone(claim, c)
        conflicting = [p for p, v in verdicts if v is False and not any(o is not c and o.agrees_with(p) for o in claim.dates)
                       and ((aligned and p is aligned[0])
                            or (alone and _alone(passage, p) and shares[id(p)] >= DATE_CONFLICT_CONTEXT)
                            or (alone and _alone(passage, p) and c.role and c.role == p.role
                                and point_share(claim, passage, c, p) >= POINT_CONFLICT_CONTEXT))]
        if conflicting:
            conflicts.append(FactMatch("date", c.text, conflicting[0].text, date_point(c), c.granularity))
        else:
            missing.append(c.text)
    return agreements, conflicts, missing


def _same_day(claim: Facts, passage: Facts, c: DateFact,
              published: tuple[datetime.date | None, datetime.date | None]) -> DateFact | None:
    """The passage's date that is the claim's day once publication days resolve a weekday, if there is one.

    Only where the two do not already compare (a weekday on one side, a day of the month on the other).
    """
    mine = resolved(c, published[0])
    if mine is None:
        return None
    for p in passage.dates:
        if c.agrees_with(p) is not None:
            continue
        theirs = resolved(p, published[1])
        if theirs is not None and mine.agrees_with(theirs) is True and mine.day == theirs.day \
                and context_share(claim, passage, c.sentence, p.sentence, own_words(c, p)) >= AGREE_CONTEXT:
            return p
    return None


_GRANULARITY = ("day", "month", "year")
# What a date is of, for the reader, by its role (core/facts/dates.py): a point is named by its event, never by how
# precisely it is dated ("month").
_DATE_POINTS = {"start": "start date", "opening": "opening", "completion": "completion"}


def date_point(date: DateFact) -> str:
    """The point a date states, as the reader names it: "start date", "opening", else "date"."""
    return _DATE_POINTS.get(date.role, "date")


def _coarser(a: DateFact, b: DateFact) -> str:
    return max(a.granularity, b.granularity, key=_GRANULARITY.index)


def stated_figures(claim: str) -> tuple[tuple[str, str], ...]:
    """The claim's figures and dates a passage can confirm, each as the facts compare it (``FactMatch.claim_text``)
    and as a reader names it, with the noun it counts: ("eleven", "eleven stops"), ("March 2027", "March 2027").

    A number naming something ("line 4") and a bare number the reader attaches to nothing ("three" of "a three-hour
    debate") are left out: they are not the claim's points (core.fact_stance).
    """
    facts = read_facts(claim)
    named = []
    for q in facts.quantities:
        if q.identifier or not (q.unit or q.measure):
            continue
        after = claim[q.end:]
        after = after[len(after) - len(after.lstrip(" -")):]
        counted = next((w for w in (q.measure_text, q.measure_text.split(" ")[0])
                        if w and after.lower().startswith(w.lower())), "")
        named.append((q.text, f"{q.text} {after[:len(counted)]}" if counted else q.text))
    named += [(d.text, d.text) for d in _checked_dates(facts)]
    return tuple(sorted(named, key=lambda figure: claim.find(figure[0])))


def _checked_dates(facts: Facts) -> list[DateFact]:
    """The dates of the claim's statements, less those of its attribution ("the ministry said on Tuesday")."""
    return [d for d in facts.dates if not ((clause := facts.clause_at(d.start)) and clause.attribution)]


def _alone(facts: Facts, date: DateFact) -> bool:
    """Whether the date is the only one of its granularity in its sentence."""
    return sum(1 for d in facts.dates if d.sentence == date.sentence and d.granularity == date.granularity) == 1


def _same_name(a: str, b: str) -> bool:
    """One word of a name written as a name or its adjective: "Mexico"/"Mexican", "Cuba"/"Cuban", "Congo"/"Congolese"."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    prefix = len(commonprefix([a, b]))
    return shorter >= 4 and prefix >= max(4, shorter - 1)


def _by_prefix(words: set[str] | frozenset[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for w in words:
        index.setdefault(w[:4], []).append(w)
    return index


def _names(parts: frozenset[str], words: dict[str, list[str]]) -> bool:
    """Whether a word of the name is among ``words`` (indexed by their first four letters), or its adjective is."""
    return any(_same_name(p, w) for p in parts for w in words.get(p[:4], ()))


def _another_person(a: str, b: str) -> bool:
    """Two full names sharing a first name or a surname but not both: "Eliana Mario" / "Eliana Murillo",
    "Dwight Hammond" / "Steven Hammond" (a list, "Dwight and Steven Hammond", names both)."""
    first, second = a.split(), b.split()
    if len(first) < 2 or len(second) < 2 or "and" in first or "and" in second \
            or set(first) <= set(second) or set(second) <= set(first):  # "NASA’s New Horizons" names "New Horizons"
        return False
    same_first, same_last = _same_name(first[0], second[0]), _same_name(first[-1], second[-1])
    return same_first != same_last


def _compare_actors(claim: Facts, passage: Facts) -> tuple[list[FactMatch], list[str], list[str]]:
    """An actor is mentioned when the passage names it by any of its words ("Putin" for "Vladimir Putin").

    Only the claim's key names are demanded: those it names only to attribute the
    report (a speaker, "according to the ministry", a dateline; Actor.incidental)
    are agreements when the passage names them too, and never missing.
    """
    agreements, missing, other_people = [], [], []
    passage_words = _by_prefix(set(passage.normalised.split()))
    passage_actors = [(a, _by_prefix(a.parts)) for a in passage.actors]
    seen: set[str] = set()
    for actor in sorted(claim.actors, key=lambda a: a.incidental):
        if actor.key in seen:
            continue
        seen.add(actor.key)
        named = [a for a, parts in passage_actors if _names(actor.parts, parts)]
        others = [a for a in named if _another_person(actor.key, a.key)]
        named = [a for a in named if a not in others]
        if named:
            agreements.append(FactMatch("actor", actor.text, named[0].text, actor.key))
        elif others:
            if not actor.incidental:
                missing.append(actor.text)
                other_people.append(actor.text)
        elif _names(actor.parts, passage_words):
            agreements.append(FactMatch("actor", actor.text, actor.text, actor.key))
        elif not actor.incidental:
            missing.append(actor.text)
    order = {a.text: k for k, a in enumerate(claim.actors)}
    agreements.sort(key=lambda m: order.get(m.claim_text, 0))
    missing.sort(key=lambda text: order.get(text, 0))
    return agreements, missing, other_people


def compare_facts(claim: str, passage: str, claim_published: str | None = None,
                  passage_published: str | None = None) -> FactComparison:
    """Which of the claim's facts the passage confirms, contradicts or leaves out (see FactComparison).

    ``claim_published`` / ``passage_published``: the days their articles were published (ISO), which tell
    which day "on Tuesday" is and which year "May 18" is in (core.facts.dates.resolved).
    """
    c, p = read_facts(claim), read_facts(passage)
    q_agree, q_conflict, q_missing = _compare_quantities(c, p)
    d_agree, d_conflict, d_missing = _compare_dates(c, p, (publication_day(claim_published),
                                                           publication_day(passage_published)))
    a_agree, a_missing, other_people = _compare_actors(c, p)
    quote_pairs, quote_missing = compare_quotes(c, p)
    quote_agree = [FactMatch("quote", mine, theirs, "quote") for mine, theirs in quote_pairs]
    return FactComparison(tuple(q_agree + d_agree + a_agree + quote_agree), tuple(q_conflict + d_conflict),
                          tuple(q_missing + d_missing + a_missing + quote_missing), bool(quote_agree),
                          sum(1 for q in c.quantities if not q.identifier) + len(_checked_dates(c)), tuple(other_people))
